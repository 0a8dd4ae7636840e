"""The audit page: changes and reads, filtered, one page at a time or all of it in Excel."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from crm_archive.excel import form_filters, workbook_response
from crm_archive.page_cache import kept_for_its_reader
from crm_archive.pagination import paginate
from crm_archive.sorting import Sorts
from crm_archive.views import require
from customers.services import export_logged

from . import permissions, selectors
from .forms import TrailFilterForm

COLUMNS = [_lazy("时间"), _lazy("操作人"), _lazy("记录类型"), _lazy("记录"), _lazy("操作"), _lazy("内容")]


def _form(request) -> TrailFilterForm:
    require(permissions.can_read_audit_trail(request.user))
    return TrailFilterForm(request.GET or None)


# Newest or oldest first (each source's time column is indexed); entries of one moment by their own id.
TRAIL_SORTS = Sorts({"when": ("audit_at",)}, default="-when", tiebreaker="audit_ref")


@kept_for_its_reader
def trail(request):
    form = _form(request)
    sorting = TRAIL_SORTS.from_request(request)
    page = paginate(
        selectors.trail_rows(form.filters(), order=sorting.order_by),
        page=request.GET.get("page"),
        per_page=request.GET.get("per_page"),
        default_per_page=50,
        count=False,
    )
    page.object_list = selectors.trail_entries(page.object_list)
    return render(
        request,
        "audit/trail.html",
        {"form": form, "page_obj": page, "sorting": sorting, "query": request.GET.urlencode()},
    )


def trail_export(request):
    form = _form(request)
    filters = form.filters()
    return workbook_response(
        filename=f"audit-{timezone.localdate().isoformat()}.xlsx",
        title=_("审计记录"),
        headers=COLUMNS,
        user=request.user,
        filters=form_filters(form) if form.is_bound and form.is_valid() else (),
        rows=export_logged(
            (_export_row(entry) for entry in selectors.trail_iter(filters)),
            user=request.user,
            what=f"{_('审计记录')} {request.GET.urlencode()}".strip(),
        ),
    )


def _export_row(entry) -> list:
    details = [f"{change.label}：{change.old} → {change.new}" for change in entry.changes] + entry.details
    return [entry.when, str(entry.who or "—"), entry.kind, entry.record, entry.action_display, "\n".join(details)]
