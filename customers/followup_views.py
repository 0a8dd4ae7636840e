"""Pages of visits and follow-ups (customers/followups.py holds their rules): plan a visit, write
its minutes, record a follow-up, mark a next action done, and the follow-ups page."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from crm_archive.forms import DATE_INPUT, DATETIME_INPUT, ModelForm
from crm_archive.page_cache import kept_for_its_reader
from crm_archive.views import button_action, form_action, require

from . import followups, permissions, secrecy, services
from .models import FollowUp, Interaction, VisitPlan

# --- forms (kept beside their views: customers/forms.py belongs to the profile pages) -------------


class VisitPlanForm(ModelForm):
    class Meta:
        model = VisitPlan
        fields = ["planned_on", "purpose", "agenda", "materials"]
        widgets = {
            "planned_on": DATE_INPUT,
            "agenda": forms.Textarea(attrs={"rows": 4}),
            "materials": forms.Textarea(attrs={"rows": 3}),
        }


class ContactRecordForm(ModelForm):
    """A contact as recorded from a follow-up: the fields of the interaction form."""

    class Meta:
        model = Interaction
        fields = ["occurred_at", "channel", "participants", "topic", "feedback", "next_action", "next_action_on"]
        widgets = {
            "occurred_at": DATETIME_INPUT,
            "next_action_on": DATE_INPUT,
            "feedback": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("next_action_on") and not cleaned.get("next_action"):
            self.add_error("next_action", _("填写了下一步行动日期时，请写明下一步行动。"))
        return cleaned


class VisitMinutesForm(ContactRecordForm):
    """The minutes of a visit: what was discussed and agreed (the channel is "visit")."""

    class Meta(ContactRecordForm.Meta):
        fields = ["occurred_at", "participants", "topic", "feedback", "next_action", "next_action_on"]
        labels = {"occurred_at": gettext_lazy("拜访时间"), "feedback": gettext_lazy("拜访纪要")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["feedback"].required = True


# --- helpers -------------------------------------------------------------------------------------


def _readable_customer(request, pk):
    """The customer `pk` if the user may read it, else 404."""
    return secrecy.get_readable_customer_or_404(request.user, pk)


def _editable_customer(request, pk):
    """The customer `pk` if the user may read it (else 404) and edit it (else 403)."""
    customer = _readable_customer(request, pk)
    require("edit" in permissions.customer_actions(request.user, customer))
    return customer


def _record_or_404(queryset, pk, customer):
    """The record `pk` of `customer`; 404 for another customer's."""
    return get_object_or_404(queryset, pk=pk, customer=customer)


def _back(request, default: str):
    """Where the person came from (a `next` on this site), else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def _customer_url(customer, anchor: str) -> str:
    return reverse("customers:detail", kwargs={"pk": customer.pk}) + f"#{anchor}"


# --- views ---------------------------------------------------------------------------------------


@kept_for_its_reader
def follow_ups(request):
    """My follow-ups due and coming, my missed next actions, my customers overdue for contact; for
    a department manager, the department's missed follow-ups."""
    context = followups.follow_ups_page(
        request.user,
        show=request.GET.get("list", ""),
        page=request.GET.get("page"),
        per_page=request.GET.get("per_page"),
    )
    return render(request, "customers/followups/follow_ups.html", context)


@require_http_methods(["GET", "POST"])
def visit_plan_add(request, pk):
    customer = _editable_customer(request, pk)
    form = VisitPlanForm(request.POST or None)
    plan = form_action(request, form, lambda data: followups.visit_plan_create(customer, by=request.user, **data))
    if plan:
        messages.success(request, _("已制定拜访计划。"))
        return redirect(_customer_url(customer, "visits"))
    return render(request, "customers/followups/visit_plan_form.html", {"form": form, "customer": customer})


def visit_plan_detail(request, pk, plan_id):
    customer = _readable_customer(request, pk)
    plan = _record_or_404(VisitPlan.objects.select_related("planned_by", "interaction__recorded_by"), plan_id, customer)
    services.customer_read_log(customer, user=request.user, what="visit_plan")
    return render(
        request,
        "customers/followups/visit_plan.html",
        {"customer": customer, "plan": plan, "actions": permissions.customer_actions(request.user, customer)},
    )


@require_http_methods(["GET", "POST"])
def visit_plan_edit(request, pk, plan_id):
    customer = _editable_customer(request, pk)
    plan = _record_or_404(VisitPlan.objects.all(), plan_id, customer)
    if plan.interaction_id is not None:
        messages.error(request, _("拜访纪要已填写，计划不能再修改。"))
        return redirect("customers:visit_plan", pk=customer.pk, plan_id=plan.pk)
    form = VisitPlanForm(request.POST or None, instance=plan)
    changed = form_action(
        request,
        form,
        lambda data: followups.visit_plan_update(
            plan, by=request.user, **{name: data[name] for name in form.changed_data}
        ),
    )
    if changed:
        messages.success(request, _("拜访计划已保存。"))
        return redirect("customers:visit_plan", pk=customer.pk, plan_id=plan.pk)
    return render(
        request, "customers/followups/visit_plan_form.html", {"form": form, "customer": customer, "plan": plan}
    )


@require_http_methods(["GET", "POST"])
def visit_minutes(request, pk, plan_id):
    customer = _editable_customer(request, pk)
    plan = _record_or_404(VisitPlan.objects.all(), plan_id, customer)
    if plan.interaction_id is not None:
        messages.info(request, _("此拜访的纪要已经填写。"))
        return redirect("customers:visit_plan", pk=customer.pk, plan_id=plan.pk)
    form = VisitMinutesForm(request.POST or None, initial={"topic": plan.purpose[:200]})
    minutes = form_action(request, form, lambda data: followups.visit_minutes_record(plan, by=request.user, **data))
    if minutes:
        messages.success(request, _("拜访纪要已保存。"))
        return redirect("customers:visit_plan", pk=customer.pk, plan_id=plan.pk)
    return render(
        request, "customers/followups/visit_minutes_form.html", {"form": form, "customer": customer, "plan": plan}
    )


@require_http_methods(["GET", "POST"])
def follow_up_record(request, pk, follow_up_id):
    customer = _editable_customer(request, pk)
    follow_up = _record_or_404(FollowUp.objects.select_related("plan", "assigned_to"), follow_up_id, customer)
    if follow_up.done_at is not None:
        messages.info(request, _("此回访已完成。"))
        return redirect(_customer_url(customer, "follow-ups"))
    topic = _("%(plan)s 第 %(sequence)d 次回访") % {"plan": follow_up.plan.name, "sequence": follow_up.sequence}
    form = ContactRecordForm(request.POST or None, initial={"topic": topic[:200]})
    recorded = form_action(request, form, lambda data: followups.follow_up_record(follow_up, by=request.user, **data))
    if recorded:
        messages.success(request, _("回访已记录。"))
        return _back(request, _customer_url(customer, "follow-ups"))
    return render(
        request,
        "customers/followups/follow_up_form.html",
        {"form": form, "customer": customer, "follow_up": follow_up, "next": request.GET.get("next", "")},
    )


@require_POST
def next_action_done(request, pk, interaction_id):
    customer = _editable_customer(request, pk)
    interaction = _record_or_404(Interaction.objects.all(), interaction_id, customer)
    button_action(
        request,
        lambda data: followups.next_action_mark_done(interaction, by=request.user),
        _("已将下一步行动标记为完成。"),
    )
    return _back(request, _customer_url(customer, "follow-ups"))


urlpatterns = [
    path("follow-ups/", follow_ups, name="follow_ups"),
    path("<id:pk>/visit-plans/new/", visit_plan_add, name="visit_plan_add"),
    path("<id:pk>/visit-plans/<id:plan_id>/", visit_plan_detail, name="visit_plan"),
    path("<id:pk>/visit-plans/<id:plan_id>/change/", visit_plan_edit, name="visit_plan_edit"),
    path("<id:pk>/visit-plans/<id:plan_id>/minutes/", visit_minutes, name="visit_minutes"),
    path("<id:pk>/follow-ups/<id:follow_up_id>/record/", follow_up_record, name="follow_up_record"),
    path("<id:pk>/next-actions/<id:interaction_id>/done/", next_action_done, name="next_action_done"),
]
