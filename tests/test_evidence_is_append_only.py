"""Records are never deleted and evidence never changes: the database itself refuses, on
PostgreSQL (DELETE, UPDATE and TRUNCATE) and on SQLite (DELETE and UPDATE) alike."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from api.models import ApiKey
from approvals.models import ApprovalStep, ApprovalTask
from approvals.services import deputy_appoint
from crm_archive.db_guards import installed_guards
from crm_archive.models import CalendarDay
from customers.complaints import complaint_escalations_send, complaint_progress_add
from customers.models import (
    Complaint,
    CorrectionRequest,
    Customer,
    CustomerExport,
    CustomerReadLog,
    FollowUp,
    FollowUpPlan,
    GradeChange,
    GradeCriterion,
    Handover,
    HandoverCustomer,
    VisitPlan,
)
from customers.services import (
    customer_read_log,
    customers_export_recorded,
    customers_hand_over,
    handover_step_record,
)
from destruction import services as destruction_services
from destruction.models import DestructionItem, DestructionList, Hold
from dossiers import services as dossier_services
from dossiers.models import BackupKeyUse, Document, Dossier, ReadRequestScope, VolumeRemarksEntry
from lending import circulation as lending_circulation
from lending import services as lending_services
from lending.models import BlockOverride, Loan, LoanKind, LoanNotice, MonthlyReport, MonthlyReportLine
from tests.approving import approve_loan_fully

pytestmark = pytest.mark.django_db

# Rows of these tables are never deleted (the workflows mark records closed, lifted, destroyed,
# revoked, decided).
NEVER_DELETED = [
    "customers_customer",
    "customers_customeraccessgrant",
    "customers_exportpermit",
    "customers_complaint",
    "customers_visitplan",
    "customers_followupplan",
    "customers_followup",
    "customers_gradecriterion",
    "customers_gradechange",
    "customers_correctionrequest",
    "approvals_approvaltask",
    "approvals_deputy",
    "dossiers_dossier",
    "dossiers_document",
    "dossiers_readrequest",
    "dossiers_exportrequest",
    "dossiers_stocktake",
    "lending_loan",
    "lending_monthlyreport",
    "lending_referencecopy",
    "lending_blockoverride",
    "destruction_destructionlist",
    "destruction_destructionitem",
    "destruction_hold",
    "api_apikey",
    "crm_archive_calendarday",
]
# Evidence: never deleted and never changed once written.
APPEND_ONLY = [
    "customers_customerreadlog",
    "customers_customerexport",
    "customers_handover",
    "customers_historicalcustomer",
    "customers_handoverstep",
    "customers_handovercustomer",
    "customers_complaintprogress",
    "customers_complaintescalation",
    "customers_historicalcomplaint",
    "customers_historicalfollowupplan",
    "customers_historicalfollowup",
    "customers_historicalgradecriterion",
    "customers_historicalgradechange",
    "customers_historicalcorrectionrequest",
    "dossiers_backupkeyuse",
    "dossiers_volumeremarksentry",
    "dossiers_historicaldossier",
    "dossiers_historicaldocument",
    "dossiers_stocktakescan",
    "dossiers_stocktakefinding",
    "lending_historicalloan",
    "lending_monthlyreportline",
    "lending_loannotice",
    "lending_historicalreferencecopy",
    "lending_historicalblockoverride",
    "destruction_historicaldestructionlist",
    "destruction_historicalhold",
    "approvals_historicalapprovalstep",
    "approvals_historicalapprovaltask",
    "crm_archive_historicalcalendarday",
]


def expected_guards(vendor):
    events = ["delete", "truncate"] if vendor == "postgresql" else ["delete"]
    guards = {(table, f"{table}_refuse_{event}") for table in NEVER_DELETED + APPEND_ONLY for event in events}
    return guards | {(table, f"{table}_refuse_update") for table in APPEND_ONLY}


@pytest.fixture
def evidence(archive, formal_dossier, file_document, make_user):
    """One row in every guarded table, made the way the application makes them."""
    people = archive["people"]
    dossier = formal_dossier()
    customer = dossier.customer
    loan = lending_services.loan_request(
        borrower=people["owner"], dossier=dossier, kind=LoanKind.BORROW, content="合同", purpose="核对"
    )
    loan = lending_services.loan_issue(approve_loan_fully(loan), by=people["clerk"])
    # The colleague may not read the owner's personal customer: their loan reads through its own grant.
    loan_with_a_grant = approve_loan_fully(
        lending_services.loan_request(
            borrower=people["colleague"], dossier=dossier, kind=LoanKind.PHOTOCOPY, content="合同", purpose="核对"
        )
    )
    read_request = dossier_services.read_request_create(
        requester=people["colleague"],
        customer=customer,
        scope=ReadRequestScope.PROFILE,
        content="联系人",
        purpose="回访",
    )
    export_request = dossier_services.export_request_decide(
        dossier_services.export_request_create(requester=people["owner"], purpose="年度回访名单"),
        by=people["manager"],
        approve=True,
    )
    list(customers_export_recorded([customer], user=people["owner"], through=export_request.permit.reference))
    report = MonthlyReport.objects.create(kind="snapshot", year=2026, month=3, taken_at=timezone.now())
    line = MonthlyReportLine.objects.create(
        report=report,
        loan=loan,
        item="original",
        register_number=loan.register_number,
        archive_number=dossier.archive_number,
        material="合同",
        borrower=str(people["owner"]),
        department="销售部",
        purpose="核对",
        issued_at=loan.issued_at,
        due_at=loan.due_at,
        days_overdue=0,
    )
    stocktake = _stocktake_finished(archive["cabinet"], people["clerk"])
    destruction_list = DestructionList(department=customer.department, drafted_by=people["clerk"])
    destruction_list.save()
    item = DestructionItem.objects.create(
        destruction_list=destruction_list,
        dossier=dossier,
        title=customer.name,
        archive_number=dossier.archive_number,
        year=2012,
        retention="定期10年",
        retention_due_on=date(2023, 1, 1),
        pages=12,
    )
    reference_copy = lending_circulation.reference_copy_register(dossier.documents.first(), by=people["clerk"])
    lending_circulation.courtesy_reminders_send(at=loan.due_at - timedelta(minutes=30))
    override = BlockOverride.objects.create(
        borrower=people["colleague"],
        granted_by=people["archive_manager"],
        reason="急用",
        valid_until=timezone.now() + timedelta(days=1),
    )
    calendar_day = CalendarDay.objects.create(day=date(2027, 10, 8), is_working_day=False, note="国庆节")
    return {
        "crm_archive_calendarday": calendar_day,
        "crm_archive_historicalcalendarday": calendar_day.history.first(),
        "customers_customer": customer,
        "customers_customeraccessgrant": loan_with_a_grant.grant,
        "customers_exportpermit": export_request.permit,
        "customers_customerexport": CustomerExport.objects.get(user=people["owner"]),
        "approvals_approvaltask": ApprovalTask.objects.filter(kind=LoanKind.BORROW, request_id=loan.pk).first(),
        "approvals_deputy": deputy_appoint(
            principal=people["archive_manager"],
            deputy=people["general_manager"],
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
            reason="出差",
        ),
        "dossiers_readrequest": read_request,
        "dossiers_exportrequest": export_request,
        "dossiers_stocktake": stocktake,
        "dossiers_stocktakescan": stocktake.scans.first(),
        "dossiers_stocktakefinding": stocktake.findings.first(),
        "dossiers_dossier": dossier,
        "dossiers_document": dossier.documents.first(),
        "lending_loan": loan,
        "lending_monthlyreport": report,
        "lending_referencecopy": reference_copy,
        "lending_blockoverride": override,
        "lending_loannotice": LoanNotice.objects.get(loan=loan),
        "lending_historicalreferencecopy": reference_copy.history.first(),
        "lending_historicalblockoverride": override.history.first(),
        "destruction_destructionlist": destruction_list,
        "destruction_destructionitem": item,
        "destruction_hold": destruction_services.hold_place(dossier, by=people["archive_manager"], reason="审计"),
        "api_apikey": ApiKey.issue(user=people["owner"], name="ERP", expires_at=timezone.now() + timedelta(days=1))[0],
        "customers_customerreadlog": customer_read_log(customer, user=people["owner"]),
        "customers_handover": Handover.objects.create(
            from_user=people["owner"],
            to_user=people["colleague"],
            performed_by=people["manager"],
            customer_count=1,
            reason="调岗",
        ),
        "customers_historicalcustomer": customer.history.first(),
        **_relationship_records(customer, people),
        "dossiers_backupkeyuse": BackupKeyUse.objects.create(
            cabinet=archive["cabinet"],
            used_by=people["general_manager"],
            reason="钥匙遗失",
            recorded_by=people["clerk"],
        ),
        "dossiers_volumeremarksentry": _remarks_added_to(dossier, people),
        "dossiers_historicaldossier": dossier.history.first(),
        "dossiers_historicaldocument": dossier.documents.first().history.first(),
        "lending_historicalloan": loan.history.first(),
        "lending_monthlyreportline": line,
        "destruction_historicaldestructionlist": destruction_list.history.first(),
        "destruction_historicalhold": Hold.objects.get(dossier=dossier).history.first(),
        "approvals_historicalapprovalstep": _chain_edited().history.first(),
        "approvals_historicalapprovaltask": ApprovalTask.objects.filter(kind=LoanKind.BORROW, request_id=loan.pk)
        .first()
        .history.first(),
    }


def _relationship_records(customer, people):
    """One row of each record of the customer-relationship duties (issue 17), as the services make them."""
    complaint = Complaint.objects.create(
        customer=customer,
        received_on=date(2026, 3, 2),
        deadline=date(2026, 3, 3),
        description="延误",
        owner=people["colleague"],
    )
    complaint_progress_add(complaint, by=people["owner"], note="已致电", customer_told=True)
    with time_machine.travel(datetime(2026, 3, 5, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        complaint_escalations_send()
    plan = FollowUpPlan.objects.first()
    plan.save()
    criterion = GradeCriterion.objects.first()
    criterion.save()
    follow_up = FollowUp.objects.create(
        customer=customer,
        plan=plan,
        event_key="profile",
        event_on=date(2026, 3, 2),
        sequence=1,
        due_on=date(2026, 3, 5),
        assigned_to=people["owner"],
    )
    grade_change = GradeChange.objects.create(
        customer=customer, from_grade="C", to_grade="B", reason="交易额增长", requested_by=people["owner"]
    )
    correction = CorrectionRequest.objects.create(
        customer=customer, requested_by=people["archive_manager"], addressed_to=people["owner"], note="补充地址"
    )
    # The colleague leaves: the complaint they handle moves to the owner.
    handover = customers_hand_over(
        from_user=people["colleague"], to_user=people["owner"], by=people["manager"], reason="调岗"
    )
    return {
        "customers_complaint": complaint,
        "customers_complaintprogress": complaint.progress.first(),
        "customers_complaintescalation": complaint.escalations.first(),
        "customers_historicalcomplaint": complaint.history.first(),
        "customers_visitplan": VisitPlan.objects.create(
            customer=customer, planned_on=date(2026, 3, 9), purpose="年度回访", planned_by=people["owner"]
        ),
        "customers_followupplan": plan,
        "customers_historicalfollowupplan": plan.history.first(),
        "customers_followup": follow_up,
        "customers_historicalfollowup": follow_up.history.first(),
        "customers_gradecriterion": criterion,
        "customers_historicalgradecriterion": criterion.history.first(),
        "customers_gradechange": grade_change,
        "customers_historicalgradechange": grade_change.history.first(),
        "customers_correctionrequest": correction,
        "customers_historicalcorrectionrequest": correction.history.first(),
        "customers_handoverstep": handover_step_record(handover, by=people["manager"], kind="customers_told"),
        "customers_handovercustomer": HandoverCustomer.objects.create(handover=handover, customer=customer),
    }


def _remarks_added_to(dossier, people):
    """A later note on a remarks sheet, as a clerk adds one."""
    year = dossier.documents.first().filing_year
    for notes in ("初次立卷", "补充说明"):
        dossier_services.volume_remarks_save(
            dossier=dossier, filing_year=year, top_secret=False, by=people["clerk"], notes=notes
        )
    return VolumeRemarksEntry.objects.get()


def _stocktake_finished(cabinet, clerk):
    """A stocktake as a clerk takes one: a position label, a code naming no dossier (a finding), finished."""
    stocktake = dossier_services.stocktake_start(cabinet, by=clerk)
    dossier_services.stocktake_scan(stocktake, f"POS:{cabinet.code}/9", by=clerk)
    dossier_services.stocktake_scan(stocktake, "NO-SUCH-0001", by=clerk)
    return dossier_services.stocktake_finish(stocktake, by=clerk)


def _chain_edited():
    """A step of a chain as an administrator edits it (its history row is what the audit reads)."""
    step = ApprovalStep.objects.first()
    step.save()
    return step


def test_a_migrated_database_has_exactly_one_set_of_guards():
    assert installed_guards(connection) == expected_guards(connection.vendor)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # destruction/0002's triggers on other apps' tables were replaced by each app's own.
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE '%%forbid_delete'")
            assert cursor.fetchall() == []
            cursor.execute("SELECT proname FROM pg_proc WHERE proname = 'archive_forbid_delete'")
            assert cursor.fetchall() == []


@pytest.mark.parametrize("table", NEVER_DELETED + APPEND_ONLY)
def test_the_database_refuses_deleting_a_row(evidence, table):
    row = evidence[table]
    model = type(row)
    with pytest.raises(IntegrityError, match="never deleted"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE {model._meta.pk.column} = %s", [row.pk])
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_the_database_refuses_changing_evidence(evidence, table):
    row = evidence[table]
    model = type(row)
    with pytest.raises(IntegrityError, match="never changed"), transaction.atomic():
        with connection.cursor() as cursor:
            column = model._meta.pk.column
            cursor.execute(f"UPDATE {table} SET {column} = {column} WHERE {column} = %s", [row.pk])
    assert model.objects.filter(pk=row.pk).exists()


def test_a_changed_read_log_entry_is_refused_through_the_orm_too(evidence):
    entry = evidence["customers_customerreadlog"]
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerReadLog.objects.filter(pk=entry.pk).update(what="nothing")
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.history.filter(id=entry.customer_id).update(name="改写的历史")
    assert CustomerReadLog.objects.get(pk=entry.pk).what == "profile"
    assert not Customer.history.filter(name="改写的历史").exists()


def test_holds_and_monthly_reports_still_change_through_their_services(evidence, archive):
    hold = destruction_services.hold_lift(
        evidence["destruction_hold"], by=archive["people"]["archive_manager"], reason="审计结束"
    )
    assert Hold.objects.get(pk=hold.pk).lifted_at is not None
    assert MonthlyReport.objects.filter(pk=evidence["lending_monthlyreport"].pk).update(month=4) == 1


@pytest.mark.postgres_only
@pytest.mark.parametrize("table", NEVER_DELETED + APPEND_ONLY)
def test_postgresql_refuses_truncating_a_guarded_table(evidence, table):
    with pytest.raises(IntegrityError, match="never deleted"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the fixture's foreign-key checks, now
            cursor.execute(f"TRUNCATE {table} CASCADE")
    assert Customer.objects.exists() and Dossier.objects.exists() and Loan.objects.exists()


def test_flush_empties_the_database_and_leaves_every_guard_in_place(evidence):
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the fixture's foreign-key checks, now
        call_command("flush", interactive=False, verbosity=0, reset_sequences=False, inhibit_post_migrate=True)
        assert not Document.objects.exists() and not CustomerReadLog.objects.exists()
        assert installed_guards(connection) == expected_guards(connection.vendor)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%%\\_refuse\\_%%' AND tgenabled <> 'O'"
                )
                assert cursor.fetchone() == (0,)
        transaction.set_rollback(True)
    assert Document.objects.exists()


def test_flush_outside_the_test_settings_is_refused_and_erases_nothing(evidence, settings):
    settings.FLUSH_LIFTS_EVIDENCE_GUARDS = False
    with pytest.raises(CommandError), transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the fixture's foreign-key checks, now
        call_command("flush", interactive=False, verbosity=0, reset_sequences=False, inhibit_post_migrate=True)
    assert Document.objects.exists() and CustomerReadLog.objects.exists()
