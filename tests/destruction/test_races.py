"""Destruction never races a hold or a loan (SPEC §6: a dossier with an open loan, or under a hold,
cannot be destroyed; a dossier held apart or destroyed is never lent).

Each race is made deterministic: the first service runs until it holds its row locks and then
waits on a table the test has locked; only then does the second start, and the test lets both go
once the second waits too (or has finished, as it did before the dossier rows were locked). Either
order must leave one of the two refused, never both done."""

import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from crm_archive.errors import ActionRefused
from customers.models import CustomerAccessGrant
from destruction import services
from destruction.models import DestructionList, Hold, ListStatus
from dossiers.models import Dossier, DossierStatus
from lending import services as lending_services
from lending.models import Loan, LoanKind, LoanStatus

pytestmark = pytest.mark.django_db


def racing(test):
    """Two real threads, each with its own connection, see only committed rows and take real row
    locks: a transactional test, on PostgreSQL only."""
    return pytest.mark.postgres_only(pytest.mark.django_db(transaction=True, serialized_rollback=True)(test))


SHANGHAI = ZoneInfo("Asia/Shanghai")
DRAFTED_AT = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)


class Racer(threading.Thread):
    """Runs one service call on its own database connection and keeps what came of it."""

    def __init__(self, action):
        super().__init__(daemon=True)
        self.action = action
        self.pid = None
        self.result = self.refusal = self.error = None

    def run(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.result = self.action()
        except ActionRefused as refusal:
            self.refusal = str(refusal)
        except Exception as error:
            self.error = error
        finally:
            connection.close()

    def is_waiting_for_a_lock(self) -> bool:
        if self.pid is None:
            return False
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted)", [self.pid])
            return cursor.fetchone()[0]


def eventually(condition, *, timeout=15.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def race(first, second, *, first_stops_at: str, mode: str = "SHARE ROW EXCLUSIVE") -> tuple[Racer, Racer]:
    """Run `first` until it waits on the table `first_stops_at` (which this test locks in `mode`:
    writes wait, and reads too in ACCESS EXCLUSIVE mode), after `first` has taken its row locks;
    then `second` until it waits or ends; then release both."""
    racers = Racer(first), Racer(second)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {first_stops_at} IN {mode} MODE")
            racers[0].start()
            assert eventually(racers[0].is_waiting_for_a_lock), f"the first call never reached {first_stops_at}"
            racers[1].start()
            assert eventually(lambda: racers[1].is_waiting_for_a_lock() or not racers[1].is_alive())
    finally:
        for racer in racers:
            if racer.ident is not None:  # started
                racer.join(timeout=30)
    assert [racer.error for racer in racers] == [None, None]
    assert not any(racer.is_alive() for racer in racers)
    return racers


@pytest.fixture
def verified_list(destruction_people, expired_dossier):
    """verified_list(before_approval=f) → (list, dossier, f(dossier)): one expired dossier drafted,
    appraised and approved on 2 March 2026, then verified on the day its six months apart end,
    the clock staying at that day (10:00 Shanghai)."""
    people = destruction_people

    def make(before_approval=None):
        dossier = expired_dossier()
        with time_machine.travel(DRAFTED_AT, tick=True):
            destruction_list = services.destruction_list_draft(
                by=people["clerk"], department=dossier.customer.department, dossiers=[dossier]
            )
            services.destruction_list_submit(destruction_list, by=people["clerk"])
            services.destruction_list_appraise(destruction_list, by=people["cs_manager"])
            services.destruction_list_appraise(destruction_list, by=people["manager"])
            extra = before_approval(dossier) if before_approval else None
            destruction_list = services.destruction_list_approve(destruction_list, by=people["director"])
        hold_ended = destruction_list.hold_until
        traveller = time_machine.travel(
            datetime(hold_ended.year, hold_ended.month, hold_ended.day, 10, tzinfo=SHANGHAI)
        )
        traveller.start()
        services.destruction_list_verify(destruction_list, by=people["cs_manager"])
        return destruction_list, Dossier.objects.get(pk=dossier.pk), extra, traveller

    travellers = []

    def tracked(before_approval=None):
        made = make(before_approval)
        travellers.append(made[3])
        return made[:3]

    yield tracked
    for traveller in travellers:
        traveller.stop()


def destroy(destruction_list, people):
    return lambda: services.destruction_list_destroy(
        destruction_list, by=people["cs_manager"], place="档案室", method="碎纸机粉碎", destroyed_on=DRAFTED_AT.date()
    )


def requested_by_someone_who_needs_a_grant(people, dossier):
    """A loan request by a colleague who may not read the owner's personal customer: their
    department manager — the owner's too, who approves that tier, so one signature serves both —
    has signed; the archive manager's approval is the last one, and would start the colleague's
    read grant."""
    loan = lending_services.loan_request(
        borrower=people["colleague"], dossier=dossier, kind=LoanKind.BORROW, content="合同", purpose="核对"
    )
    assert loan.needs_tier_approval
    return lending_services.loan_approve(loan, by=people["manager"])


@racing
def test_a_hold_placed_while_the_destruction_is_recorded_is_refused(destruction_people, verified_list):
    people = destruction_people
    destruction_list, dossier, _ = verified_list()
    destroying, holding = race(
        destroy(destruction_list, people),
        lambda: services.hold_place(dossier, by=people["archive_manager"], reason="诉讼"),
        first_stops_at="dossiers_historicaldossier",
    )
    assert destroying.refusal is None
    assert holding.refusal is not None and "已销毁，不能设置保留冻结" in holding.refusal
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.DESTROYED
    assert not Hold.objects.filter(dossier=dossier).exists()


@racing
def test_a_destruction_recorded_while_a_hold_is_placed_is_refused(destruction_people, verified_list):
    people = destruction_people
    destruction_list, dossier, _ = verified_list()
    holding, destroying = race(
        lambda: services.hold_place(dossier, by=people["archive_manager"], reason="诉讼"),
        destroy(destruction_list, people),
        first_stops_at="destruction_hold",
    )
    assert holding.refusal is None
    assert destroying.refusal is not None and "保留冻结中：诉讼" in destroying.refusal
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.FORMAL
    assert DestructionList.objects.get(pk=destruction_list.pk).status == ListStatus.VERIFIED


@racing
def test_a_loan_approved_while_the_destruction_is_recorded_is_refused(destruction_people, verified_list):
    people = destruction_people
    destruction_list, dossier, loan = verified_list(
        before_approval=lambda dossier: requested_by_someone_who_needs_a_grant(people, dossier)
    )
    destroying, approving = race(
        destroy(destruction_list, people),
        lambda: lending_services.loan_approve(loan, by=people["archive_manager"]),
        first_stops_at="dossiers_historicaldossier",
    )
    assert destroying.refusal is None
    assert approving.refusal is not None and "此档案已销毁，不能借阅" in approving.refusal
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.REQUESTED
    assert not CustomerAccessGrant.objects.filter(user=people["colleague"]).exists()


def test_a_loan_approval_decides_on_the_dossier_row_alone_and_the_destruction_goes_on(
    destruction_people, verified_list
):
    """Lending reads the custody on the dossier's locked row and asks destruction nothing, so an
    approval holding that row never waits on destruction's tables (no race left to lose)."""
    people = destruction_people
    destruction_list, dossier, loan = verified_list(
        before_approval=lambda dossier: requested_by_someone_who_needs_a_grant(people, dossier)
    )
    with CaptureQueriesContext(connection) as queries:
        with pytest.raises(ActionRefused, match="正单独存放，不能借阅"):
            lending_services.loan_approve(loan, by=people["archive_manager"])
    assert not [query["sql"] for query in queries if "destruction_" in query["sql"]]
    destroy(destruction_list, people)()
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.DESTROYED
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.REQUESTED
    assert not CustomerAccessGrant.objects.filter(user=people["colleague"]).exists()


@pytest.fixture
def appraised_list_and_loan(destruction_people, expired_dossier):
    """An appraised list of one dossier, and a loan request on it awaiting its last approval."""
    people = destruction_people
    dossier = expired_dossier()
    with time_machine.travel(DRAFTED_AT, tick=True):
        destruction_list = services.destruction_list_draft(
            by=people["clerk"], department=dossier.customer.department, dossiers=[dossier]
        )
        services.destruction_list_submit(destruction_list, by=people["clerk"])
        services.destruction_list_appraise(destruction_list, by=people["cs_manager"])
        services.destruction_list_appraise(destruction_list, by=people["manager"])
        loan = requested_by_someone_who_needs_a_grant(people, dossier)
        yield destruction_list, dossier, loan


@racing
def test_a_loan_approved_while_the_list_is_approved_is_refused(destruction_people, appraised_list_and_loan):
    people = destruction_people
    destruction_list, dossier, loan = appraised_list_and_loan
    approving_list, approving_loan = race(
        lambda: services.destruction_list_approve(destruction_list, by=people["director"]),
        lambda: lending_services.loan_approve(loan, by=people["archive_manager"]),
        first_stops_at="destruction_historicaldestructionlist",
    )
    assert approving_list.refusal is None
    assert approving_loan.refusal is not None and "正单独存放，不能借阅" in approving_loan.refusal
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.REQUESTED
    assert not CustomerAccessGrant.objects.filter(user=people["colleague"]).exists()


@racing
def test_a_list_approved_while_a_loan_is_approved_is_refused(destruction_people, appraised_list_and_loan):
    people = destruction_people
    destruction_list, dossier, loan = appraised_list_and_loan
    approving_loan, approving_list = race(
        lambda: lending_services.loan_approve(loan, by=people["archive_manager"]),
        lambda: services.destruction_list_approve(destruction_list, by=people["director"]),
        first_stops_at="lending_historicalloan",
    )
    assert approving_loan.refusal is None and Loan.objects.get(pk=loan.pk).status == LoanStatus.APPROVED
    assert approving_list.refusal is not None and "有未结的借阅" in approving_list.refusal
    assert DestructionList.objects.get(pk=destruction_list.pk).status == ListStatus.APPRAISED


# The same rules, one step after the other (PostgreSQL and SQLite).


def test_a_destroyed_dossier_takes_no_hold(destruction_people, verified_list):
    people = destruction_people
    destruction_list, dossier, _ = verified_list()
    destroy(destruction_list, people)()
    with pytest.raises(ActionRefused, match="已销毁，不能设置保留冻结"):
        services.hold_place(dossier, by=people["archive_manager"], reason="诉讼")
    assert not Hold.objects.filter(dossier=dossier).exists()


def test_a_loan_request_left_waiting_is_not_approved_once_its_dossier_is_destroyed(destruction_people, verified_list):
    people = destruction_people
    destruction_list, dossier, loan = verified_list(
        before_approval=lambda dossier: requested_by_someone_who_needs_a_grant(people, dossier)
    )
    destroy(destruction_list, people)()
    with pytest.raises(ActionRefused, match="此档案已销毁，不能借阅"):
        lending_services.loan_approve(loan, by=people["archive_manager"])
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.REQUESTED
    assert not CustomerAccessGrant.objects.filter(user=people["colleague"]).exists()


def test_a_loan_request_left_waiting_is_not_approved_once_its_dossier_is_held_apart(
    destruction_people, appraised_list_and_loan
):
    people = destruction_people
    destruction_list, _dossier, loan = appraised_list_and_loan
    services.destruction_list_approve(destruction_list, by=people["director"])
    with pytest.raises(ActionRefused, match="正单独存放，不能借阅"):
        lending_services.loan_approve(loan, by=people["archive_manager"])
    assert not CustomerAccessGrant.objects.filter(user=people["colleague"]).exists()


def test_a_list_is_not_approved_while_one_of_its_dossiers_is_lent(destruction_people, appraised_list_and_loan):
    people = destruction_people
    destruction_list, dossier, loan = appraised_list_and_loan
    lending_services.loan_approve(loan, by=people["archive_manager"])
    with pytest.raises(ActionRefused, match=f"档案 {dossier.archive_number} 有未结的借阅"):
        services.destruction_list_approve(destruction_list, by=people["director"])
    lending_services.loan_cancel(loan, by=people["colleague"])
    assert services.destruction_list_approve(destruction_list, by=people["director"]).status == ListStatus.HELD
