from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from approvals.models import RequestKind
from approvals.selectors import approval_progress
from crm_archive.history import record_history
from crm_archive.page_cache import kept_for_its_reader
from crm_archive.sorting import Sorts
from crm_archive.views import button_action, button_step, form_action, require

from . import permissions, selectors, services
from .forms import AppraisalForm, DestroyForm, DraftListForm, HoldForm, ReasonForm, RejectReasonForm
from .models import DestructionItem, DestructionList, Hold

# The index's sortable columns: 清册号 follows the id; each date has its own index.
LIST_SORTS = Sorts(
    {"number": ("id",), "drafted": ("drafted_at",), "hold": ("hold_until",), "destroyed": ("destroyed_on",)},
    default="-drafted",
)


@kept_for_its_reader
def list_index(request):
    require(permissions.can_read_destruction(request.user))
    sorting = LIST_SORTS.from_request(request)
    return render(
        request,
        "destruction/index.html",
        {
            "lists": selectors.lists_for(request.user).order_by(*sorting.order_by)[:100],
            "sorting": sorting,
            "can_draft": permissions.can_draft_destruction_lists(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def expired(request):
    """到期档案: what has passed its retention and is on no list; the clerk drafts a list from it."""
    require(permissions.can_draft_destruction_lists(request.user))
    dossiers, documents = selectors.expired_dossiers(), selectors.expired_documents(request.user)
    form = DraftListForm(request.POST or None, dossiers=dossiers, documents=documents)
    destruction_list = form_action(request, form, lambda data: services.destruction_list_draft(by=request.user, **data))
    if destruction_list:
        messages.success(request, _("已登记销毁清册 %(number)s。") % {"number": destruction_list.number})
        return redirect("destruction:detail", pk=destruction_list.pk)
    return render(
        request,
        "destruction/expired.html",
        {"form": form, "dossiers": list(dossiers[:500]), "documents": list(documents[:500])},
    )


LIST_PAGE = "destruction:detail"


def detail(request, pk):
    require(permissions.can_read_destruction_list(request.user, pk))
    try:
        destruction_list = selectors.list_detail(request.user, pk)
    except DestructionList.DoesNotExist:
        raise Http404 from None
    actions = permissions.destruction_list_actions(request.user, destruction_list)
    return render(
        request,
        "destruction/detail.html",
        {
            "list": destruction_list,
            "actions": actions,
            "rows": [
                (item, permissions.destruction_item_actions(item, list_actions=actions))
                for item in selectors.items_of(destruction_list, request.user)
            ],
            "destroy_form": DestroyForm() if "destroy" in actions else None,
            "reject_form": RejectReasonForm() if "reject" in actions else None,
            "timeline": approval_progress(RequestKind.DESTRUCTION, destruction_list.pk),
            "history": record_history(destruction_list),
        },
    )


def _visible_list_or_404(request, pk) -> DestructionList:
    return get_object_or_404(permissions.destruction_lists_visible_to(request.user), pk=pk)


@require_POST
def submit(request, pk):
    destruction_list = _visible_list_or_404(request, pk)
    return button_step(
        request,
        lambda data: services.destruction_list_submit(destruction_list, by=request.user),
        _("已提交鉴定。"),
        back_to=LIST_PAGE,
        record=destruction_list,
    )


@require_POST
def appraise(request, pk):
    destruction_list = _visible_list_or_404(request, pk)
    return button_step(
        request,
        lambda data: services.destruction_list_appraise(destruction_list, by=request.user, keep_back=data["keep_back"]),
        _("已签署鉴定意见。"),
        back_to=LIST_PAGE,
        record=destruction_list,
        form=AppraisalForm(request.POST),
    )


@require_POST
def approve(request, pk):
    destruction_list = _visible_list_or_404(request, pk)
    return button_step(
        request,
        lambda data: services.destruction_list_approve(destruction_list, by=request.user),
        _("已批准，档案单独存放半年。"),
        back_to=LIST_PAGE,
        record=destruction_list,
    )


@require_POST
def reject(request, pk):
    destruction_list = _visible_list_or_404(request, pk)
    return button_step(
        request,
        lambda data: services.destruction_list_reject(destruction_list, by=request.user, reason=data["reason"]),
        _("已驳回清册。"),
        back_to=LIST_PAGE,
        record=destruction_list,
        form=RejectReasonForm(request.POST),
    )


@require_POST
def verify(request, pk):
    destruction_list = _visible_list_or_404(request, pk)
    return button_step(
        request,
        lambda data: services.destruction_list_verify(destruction_list, by=request.user),
        _("已验证，可以销毁。"),
        back_to=LIST_PAGE,
        record=destruction_list,
    )


@require_POST
def destroy(request, pk):
    destruction_list = _visible_list_or_404(request, pk)
    return button_step(
        request,
        lambda data: services.destruction_list_destroy(destruction_list, by=request.user, **data),
        _("已销毁并签署销毁登记。"),
        back_to=LIST_PAGE,
        record=destruction_list,
        form=DestroyForm(request.POST),
    )


@require_POST
def withdraw(request, pk, item_id):
    destruction_list = _visible_list_or_404(request, pk)
    item = get_object_or_404(DestructionItem, pk=item_id, destruction_list=destruction_list)
    return button_step(
        request,
        lambda data: services.destruction_item_withdraw(item, by=request.user, reason=data["reason"]),
        _("已撤出该条目。"),
        back_to=LIST_PAGE,
        record=destruction_list,
        form=ReasonForm(request.POST),
    )


def register(request, pk):
    """销毁清册 and destruction register, print-ready."""
    require(permissions.can_read_destruction_list(request.user, pk))
    try:
        destruction_list = selectors.list_detail(request.user, pk)
    except DestructionList.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "destruction/register.html",
        {"list": destruction_list, "items": selectors.items_of(destruction_list, request.user)},
    )


@require_http_methods(["GET", "POST"])
def holds(request):
    require(permissions.can_read_holds(request.user))
    can_manage = permissions.can_manage_holds(request.user)
    if request.method == "POST":
        require(can_manage)
    form = HoldForm(request.POST or None) if can_manage else None
    if form is not None and form_action(
        request, form, lambda data: services.hold_place(data["dossier"], by=request.user, reason=data["reason"])
    ):
        messages.success(request, _("已设置保留冻结。"))
        return redirect("destruction:holds")
    rows = [(hold, permissions.hold_actions(request.user, hold)) for hold in selectors.active_holds()]
    return render(request, "destruction/holds.html", {"rows": rows, "form": form, "can_manage": can_manage})


@require_POST
def hold_lift(request, hold_id):
    require(permissions.can_manage_holds(request.user))
    hold = get_object_or_404(Hold, pk=hold_id)
    button_action(
        request,
        lambda data: services.hold_lift(hold, by=request.user, reason=data["reason"]),
        _("已解除保留冻结。"),
        form=ReasonForm(request.POST),
    )
    return redirect("destruction:holds")
