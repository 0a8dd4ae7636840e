"""Visits and follow-ups (issue 17 §2; seed 001 §8–9, seed 003 制度8 §7, seed 004 part 6): the
services that write them and the selectors that read them.

The rules, each in one place below:
- A visit is planned before it happens (purpose, agenda, materials) and its minutes are written
  after it: an interaction with channel "visit", linked to the plan; a plan has one set of minutes.
- Follow-up plans are data (FollowUpPlan, edited in the admin). A new deal starts every active
  purchase plan whose category and grade (blank: any) match the customer; a new customer every
  active profile plan that matches. Each of the plan's days gives one follow-up, due that many days
  after the event, assigned to the customer's owner. Steps already past when the event is recorded
  (a deal entered late) collapse into one follow-up due that day: the duty is kept, not multiplied.
- A follow-up is due from its due day: on the dashboard of its assignee and of the customer's
  second owner. Not done by the end of that day, it is missed and also shows on the dashboard of
  the manager of the customer's department, until done.
- A new interaction with the customer on a day after the event closes every open follow-up of the
  customer due on or before that day + FOLLOW_UP_EARLY_DAYS (a contact made a few days early
  counts; one late contact closes all the missed ones). Recording the interaction from a
  follow-up closes that one whatever its date.
- Contact frequency by grade (GradeCriterion.contact_every_days): a customer whose last
  interaction — or, with none, whose creation — is older than that is overdue for contact.
- A next action whose date has passed stays on the dashboard as missed until marked done.

Who may write: whoever may edit the customer (customers.permissions.customer_actions). Every read
starts from customers.secrecy.customers_readable_by.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.dashboard import Urgency, todo
from accounts.roles import Role
from crm_archive.errors import ActionRefused
from crm_archive.memo import remembering
from crm_archive.pagination import Bounded, bounded, count_together, paginate
from crm_archive.sql import BranchRows

from . import permissions
from .models import (
    Customer,
    Deal,
    FollowUp,
    FollowUpEvent,
    FollowUpPlan,
    GradeCriterion,
    Interaction,
    InteractionChannel,
    VisitPlan,
)
from .profiles import grade_criteria
from .secrecy import customers_readable_by

# A contact this many days before a follow-up's due day counts as that follow-up.
FOLLOW_UP_EARLY_DAYS = 3
# The owner sees what falls due within this many days, besides what is due now.
UPCOMING_DAYS = 7
# A plan day beyond this (a typo in the admin such as 300000) starts no follow-up.
LONGEST_PLAN_DAYS = 3660
# Panels show the first PANEL_ITEMS of each list (counted up to "99+"); the page shows one list,
# PAGE_ITEMS rows a page unless the reader picks another page size.
PANEL_ITEMS = 10
PAGE_ITEMS = 25


# --- permissions -------------------------------------------------------------------------------


def _refuse_unless_editor(by, customer: Customer) -> None:
    if "edit" not in permissions.customer_actions(by, customer):
        raise ActionRefused(_("您不能修改此客户的资料。"))


def can_see_follow_ups(user) -> bool:
    """Who is offered the follow-ups page in the menu: the people who own customers or manage
    those who do. (The page itself shows anyone their own follow-ups.)"""
    return user.is_superuser or user.has_role(Role.SALES, Role.DEPARTMENT_MANAGER)


def _manages_department(user) -> bool:
    return user.has_role(Role.DEPARTMENT_MANAGER) and user.department_id is not None


# --- follow-ups started by events ----------------------------------------------------------------


def _plan_matches(plan: FollowUpPlan, customer: Customer) -> bool:
    return (not plan.category or plan.category == customer.category) and (
        not plan.grade or plan.grade == customer.grade
    )


def _plan_steps(plan: FollowUpPlan, customer: Customer, *, event_key: str, event_on, today) -> list[FollowUp]:
    """The follow-ups of `plan` for `customer` after the event on `event_on` (see the module rules:
    steps already past collapse into one due `today`)."""
    offsets = [days for days in plan.day_offsets() if days <= LONGEST_PLAN_DAYS]
    steps = [(sequence, event_on + timedelta(days=days)) for sequence, days in enumerate(offsets, start=1)]
    past = [step for step in steps if step[1] < today]
    kept = ([(past[-1][0], today)] if past else []) + [step for step in steps if step[1] >= today]
    return [
        FollowUp(
            customer=customer,
            plan=plan,
            event_key=event_key,
            event_on=event_on,
            sequence=sequence,
            due_on=due_on,
            assigned_to_id=customer.owner_id,
        )
        for sequence, due_on in kept
    ]


def _follow_ups_store(follow_ups: list[FollowUp], *, by) -> list[FollowUp]:
    if not follow_ups:
        return []
    return bulk_create_with_history(follow_ups, FollowUp, batch_size=500, default_user=by)


def follow_ups_start_for_deal(deal: Deal, *, by) -> list[FollowUp]:
    """A signed deal starts every active purchase plan matching its customer: one follow-up per
    plan day, counted from the signing date. Two queries, or one when no plan matches."""
    customer = deal.customer
    plans = FollowUpPlan.objects.filter(active=True, event=FollowUpEvent.PURCHASE).filter(
        Q(category="") | Q(category=customer.category), Q(grade="") | Q(grade=customer.grade)
    )
    today = timezone.localdate()
    rows = []
    for plan in plans:
        rows += _plan_steps(plan, customer, event_key=f"deal:{deal.pk}", event_on=deal.signed_on, today=today)
    return _follow_ups_store(rows, by=by)


def on_customer_created(customers, *, by) -> None:
    """Customers were created (one by form, many by import): start every active profile plan that
    matches each, counted from the day the profile was opened. A constant number of queries for
    any number of customers (one for the plans, then one insert and one history insert per 500
    follow-ups)."""
    customers = list(customers)
    if not customers:
        return
    plans = list(FollowUpPlan.objects.filter(active=True, event=FollowUpEvent.PROFILE))
    today = timezone.localdate()
    rows = []
    for customer in customers:
        event_on = timezone.localdate(customer.created_at)
        for plan in plans:
            if _plan_matches(plan, customer):
                rows += _plan_steps(plan, customer, event_key="profile", event_on=event_on, today=today)
    _follow_ups_store(rows, by=by)


def on_record_saved(record, *, by, created: bool) -> None:
    """Called by services.customer_record_save (inside its transaction) after a contact,
    interaction, deal or complaint is saved: a new deal starts its follow-ups; a new interaction
    closes the follow-ups it answers. Changes to existing records change no follow-up."""
    if not created:
        return
    if isinstance(record, Deal):
        follow_ups_start_for_deal(record, by=by)
    elif isinstance(record, Interaction):
        follow_ups_close_by(record, by=by)


# --- closing follow-ups ----------------------------------------------------------------------------


def follow_ups_close_by(interaction: Interaction, *, by, also: FollowUp | None = None) -> list[FollowUp]:
    """Mark done, by `interaction`, every open follow-up of its customer that it answers (module
    rules), and `also` if given. Returns those marked. Two queries (three with history)."""
    day = timezone.localdate(interaction.occurred_at)
    answered = Q(due_on__lte=day + timedelta(days=FOLLOW_UP_EARLY_DAYS), event_on__lt=day)
    if also is not None:
        answered |= Q(pk=also.pk)
    follow_ups = list(
        FollowUp.objects.select_for_update()
        .filter(answered, customer_id=interaction.customer_id, done_at__isnull=True)
        .order_by("pk")
    )
    for follow_up in follow_ups:
        follow_up.done_at = interaction.occurred_at
        follow_up.done_interaction = interaction
    if follow_ups:
        bulk_update_with_history(follow_ups, FollowUp, ["done_at", "done_interaction"], default_user=by, batch_size=500)
    return follow_ups


def _interaction_create(customer: Customer, *, by, channel, not_before=None, **fields) -> Interaction:
    """An interaction recorded through this module (visit minutes, a follow-up): not in the future,
    not before `not_before` (a date)."""
    occurred_at = fields.get("occurred_at") or timezone.now()
    if occurred_at > timezone.now():
        raise ActionRefused(_("只能记录已经发生的联系，时间不能晚于现在。"))
    if not_before is not None and timezone.localdate(occurred_at) < not_before:
        raise ActionRefused(
            _("联系时间不能早于 %(date)s。") % {"date": not_before.isoformat()},
        )
    if fields.get("next_action_on") and not fields.get("next_action"):
        raise ActionRefused(_("填写了下一步行动日期时，请写明下一步行动。"))
    fields["occurred_at"] = occurred_at
    return Interaction.objects.create(customer=customer, channel=channel, recorded_by=by, **fields)


def follow_up_record(follow_up: FollowUp, *, by, **fields) -> Interaction:
    """Record the contact that does `follow_up` (an interaction with the fields of the
    interaction form) and mark it done — with every other open follow-up the contact answers.
    Refused to someone who may not edit the customer, for a follow-up already done, for a
    contact in the future or before the follow-up's event."""
    with transaction.atomic():
        locked = FollowUp.objects.select_for_update().select_related("customer").get(pk=follow_up.pk)
        _refuse_unless_editor(by, locked.customer)
        if locked.done_at is not None:
            raise ActionRefused(_("此回访已完成。"))
        fields.setdefault("channel", InteractionChannel.PHONE)
        interaction = _interaction_create(locked.customer, by=by, not_before=locked.event_on, **fields)
        follow_ups_close_by(interaction, by=by, also=locked)
    return interaction


# --- visits --------------------------------------------------------------------------------------


def _refuse_past_plan(planned_on) -> None:
    if planned_on < timezone.localdate():
        raise ActionRefused(_("拜访计划须在拜访之前制定，计划日期不能早于今天。"))


def visit_plan_create(customer: Customer, *, by, planned_on, purpose: str, agenda: str = "", materials: str = ""):
    """Plan a visit to `customer` (today or later) with its purpose, agenda and materials.
    Refused to someone who may not edit the customer."""
    _refuse_unless_editor(by, customer)
    _refuse_past_plan(planned_on)
    if not purpose.strip():
        raise ActionRefused(_("请写明拜访目的。"))
    return VisitPlan.objects.create(
        customer=customer, planned_on=planned_on, purpose=purpose, agenda=agenda, materials=materials, planned_by=by
    )


VISIT_PLAN_FIELDS = ("planned_on", "purpose", "agenda", "materials")


def visit_plan_update(plan: VisitPlan, *, by, **fields) -> VisitPlan:
    """Change a plan before its visit's minutes are written; afterwards the plan is the record of
    what was prepared and stays as it was."""
    with transaction.atomic():
        locked = VisitPlan.objects.select_for_update().select_related("customer").get(pk=plan.pk)
        _refuse_unless_editor(by, locked.customer)
        if locked.interaction_id is not None:
            raise ActionRefused(_("拜访纪要已填写，计划不能再修改。"))
        changes = {name: value for name, value in fields.items() if name in VISIT_PLAN_FIELDS}
        if "planned_on" in changes and changes["planned_on"] != locked.planned_on:
            _refuse_past_plan(changes["planned_on"])
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save()
    return locked


def visit_minutes_record(plan: VisitPlan, *, by, **fields) -> Interaction:
    """Write the minutes of a planned visit: an interaction with channel "visit" (the fields of
    the interaction form but the channel; the minutes in `feedback`), linked to the plan, which
    closes the follow-ups it answers. Once per plan; not before the visit has happened."""
    with transaction.atomic():
        locked = VisitPlan.objects.select_for_update().select_related("customer").get(pk=plan.pk)
        _refuse_unless_editor(by, locked.customer)
        if locked.interaction_id is not None:
            raise ActionRefused(_("此拜访的纪要已经填写。"))
        fields.pop("channel", None)
        interaction = _interaction_create(locked.customer, by=by, channel=InteractionChannel.VISIT, **fields)
        locked.interaction = interaction
        locked.save(update_fields=["interaction"])
        follow_ups_close_by(interaction, by=by)
    return interaction


def next_action_mark_done(interaction: Interaction, *, by) -> Interaction:
    """Mark the next action agreed in `interaction` done, now: it leaves the dashboards."""
    with transaction.atomic():
        locked = Interaction.objects.select_for_update().select_related("customer").get(pk=interaction.pk)
        _refuse_unless_editor(by, locked.customer)
        if not locked.next_action and not locked.next_action_on:
            raise ActionRefused(_("这条记录没有下一步行动。"))
        if locked.next_action_done_at is not None:
            raise ActionRefused(_("此下一步行动已标记完成。"))
        locked.next_action_done_at = timezone.now()
        locked.save(update_fields=["next_action_done_at"])
    return locked


# --- selectors -----------------------------------------------------------------------------------


def _responsible(user, to_customer: str = "customer__") -> Q:
    """Rows whose customer `user` is responsible for: its owner or its second owner."""
    return Q(**{f"{to_customer}owner": user}) | Q(**{f"{to_customer}second_owner": user})


_FOLLOW_UP_ORDER = ("due_on", "pk")


def _follow_up_branches(user, **filters) -> list[QuerySet[FollowUp]]:
    """Open follow-ups matching `filters` assigned to `user`, and those of customers `user` is the
    second owner of: one set per index (follow_up_open, customer_second). An OR across the join
    to customers would read every open follow-up instead (150 ms at 200,000 customers)."""
    open_ones = FollowUp.objects.filter(done_at__isnull=True, **filters)
    return [open_ones.filter(assigned_to=user), open_ones.filter(customer__second_owner=user)]


def _follow_up_rows() -> QuerySet[FollowUp]:
    return FollowUp.objects.select_related("customer", "plan", "assigned_to")


def _follow_ups_open(user, **filters) -> BranchRows:
    """Open follow-ups matching `filters` assigned to `user` or of customers `user` is the second
    owner of, on customers `user` may read, earliest due first: read from each of the two sets
    with the access rule inside it, cut to the page or to the count's cap."""
    readable = customers_readable_by(user)
    branches = [branch.filter(customer__in=readable) for branch in _follow_up_branches(user, **filters)]
    return BranchRows(_follow_up_rows(), branches, _FOLLOW_UP_ORDER)


def _upcoming(today) -> dict:
    return {"due_on__gt": today, "due_on__lte": today + timedelta(days=UPCOMING_DAYS)}


def follow_ups_missed_for_manager(user, *, today=None) -> QuerySet[FollowUp]:
    """Follow-ups past their due day and not done, on the customers of the department `user`
    manages that `user` may read; nothing for someone who manages no department."""
    if not _manages_department(user):
        return FollowUp.objects.none()
    return (
        FollowUp.objects.filter(done_at__isnull=True, due_on__lt=today or timezone.localdate())
        .filter(customer__department_id=user.department_id)
        .filter(customer__in=customers_readable_by(user))
        .select_related("customer", "plan", "assigned_to")
        .order_by("due_on", "pk")
    )


def next_actions_missed_for(user, *, today=None) -> QuerySet[Interaction]:
    """Next actions whose date has passed, not marked done, on customers `user` owns or is the
    second owner of (and may read), oldest first."""
    return (
        Interaction.objects.filter(next_action_on__lt=today or timezone.localdate(), next_action_done_at__isnull=True)
        .filter(_responsible(user))
        .filter(customer__in=customers_readable_by(user))
        .select_related("customer")
        .order_by("next_action_on", "pk")
    )


def _last_contact_at():
    return Subquery(
        Interaction.objects.filter(customer=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")[:1]
    )


def customers_overdue_for_contact(user, *, now=None) -> QuerySet[Customer]:
    """Customers `user` owns or is the second owner of (and may read) whose last interaction —
    with none, whose creation — is older than their grade's contact frequency, the longest
    without contact first. Annotated with `last_contact_at` (None: never contacted) and
    `contact_since`. One query for the grades, and the queryset."""
    now = now or timezone.now()
    rules = [
        Q(grade=grade, contact_since__lt=now - timedelta(days=days))
        for grade, days in ((criterion.grade, criterion.contact_every_days) for criterion in grade_criteria())
    ]
    if not rules:
        return Customer.objects.none()
    return (
        customers_readable_by(user)
        .filter(_responsible(user, to_customer=""))
        .annotate(last_contact_at=_last_contact_at())
        .annotate(contact_since=Coalesce("last_contact_at", "created_at"))
        .filter(reduce(or_, rules))
        .order_by("contact_since", "pk")
    )


def owner_dashboard(user) -> dict:
    """The owner's panel: the follow-ups due (missed ones first); how many come within a week, how
    many next actions are missed, how many customers are overdue for contact, each a link to its
    list on the follow-ups page. One query for the rows shown, the counts counted with the home
    page's others (and one for the grades' contact frequencies)."""
    today = timezone.localdate()
    # Read through the person's two sets of follow-ups, each cut to what the panel shows or counts.
    due = bounded(_follow_ups_open(user, due_on__lte=today), show=PANEL_ITEMS)
    missed = bounded(_follow_ups_open(user, due_on__lt=today), show=0)
    due_today = bounded(_follow_ups_open(user, due_on=today), show=0)
    missed_actions = bounded(next_actions_missed_for(user), show=0)
    contact_overdue = bounded(customers_overdue_for_contact(user), show=0)
    page = reverse("customers:follow_ups")
    return {
        "today": today,
        "due": due,
        "upcoming": bounded(_follow_ups_open(user, **_upcoming(today)), show=0),
        "next_actions_missed": missed_actions,
        "contact_overdue": contact_overdue,
        "todos": [
            todo("follow-ups-missed-mine", _("逾期未回访"), missed, f"{page}?list=due", Urgency.OVERDUE),
            todo("follow-ups-due", _("今日待回访"), due_today, f"{page}?list=due", Urgency.TODAY),
            todo(
                "next-actions-missed",
                _("逾期未办的下一步行动"),
                missed_actions,
                f"{page}?list=next-actions",
                Urgency.OVERDUE,
            ),
            todo(
                "contact-overdue",
                _("超过联系周期的客户"),
                contact_overdue,
                f"{page}?list=contact-overdue",
                Urgency.SOON,
            ),
        ],
    }


def manager_dashboard(user) -> dict:
    """The department manager's panel: the department's missed follow-ups. One query."""
    missed = bounded(follow_ups_missed_for_manager(user), show=PANEL_ITEMS, count_in_order=True)
    return {
        "today": timezone.localdate(),
        "missed": missed,
        "todos": [
            todo(
                "follow-ups-missed",
                _("本部门未按期回访"),
                missed,
                reverse("customers:follow_ups") + "?list=missed",
                Urgency.OVERDUE,
            )
        ],
    }


@dataclass(frozen=True)
class FollowUpList:
    """One tab of the follow-ups page: its key (the section's id and the `list` parameter), its
    title, its rows (a queryset, or a list read through its sets) and how many it holds (counted
    up to "99+")."""

    key: str
    title: str
    rows: object = field(compare=False)
    count: Bounded = field(compare=False)


def _tab(key: str, title, rows, *, count_in_order: bool = False) -> FollowUpList:
    return FollowUpList(key, title, rows, bounded(rows, show=0, count_in_order=count_in_order))


def _follow_up_lists(user) -> list[FollowUpList]:
    """The page's lists for `user`, in the page's order, not yet counted. Follow-ups are paged
    from each of their sets cut to the page (9 → 2 ms for a sales person with 700 due); a
    department's missed ones are counted in their own order, the better plan there (bounded)."""
    today = timezone.localdate()
    lists = []
    if _manages_department(user):
        missed = follow_ups_missed_for_manager(user, today=today)
        lists.append(_tab("missed", _("本部门未按期回访"), missed, count_in_order=True))
    return [
        *lists,
        _tab("due", _("待回访"), _follow_ups_open(user, due_on__lte=today)),
        _tab("upcoming", _("7 天内回访"), _follow_ups_open(user, **_upcoming(today))),
        _tab("next-actions", _("逾期未办的下一步行动"), next_actions_missed_for(user, today=today)),
        _tab("contact-overdue", _("超过联系周期的客户"), customers_overdue_for_contact(user)),
    ]


def follow_ups_page(user, *, show: str = "", page=None, per_page=None) -> dict:
    """The follow-ups page: a tab per list with its count, and one page of the list `show` (by
    default the first with something in it). Each list's count up to "99+" all in one statement,
    then the shown list's page: a fixed number of queries whatever the lists hold, and the rows of
    one list written, not four hundred. Its lists ask whom the person may read alike: built once
    (crm_archive.memo)."""
    with remembering():
        lists = _follow_up_lists(user)
    count_together(tab.count for tab in lists)
    shown = next((tab for tab in lists if tab.key == show), None) or next((tab for tab in lists if tab.count), lists[0])
    return {
        "today": timezone.localdate(),
        "lists": lists,
        "shown": shown.key,
        # Counted in its tab already: the page reads its rows alone.
        "page_obj": paginate(shown.rows, page=page, per_page=per_page, default_per_page=PAGE_ITEMS, count=False),
    }


DETAIL_ITEMS = 30


def detail_context(user, customer) -> dict:
    """What the customer page shows of this module, in six queries: visit plans with their
    minutes, open and recently done follow-ups, next actions not done, and the grade's contact
    frequency against the last contact. The page itself established that `user` reads `customer`."""
    now = timezone.now()
    criterion = GradeCriterion.objects.filter(grade=customer.grade).first()
    last_contact = customer.interactions.order_by("-occurred_at").values_list("occurred_at", flat=True).first()
    contact_since = last_contact or customer.created_at
    return {
        "visit_plans": list(customer.visit_plans.select_related("planned_by", "interaction")[:DETAIL_ITEMS]),
        "follow_ups_open": list(
            customer.follow_ups.filter(done_at__isnull=True)
            .select_related("plan", "assigned_to")
            .order_by("due_on", "pk")[:DETAIL_ITEMS]
        ),
        "follow_ups_done": list(
            customer.follow_ups.filter(done_at__isnull=False)
            .select_related("plan", "assigned_to")
            .order_by("-done_at", "-pk")[:10]
        ),
        "next_actions_open": list(
            customer.interactions.filter(next_action_on__isnull=False, next_action_done_at__isnull=True).order_by(
                "next_action_on", "pk"
            )[:DETAIL_ITEMS]
        ),
        "contact_rule": {
            "every_days": criterion.contact_every_days if criterion else None,
            "last_contact_at": last_contact,
            "overdue": bool(criterion) and contact_since < now - timedelta(days=criterion.contact_every_days),
        },
    }


# --- registration --------------------------------------------------------------------------------

FOLLOW_UPS_LABEL = gettext_lazy("回访")


def ready():
    """Register this module's dashboard panels and menu items (called from CustomersConfig.ready)."""
    from accounts import dashboard
    from accounts.navigation import NavItem, register

    register(NavItem("follow_ups", FOLLOW_UPS_LABEL, "customers:follow_ups", order=15, allowed=can_see_follow_ups))
    dashboard.register(Role.SALES, "customers/panels/followups.html", owner_dashboard)
    dashboard.register(Role.DEPARTMENT_MANAGER, "customers/panels/followups_manager.html", manager_dashboard)
