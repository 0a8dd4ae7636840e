from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from approvals.forms import DecisionForm
from approvals.models import RequestKind
from approvals.selectors import approval_progress
from crm_archive.errors import ActionRefused
from crm_archive.excel import workbook_response
from crm_archive.forms import DateRangeForm
from crm_archive.history import record_history
from crm_archive.page_cache import kept_for_its_reader
from crm_archive.pagination import paginate
from crm_archive.sorting import Sorts
from crm_archive.views import button_action, button_step, form_action, require
from customers import secrecy
from customers.services import customer_read_log, customers_read_log, export_logged

from . import labels, permissions, selectors, services
from .forms import (
    BackupKeyUseForm,
    CompletionForm,
    DocumentForm,
    DossierFilter,
    DossierOpenForm,
    ExportRequestForm,
    InspectionForm,
    InspectionScheduleForm,
    LabelSheetForm,
    LabelSource,
    PromotionForm,
    ReadRequestForm,
    RepairCloseForm,
    RepairOpenForm,
    StocktakeFinishForm,
    StocktakeScanForm,
    VolumeRemarksForm,
)
from .models import (
    VOLUME_REGULAR,
    VOLUME_TOP_SECRET,
    Cabinet,
    Document,
    Dossier,
    DossierStatus,
    ExportRequest,
    InspectionSchedule,
    ReadRequest,
    Repair,
    ScanKind,
    Stocktake,
    StocktakeStatus,
)
from .notices import dossier_notices
from .statistics import export_headings as statistics_export_headings
from .statistics import export_rows as statistics_export_rows
from .statistics import statistics_page

# The list's sortable columns, each on an indexed column (the customer's name is unique).
DOSSIER_SORTS = Sorts(
    {
        "number": ("archive_number",),
        "customer": ("customer__name",),
        "opened": ("opened_on",),
        "due": ("promotion_due_on",),
    },
    default="-opened",
)


@kept_for_its_reader
def dossier_list(request):
    sorting = DOSSIER_SORTS.from_request(request)
    queryset = selectors.dossiers_for_list(
        request.user, search=request.GET.get("q", ""), due=request.GET.get("due", "")
    ).order_by(*sorting.order_by)
    filterset = DossierFilter(request.GET or None, queryset=queryset)
    page = paginate(filterset.qs, page=request.GET.get("page"), per_page=request.GET.get("per_page"))
    return render(
        request,
        "dossiers/dossier_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "search": request.GET.get("q", ""),
            "due": request.GET.get("due", ""),
            "sorting": sorting,
            "can_manage": permissions.can_manage_archive(request.user),
        },
    )


def dossier_detail(request, pk):
    dossier = permissions.get_visible_dossier_or_404(
        request.user, pk, Dossier.objects.select_related("customer", "cabinet", "retention", "opened_by", "promoted_by")
    )
    documents = selectors.documents_of(dossier, request.user)
    for document in documents:
        document.actions = permissions.document_actions(request.user, document)
    actions = permissions.dossier_actions(request.user, dossier)
    # Every read is evidence (SPEC §4): the dossier page (its metadata and catalogue) too.
    customer_read_log(dossier.customer, user=request.user, what=f"dossier:{dossier.pk}")
    return render(
        request,
        "dossiers/dossier_detail.html",
        {
            "dossier": dossier,
            "actions": actions,
            "volumes": selectors.volumes_of(documents),
            "can_read_customer": secrecy.can_read_customer(request.user, dossier.customer),
            "missing_types": selectors.missing_required_types(dossier)
            if dossier.status in (DossierStatus.TEMPORARY, DossierStatus.COMPLETION_RECEIVED)
            else [],
            "completion_form": CompletionForm() if "record_completion" in actions else None,
            "can_print_top_secret": permissions.can_print_volume(request.user, top_secret=True),
            "can_print_label": bool(dossier.archive_number)
            and dossier.status != DossierStatus.DESTROYED
            and permissions.can_print_labels(request.user),
            "custody_timeline": selectors.dossier_custody_timeline(dossier),
            "notices": dossier_notices(request.user, dossier),
            "history": record_history(dossier),
        },
    )


@require_http_methods(["GET", "POST"])
def dossier_open(request):
    require(permissions.can_manage_archive(request.user))
    form = DossierOpenForm(request.POST or None)
    dossier = form_action(
        request,
        form,
        lambda data: services.dossier_open(
            data["customer"], by=request.user, opened_on=data["opened_on"], retention=data["retention"]
        ),
    )
    if dossier:
        messages.success(request, _("已建立临时档案。"))
        return redirect("dossiers:detail", pk=dossier.pk)
    return render(request, "dossiers/simple_form.html", {"form": form, "title": _("建立临时档案")})


@require_POST
def dossier_record_completion(request, pk):
    require(permissions.can_manage_archive(request.user))
    dossier = get_object_or_404(Dossier, pk=pk)
    button_action(
        request,
        lambda data: services.dossier_record_completion(dossier, by=request.user, received_on=data["received_on"]),
        _("已登记竣工文档，请在 5 天内转为正式档案。"),
        form=CompletionForm(request.POST),
    )
    return redirect("dossiers:detail", pk=dossier.pk)


@require_http_methods(["GET", "POST"])
def dossier_promote(request, pk):
    require(permissions.can_manage_archive(request.user))
    dossier = get_object_or_404(Dossier.objects.select_related("customer"), pk=pk)
    form = PromotionForm(request.POST or None)
    promoted = form_action(
        request,
        form,
        lambda data: services.dossier_promote(
            dossier, by=request.user, cabinet=data["cabinet"], position=data["position"]
        ),
    )
    if promoted:
        messages.success(request, _("已转为正式档案，档号 %(number)s。") % {"number": promoted.archive_number})
        return redirect("dossiers:detail", pk=dossier.pk)
    return render(
        request,
        "dossiers/promote.html",
        {"form": form, "dossier": dossier, "missing_types": selectors.missing_required_types(dossier)},
    )


@require_http_methods(["GET", "POST"])
def document_edit(request, pk, document_id=None):
    require(permissions.can_manage_archive(request.user))
    dossier = get_object_or_404(Dossier.objects.select_related("customer"), pk=pk)
    document = get_object_or_404(Document, pk=document_id, dossier=dossier) if document_id else None
    if document is None:
        require("file_document" in permissions.dossier_actions(request.user, dossier))
    else:
        require("edit" in permissions.document_actions(request.user, document))
    initial = {} if document else {"secrecy_tier": dossier.customer.secrecy_tier, "retention": dossier.retention_id}
    form = DocumentForm(request.POST or None, request.FILES or None, instance=document, initial=initial)

    def file_document(data):
        instance = form.save(commit=False)
        instance.dossier = dossier
        return services.document_save(
            instance,
            by=request.user,
            scan=data.get("scan_file"),
            scan_content_type=getattr(form, "scan_content_type", ""),
        )

    if form_action(request, form, file_document):
        messages.success(request, _("文件已归档。"))
        return redirect("dossiers:detail", pk=dossier.pk)
    return render(
        request,
        "dossiers/simple_form.html",
        {
            "form": form,
            "title": _("编辑卷内文件") if document else _("归档文件"),
            "subtitle": str(dossier.customer),
            "multipart": True,
            "cancel_url": reverse("dossiers:detail", args=[dossier.pk]),
        },
    )


def document_scan(request, document_id):
    """Serve a scanned file to someone allowed to read that document; every read is logged."""
    document = get_object_or_404(
        permissions.documents_readable_by(request.user).select_related("dossier__customer"), pk=document_id
    )
    if not document.scan:
        raise Http404
    try:
        scan = document.scan.open("rb")
    except FileNotFoundError:
        raise Http404 from None  # the row names a file the storage no longer holds
    customer_read_log(document.dossier.customer, user=request.user, what=f"document:{document.pk}")
    extension = document.scan.name.rsplit(".", 1)[-1]
    return FileResponse(
        scan,
        content_type=document.scan_content_type or "application/octet-stream",
        filename=f"{document.dossier.archive_number or 'dossier'}-{document.pk}.{extension}",
    )


def _volume_or_404(request, pk, year, kind):
    if kind not in (VOLUME_REGULAR, VOLUME_TOP_SECRET):
        raise Http404
    top_secret = kind == VOLUME_TOP_SECRET
    dossier = permissions.get_visible_dossier_or_404(request.user, pk, Dossier.objects.select_related("customer"))
    if not permissions.can_print_volume(request.user, top_secret=top_secret):
        raise Http404
    volume = selectors.volume(dossier, request.user, year=year, top_secret=top_secret)
    if not volume["documents"]:
        raise Http404  # no such volume
    return dossier, volume


def volume_catalogue(request, pk, year, kind):
    """卷内文件目录, print-ready (A4); the read is logged like the dossier page's."""
    dossier, volume = _volume_or_404(request, pk, year, kind)
    customer_read_log(dossier.customer, user=request.user, what=f"catalogue:{dossier.pk}:{year}")
    return render(request, "dossiers/print_catalogue.html", {"dossier": dossier, "volume": volume})


@require_http_methods(["GET", "POST"])
def volume_remarks(request, pk, year, kind):
    """卷内备考表, print-ready; the clerk fills it in on the same page."""
    dossier, volume = _volume_or_404(request, pk, year, kind)
    form = None
    if "edit_volume_remarks" in permissions.dossier_actions(request.user, dossier):
        # Once filled in, the sheet takes new signed entries: the form starts blank.
        form = VolumeRemarksForm(request.POST or None, checkers=permissions.remarks_checkers_for(request.user))
        saved = form_action(
            request,
            form,
            lambda data: services.volume_remarks_save(
                dossier=dossier, filing_year=year, top_secret=volume["top_secret"], by=request.user, **data
            ),
        )
        if saved:
            messages.success(request, _("备考表已保存。"))
            return redirect(request.path)
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "dossiers/print_remarks.html", {"dossier": dossier, "volume": volume, "form": form})


def cabinet_list(request):
    require(permissions.can_oversee_archive(request.user))
    return render(
        request,
        "dossiers/cabinets.html",
        {
            "cabinets": selectors.cabinets_with_occupancy(),
            "store": selectors.store_inspection_status(),
            "key_uses": selectors.backup_key_uses(),
            "can_record": permissions.can_record_backup_key_use(request.user),
            "can_print_labels": permissions.can_print_labels(request.user),
            "can_take_stock": permissions.can_take_stock(request.user),
            "can_manage_schedules": permissions.can_manage_inspection_schedules(request.user),
        },
    )


def _labels_for(data) -> tuple[list[labels.Label], list[str]]:
    """The labels a valid LabelSheetForm asks for, or the problems that keep them from printing."""
    symbology, cabinet = data["symbology"], data.get("cabinet")
    if data["source"] == LabelSource.POSITIONS:
        positions = range(data["first_position"], data["last_position"] + 1)
        return [labels.position_label(cabinet, position, symbology) for position in positions], []
    if data["source"] == LabelSource.CABINET:
        dossiers = selectors.dossiers_in_cabinet(
            cabinet, first_position=data.get("first_position") or 1, last_position=data.get("last_position")
        )[: labels.LABELS_MAX + 1]
        dossiers, problems = list(dossiers), []
        if len(dossiers) > labels.LABELS_MAX:
            problems.append(_("一次最多打印 %(max)d 张标签，请缩小格位范围。") % {"max": labels.LABELS_MAX})
        elif not dossiers:
            problems.append(_("档案柜 %(cabinet)s 的所选格位上没有正式档案。") % {"cabinet": cabinet.code})
    else:
        dossiers, unknown, not_shelved = selectors.dossiers_for_labels(data["numbers"])
        problems = []
        if unknown:
            problems.append(_("没有这些档号的档案：%(numbers)s") % {"numbers": "、".join(unknown[:20])})
        if not_shelved:
            problems.append(
                _("这些档案不是在柜的正式档案（已销毁），不打印标签：%(numbers)s")
                % {"numbers": "、".join(not_shelved[:20])}
            )
    if problems:
        return [], problems
    return [labels.dossier_label(dossier, symbology) for dossier in dossiers], []


@require_http_methods(["GET"])
def label_sheet(request):
    """A4 sheets of barcode labels: dossiers' spine labels (their archive number) or a cabinet's
    position labels (POS:A02/5), as Code 128 or QR codes; dossiers/labels.py says what each holds.
    A label names its customer: archive staff only, and each customer named is logged as read."""
    require(permissions.can_print_labels(request.user))
    bound = "source" in request.GET
    initial = {}
    if not bound:
        cabinet_id = request.GET.get("cabinet", "")
        initial = {
            "cabinet": cabinet_id if cabinet_id.isdigit() and len(cabinet_id) < 10 else None,
            "source": request.GET.get("for", LabelSource.CABINET),
        }
    form = LabelSheetForm(request.GET if bound else None, initial=initial)
    if bound and form.is_valid():
        sheet, problems = _labels_for(form.cleaned_data)
        for problem in problems:
            form.add_error(None, problem)
        if sheet:
            dossier_customers = [label.customer_id for label in sheet if label.customer_id]
            if dossier_customers:
                customers_read_log(dossier_customers, user=request.user, what="labels")
            return render(
                request,
                "dossiers/print_labels.html",
                {
                    "pages": labels.label_pages(sheet),
                    "count": len(sheet),
                    "fell_back": any(label.fell_back_to_qr for label in sheet),
                    "symbology": form.cleaned_data["symbology"],
                },
            )
    return render(request, "dossiers/label_form.html", {"form": form})


def _stocktake_or_404(pk) -> Stocktake:
    return get_object_or_404(
        Stocktake.objects.select_related("cabinet", "started_by", "finished_by", "inspection"), pk=pk
    )


@require_http_methods(["GET", "POST"])
def stocktake_start(request, cabinet_id):
    """盘点 of a cabinet: go on with the one in progress, or start one."""
    require(permissions.can_take_stock(request.user))
    cabinet = get_object_or_404(Cabinet, pk=cabinet_id)
    current = Stocktake.objects.filter(cabinet=cabinet, status=StocktakeStatus.OPEN).first()
    if current is not None:
        return redirect("dossiers:stocktake", pk=current.pk)
    if request.method == "POST":
        try:
            stocktake = services.stocktake_start(cabinet, by=request.user)
        except ActionRefused as refusal:
            messages.error(request, refusal.message)
            return redirect("dossiers:cabinets")
        return redirect("dossiers:stocktake", pk=stocktake.pk)
    return render(
        request,
        "dossiers/stocktake_start.html",
        {"cabinet": cabinet, "stocktakes": selectors.stocktakes_of(cabinet)},
    )


def _scan_outcome(request, scan):
    """Tell the clerk at once what the scan was, and whether it is where the records say."""
    if scan.kind == ScanKind.POSITION:
        messages.info(request, _("当前格位：第 %(position)d 格") % {"position": scan.position})
        return
    row = selectors.stocktake_scan_verdict(scan)
    if row.dossier is None:
        messages.warning(
            request,
            _("“%(code)s”不是本系统的档号，已记为不应在柜（第 %(position)d 格）。")
            % {"code": scan.code, "position": scan.position},
        )
        return
    words = {
        "code": row.code,
        "customer": labels.label_text(row.dossier.customer.name, labels.CUSTOMER_NAME_LIMIT),
        "place": row.recorded,
        "position": scan.position,
    }
    if row.group == selectors.FOUND:
        messages.success(request, _("%(code)s · %(customer)s：在位（第 %(position)d 格）") % words)
    else:
        messages.warning(request, _("%(code)s · %(customer)s：记录为“%(place)s”，发现于第 %(position)d 格") % words)


@require_http_methods(["GET", "POST"])
def stocktake_detail(request, pk):
    """An open stocktake takes scans here (a scanner types the code and presses Enter); a finished
    one shows what it found."""
    require(permissions.can_oversee_archive(request.user))
    stocktake = _stocktake_or_404(pk)
    actions = permissions.stocktake_actions(request.user, stocktake)
    if request.method == "POST":
        require("scan" in actions)
        form = StocktakeScanForm(request.POST)
        if form.is_valid():
            try:
                scan = services.stocktake_scan(stocktake, form.cleaned_data["code"], by=request.user)
            except ActionRefused as refusal:
                messages.error(request, refusal.message)
            else:
                _scan_outcome(request, scan)
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        # Back to an empty field, focused, for the next scan.
        return redirect("dossiers:stocktake", pk=stocktake.pk)
    context = {"stocktake": stocktake, "actions": actions}
    if stocktake.is_open:
        context |= {
            "form": StocktakeScanForm() if "scan" in actions else None,
            "current_position": selectors.stocktake_current_position(stocktake),
            "report": selectors.stocktake_report(stocktake),
            "recent_scans": selectors.stocktake_recent_scans(stocktake),
        }
    else:
        context["findings"] = selectors.stocktake_findings(stocktake)
    return render(request, "dossiers/stocktake.html", context)


@require_http_methods(["GET", "POST"])
def stocktake_finish(request, pk):
    require(permissions.can_take_stock(request.user))
    stocktake = _stocktake_or_404(pk)
    if "finish" not in permissions.stocktake_actions(request.user, stocktake):
        messages.error(request, _("此盘点已结束。"))
        return redirect("dossiers:stocktake", pk=stocktake.pk)
    # Every field may be left empty (unticked boxes): an empty POST is still a submission.
    form = StocktakeFinishForm(request.POST if request.method == "POST" else None)
    finished = form_action(request, form, lambda data: services.stocktake_finish(stocktake, by=request.user, **data))
    if finished:
        messages.success(request, _("盘点已完成，并已登记为检查记录。"))
        return redirect("dossiers:stocktake", pk=stocktake.pk)
    return render(
        request,
        "dossiers/stocktake_finish.html",
        {"stocktake": stocktake, "form": form, "report": selectors.stocktake_report(stocktake)},
    )


@require_POST
def stocktake_cancel(request, pk):
    require(permissions.can_take_stock(request.user))
    stocktake = _stocktake_or_404(pk)
    return button_step(
        request,
        lambda _data: services.stocktake_cancel(stocktake, by=request.user),
        _("已放弃此次盘点。"),
        back_to="dossiers:stocktake",
        record=stocktake,
    )


def inspection_schedule_list(request):
    require(permissions.can_oversee_archive(request.user))
    return render(
        request,
        "dossiers/inspection_schedules.html",
        {
            "schedules": list(selectors.inspection_schedules()),
            "today": timezone.localdate(),
            "can_manage": permissions.can_manage_inspection_schedules(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def inspection_schedule_edit(request, pk=None):
    require(permissions.can_manage_inspection_schedules(request.user))
    schedule = get_object_or_404(InspectionSchedule, pk=pk) if pk is not None else None
    form = InspectionScheduleForm(request.POST or None, instance=schedule)
    saved = form_action(
        request, form, lambda data: services.inspection_schedule_save(form.save(commit=False), by=request.user)
    )
    if saved:
        messages.success(request, _("检查计划已保存。"))
        return redirect("dossiers:inspection_schedules")
    return render(
        request,
        "dossiers/simple_form.html",
        {
            "form": form,
            "title": _("修改检查计划") if schedule else _("制定检查计划"),
            "cancel_url": reverse("dossiers:inspection_schedules"),
        },
    )


@require_http_methods(["GET", "POST"])
def backup_key_use(request, cabinet_id):
    require(permissions.can_record_backup_key_use(request.user))
    cabinet = get_object_or_404(Cabinet, pk=cabinet_id)
    form = BackupKeyUseForm(request.POST or None, initial={"used_by": request.user.pk})
    if form_action(request, form, lambda data: services.backup_key_use_record(cabinet, by=request.user, **data)):
        messages.success(request, _("已登记备用钥匙的使用，并通知内勤部经理。"))
        return redirect("dossiers:cabinets")
    return render(
        request,
        "dossiers/simple_form.html",
        {"form": form, "title": _("登记备用钥匙使用"), "subtitle": str(cabinet)},
    )


def inspection_list(request):
    require(permissions.can_oversee_archive(request.user))
    page = paginate(selectors.inspections_recent(), page=request.GET.get("page"), per_page=request.GET.get("per_page"))
    return render(
        request,
        "dossiers/inspections.html",
        {
            "page_obj": page,
            "open_repairs": selectors.repairs_open(request.user, limit=None),
            "can_manage": permissions.can_manage_archive(request.user),
            "due": selectors.inspections_due(),
        },
    )


@require_http_methods(["GET", "POST"])
def inspection_add(request):
    require(permissions.can_manage_archive(request.user))
    form = InspectionForm(request.POST or None)
    if form_action(request, form, lambda data: services.inspection_record(by=request.user, **data)):
        messages.success(request, _("检查记录已保存。"))
        return redirect("dossiers:inspections")
    return render(request, "dossiers/simple_form.html", {"form": form, "title": _("登记检查与核对")})


@require_http_methods(["GET", "POST"])
def repair_open(request, document_id):
    require(permissions.can_manage_archive(request.user))
    document = get_object_or_404(Document.objects.select_related("dossier__customer"), pk=document_id)
    form = RepairOpenForm(request.POST or None)
    if form_action(request, form, lambda data: services.repair_open(document, by=request.user, damage=data["damage"])):
        messages.success(request, _("已登记破损，待修复。"))
        return redirect("dossiers:detail", pk=document.dossier_id)
    return render(
        request, "dossiers/simple_form.html", {"form": form, "title": _("登记破损"), "subtitle": document.title}
    )


@require_http_methods(["GET", "POST"])
def repair_close(request, repair_id):
    require(permissions.can_manage_archive(request.user))
    repair = get_object_or_404(Repair.objects.select_related("document"), pk=repair_id)
    form = RepairCloseForm(request.POST or None)
    closed = form_action(
        request,
        form,
        lambda data: services.repair_close(
            repair, by=request.user, repaired_on=data["repaired_on"], notes=data["repair_notes"]
        ),
    )
    if closed:
        messages.success(request, _("修复已完成。"))
        return redirect("dossiers:inspections")
    return render(
        request,
        "dossiers/simple_form.html",
        {"form": form, "title": _("登记修复完成"), "subtitle": repair.document.title},
    )


def statistics(request):
    """档案统计 and 客户构成分析 (SPEC §7) on one page, over a period."""
    require(permissions.can_read_archive_statistics(request.user))
    form = DateRangeForm(request.GET or None)
    return render(
        request,
        "dossiers/statistics.html",
        {
            "form": form,
            "query": request.GET.urlencode(),
            **statistics_page(request.user, **form.period()),
        },
    )


def statistics_export(request):
    """The statistics page as Excel: the same tables over the same period, one row per figure."""
    require(permissions.can_read_archive_statistics(request.user))
    form = DateRangeForm(request.GET or None)
    period = form.period()
    page = statistics_page(request.user, **period)
    return workbook_response(
        filename=f"statistics-{timezone.localdate().isoformat()}.xlsx",
        title=_("档案统计（%(period)s）") % {"period": page["period"]},
        headers=statistics_export_headings(),
        user=request.user,
        filters=[(_("日期自"), period["date_from"]), (_("至"), period["date_to"])],
        rows=export_logged(
            statistics_export_rows(page),
            user=request.user,
            what=f"{_('档案统计')} {request.GET.urlencode()}".strip(),
        ),
    )


# 编号 is the id; the customer's name is unique; requested_at has its own index.
READ_REQUEST_SORTS = Sorts(
    {"number": ("id",), "customer": ("customer__name",), "requested": ("requested_at",)}, default="-requested"
)


@kept_for_its_reader
def read_request_list(request):
    """My 查阅申请 and those I sign or signed; every request for the archive manager and the GM."""
    require(permissions.can_request_read(request.user) or permissions.read_requests_visible_to(request.user).exists())
    sorting = READ_REQUEST_SORTS.from_request(request)
    requests = (
        permissions.read_requests_visible_to(request.user)
        .select_related("customer", "requester", "department", "grant")
        .order_by(*sorting.order_by)
    )
    page = paginate(requests, page=request.GET.get("page"), per_page=request.GET.get("per_page"))
    return render(request, "dossiers/read_request_list.html", {"page_obj": page, "sorting": sorting})


@require_http_methods(["GET", "POST"])
def read_request_create(request):
    require(permissions.can_request_read(request.user))
    form = ReadRequestForm(request.POST or None, initial={"customer_ref": request.GET.get("customer", "")[:200]})
    made = form_action(
        request,
        form,
        lambda data: services.read_request_create(
            requester=request.user,
            customer=data["customer"],
            scope=data["scope"],
            content=data["content"],
            purpose=data["purpose"],
            working_days=data["working_days"],
            document_types=data["document_types"],
        ),
    )
    if made:
        messages.success(request, _("查阅申请 %(number)s 已提交。") % {"number": made.number})
        return redirect("dossiers:read_request", pk=made.pk)
    return render(request, "dossiers/read_request_form.html", {"form": form})


def _visible_read_request_or_404(request, pk) -> ReadRequest:
    return get_object_or_404(
        permissions.read_requests_visible_to(request.user).select_related(
            "customer", "requester", "department", "grant"
        ),
        pk=pk,
    )


def read_request_detail(request, pk):
    read_request = _visible_read_request_or_404(request, pk)
    actions = permissions.read_request_actions(request.user, read_request)
    return render(
        request,
        "dossiers/read_request_detail.html",
        {
            "read_request": read_request,
            "actions": actions,
            "decision_form": DecisionForm() if {"approve", "reject"} & actions else None,
            "timeline": approval_progress(RequestKind.READ, read_request.pk),
            "document_types": read_request.document_types.all(),
        },
    )


@require_POST
def read_request_decide(request, pk):
    read_request = _visible_read_request_or_404(request, pk)
    approve = request.POST.get("decision") == "approve"
    return button_step(
        request,
        lambda data: services.read_request_decide(
            read_request, by=request.user, approve=approve, comment=data.get("comment", "")
        ),
        _("已审批。"),
        back_to="dossiers:read_request",
        record=read_request,
        form=DecisionForm(request.POST),
    )


@require_POST
def read_request_withdraw(request, pk):
    read_request = _visible_read_request_or_404(request, pk)
    return button_step(
        request,
        lambda _data: services.read_request_withdraw(read_request, by=request.user),
        _("已撤回。"),
        back_to="dossiers:read_request",
        record=read_request,
    )


@require_http_methods(["GET", "POST"])
def export_request_create(request):
    """Ask for the right to export customer data; my earlier export requests below."""
    require(request.user.department_id is not None)
    form = ExportRequestForm(request.POST or None)
    made = form_action(
        request, form, lambda data: services.export_request_create(requester=request.user, purpose=data["purpose"])
    )
    if made:
        messages.success(request, _("导出申请 %(number)s 已提交。") % {"number": made.number})
        return redirect("dossiers:export_request", pk=made.pk)
    mine = ExportRequest.objects.filter(requester=request.user).select_related("permit")[:20]
    return render(request, "dossiers/export_request_form.html", {"form": form, "mine": mine})


def _visible_export_request_or_404(request, pk) -> ExportRequest:
    return get_object_or_404(
        permissions.export_requests_visible_to(request.user).select_related("requester", "permit"), pk=pk
    )


def export_request_detail(request, pk):
    export_request = _visible_export_request_or_404(request, pk)
    actions = permissions.export_request_actions(request.user, export_request)
    return render(
        request,
        "dossiers/export_request_detail.html",
        {
            "export_request": export_request,
            "actions": actions,
            "decision_form": DecisionForm() if actions else None,
            "timeline": approval_progress(RequestKind.EXPORT, export_request.pk),
        },
    )


@require_POST
def export_request_decide(request, pk):
    export_request = _visible_export_request_or_404(request, pk)
    approve = request.POST.get("decision") == "approve"
    return button_step(
        request,
        lambda data: services.export_request_decide(
            export_request, by=request.user, approve=approve, comment=data.get("comment", "")
        ),
        _("已审批。"),
        back_to="dossiers:export_request",
        record=export_request,
        form=DecisionForm(request.POST),
    )
