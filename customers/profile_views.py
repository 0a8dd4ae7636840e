"""Pages of profiles that stay current (customers/profiles.py): the completeness list and
correction requests, the late-entry report, grade changes and grade reviews."""

import re

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Department
from crm_archive.forms import EARLIEST_DATE, LATEST_DATE, Form
from crm_archive.page_cache import kept_for_its_reader
from crm_archive.pagination import paginate
from crm_archive.views import button_action, form_action, require

from . import profiles, secrecy
from .models import CorrectionRequest, Customer, CustomerGrade
from .permissions import can_edit_customer

# ---------------------------------------------------------------------------------------------
# Forms


class CompletenessFilterForm(Form):
    department = forms.ModelChoiceField(
        label=gettext_lazy("所属部门"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=gettext_lazy("全部"),
    )
    complete_too = forms.BooleanField(label=gettext_lazy("含资料已完整的客户"), required=False)


class CorrectionRequestForm(Form):
    note = forms.CharField(label=gettext_lazy("需更正内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class CorrectionDoneForm(Form):
    done_note = forms.CharField(label=gettext_lazy("完成说明"), max_length=500)


class GradeChangeForm(Form):
    to_grade = forms.ChoiceField(label=gettext_lazy("新等级"), choices=CustomerGrade.choices)
    reason = forms.CharField(label=gettext_lazy("理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, current_grade=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_grade"].choices = [
            (value, label) for value, label in CustomerGrade.choices if value != current_grade
        ]


class GradeDecisionForm(Form):
    decision = forms.ChoiceField(
        choices=[("approve", gettext_lazy("批准")), ("refuse", gettext_lazy("驳回"))], widget=forms.HiddenInput
    )
    comment = forms.CharField(label=gettext_lazy("审批意见"), max_length=500, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuse" and not cleaned.get("comment"):
            self.add_error("comment", _("驳回时请写明理由。"))
        return cleaned


MONTH_PATTERN = re.compile(r"(\d{4})-(\d{2})")


class MonthForm(Form):
    """A month typed as 2026-11 (the browser's month picker sends that form)."""

    month = forms.CharField(
        label=gettext_lazy("月份"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"}),
    )

    def full_clean(self):
        super().full_clean()
        if self.errors.get("month"):
            # A month picker empties a value it cannot read (the browser's value sanitization): what
            # was typed comes back as plain text beside the message, never silently reset.
            self.fields["month"].widget.input_type = "text"

    def clean_month(self):
        match = MONTH_PATTERN.fullmatch(self.cleaned_data["month"].strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError(_("请按“年-月”填写月份，例如 2026-01。"))
        year, month = int(match.group(1)), int(match.group(2))
        if not EARLIEST_DATE.year <= year <= LATEST_DATE.year:
            raise forms.ValidationError(
                _("请输入 %(earliest)d 年至 %(latest)d 年之间的月份。")
                % {"earliest": EARLIEST_DATE.year, "latest": LATEST_DATE.year}
            )
        return year, month


# ---------------------------------------------------------------------------------------------
# Views


def _back(request, default: str):
    """Back to the page the button was on (a local `next`), else `default`."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def _id(value) -> int | None:
    """A query parameter as a database id, or None (ids like 1e3 or beyond 64 bits are not ids)."""
    return int(value) if value.isascii() and value.isdecimal() and len(value) < 19 else None


@require_GET
@kept_for_its_reader
def completeness(request):
    """资料完整度: the profiles with empty fields, least complete first."""
    require(profiles.can_see_completeness(request.user))
    form = CompletenessFilterForm(request.GET or None)
    department, complete_too = None, False
    if form.is_bound and form.is_valid():
        department, complete_too = form.cleaned_data["department"], form.cleaned_data["complete_too"]
    customers = profiles.completeness_list(request.user, department=department, incomplete_only=not complete_too)
    page = paginate(customers, page=request.GET.get("page"), per_page=request.GET.get("per_page"))
    return render(
        request,
        "customers/profiles/completeness.html",
        {
            "form": form,
            "page_obj": page,
            "rows": profiles.completeness_rows(request.user, page.object_list),
            "can_send": profiles.can_send_correction(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def correction_add(request, pk):
    """Send the owner a correction request (archive staff, who see every profile's metadata)."""
    require(profiles.can_send_correction(request.user))
    customer = get_object_or_404(Customer.objects.select_related("owner", "department"), pk=pk)
    missing = profiles.field_labels(customer.profile_missing())
    initial = {"note": _("请补充：%(fields)s") % {"fields": "、".join(missing)}} if missing else {}
    form = CorrectionRequestForm(request.POST or None, initial=initial)
    sent = form_action(request, form, lambda data: profiles.correction_request_send(customer, by=request.user, **data))
    if sent:
        messages.success(request, _("已向 %(owner)s 发出资料更正通知。") % {"owner": customer.owner})
        return redirect("customers:completeness")
    return render(
        request,
        "customers/profiles/correction_form.html",
        {"form": form, "customer": customer, "missing": missing},
    )


@require_POST
def correction_done(request, request_id):
    """The owner marks a correction request done, saying what was done."""
    correction = get_object_or_404(
        CorrectionRequest.objects.select_related("customer"), pk=request_id, done_at__isnull=True
    )
    user = request.user
    if not (
        profiles.can_close_correction(user, correction)
        or correction.requested_by_id == user.pk
        or secrecy.can_read_customer(user, correction.customer)
    ):
        raise Http404
    button_action(
        request,
        lambda data: profiles.correction_request_done(correction, by=user, note=data["done_note"]),
        _("已办结资料更正通知。"),
        form=CorrectionDoneForm(request.POST),
    )
    return _back(request, "home")


@require_http_methods(["GET", "POST"])
def grade_change_add(request, pk):
    """申请变更等级: someone who keeps the profile asks; the department manager decides."""
    customer = secrecy.get_readable_customer_or_404(request.user, pk)
    require(can_edit_customer(request.user, customer))
    form = GradeChangeForm(request.POST or None, current_grade=customer.grade)
    change = form_action(request, form, lambda data: profiles.grade_change_request(customer, by=request.user, **data))
    if change:
        messages.success(request, _("等级变更申请已提交，待部门经理审批。"))
        return redirect(reverse("customers:detail", kwargs={"pk": customer.pk}) + "#profiles")
    return render(request, "customers/profiles/grade_change_form.html", {"form": form, "customer": customer})


@require_GET
@kept_for_its_reader
def grade_changes(request):
    """等级审批: the grade changes waiting for this department manager, and the grades of their
    department due for review."""
    require(profiles.is_grade_decider(request.user))
    page = paginate(
        profiles.grade_changes_awaiting(request.user),
        page=request.GET.get("page"),
        per_page=request.GET.get("per_page"),
    )
    reviews_due = profiles.grade_reviews_due_for_department(request.user)
    return render(
        request,
        "customers/profiles/grade_changes.html",
        {"page_obj": page, "reviews_due": reviews_due, "today": timezone.localdate()},
    )


@require_POST
def grade_change_decide(request, change_id):
    change = get_object_or_404(profiles.grade_changes_visible_to(request.user).select_related("customer"), pk=change_id)
    form = GradeDecisionForm(request.POST)
    approving = request.POST.get("decision") == "approve"
    button_action(
        request,
        lambda data: profiles.grade_change_decide(
            change, by=request.user, approve=data["decision"] == "approve", comment=data["comment"]
        ),
        _("已批准等级变更。") if approving else _("已驳回等级变更申请。"),
        form=form,
    )
    return _back(request, "customers:grade_changes")


@require_POST
def grade_review(request, pk):
    """确认等级: the department manager confirms the grade unchanged at its review."""
    customer = get_object_or_404(Customer, pk=pk)
    if not (profiles.decides_grades_of(request.user, customer) or secrecy.can_read_customer(request.user, customer)):
        raise Http404
    button_action(
        request,
        lambda data: profiles.grade_review_confirm(customer, by=request.user),
        _("已确认客户等级，复评日期已更新。"),
    )
    return _back(request, "customers:grade_changes")


@require_GET
@kept_for_its_reader
def late_entries(request):
    """录入及时性: per person, a month's interactions, those entered late, and incomplete profiles
    not kept that month (seed 003 制度3 第二章 三)."""
    require(profiles.can_see_late_entries(request.user))
    today = timezone.localdate()
    form = MonthForm(request.GET if "month" in request.GET else None, initial={"month": f"{today:%Y-%m}"})
    context = {"form": form, "rows": None}
    if not form.is_bound or form.is_valid():
        year, month = form.cleaned_data["month"] if form.is_bound else (today.year, today.month)
        person_id = _id(request.GET.get("person", ""))
        late = profiles.late_entries(request.user, year, month, person_id=person_id)
        rows, counted_at = profiles.late_entry_report(request.user, year, month)
        context.update(
            {
                "year": year,
                "month": month,
                "rows": rows,
                "not_kept_counted_at": counted_at,
                "page_obj": paginate(late, page=request.GET.get("page"), per_page=request.GET.get("per_page")),
                "person_id": person_id,
            }
        )
    return render(request, "customers/profiles/late_entries.html", context)


urlpatterns = [
    path("completeness/", completeness, name="completeness"),
    path("late-entries/", late_entries, name="late_entries"),
    path("grade-changes/", grade_changes, name="grade_changes"),
    path("grade-changes/<id:change_id>/decide/", grade_change_decide, name="grade_change_decide"),
    path("corrections/<id:request_id>/done/", correction_done, name="correction_done"),
    path("<id:pk>/corrections/new/", correction_add, name="correction_add"),
    path("<id:pk>/grade/change/", grade_change_add, name="grade_change_add"),
    path("<id:pk>/grade/review/", grade_review, name="grade_review"),
]
