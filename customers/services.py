"""Every state change of customers, their records, grants and handovers."""

from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.services import notification_send
from crm_archive.errors import ActionRefused

from . import followups, permissions, secrecy, selectors
from .models import (
    Complaint,
    CorrectionRequest,
    Customer,
    CustomerAccessGrant,
    CustomerExport,
    CustomerReadLog,
    ExportPermit,
    FollowUp,
    Handover,
    HandoverCustomer,
    HandoverStep,
    HandoverStepKind,
    Interaction,
    VisitPlan,
)


def customer_create(*, by, **fields) -> Customer:
    """Open a customer profile owned by `fields["owner"]`; its department is the owner's
    unless given. Refused when `by` may not open customers for that owner."""
    owner = fields["owner"]
    if not permissions.can_create_customer_for(by, owner):
        raise ActionRefused(_("您不能为 %(owner)s 建立客户资料。") % {"owner": owner})
    if fields.get("department") is None:
        if owner.department_id is None:
            raise ActionRefused(_("负责业务员 %(owner)s 尚未分配部门。") % {"owner": owner})
        fields["department"] = owner.department
    customer = Customer(**fields)
    customer._history_user = by
    with transaction.atomic():
        customer.save()
        _refuse_if_out_of_reach(customer, by)
        followups.on_customer_created([customer], by=by)
    return customer


def _refuse_if_out_of_reach(customer: Customer, by):
    """Nobody files a customer where they could no longer read it (e.g. a sales person choosing
    绝密 for their own customer): the transaction is rolled back with a reason."""
    if not secrecy.can_read_customer(by, customer):
        raise ActionRefused(
            _("选择“%(tier)s”后您将无法查阅此客户，请选择其他密级或请有权限的人员办理。")
            % {"tier": customer.get_secrecy_tier_display()}
        )


def customer_update(customer: Customer, *, by, **fields) -> Customer:
    """Change profile fields. The owner changes only through a handover, so that every change of
    responsibility is recorded as one."""
    if "owner" in fields or "department" in fields:
        raise ActionRefused(_("负责业务员和部门只能通过员工交接变更。"))
    if "grade" in fields:
        raise ActionRefused(_("客户等级须申请变更，由部门经理批准。"))
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        if not permissions.can_edit_customer(by, locked):
            raise ActionRefused(_("您不能修改此客户的资料。"))
        for name, value in fields.items():
            setattr(locked, name, value)
        locked._history_user = by
        locked.save()
        _refuse_if_out_of_reach(locked, by)
    return locked


def customer_second_owner_set(customer: Customer, *, by, person) -> Customer:
    """Name (or, with `person` None, clear) the second responsible person of `customer` (seed 003
    制度1 第七条3: 较重要的客户，公司要有两个以上的人员与之联系). They read and keep the profile as the
    owner does and are told what the owner is told; they are told of their naming."""
    with transaction.atomic():
        locked = Customer.objects.select_for_update().select_related("owner").get(pk=customer.pk)
        if "second_owner" not in permissions.customer_actions(by, locked):
            raise ActionRefused(_("您不能指定此客户的第二负责人。"))
        if person is not None and not permissions.second_owners_for(locked).filter(pk=person.pk).exists():
            raise ActionRefused(
                _("%(person)s 不能担任第二负责人：须为本部门在职人员，且不是负责业务员。") % {"person": person}
            )
        locked.second_owner = person
        locked._history_user = by
        locked.save()
        if person is not None:
            notification_send(
                recipient=person,
                message=_("您已被指定为客户“%(customer)s”的第二负责人。") % {"customer": locked.name},
                link=reverse("customers:detail", args=[locked.pk]),
            )
    return locked


def _refuse_changing_a_handled_complaint(record: Complaint) -> None:
    """A complaint keeps its kind (a complaint is not turned into a suggestion to skip its approval
    and escalation); once closed, or once its result is submitted or it escalated, what it is about
    and its deadline stay as they were."""
    stored = Complaint.objects.get(pk=record.pk)
    if record.kind != stored.kind:
        raise ActionRefused(_("反馈类型登记后不能更改。"))
    handled = stored.closed_on or stored.resolved_at or stored.escalations.exists()
    if handled and (record.description != stored.description or record.deadline != stored.deadline):
        raise ActionRefused(_("此投诉已提交处理结果、已上报或已结案，内容和期限不能再改。"))


def customer_record_save(record, *, by):
    """Create or change a contact, interaction, deal or complaint of a customer `by` may edit —
    and read: the same rule as the page's "edit" action."""
    if "edit" not in permissions.customer_actions(by, record.customer):
        raise ActionRefused(_("您不能修改此客户的资料。"))
    if isinstance(record, Complaint) and record.pk is not None:
        _refuse_changing_a_handled_complaint(record)
    if hasattr(record, "recorded_by_id") and record.recorded_by_id is None:
        record.recorded_by = by
    created = record.pk is None
    with transaction.atomic():
        record._history_user = by
        record.save()
        followups.on_record_saved(record, by=by, created=created)
    return record


def customer_read_log(customer: Customer, *, user, what: str = "profile") -> CustomerReadLog:
    """Log one read of `customer`'s contents by `user`, against the request it went through when
    their own tier does not open it (SPEC §4: every read logged, through which request)."""
    return CustomerReadLog.objects.create(
        customer=customer, user=user, what=what, through=secrecy.read_through(user, customer)
    )


def customers_read_log(customer_ids, *, user, what: str) -> None:
    """customer_read_log for many customers read at once (an API page): one row each, with the
    request each was read through, in three queries whatever their number."""
    customer_ids = list(dict.fromkeys(customer_ids))
    through = secrecy.reads_through(user, customer_ids)
    CustomerReadLog.objects.bulk_create(
        CustomerReadLog(customer_id=pk, user=user, what=what, through=through.get(pk, "")) for pk in customer_ids
    )


def customers_logged_as_read(customers, *, user, what: str, through: str = "", batch_size: int = 2000):
    """Yield `customers` unchanged, logging a read of each by `user` (in batches) — for exports,
    which read many customers at once."""
    batch = []
    for customer in customers:
        batch.append(CustomerReadLog(customer=customer, user=user, what=what, through=through))
        if len(batch) >= batch_size:
            CustomerReadLog.objects.bulk_create(batch)
            batch = []
        yield customer
    if batch:
        CustomerReadLog.objects.bulk_create(batch)


def customers_export_recorded(customers, *, user, through: str, filters: str = ""):
    """Yield `customers` unchanged, logging each as read (through `through`); once all are out,
    record the export itself with its row count (SPEC §4: the export is logged)."""
    read = customers_logged_as_read(customers, user=user, what="export", through=through)
    yield from export_logged(read, user=user, what=filters, through=through)


def export_logged(rows, *, user, what: str, through: str = ""):
    """Yield `rows` (of a register, a report, the audit trail) unchanged; once all are out, record
    the export in the export log with its row count and `what` was exported (issue 14: exports are
    in the audit trail with what was read)."""
    count = 0
    for row in rows:
        count += 1
        yield row
    CustomerExport.objects.create(user=user, rows=count, through=through, filters=what[:500])


def export_permit_grant(*, user, until, reference: str) -> ExportPermit:
    """An approved export request lets `user` export until `until`."""
    return ExportPermit.objects.create(user=user, reference=reference, expires_at=until)


def customers_hand_over(*, from_user, to_user, by, reason: str) -> Handover:
    """员工调离交接 (seed 003 制度1 第五条, 制度8 §12, 制度4 第四条): in one transaction, move to
    `to_user` every customer owned by `from_user` (their department follows the successor), the
    customers they are second responsible person of, the complaints they handle, their open
    follow-ups and visit plans, and the correction requests addressed to them. The customers'
    pending next actions go with the customers. Recorded as a Handover with what moved, the
    customers listed (the letter list), and in each record's history."""
    if from_user.pk == to_user.pk:
        raise ActionRefused(_("移交人和接收人不能是同一人。"))
    if not to_user.is_active:
        raise ActionRefused(_("接收人 %(user)s 已停用。") % {"user": to_user})
    if to_user.department_id is None:
        raise ActionRefused(_("接收人 %(user)s 尚未分配部门。") % {"user": to_user})
    if not permissions.can_hand_over_customers_of(by, from_user):
        raise ActionRefused(_("您不能交接 %(user)s 的客户。") % {"user": from_user})
    if not reason.strip():
        raise ActionRefused(_("请填写交接原因。"))
    change_reason = _("员工交接：%(from)s → %(to)s") % {"from": from_user, "to": to_user}
    with transaction.atomic():
        customers = list(Customer.objects.select_for_update().filter(owner=from_user).order_by("pk"))
        now = timezone.now()
        for customer in customers:
            customer.owner = to_user
            customer.department_id = to_user.department_id
            if customer.second_owner_id == to_user.pk:
                customer.second_owner = None  # the successor is now its owner
            customer.updated_at = now
        seconded = list(
            Customer.objects.select_for_update().filter(second_owner=from_user).exclude(owner=from_user).order_by("pk")
        )
        for customer in seconded:
            customer.second_owner = None if customer.owner_id == to_user.pk else to_user
            customer.updated_at = now
        complaints = list(Complaint.objects.select_for_update().filter(owner=from_user, closed_on__isnull=True))
        follow_ups = list(FollowUp.objects.select_for_update().filter(assigned_to=from_user, done_at__isnull=True))
        corrections = list(
            CorrectionRequest.objects.select_for_update().filter(addressed_to=from_user, done_at__isnull=True)
        )
        if not (customers or seconded or complaints or follow_ups or corrections):
            raise ActionRefused(_("%(user)s 名下没有客户，也没有未结事项。") % {"user": from_user})
        moves = [
            (customers + seconded, Customer, ["owner", "department", "second_owner", "updated_at"]),
            (complaints, Complaint, ["owner"]),
            (follow_ups, FollowUp, ["assigned_to"]),
            (corrections, CorrectionRequest, ["addressed_to"]),
        ]
        for record in complaints:
            record.owner = to_user
        for record in follow_ups:
            record.assigned_to = to_user
        for record in corrections:
            record.addressed_to = to_user
        for records, model, fields in moves:
            # bulk_update alone writes no history; this variant writes one row per record.
            if records:
                bulk_update_with_history(
                    records, model, fields, batch_size=500, default_user=by, default_change_reason=change_reason
                )
        visits = VisitPlan.objects.filter(planned_by=from_user, interaction__isnull=True).update(planned_by=to_user)
        next_actions = Interaction.objects.filter(
            customer__in=customers, next_action_on__isnull=False, next_action_done_at__isnull=True
        ).count()
        handover = Handover.objects.create(
            from_user=from_user,
            to_user=to_user,
            performed_by=by,
            customer_count=len(customers),
            complaint_count=len(complaints),
            follow_up_count=len(follow_ups) + visits,
            next_action_count=next_actions,
            request_count=len(corrections),
            reason=reason.strip(),
        )
        HandoverCustomer.objects.bulk_create(
            HandoverCustomer(handover=handover, customer=customer) for customer in customers + seconded
        )
        return handover


def handover_step_record(handover: Handover, *, by, kind: str) -> HandoverStep:
    """Record one item of the handover's checklist done (customers told of their new contact,
    the checklist signed by the leaver, the successor and the manager); each once."""
    if not permissions.can_hand_over_customers_of(by, handover.from_user):
        raise ActionRefused(_("您不能办理此交接。"))
    if kind not in (HandoverStepKind.CUSTOMERS_TOLD, HandoverStepKind.CHECKLIST_SIGNED):
        raise ActionRefused(_("没有此交接事项。"))
    try:
        with transaction.atomic():
            return HandoverStep.objects.create(handover=handover, kind=kind, by=by)
    except IntegrityError:
        raise ActionRefused(_("此事项已登记。")) from None


def handover_deactivate_leaver(handover: Handover, *, by) -> HandoverStep:
    """停用移交人账号, once the checklist's last item is done: the customers told, the checklist
    signed, and nothing left in the leaver's name (selectors.handover_remaining)."""
    from_user = handover.from_user
    if not permissions.can_hand_over_customers_of(by, from_user):
        raise ActionRefused(_("您不能办理此交接。"))
    if from_user.pk == by.pk:
        raise ActionRefused(_("不能停用自己的账号。"))
    with transaction.atomic():
        user = type(from_user).objects.select_for_update().get(pk=from_user.pk)
        done = set(handover.steps.values_list("kind", flat=True))
        missing = [
            str(kind.label)
            for kind in (HandoverStepKind.CUSTOMERS_TOLD, HandoverStepKind.CHECKLIST_SIGNED)
            if kind not in done
        ]
        remaining = [f"{item.label} {item.count}" for item in selectors.handover_remaining(user) if item.count]
        if missing or remaining:
            raise ActionRefused(_("尚有未完成的交接事项：%(items)s。") % {"items": "、".join([*missing, *remaining])})
        if not user.is_active:
            raise ActionRefused(_("%(user)s 的账号已停用。") % {"user": user})
        user.is_active = False
        user.save(update_fields=["is_active"])
        return HandoverStep.objects.create(handover=handover, kind=HandoverStepKind.ACCOUNT_DEACTIVATED, by=by)


def customer_access_grant(
    customer: Customer,
    *,
    user,
    until,
    by=None,
    reference: str = "",
    reason: str = "",
    named_documents_only: bool = False,
    opens_top_secret: bool = False,
) -> CustomerAccessGrant:
    """A new grant: `user` reads `customer` until `until` (a django-guardian per-object permission
    with an expiry), for the request `reference`. Every approved request gets its own."""
    if until <= timezone.now():
        raise ActionRefused(_("授权失效时间必须晚于现在。"))
    permission = Permission.objects.get(content_type__app_label="customers", codename=secrecy.READ_PERMISSION)
    return CustomerAccessGrant.objects.create(
        user=user,
        permission=permission,
        content_object=customer,
        expires_at=until,
        granted_by=by,
        reference=reference,
        reason=reason[:300],
        named_documents_only=named_documents_only,
        opens_top_secret=opens_top_secret,
    )


def customer_access_extend(grant: CustomerAccessGrant, *, until) -> CustomerAccessGrant:
    """Move an open grant's end (a loan issued, or extended): the same grant, the same request."""
    if until <= timezone.now():
        raise ActionRefused(_("授权失效时间必须晚于现在。"))
    CustomerAccessGrant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(expires_at=until)
    grant.refresh_from_db()
    return grant


def customer_access_revoke(grant: CustomerAccessGrant | None) -> None:
    """End one grant now (its request returned or withdrawn); the row stays as history."""
    if grant is not None:
        CustomerAccessGrant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


@dataclass
class ImportReport:
    """What an import did: rows created, or every rejected row with its reasons (then nothing is stored)."""

    created: int = 0
    rows_read: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no row was rejected (and so the customers were stored)."""
        return not self.errors


def customers_import(forms_by_row: list[tuple[int, object]], *, by) -> ImportReport:
    """Store customers from validated forms, all or nothing.

    `forms_by_row` pairs each spreadsheet row number with a bound CustomerImportRowForm. Every
    invalid row, a name repeated in the file, or an owner `by` may not assign is reported; if
    anything is reported, nothing is stored."""
    report = ImportReport(rows_read=len(forms_by_row))
    seen_names: dict[str, int] = {}
    customers = []
    for row_number, form in forms_by_row:
        if not form.is_valid():
            for field_name, messages in form.errors.items():
                label = form.fields[field_name].label if field_name in form.fields else ""
                for message in messages:
                    report.errors.append((row_number, f"{label}：{message}" if label else message))
            continue
        data = form.cleaned_data
        name = data["name"]
        if name in seen_names:
            report.errors.append(
                (row_number, _("客户名称“%(name)s”与第 %(row)d 行重复。") % {"name": name, "row": seen_names[name]})
            )
            continue
        seen_names[name] = row_number
        owner = data["owner"]
        if not permissions.can_create_customer_for(by, owner):
            report.errors.append((row_number, _("您不能为 %(owner)s 建立客户资料。") % {"owner": owner}))
            continue
        if owner.department_id is None:
            report.errors.append((row_number, _("负责业务员 %(owner)s 尚未分配部门。") % {"owner": owner}))
            continue
        customer = form.save(commit=False)
        customer.department_id = owner.department_id
        customers.append(customer)
    if report.errors:
        return report
    try:
        with transaction.atomic():
            for customer in customers:
                # bulk_create skips save(), which keeps the completeness score.
                customer.completeness = customer.completeness_score()
            created = bulk_create_with_history(
                customers, Customer, batch_size=500, default_user=by, default_change_reason=_("Excel 导入")
            )
            followups.on_customer_created(created, by=by)
    except IntegrityError:
        report.errors.append((0, _("导入时有客户名称已被他人登记，请重新检查后再导入。")))
        return report
    report.created = len(customers)
    return report
