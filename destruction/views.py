from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crm_archive.views import button_action, form_action

from . import permissions, selectors, services
from .forms import AppraisalForm, DestroyForm, DraftListForm, HoldForm, ReasonForm
from .models import DestructionItem, DestructionList, Hold, ListStatus


def _require(allowed: bool):
    if not allowed:
        raise PermissionDenied


def list_index(request):
    _require(permissions.can_read_destruction(request.user))
    return render(
        request,
        "destruction/index.html",
        {
            "lists": selectors.lists_for(request.user)[:100],
            "can_draft": permissions.can_draft_destruction_lists(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def expired(request):
    """到期档案: what has passed its retention and is on no list; the clerk drafts a list from it."""
    _require(permissions.can_draft_destruction_lists(request.user))
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


def detail(request, pk):
    _require(permissions.can_read_destruction(request.user))
    try:
        destruction_list = selectors.list_detail(request.user, pk)
    except DestructionList.DoesNotExist:
        raise Http404 from None
    user = request.user
    status = destruction_list.status
    return render(
        request,
        "destruction/detail.html",
        {
            "list": destruction_list,
            "items": selectors.items_of(destruction_list, request.user),
            "can_submit": status == ListStatus.DRAFT and permissions.can_draft_destruction_lists(user),
            "can_appraise": status == ListStatus.SUBMITTED
            and permissions.destruction_appraisal_side(user, destruction_list) is not None,
            "can_approve": status == ListStatus.APPRAISED and permissions.can_approve_destruction(user),
            "can_verify": status == ListStatus.HELD and permissions.can_verify_destruction(user),
            "can_destroy": status == ListStatus.VERIFIED and permissions.can_supervise_destruction(user),
            "can_withdraw": status not in (ListStatus.DESTROYED, ListStatus.REJECTED)
            and permissions.can_withdraw_destruction_items(user, destruction_list),
            "destroy_form": DestroyForm(),
        },
    )


def _run(request, pk, action, success_message, form=None):
    """One step of a list from a POSTed button; the outcome comes back as a message."""
    destruction_list = get_object_or_404(permissions.destruction_lists_visible_to(request.user), pk=pk)
    button_action(request, lambda data: action(destruction_list, data), success_message, form=form)
    return redirect("destruction:detail", pk=destruction_list.pk)


@require_POST
def submit(request, pk):
    return _run(request, pk, lambda dl, data: services.destruction_list_submit(dl, by=request.user), _("已提交鉴定。"))


@require_POST
def appraise(request, pk):
    return _run(
        request,
        pk,
        lambda dl, data: services.destruction_list_appraise(dl, by=request.user, keep_back=data["keep_back"]),
        _("已签署鉴定意见。"),
        form=AppraisalForm(request.POST),
    )


@require_POST
def approve(request, pk):
    return _run(
        request,
        pk,
        lambda dl, data: services.destruction_list_approve(dl, by=request.user),
        _("已批准，档案单独存放半年。"),
    )


@require_POST
def reject(request, pk):
    return _run(
        request,
        pk,
        lambda dl, data: services.destruction_list_reject(dl, by=request.user, reason=data["reason"]),
        _("已驳回清册。"),
        form=ReasonForm(request.POST),
    )


@require_POST
def verify(request, pk):
    return _run(
        request, pk, lambda dl, data: services.destruction_list_verify(dl, by=request.user), _("已验证，可以销毁。")
    )


@require_POST
def destroy(request, pk):
    return _run(
        request,
        pk,
        lambda dl, data: services.destruction_list_destroy(dl, by=request.user, **data),
        _("已销毁并签署销毁登记。"),
        form=DestroyForm(request.POST),
    )


@require_POST
def withdraw(request, pk, item_id):
    item = get_object_or_404(DestructionItem, pk=item_id, destruction_list_id=pk)
    return _run(
        request,
        pk,
        lambda dl, data: services.destruction_item_withdraw(item, by=request.user, reason=data["reason"]),
        _("已撤出该条目。"),
        form=ReasonForm(request.POST),
    )


def register(request, pk):
    """销毁清册 and destruction register, print-ready."""
    _require(permissions.can_read_destruction(request.user))
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
    _require(permissions.can_read_holds(request.user))
    can_manage = permissions.can_manage_holds(request.user)
    if request.method == "POST":
        _require(can_manage)
    form = HoldForm(request.POST or None) if can_manage else None
    if form is not None and form_action(
        request, form, lambda data: services.hold_place(data["dossier"], by=request.user, reason=data["reason"])
    ):
        messages.success(request, _("已设置保留冻结。"))
        return redirect("destruction:holds")
    return render(
        request, "destruction/holds.html", {"holds": selectors.active_holds(), "form": form, "can_manage": can_manage}
    )


@require_POST
def hold_lift(request, hold_id):
    _require(permissions.can_manage_holds(request.user))
    hold = get_object_or_404(Hold, pk=hold_id)
    button_action(
        request,
        lambda data: services.hold_lift(hold, by=request.user, reason=data["reason"]),
        _("已解除保留冻结。"),
        form=ReasonForm(request.POST),
    )
    return redirect("destruction:holds")
