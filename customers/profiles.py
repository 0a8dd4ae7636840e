"""Profiles that stay current (issue 17 §3): the completeness of each profile and the correction
requests archive staff send about it, the monthly late-entry report, and grades kept as data —
their criteria, their review date, and changes the department manager approves.

Sources: seed 003 制度3 第二章 三 "销售人员接待或访问客户后，当天登陆客户管理系统填写或完善客户档案。
不全面的客户档案，销售人员要进一步了解，每月最少完善一次"; seed 001 第五条.3 "客户档案管理人员负责对客户
信息的完整性、规范性进行日常检查与维护，对发现的问题及时通知相关人员修正"; seed 001 第六条.3 "客户等级
应根据实际合作情况定期进行评估与调整"; seed 004 篇十一 "定期…开展客户资料档案全面修订核查工作".

Who sees what:
- the completeness list: archive staff see every profile's completeness — its name, owner,
  department, score and the labels of the empty fields, never a field's value: the metadata of the
  profile, as they see every dossier's metadata (dossiers.permissions.is_archive_staff). Everyone
  else sees the rows of the customers their own tier opens (a grant, made for one purpose, does
  not put a customer on an oversight list);
- the late-entry report: department managers for the people of their department; the marketing
  director, the general manager and the archive manager for everyone;
- a grade change is asked by someone who keeps the profile (customers.permissions.can_edit_customer)
  and decided by a department manager of the customer's department other than the requester, who
  also confirms an unchanged grade at its review. The decider sees the request (customer name,
  grades, reason) on the grade page even when their tier does not open the customer.

Selectors return querysets or lists in a fixed number of queries; services run in a transaction,
lock the row they change, raise ActionRefused with a reason a person reads, and leave history.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import GreaterThan
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import dashboard, navigation
from accounts.models import User
from accounts.roles import Role, handles, signs_as
from accounts.selectors import people_with_role
from accounts.services import notifications_send
from crm_archive.errors import ActionRefused
from crm_archive.memo import remembered
from crm_archive.pagination import bounded
from crm_archive.workdays import add_months

from .models import (
    CorrectionRequest,
    Customer,
    CustomerGrade,
    GradeChange,
    GradeChangeStatus,
    GradeCriterion,
    Interaction,
)
from .permissions import can_edit_customer
from .secrecy import can_read_customer, customers_readable_by

# ---------------------------------------------------------------------------------------------
# Who may do what


def is_archive_staff(user) -> bool:
    return handles(user, Role.ARCHIVE_CLERK, Role.ARCHIVE_MANAGER)


def can_see_completeness(user) -> bool:
    """Archive staff (every profile) and those who keep or oversee profiles (the ones they read)."""
    return is_archive_staff(user) or handles(
        user, Role.SALES, Role.DEPARTMENT_MANAGER, Role.MARKETING_DIRECTOR, Role.GENERAL_MANAGER
    )


def can_send_correction(user) -> bool:
    """客户档案管理人员 check profiles and tell the people responsible (seed 001 第五条.3)."""
    return is_archive_staff(user)


def can_see_late_entries(user) -> bool:
    return handles(user, Role.DEPARTMENT_MANAGER, Role.MARKETING_DIRECTOR, Role.GENERAL_MANAGER, Role.ARCHIVE_MANAGER)


def is_grade_decider(user) -> bool:
    """A department manager with a department: decides grade changes and confirms grades there."""
    return signs_as(user, Role.DEPARTMENT_MANAGER) and user.department_id is not None


def decides_grades_of(user, customer: Customer) -> bool:
    return is_grade_decider(user) and user.department_id == customer.department_id


def can_close_correction(user, correction: CorrectionRequest) -> bool:
    """The person it was addressed to, or whoever is responsible for the customer now."""
    customer = correction.customer
    return correction.done_at is None and user.pk in (
        correction.addressed_to_id,
        customer.owner_id,
        customer.second_owner_id,
    )


def grade_change_actions(user, change: GradeChange) -> set[str]:
    """ "decide" (approve or refuse) for a pending change, to a department manager of the
    customer's department who did not ask for it."""
    if (
        change.status == GradeChangeStatus.PENDING
        and decides_grades_of(user, change.customer)
        and change.requested_by_id != user.pk
    ):
        return {"decide"}
    return set()


# ---------------------------------------------------------------------------------------------
# Completeness


def field_labels(names) -> list[str]:
    return [str(Customer._meta.get_field(name).verbose_name) for name in names]


def completeness_visible_to(user) -> QuerySet[Customer]:
    """The profiles whose completeness `user` sees (see the module docstring)."""
    if not user.is_authenticated or not user.is_active or not can_see_completeness(user):
        return Customer.objects.none()
    if is_archive_staff(user):
        return Customer.objects.all()
    return customers_readable_by(user, include_grants=False)


def completeness_list(user, *, department=None, incomplete_only: bool = True) -> QuerySet[Customer]:
    """The completeness list: least complete first, then by name (index (completeness, name)),
    with the owner, the department and the number of open correction requests joined in."""
    queryset = completeness_visible_to(user)
    if incomplete_only:
        queryset = queryset.filter(completeness__lt=100)
    if department is not None:
        queryset = queryset.filter(department=department)
    return (
        queryset.select_related("owner", "department")
        .annotate(open_corrections=_open_corrections())
        .order_by("completeness", "name", "pk")
    )


def _open_corrections():
    """A customer's open correction requests, counted per row: a subquery, so the list walks its
    index (completeness, name) and counts for one page, where a Count() join grouped every
    incomplete profile first (1 s at 200,000 customers)."""
    return Coalesce(
        Subquery(
            CorrectionRequest.objects.filter(customer=OuterRef("pk"), done_at__isnull=True)
            .order_by()
            .values("customer")
            .annotate(count=Count("pk"))
            .values("count")
        ),
        0,
    )


@dataclass(frozen=True)
class CompletenessRow:
    customer: Customer
    missing: list[str]
    readable: bool


def completeness_rows(user, customers) -> list[CompletenessRow]:
    """A page of the completeness list as rows: the missing fields' labels, and whether `user`
    may open the customer's page (one query for the page)."""
    customers = list(customers)
    readable = set(
        customers_readable_by(user).filter(pk__in=[customer.pk for customer in customers]).values_list("pk", flat=True)
    )
    return [
        CompletenessRow(customer, field_labels(customer.profile_missing()), customer.pk in readable)
        for customer in customers
    ]


# ---------------------------------------------------------------------------------------------
# Correction requests


def correction_request_send(customer: Customer, *, by, note: str) -> CorrectionRequest:
    """Send the customer's owner a request to complete or correct the profile; the owner and the
    second responsible person are notified. Open until the owner marks it done."""
    if not can_send_correction(by):
        raise ActionRefused(_("只有档案管理人员可以发出资料更正通知。"))
    note = (note or "").strip()
    if not note:
        raise ActionRefused(_("请写明需要更正或补充的内容。"))
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        correction = CorrectionRequest(customer=customer, requested_by=by, addressed_to_id=customer.owner_id, note=note)
        correction._history_user = by
        correction.save()
        link = reverse("customers:detail", kwargs={"pk": customer.pk}) + "#profiles"
        message = _("%(by)s 请您更正或补充客户“%(customer)s”的资料：%(note)s") % {
            "by": by,
            "customer": customer.name,
            "note": note,
        }
        recipients = _as_users(_distinct(customer.owner_id, customer.second_owner_id))
        notifications_send((user, message[:500], link) for user in recipients)
    return correction


def correction_request_done(correction: CorrectionRequest, *, by, note: str) -> CorrectionRequest:
    """Mark a correction request done, with what was done; the sender is told."""
    note = (note or "").strip()
    if not note:
        raise ActionRefused(_("请说明已更正或补充的内容。"))
    with transaction.atomic():
        correction = CorrectionRequest.objects.select_for_update().select_related("customer").get(pk=correction.pk)
        if correction.done_at is not None:
            raise ActionRefused(_("此更正通知已办结。"))
        if not can_close_correction(by, correction):
            raise ActionRefused(_("只有客户的负责人可以办结此更正通知。"))
        correction.done_at = timezone.now()
        correction.done_by = by
        correction.done_note = note
        correction._history_user = by
        correction.save()
        message = _("%(by)s 已办结客户“%(customer)s”的资料更正通知：%(note)s") % {
            "by": by,
            "customer": correction.customer.name,
            "note": note,
        }
        notifications_send([(correction.requested_by, message[:500], reverse("customers:completeness"))])
    return correction


def corrections_open_to(user) -> QuerySet[CorrectionRequest]:
    """Open correction requests `user` answers: addressed to them, or about a customer they own
    now (a handover since the request was sent). Open requests are few: the partial index
    correction_open keeps them apart from the done ones."""
    # One id set per index (correction_open; the owner's customers): an OR across the join to
    # customers would read every open request with its customer (120 ms at 200,000 customers).
    addressed = CorrectionRequest.objects.filter(addressed_to=user, done_at__isnull=True).order_by().values("pk")
    owned = CorrectionRequest.objects.filter(customer__owner=user, done_at__isnull=True).order_by().values("pk")
    return CorrectionRequest.objects.filter(pk__in=addressed.union(owned))


def corrections_open_for(user, *, limit: int = 10) -> list[CorrectionRequest]:
    """The first `limit` of corrections_open_to(user), oldest first."""
    return list(
        corrections_open_to(user).select_related("customer", "requested_by").order_by("created_at", "pk")[:limit]
    )


def _distinct(*user_ids) -> list[int]:
    return list(dict.fromkeys(pk for pk in user_ids if pk is not None))


def _as_users(ids) -> list[User]:
    """Users standing for their ids, to address notifications without loading the people."""
    return [User(pk=pk) for pk in ids]


# ---------------------------------------------------------------------------------------------
# Grades: criteria, review dates, changes


def grade_review_due_on(customer: Customer, criterion: GradeCriterion | None) -> date | None:
    """The day the grade is due for review: the last review (or, never reviewed, the day the
    profile was opened) plus the grade's review period. None when the grade has no criterion."""
    if criterion is None:
        return None
    since = customer.grade_reviewed_on or timezone.localdate(customer.created_at)
    try:
        return add_months(since, criterion.review_every_months)
    except ValueError:
        return None  # a period reaching beyond the calendar: never due


def _last_base_due_by(today: date, months: int) -> date:
    """The latest day from which a review `months` later is due by `today` (add_months is
    monotonic, so every earlier day is due too)."""
    day = add_months(today, -months)
    while add_months(day + timedelta(days=1), months) <= today:
        day += timedelta(days=1)
    return day


def _review_due_rule(criteria, today: date) -> Q:
    rules = [Q(pk__in=[])]
    zone = timezone.get_current_timezone()
    for criterion in criteria:
        try:
            last = _last_base_due_by(today, criterion.review_every_months)
        except ValueError:
            continue  # a period reaching back beyond the calendar: nothing is due yet
        opened_by = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
        rules.append(
            Q(grade=criterion.grade)
            & (Q(grade_reviewed_on__lte=last) | Q(grade_reviewed_on__isnull=True, created_at__lt=opened_by))
        )
    return reduce(or_, rules)


def grade_reviews_due(customers: QuerySet[Customer], *, today: date | None = None) -> QuerySet[Customer]:
    """Those of `customers` whose grade is due for review on `today` (default: today)."""
    return customers.filter(_review_due_rule(grade_criteria(), today or timezone.localdate()))


# The grade criteria change when an administrator edits them: kept this long in the cache (and
# forgotten at once where the cache is shared, as in production).
GRADE_CRITERIA_SECONDS = 60
_GRADE_CRITERIA_KEY = "customers:grade-criteria"


def grade_criteria() -> list[GradeCriterion]:
    """The grade criteria (a handful of rows that nearly every page of a sales person asks for),
    from the cache, read once for a page that asks several times."""
    return remembered(
        "grade_criteria",
        lambda: cache.get_or_set(
            _GRADE_CRITERIA_KEY, lambda: list(GradeCriterion.objects.all()), GRADE_CRITERIA_SECONDS
        ),
    )


@receiver([post_save, post_delete], sender=GradeCriterion)
def _grade_criteria_changed(**kwargs):
    # Now and once the change is committed: a page read in between cannot keep the old ones.
    cache.delete(_GRADE_CRITERIA_KEY)
    transaction.on_commit(lambda: cache.delete(_GRADE_CRITERIA_KEY))


def grade_change_request(customer: Customer, *, by, to_grade: str, reason: str) -> GradeChange:
    """Ask for `customer`'s grade to become `to_grade`. The grade stays as it is until a department
    manager of the customer's department approves; they are notified. One pending request per
    customer (DB constraint grade_change_one_pending)."""
    reason = (reason or "").strip()
    if to_grade not in CustomerGrade.values:
        raise ActionRefused(_("请选择有效的客户等级。"))
    if not reason:
        raise ActionRefused(_("请写明变更等级的理由。"))
    try:
        with transaction.atomic():
            customer = Customer.objects.select_for_update().get(pk=customer.pk)
            if not (can_edit_customer(by, customer) and can_read_customer(by, customer)):
                raise ActionRefused(_("您不能为此客户申请变更等级。"))
            if to_grade == customer.grade:
                raise ActionRefused(_("新等级与当前等级相同。"))
            if customer.grade_changes.filter(status=GradeChangeStatus.PENDING).exists():
                raise ActionRefused(_("此客户已有待审批的等级变更申请。"))
            deciders = list(
                people_with_role(Role.DEPARTMENT_MANAGER, department=customer.department_id)
                .exclude(pk=by.pk)
                .values_list("pk", flat=True)
            )
            if not deciders:
                raise ActionRefused(_("客户所属部门没有其他部门经理可以审批此申请。"))
            change = GradeChange(
                customer=customer, from_grade=customer.grade, to_grade=to_grade, reason=reason, requested_by=by
            )
            change._history_user = by
            change.save()
            message = _("%(by)s 申请将客户“%(customer)s”的等级由 %(from)s 变更为 %(to)s，待您审批。") % {
                "by": by,
                "customer": customer.name,
                "from": change.get_from_grade_display(),
                "to": change.get_to_grade_display(),
            }
            link = reverse("customers:grade_changes")
            notifications_send((user, message[:500], link) for user in _as_users(deciders))
    except IntegrityError:
        # Another request for this customer was stored between the check and the insert.
        raise ActionRefused(_("此客户已有待审批的等级变更申请。")) from None
    return change


def grade_change_decide(change: GradeChange, *, by, approve: bool, comment: str = "") -> GradeChange:
    """Approve or refuse a pending grade change; a refusal says why. Approval sets the customer's
    grade and its review date (today), in the customer's history. The requester, the owner and
    the second responsible person are notified."""
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ActionRefused(_("驳回时请写明理由。"))
    with transaction.atomic():
        change = GradeChange.objects.select_for_update().get(pk=change.pk)
        customer = Customer.objects.select_for_update().get(pk=change.customer_id)
        change.customer = customer
        if change.status != GradeChangeStatus.PENDING:
            raise ActionRefused(_("此申请已审批。"))
        if change.requested_by_id == by.pk:
            raise ActionRefused(_("不能审批自己提出的申请。"))
        if not decides_grades_of(by, customer):
            raise ActionRefused(_("只有客户所属部门的部门经理可以审批等级变更。"))
        change.status = GradeChangeStatus.APPROVED if approve else GradeChangeStatus.REFUSED
        change.decided_by = by
        change.decided_at = timezone.now()
        change.comment = comment
        change._history_user = by
        change.save()
        if approve:
            customer.grade = change.to_grade
            customer.grade_reviewed_on = timezone.localdate()
            customer._history_user = by
            customer._change_reason = _("等级变更申请已批准")
            customer.save(update_fields=["grade", "grade_reviewed_on", "updated_at"])
            template = _("客户“%(customer)s”的等级变更（%(from)s → %(to)s）已由 %(by)s 批准。")
        else:
            template = _("客户“%(customer)s”的等级变更（%(from)s → %(to)s）已被 %(by)s 驳回：%(comment)s")
        message = template % {
            "customer": customer.name,
            "from": change.get_from_grade_display(),
            "to": change.get_to_grade_display(),
            "by": by,
            "comment": comment,
        }
        link = reverse("customers:detail", kwargs={"pk": customer.pk}) + "#profiles"
        recipients = [
            pk for pk in _distinct(change.requested_by_id, customer.owner_id, customer.second_owner_id) if pk != by.pk
        ]
        notifications_send((user, message[:500], link) for user in _as_users(recipients))
    return change


def grade_review_confirm(customer: Customer, *, by) -> Customer:
    """A department manager of the customer's department confirms the grade unchanged at its
    review: the review date becomes today, in the customer's history."""
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if not decides_grades_of(by, customer):
            raise ActionRefused(_("只有客户所属部门的部门经理可以确认客户等级。"))
        if customer.grade_changes.filter(status=GradeChangeStatus.PENDING).exists():
            raise ActionRefused(_("此客户有待审批的等级变更申请，请先审批。"))
        customer.grade_reviewed_on = timezone.localdate()
        customer._history_user = by
        customer._change_reason = _("等级复评：维持原等级")
        customer.save(update_fields=["grade_reviewed_on", "updated_at"])
    return customer


def grade_changes_awaiting(user) -> QuerySet[GradeChange]:
    """Pending grade changes `user` decides: their department's customers, not their own requests."""
    if not is_grade_decider(user):
        return GradeChange.objects.none()
    return (
        GradeChange.objects.filter(status=GradeChangeStatus.PENDING, customer__department_id=user.department_id)
        .exclude(requested_by=user)
        .select_related("customer", "requested_by")
        .order_by("created_at", "pk")
    )


def grade_changes_visible_to(user) -> QuerySet[GradeChange]:
    """The grade changes whose decision page `user` reaches: the ones they decide or asked for,
    and those of customers they read."""
    rule = Q(requested_by_id=user.pk) | Q(customer__in=customers_readable_by(user))
    if is_grade_decider(user):
        rule |= Q(customer__department_id=user.department_id)
    return GradeChange.objects.filter(rule)


def grade_reviews_due_for_department(user, *, limit: int = 50) -> list[Customer]:
    if not is_grade_decider(user):
        return []
    return list(
        grade_reviews_due(Customer.objects.filter(department_id=user.department_id))
        .select_related("owner")
        .order_by("name", "pk")[:limit]
    )


# ---------------------------------------------------------------------------------------------
# The late-entry report


@dataclass(frozen=True)
class LateEntryRow:
    person: User
    interactions: int
    late: int
    incomplete: int


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The first moment of `year`-`month` and of the month after, in the local time zone."""
    zone = timezone.get_current_timezone()
    start = date(year, month, 1)
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(add_months(start, 1), time.min, tzinfo=zone),
    )


def _entered_late() -> GreaterThan:
    """Entered on a later local day than it happened (Interaction.entered_late, in SQL)."""
    zone = timezone.get_current_timezone()
    return GreaterThan(TruncDate("created_at", tzinfo=zone), TruncDate("occurred_at", tzinfo=zone))


def _named_people_scope(user) -> tuple[str, Q | None]:
    """Whose entries `user` reads in the report, named (for the cache) and as a filter of people:
    None for everyone, else a department's people."""
    if handles(user, Role.MARKETING_DIRECTOR, Role.GENERAL_MANAGER, Role.ARCHIVE_MANAGER):
        return "all", None
    if user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id:
        return f"department-{user.department_id}", Q(department_id=user.department_id)
    return "nobody", Q(pk__in=[])


def _people_scope(user) -> Q | None:
    return _named_people_scope(user)[1]


def interactions_of_month(user, year: int, month: int) -> QuerySet[Interaction]:
    start, end = month_bounds(year, month)
    interactions = Interaction.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    scope = _people_scope(user)
    if scope is not None:
        interactions = interactions.filter(recorded_by__in=User.objects.filter(scope).values("pk"))
    return interactions


def late_entries(user, year: int, month: int, *, person_id: int | None = None) -> QuerySet[Interaction]:
    """The interactions of the month entered after the day they happened, by person then date."""
    interactions = interactions_of_month(user, year, month).filter(_entered_late())
    if person_id is not None:
        interactions = interactions.filter(recorded_by_id=person_id)
    # The customer is named only to someone who may read it (the counts are the person's own).
    readable = customers_readable_by(user).filter(pk=OuterRef("customer_id"))
    return (
        interactions.annotate(customer_readable=Exists(readable))
        .select_related("customer", "recorded_by")
        .order_by("recorded_by_id", "occurred_at", "pk")
    )


def profiles_not_kept(user, year: int, month: int) -> QuerySet[Customer]:
    """Profiles incomplete today (completeness < 100), opened before the month ended, that nobody
    changed during the month (no history row in it)."""
    start, end = month_bounds(year, month)
    changed_in_month = Customer.history.model.objects.filter(
        id=OuterRef("pk"), history_date__gte=start, history_date__lt=end
    )
    customers = Customer.objects.filter(completeness__lt=100, created_at__lt=end).filter(~Exists(changed_in_month))
    scope = _people_scope(user)
    if scope is not None:
        customers = customers.filter(owner__in=User.objects.filter(scope).values("pk"))
    return customers


# The incomplete profiles not kept are counted over every profile of a department (a hundred
# thousand rows, 60 ms): counted at most once in this many seconds per department and month.
NOT_KEPT_SECONDS = 300


def profiles_not_kept_counts(user, year: int, month: int) -> tuple[dict[int, int], datetime]:
    """Per owner, how many profiles_not_kept, and when they were counted (at most NOT_KEPT_SECONDS
    ago: a monthly figure over every profile, kept in the cache like the key figures)."""
    return cache.get_or_set(
        f"customers:not-kept:{_named_people_scope(user)[0]}:{year:04d}-{month:02d}",
        lambda: (
            dict(profiles_not_kept(user, year, month).values_list("owner").annotate(count=Count("pk")).order_by()),
            timezone.now(),
        ),
        NOT_KEPT_SECONDS,
    )


def late_entry_report(user, year: int, month: int) -> tuple[list[LateEntryRow], datetime]:
    """Per person, for `year`-`month`: the interactions they recorded that happened in the month,
    how many of them were entered late, and how many of their profiles were incomplete and not
    kept that month; and when that last figure was counted (profiles_not_kept_counts). Three
    queries, grouped in SQL."""
    entries = {
        row["recorded_by"]: row
        for row in interactions_of_month(user, year, month)
        .values("recorded_by")
        .annotate(total=Count("pk"), late=Count("pk", filter=_entered_late()))
        .order_by()
    }
    incomplete, counted_at = profiles_not_kept_counts(user, year, month)
    people = User.objects.filter(pk__in=set(entries) | set(incomplete)).select_related("department")
    rows = [
        LateEntryRow(
            person,
            entries.get(person.pk, {}).get("total", 0),
            entries.get(person.pk, {}).get("late", 0),
            incomplete.get(person.pk, 0),
        )
        for person in people
    ]
    return sorted(rows, key=lambda row: (-row.late, -row.incomplete, row.person.username)), counted_at


# ---------------------------------------------------------------------------------------------
# The customer page and the dashboard


def detail_context(user, customer) -> dict:
    """What the customer page shows of this module, in three queries: the completeness score and
    the empty fields, the grade's criteria and review date, a pending grade change, the open
    correction requests, and the buttons open to `user`."""
    criterion = GradeCriterion.objects.filter(grade=customer.grade).first()
    pending = (
        customer.grade_changes.filter(status=GradeChangeStatus.PENDING)
        .select_related("requested_by", "customer")
        .first()
    )
    corrections = list(
        customer.correction_requests.filter(done_at__isnull=True)
        .select_related("requested_by", "addressed_to")
        .order_by("created_at", "pk")
    )
    for correction in corrections:
        correction.customer = customer
    due_on = grade_review_due_on(customer, criterion)
    may_decide_here = decides_grades_of(user, customer)
    return {
        "profiles": {
            "completeness": customer.completeness,
            "missing": field_labels(customer.profile_missing()),
            "criterion": criterion,
            "review_due_on": due_on,
            "review_is_due": due_on is not None and due_on <= timezone.localdate(),
            "pending_change": pending,
            "pending_actions": grade_change_actions(user, pending) if pending else set(),
            "can_request_change": pending is None and can_edit_customer(user, customer),
            "can_confirm": pending is None and may_decide_here,
            "corrections": [(correction, can_close_correction(user, correction)) for correction in corrections],
            "can_send_correction": can_send_correction(user),
        }
    }


def owner_dashboard(user) -> dict:
    """The sales person's panel: open correction requests addressed to them, their customers'
    grade reviews due, their incomplete profiles (counts first)."""
    mine = customers_readable_by(user).filter(owner=user)  # never a top-secret one they may not open
    reviews_due = grade_reviews_due(mine)
    corrections = bounded(corrections_open_to(user), show=0)
    reviews_due_count = bounded(reviews_due, show=0)
    return {
        "corrections": corrections_open_for(user),
        "corrections_count": corrections,
        "reviews_due": list(reviews_due.order_by("name", "pk")[:10]),
        "reviews_due_count": reviews_due_count,
        "incomplete_count": bounded(mine.filter(completeness__lt=100), show=0),
        "todos": [
            dashboard.todo(
                "corrections", _("待办的资料更正通知"), corrections, "#corrections", dashboard.Urgency.WAITING
            ),
            dashboard.todo(
                "grade-reviews-due",
                _("到期的等级复评"),
                reviews_due_count,
                "#grade-reviews-due",
                dashboard.Urgency.SOON,
            ),
        ],
    }


def manager_dashboard(user) -> dict:
    """The department manager's panel: how many grade changes wait for them, how many of their
    department's grade reviews are due, how many of its profiles are incomplete — counts, counted
    with the home page's others; the grade-change page lists and decides them."""
    department = (
        Customer.objects.filter(department_id=user.department_id) if user.department_id else Customer.objects.none()
    )
    reviews_due = grade_reviews_due(department)
    waiting_count = bounded(grade_changes_awaiting(user), show=0)
    reviews_due_count = bounded(reviews_due, show=0)
    page = reverse("customers:grade_changes")
    return {
        "waiting_count": waiting_count,
        "reviews_due_count": reviews_due_count,
        "incomplete_count": bounded(department.filter(completeness__lt=100), show=0),
        "todos": [
            dashboard.todo(
                "grade-changes-waiting", _("待审批的等级变更"), waiting_count, page, dashboard.Urgency.WAITING
            ),
            dashboard.todo(
                "department-grade-reviews-due",
                _("本部门到期的等级复评"),
                reviews_due_count,
                page,
                dashboard.Urgency.SOON,
            ),
        ],
    }


def archive_dashboard(user) -> dict:
    """Archive staff's panel: how many profiles are incomplete, how many correction requests
    they sent are still open."""
    return {
        "incomplete_count": bounded(Customer.objects.filter(completeness__lt=100), show=0),
        "sent_open_count": bounded(CorrectionRequest.objects.filter(requested_by=user, done_at__isnull=True), show=0),
    }


def ready():
    """Register this module's dashboard panels and menu items (called from CustomersConfig.ready)."""
    navigation.register(
        navigation.NavItem(
            "completeness", gettext_lazy("资料完整度"), "customers:completeness", order=62, allowed=can_see_completeness
        ),
        navigation.NavItem(
            "late_entries", gettext_lazy("录入及时性"), "customers:late_entries", order=63, allowed=can_see_late_entries
        ),
        navigation.NavItem(
            "grade_changes", gettext_lazy("等级审批"), "customers:grade_changes", order=64, allowed=is_grade_decider
        ),
    )
    dashboard.register(Role.SALES, "customers/panels/profiles_owner.html", owner_dashboard)
    dashboard.register(Role.DEPARTMENT_MANAGER, "customers/panels/profiles_manager.html", manager_dashboard)
    for role in (Role.ARCHIVE_CLERK, Role.ARCHIVE_MANAGER):
        dashboard.register(role, "customers/panels/profiles_archive.html", archive_dashboard)
