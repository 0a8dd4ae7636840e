from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm_archive.errors import ActionRefused
from crm_archive.excel import form_filters, workbook_response
from crm_archive.forms import DateRangeForm
from crm_archive.page_cache import kept_for_its_reader
from crm_archive.pagination import paginate
from crm_archive.sorting import Sorts
from crm_archive.views import button_action, form_action

from . import complaints, followups, permissions, profiles, read_log, secrecy, selectors, services, spreadsheet
from .forms import (
    RECORD_FORMS,
    ComplaintCloseForm,
    ComplaintProgressForm,
    ComplaintResolveForm,
    ComplaintReturnForm,
    CustomerCreateForm,
    CustomerFilter,
    CustomerForm,
    CustomerImportForm,
    CustomerImportRowForm,
    HandoverForm,
    SecondOwnerForm,
)
from .links import customer_links
from .models import Customer, Handover, HandoverStepKind

# Where someone without the right asks for it (the request lives with the other requests, above
# this app: customers never imports it, it only links to its page).
EXPORT_REQUEST_URL = "dossiers:export_request_create"


# The list's sortable columns; each has an index of (column, name) on Customer (name is unique).
CUSTOMER_SORTS = Sorts(
    {
        "name": ("name",),
        "category": ("category", "name"),
        "grade": ("grade", "name"),
        "region": ("region", "name"),
        "industry": ("industry", "name"),
        "updated": ("updated_at",),
    },
    default="name",
)


def _filtered_customers(request, *, narrowed: bool = True):
    queryset = selectors.customers_for_list(request.user, search=request.GET.get("q", ""), narrowed=narrowed).order_by(
        *CUSTOMER_SORTS.from_request(request).order_by
    )
    return CustomerFilter(request.GET or None, queryset=queryset)


@kept_for_its_reader
def customer_list(request):
    filterset = _filtered_customers(request, narrowed=False)
    page = paginate(
        selectors.customers_paged(request.user, filterset.qs),
        page=request.GET.get("page"),
        per_page=request.GET.get("per_page"),
    )
    return render(
        request,
        "customers/customer_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "search": request.GET.get("q", ""),
            "sorting": CUSTOMER_SORTS.from_request(request),
            "can_create": permissions.can_create_customers(request.user),
            "can_import": permissions.can_import_customers(request.user),
            "export_query": request.GET.urlencode(),
            "export_allowed": permissions.export_right(request.user)[0],
        },
    )


def customer_export(request):
    """The filtered list as Excel; the same access filter as the page. Exporting needs a right
    (seed 004 part 4 §3): a managing role, or a running approved export request — without one,
    the person is sent to ask for it. Every exported customer is logged as read, and the export
    with its row count."""
    allowed, through = permissions.export_right(request.user)
    if not allowed:
        messages.error(request, _("导出客户数据须经上级批准，请先提交导出申请。"))
        return redirect(EXPORT_REQUEST_URL)
    filterset = _filtered_customers(request)
    customers = services.customers_export_recorded(
        filterset.qs.iterator(chunk_size=2000),
        user=request.user,
        through=through,
        filters=request.GET.urlencode(),
    )
    filename = f"customers-{timezone.localdate().isoformat()}.xlsx"
    return workbook_response(
        filename=filename,
        title=_("客户名单"),
        headers=spreadsheet.export_headers(),
        rows=spreadsheet.export_rows(customers),
        user=request.user,
        filters=[(_("搜索"), request.GET.get("q", "").strip()), *form_filters(filterset.form)],
    )


def customer_detail(request, pk):
    customer = secrecy.get_readable_customer_or_404(
        request.user, pk, Customer.objects.select_related("owner", "second_owner", "department")
    )
    services.customer_read_log(customer, user=request.user)
    actions = permissions.customer_actions(request.user, customer)
    return render(
        request,
        "customers/customer_detail.html",
        {
            "customer": customer,
            "actions": actions,
            "important": customer.grade in settings.IMPORTANT_CUSTOMER_GRADES,
            "second_owner_form": SecondOwnerForm(
                initial={"second_owner": customer.second_owner_id},
                people=permissions.second_owners_for(customer),
                url=reverse("customers:pick_second_owners", args=[customer.pk]),
            )
            if "second_owner" in actions
            else None,
            "history": selectors.customer_history(customer),
            "related_links": customer_links(request.user, customer),
            "grants": secrecy.grants_open(request.user).filter(content_object=customer).order_by("expires_at"),
            "today": timezone.localdate(),
            "approval_required": settings.COMPLAINT_RESULT_APPROVAL,
            **selectors.customer_related_records(customer),
            **followups.detail_context(request.user, customer),
            **profiles.detail_context(request.user, customer),
        },
    )


@require_http_methods(["GET", "POST"])
def customer_create(request):
    if not permissions.can_create_customers(request.user):
        raise PermissionDenied
    owners = permissions.owners_assignable_by(request.user)
    form = CustomerCreateForm(request.POST or None, owners=owners, initial={"owner": request.user.pk})
    customer = form_action(request, form, lambda data: services.customer_create(by=request.user, **data))
    if customer:
        messages.success(request, _("已建立客户“%(name)s”。") % {"name": customer.name})
        return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": None})


@require_http_methods(["GET", "POST"])
def customer_update(request, pk):
    customer = secrecy.get_readable_customer_or_404(request.user, pk)
    if not permissions.can_edit_customer(request.user, customer):
        raise PermissionDenied
    form = CustomerForm(request.POST or None, instance=customer)
    changed = form_action(
        request,
        form,
        lambda data: services.customer_update(
            customer, by=request.user, **{name: data[name] for name in form.changed_data}
        ),
    )
    if changed:
        messages.success(request, _("客户资料已保存。"))
        return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})


@require_http_methods(["GET", "POST"])
def customer_record_edit(request, pk, kind, record_id=None):
    """Add or change a contact, interaction, deal or complaint of one customer."""
    if kind not in RECORD_FORMS:
        raise Http404
    customer = secrecy.get_readable_customer_or_404(request.user, pk)
    if not permissions.can_edit_customer(request.user, customer):
        raise PermissionDenied
    form_class = RECORD_FORMS[kind]
    model = form_class._meta.model
    record = get_object_or_404(model, pk=record_id, customer=customer) if record_id else model(customer=customer)
    if getattr(record, "closed_on", None) is not None:
        raise PermissionDenied  # a closed complaint is a record of what was done
    form = form_class(request.POST or None, instance=record)
    if form_action(request, form, lambda data: services.customer_record_save(form.save(commit=False), by=request.user)):
        messages.success(request, _("已保存。"))
        return redirect(reverse("customers:detail", kwargs={"pk": customer.pk}) + f"#{kind}")
    return render(
        request,
        "customers/record_form.html",
        {"form": form, "customer": customer, "record": record, "kind_label": model._meta.verbose_name},
    )


@require_http_methods(["POST"])
def customer_second_owner(request, pk):
    customer = secrecy.get_readable_customer_or_404(request.user, pk)
    form = SecondOwnerForm(request.POST, people=permissions.second_owners_for(customer))
    button_action(
        request,
        lambda data: services.customer_second_owner_set(customer, by=request.user, person=data["second_owner"]),
        _("已保存第二负责人。"),
        form=form,
    )
    return redirect("customers:detail", pk=customer.pk)


# The complaint's steps: the form each takes, the service it calls, what the person is told.
COMPLAINT_STEPS = {
    "progress": (
        ComplaintProgressForm,
        lambda complaint, by, data: complaints.complaint_progress_add(complaint, by=by, **data),
        _("已记录处理进展。"),
    ),
    "resolve": (
        ComplaintResolveForm,
        lambda complaint, by, data: complaints.complaint_resolve(complaint, by=by, **data),
        _("已提交处理结果。"),
    ),
    "approve": (
        None,
        lambda complaint, by, data: complaints.complaint_result_approve(complaint, by=by),
        _("已批准处理结果。"),
    ),
    "return": (
        ComplaintReturnForm,
        lambda complaint, by, data: complaints.complaint_result_return(complaint, by=by, **data),
        _("已退回处理结果。"),
    ),
    "close": (
        ComplaintCloseForm,
        lambda complaint, by, data: complaints.complaint_close(complaint, by=by, **data),
        _("已结案。"),
    ),
}


@require_http_methods(["GET", "POST"])
def complaint_detail(request, pk, complaint_id):
    """One feedback and its handling: progress, result, the general manager's approval, the review
    note, the escalations. Open to whoever reads the customer, handles it, or had it escalated to them."""
    complaint = get_object_or_404(
        complaints.complaints_visible_to(request.user).select_related(
            "customer__owner", "customer__second_owner", "owner", "result_approved_by", "closed_by"
        ),
        pk=complaint_id,
        customer_id=pk,
    )
    if request.method == "POST":
        step = COMPLAINT_STEPS.get(request.POST.get("step", ""))
        if step is None:
            raise Http404
        form_class, action, message = step
        form = form_class(request.POST) if form_class else None
        button_action(request, lambda data: action(complaint, request.user, data), message, form=form)
        return redirect(complaints.link(complaint))
    services.customer_read_log(complaint.customer, user=request.user, what="complaint")
    return render(
        request,
        "customers/complaint_detail.html",
        {
            "complaint": complaint,
            "customer": complaint.customer,
            # A handler or a manager it was escalated to may not read the customer: no dead link.
            "customer_readable": secrecy.can_read_customer(request.user, complaint.customer),
            "actions": complaints.complaint_actions(request.user, complaint),
            "forms": {
                "progress": ComplaintProgressForm(),
                "resolve": ComplaintResolveForm(),
                "return": ComplaintReturnForm(),
                "close": ComplaintCloseForm(),
            },
            "approval_required": settings.COMPLAINT_RESULT_APPROVAL,
            **complaints.complaint_page(complaint),
        },
    )


@require_http_methods(["GET", "POST"])
def customer_import(request):
    if not permissions.can_import_customers(request.user):
        raise PermissionDenied
    form = CustomerImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = spreadsheet.read_import_rows(form.cleaned_data["file"])
        except ActionRefused as refusal:
            form.add_error("file", refusal.message)
        else:
            row_forms = [(number, CustomerImportRowForm(data)) for number, data in rows]
            report = services.customers_import(row_forms, by=request.user)
            if report.ok:
                messages.success(request, _("已导入 %(count)d 位客户。") % {"count": report.created})
                return redirect("customers:list")
    return render(
        request,
        "customers/customer_import.html",
        {"form": form, "report": report, "columns": spreadsheet.import_columns()},
    )


def customer_import_template(request):
    if not permissions.can_import_customers(request.user):
        raise PermissionDenied
    columns = spreadsheet.import_columns()
    return workbook_response(
        filename="customer-import-template.xlsx",
        title=_("客户导入模板"),
        headers=[label for _name, label in columns],
        rows=[],
        user=request.user,
    )


@require_http_methods(["GET", "POST"])
def customer_handover(request):
    if not permissions.can_hand_over(request.user):
        raise PermissionDenied
    form = HandoverForm(
        request.POST or None,
        leavers=permissions.handover_leavers_for(request.user),
        successors=permissions.handover_successors_for(request.user),
    )
    handover = form_action(request, form, lambda data: services.customers_hand_over(by=request.user, **data))
    if handover:
        messages.success(
            request,
            _("已将 %(from)s 的 %(count)d 位客户及其未结事项移交给 %(to)s。")
            % {"from": handover.from_user, "count": handover.customer_count, "to": handover.to_user},
        )
        return redirect("customers:handover_detail", pk=handover.pk)
    return render(request, "customers/handover.html", {"form": form, "handovers": selectors.handovers_recent()})


def _handover_or_404(request, pk) -> Handover:
    handover = get_object_or_404(Handover.objects.select_related("from_user", "to_user", "performed_by"), pk=pk)
    if not permissions.can_hand_over_customers_of(request.user, handover.from_user):
        raise PermissionDenied
    return handover


@require_http_methods(["GET", "POST"])
def handover_detail(request, pk):
    """A handover's checklist: what moved, what the leaver still holds, the steps done; the leaver's
    account is deactivated from here once the last item is done."""
    handover = _handover_or_404(request, pk)
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step == HandoverStepKind.ACCOUNT_DEACTIVATED:
            button_action(
                request,
                lambda data: services.handover_deactivate_leaver(handover, by=request.user),
                _("已停用 %(user)s 的账号。") % {"user": handover.from_user},
            )
        elif step in HandoverStepKind.values:
            button_action(
                request,
                lambda data: services.handover_step_record(handover, by=request.user, kind=step),
                _("已登记。"),
            )
        else:
            raise Http404
        return redirect("customers:handover_detail", pk=handover.pk)
    steps = {step.kind: step for step in handover.steps.select_related("by")}
    remaining = selectors.handover_remaining(handover.from_user)
    return render(
        request,
        "customers/handover_detail.html",
        {
            "handover": handover,
            "step_rows": [(kind, steps.get(kind)) for kind in HandoverStepKind],
            "remaining": remaining,
            "remaining_total": sum(item.count for item in remaining),
        },
    )


def handover_letters(request, pk):
    """The letter list: the customers to be told of their new contact, printable."""
    handover = _handover_or_404(request, pk)
    rows, hidden = selectors.handover_letters(handover, user=request.user)
    return render(
        request, "customers/print_handover_letters.html", {"handover": handover, "rows": rows, "hidden": hidden}
    )


def handover_checklist(request, pk):
    """The handover checklist (交接清单), printed and signed by the leaver, the successor and the manager."""
    handover = _handover_or_404(request, pk)
    rows, hidden = selectors.handover_letters(handover, user=request.user)
    return render(
        request,
        "customers/print_handover_checklist.html",
        {"handover": handover, "rows": rows, "hidden": hidden},
    )


def _read_log(request):
    """The read log as filtered by the request (reader, customer name, period), for the page and its
    export alike; refused to anyone but those who may read the log."""
    if not permissions.can_read_access_log(request.user):
        raise PermissionDenied
    user_id = request.GET.get("user", "")
    user_id = int(user_id) if user_id.isascii() and user_id.isdecimal() and len(user_id) < 19 else None
    period = DateRangeForm(request.GET or None)
    entries = read_log.read_log_entries(
        user_id=user_id, customer_name=request.GET.get("customer", "")[:200].strip(), **period.period()
    )
    return entries, period, user_id


@kept_for_its_reader
def read_log_page(request):
    entries, period, _user_id = _read_log(request)
    page = paginate(entries, page=request.GET.get("page"), per_page=request.GET.get("per_page"), default_per_page=50)
    page.object_list = read_log.read_log_lines(page.object_list, request.user)
    return render(
        request,
        "customers/read_log.html",
        {
            "page_obj": page,
            "people": selectors.active_users(),
            "filters": request.GET,
            "period": period,
            "query": request.GET.urlencode(),
        },
    )


def read_log_export(request):
    """The read log as Excel: the same rows as the page under the same filters, for the same people."""
    entries, period, user_id = _read_log(request)
    reader = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    period = period.period()
    return workbook_response(
        filename=f"read-log-{timezone.localdate().isoformat()}.xlsx",
        title=_("查阅日志"),
        headers=read_log.EXPORT_HEADINGS,
        user=request.user,
        filters=[
            (_("查阅人"), reader),
            (_("客户"), request.GET.get("customer", "")[:200].strip()),
            (_("日期自"), period["date_from"]),
            (_("至"), period["date_to"]),
        ],
        rows=services.export_logged(
            read_log.export_rows(entries, request.user),
            user=request.user,
            what=f"{_('查阅日志')} {request.GET.urlencode()}".strip(),
        ),
    )
