"""The columns of the borrow and photocopy registers (借阅登记簿, SPEC §5) and of the monthly
report: one definition shared by the pages and their Excel files, so both show the same rows."""

from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from crm_archive.templatetags.dates import day

from .models import LoanKind


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _yes_no(value):
    if value is None:
        return ""
    return _("是") if value else _("否")


def _approvers(loan):
    names = [str(person) for person in (loan.archive_approved_by, loan.tier_approved_by) if person]
    return "、".join(names)


def _extension(loan):
    approved = [item for item in loan.extensions.all() if item.status == "approved"]
    return _local(max(item.requested_due_at for item in approved)) if approved else ""


def _pages_copies(loan):
    """Pages of the original handed out; for a photocopy, the copies' pages / copies."""
    record = getattr(loan, "photocopy", None) if loan.kind == LoanKind.PHOTOCOPY else None
    if record:
        return f"{record.pages} / {record.copies}"
    return str(loan.pages_out) if loan.pages_out else ""


def _receipt(loan):
    """签收: when; a signature on paper the clerk witnessed says so."""
    signed = _local(loan.borrower_confirmed_at)
    if signed and loan.receipt_witnessed_by_id:
        return f"{signed:%Y-%m-%d %H:%M} " + str(_("（见证签收）"))
    return signed


def _location(loan):
    dossier = loan.dossier
    return f"{dossier.cabinet.code} / {dossier.position}" if dossier.cabinet_id else ""


REGISTER_COLUMNS = [
    (_("登记号"), lambda loan: loan.register_number),
    (_("状态"), lambda loan: loan.get_status_display()),
    (_("借出日期"), lambda loan: _local(loan.issued_at)),
    (_("借阅人"), lambda loan: str(loan.borrower)),
    (_("部门"), lambda loan: str(loan.department)),
    (_("档号"), lambda loan: loan.dossier.archive_number),
    (_("材料名称"), lambda loan: loan.content),
    (_("密级"), lambda loan: loan.dossier.customer.get_secrecy_tier_display()),
    (_("存放位置"), _location),
    (_("用途说明"), lambda loan: loan.purpose),
    (_("借阅方式"), lambda loan: _("影印") if loan.kind == LoanKind.PHOTOCOPY else _("阅读")),
    (_("页数/份数"), _pages_copies),
    (_("批准人"), _approvers),
    (_("应还时间"), lambda loan: _local(loan.due_at)),
    (_("续借至"), _extension),
    (_("归还日期"), lambda loan: _local(loan.returned_at)),
    (_("完好"), lambda loan: _yes_no(loan.returned_complete)),
    (_("借阅人确认"), _receipt),
    (_("经办人"), lambda loan: str(loan.issued_by or "")),
    (_("接收人"), lambda loan: str(loan.original_received_by or "")),
    (_("备注"), lambda loan: loan.remarks),
]


def register_row(loan) -> list:
    return [getter(loan) for _label, getter in REGISTER_COLUMNS]


def _long_text(value) -> bool:
    """A text the page lets wrap (a purpose, a remark, names): longer than 8 characters and not a
    date-like code such as an archive number."""
    return isinstance(value, str) and len(value) > 8 and (" " in value or "-" not in value)


def register_cells(pk, row: list) -> SafeString:
    """The page's cells of `row` (register_row of loan `pk`), as HTML: the register number links to
    the loan, a moment is its day and time, a long text may wrap; every value escaped. Written here
    in one pass instead of three template conditions per cell (2,100 cells were 56 ms of the page)."""
    cells = [f'<td><a href="{reverse("lending:detail", args=[pk])}">{escape(str(row[0]))}</a></td>']
    for value in row[1:]:
        if hasattr(value, "year"):
            time = f"{value.hour:02d}:{value.minute:02d}" if hasattr(value, "hour") else ""
            cells.append(f'<td class="moment"><span>{day(value)}</span> <span>{time}</span></td>')
            continue
        text = "" if value is None else str(value)
        cells.append(f'<td class="text">{escape(text)}</td>' if _long_text(text) else f"<td>{escape(text)}</td>")
    return mark_safe("".join(cells))


REPORT_ITEMS = {"original": _("原件"), "photocopy": _("影印件"), "reference_copy": _("参考副本")}

REPORT_COLUMNS = [
    (_("登记号"), lambda line: line.register_number),
    (_("类别"), lambda line: REPORT_ITEMS.get(line.item, line.item)),
    (_("档号"), lambda line: line.archive_number),
    (_("材料名称"), lambda line: line.material),
    (_("借阅人"), lambda line: line.borrower),
    (_("部门"), lambda line: line.department),
    (_("用途说明"), lambda line: line.purpose),
    (_("借出日期"), lambda line: _local(line.issued_at)),
    (_("应还时间"), lambda line: _local(line.due_at)),
    (_("逾期天数"), lambda line: line.days_overdue),
]


def report_row(line) -> list:
    return [getter(line) for _label, getter in REPORT_COLUMNS]
