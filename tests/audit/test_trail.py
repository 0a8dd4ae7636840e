"""Issue 14 §4: the archive manager and the general manager read every change and every read in
one audit page, filter it by person, record, action and date, and take it to Excel; nobody else
may."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from approvals.models import ApprovalStep, ApprovalTask
from customers.models import SecrecyTier
from customers.services import customer_read_log, customer_update
from destruction import services as destruction_services
from lending import services as lending_services
from lending.models import LoanKind
from tests.approving import approve_loan_fully
from tests.excel import table_of

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TRAIL = reverse("audit:trail")


def rows(response) -> list[str]:
    """The trail's rows as the reader sees them: each cell's text, joined by ' | '."""
    import re

    html = response.content.decode()
    table = html[html.index('data-list="audit"') :]
    table = table[: table.index("</table>")]
    body = table[table.index("<tbody>") :]
    result = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        cells = [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        ]
        result.append(" | ".join(cells))
    return result


@pytest.fixture
def office_day(archive, formal_dossier):
    """A day at the office, 2026-03-02 from 09:00: a profile edited, a dossier shelved, a loan
    asked for and approved, a hold placed, the customer read."""
    people = archive["people"]
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False) as clock:
        dossier = formal_dossier()
        customer = dossier.customer
        clock.shift(timedelta(minutes=10))
        customer_update(customer, by=people["owner"], region="上海")
        clock.shift(timedelta(minutes=10))
        loan = lending_services.loan_request(
            borrower=people["owner"], dossier=dossier, kind=LoanKind.BORROW, content="合同", purpose="核对"
        )
        clock.shift(timedelta(minutes=10))
        loan = approve_loan_fully(loan)
        clock.shift(timedelta(minutes=10))
        hold = destruction_services.hold_place(dossier, by=people["archive_manager"], reason="诉讼保全")
        clock.shift(timedelta(minutes=10))
        customer_read_log(customer, user=people["colleague"], what=f"dossier:{dossier.pk}")
    return {"dossier": dossier, "customer": customer, "loan": loan, "hold": hold}


@pytest.mark.parametrize("role", ["archive_manager", "general_manager"])
def test_the_archive_manager_and_the_general_manager_read_the_trail(archive, office_day, client_for, role):
    # That day only: the fixture's customers were filed today (a day long past 2026-03-02).
    response = client_for(archive["people"][role]).get(TRAIL, {"date_from": "2026-03-02", "date_to": "2026-03-02"})
    assert response.status_code == 200
    assert 'href="/audit/"' in response.content.decode()  # in their menu
    trail = rows(response)
    customer, dossier, loan = office_day["customer"], office_day["dossier"], office_day["loan"]
    # Newest first: the read, the hold, the signatures, the loan, the profile edit, the dossier.
    people = archive["people"]
    assert (
        trail[0] == f"2026-03-02 09:50:00 | {people['colleague']} | 客户 | 客户-personal | 查阅 | 档案页 {dossier.pk}"
    )
    assert any(f"保留冻结 | {dossier.archive_number} · 诉讼保全 | 创建" in row for row in trail)
    assert any(f"借阅 | {loan.register_number} | 创建" in row for row in trail)
    assert any(f"审批记录 | {loan.register_number} · 1." in row and "状态 ：待审批 → 同意" in row for row in trail)
    assert any(f"| {people['owner']} | 客户 | {customer.name} | 修改 | 所属区域 ：— → 上海" in row for row in trail)
    clerk = people["clerk"]
    assert any(f"| {clerk} | 档案 | {dossier.archive_number} | 修改 |" in row and "状态 ：" in row for row in trail)
    signed = next(row for row in trail if f"借阅 | {loan.register_number} | 修改 | 内勤部经理审批时间" in row)
    assert "内勤部经理审批时间 ：— → 2026-03-02 09:30:00" in signed  # in Asia/Shanghai
    assert any("卷内文件 |" in row and "| 创建" in row for row in trail)


@pytest.mark.parametrize("role", ["clerk", "owner", "manager"])
def test_everyone_else_is_refused_the_page_and_its_export(archive, client_for, role):
    client = client_for(archive["people"][role])
    assert client.get(TRAIL).status_code == 403
    assert client.get(reverse("audit:export")).status_code == 403
    assert 'href="/audit/"' not in client.get(reverse("home")).content.decode()


def test_filters_by_person_action_record_and_date(archive, office_day, client_for):
    client = client_for(archive["people"]["general_manager"])
    people = archive["people"]
    with time_machine.travel(datetime(2026, 3, 5, 10, 0, tzinfo=SHANGHAI), tick=False):
        customer_read_log(office_day["customer"], user=people["general_manager"])

    by_person = rows(client.get(TRAIL, {"person": people["archive_manager"].pk, "date_to": "2026-03-31"}))
    assert by_person and all(f" | {people['archive_manager']} | " in row for row in by_person)

    reads = rows(client.get(TRAIL, {"action": "read"}))
    assert [row.split(" | ")[4] for row in reads] == ["查阅", "查阅"]

    one_loan = rows(client.get(TRAIL, {"kind": "loan", "record": office_day["loan"].register_number}))
    assert one_loan and all(office_day["loan"].register_number in row for row in one_loan)

    that_day = rows(client.get(TRAIL, {"date_from": "2026-03-05", "date_to": "2026-03-05"}))
    assert that_day == [f"2026-03-05 10:00:00 | {people['general_manager']} | 客户 | 客户-personal | 查阅 | 客户资料"]

    nothing = rows(client.get(TRAIL, {"date_from": "2026-03-06", "date_to": "2026-03-31"}))
    assert nothing == ["暂无记录。"]


def test_an_approval_chain_edited_in_the_admin_is_on_the_trail(archive, client_for):
    """The default chains were seeded before their history was kept: the first edit says so, the
    next shows what changed."""
    admin = archive["people"]["general_manager"]
    client = client_for(admin)
    step = ApprovalStep.objects.select_related("chain").first()
    for active in (False, True):
        step.active = active
        step._history_user = admin
        step.save()
    trail = rows(client.get(TRAIL, {"kind": "approval_chain", "action": "~"}))
    name = f"| {admin} | 审批流程 | {step.chain} · {step.stage}. {step.get_role_display()} | 修改 |"
    assert [row.split(" ", 2)[2] for row in trail] == [f"{name} 启用 ：否 → 是", f"{name} 变更前的状态未记录"]


def test_bad_filters_are_told_on_the_form_and_never_a_500(archive, office_day, client_for):
    client = client_for(archive["people"]["archive_manager"])
    response = client.get(
        TRAIL, {"person": "1e3", "date_from": "0001-01-01", "date_to": "x", "action": "drop", "page": "1e3"}
    )
    assert response.status_code == 200
    assert response.content.decode().count('class="error"') >= 3
    response = client.get(TRAIL, {"record": "甲" * 100_000, "page": "99999999999"})
    assert response.status_code == 200 and "100" in response.content.decode()  # "at most 100 characters"
    assert client.get(TRAIL, {"record": "\x00"}).status_code == 400  # refused before any view
    assert client.get(TRAIL, {"date_from": "2026-03-03", "date_to": "2026-03-01"}).status_code == 200


def test_the_excel_export_holds_what_the_page_shows(archive, office_day, client_for):
    client = client_for(archive["people"]["general_manager"])
    response = client.get(reverse("audit:export"), {"kind": "customer", "date_to": "2026-03-31"})
    assert response.status_code == 200
    table = [list(row) for row in table_of(response)]
    assert table[0] == ["时间", "操作人", "记录类型", "记录", "操作", "内容"]
    assert table[1][1:5] == [str(archive["people"]["colleague"]), "客户", "客户-personal", "查阅"]
    assert table[1][0] == datetime(2026, 3, 2, 9, 50)
    assert any(row[4] == "修改" and row[5] == "所属区域：— → 上海" for row in table[1:])
    assert all(row[2] == "客户" for row in table[1:])


def test_a_page_costs_the_same_queries_whatever_its_length(
    archive, formal_dossier, client_for, django_assert_max_num_queries
):
    client = client_for(archive["people"]["general_manager"])
    people = archive["people"]

    tiers = iter(reversed(SecrecyTier))  # the first day has the longest chain: every kind of change

    def day_of_work():
        dossier = formal_dossier(next(tiers))
        loan = lending_services.loan_request(
            borrower=people["owner"], dossier=dossier, kind=LoanKind.BORROW, content="合同", purpose="核对"
        )
        approve_loan_fully(loan)
        destruction_services.hold_place(dossier, by=people["archive_manager"], reason="审计")
        customer_read_log(dossier.customer, user=people["owner"])

    day_of_work()
    with django_assert_max_num_queries(45) as few:
        client.get(TRAIL, {"per_page": 100})
    for _ in range(3):
        day_of_work()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(rows(client.get(TRAIL, {"per_page": 100}))) > 60
    assert ApprovalTask.history.count() > 10


def test_exports_of_registers_reports_and_the_trail_itself_are_on_the_trail(archive, office_day, client_for):
    people = archive["people"]
    manager = client_for(people["archive_manager"])
    with time_machine.travel(datetime(2026, 3, 9, 10, 0, tzinfo=SHANGHAI), tick=False):
        response = manager.get(reverse("lending:register_export", args=["borrow"]), {"status": "approved"})
        assert response.status_code == 200
        b"".join(response.streaming_content)
        b"".join(manager.get(reverse("audit:export"), {"action": "read"}).streaming_content)
    exports = rows(client_for(people["general_manager"]).get(TRAIL, {"kind": "export", "date_from": "2026-03-09"}))
    assert exports == [
        f"2026-03-09 10:00:00 | {people['archive_manager']} | 数据导出 | 1 行 | 导出 | 审计记录 action=read",
        f"2026-03-09 10:00:00 | {people['archive_manager']} | 数据导出 | 1 行 | 导出 | "
        "借阅（原件，公司内阅读） status=approved",
    ]


def test_the_circulation_desks_overrides_copies_and_calendar_are_on_the_trail(archive, formal_dossier, client_for):
    """Issue 13: a block override, a reference copy and a working-day calendar entry are evidence
    the trail shows with who made them."""
    from datetime import date

    from crm_archive.models import CalendarDay
    from lending import circulation
    from lending.models import BlockOverride

    people = archive["people"]
    override = BlockOverride(
        borrower=people["owner"],
        granted_by=people["archive_manager"],
        reason="客户投诉处理急需",
        valid_until=datetime(2026, 3, 11, 17, 30, tzinfo=SHANGHAI),
    )
    override._history_user = people["archive_manager"]
    override.save()
    document = formal_dossier().documents.first()
    circulation.reference_copy_register(document, by=people["clerk"])
    day = CalendarDay(day=date(2027, 10, 1), is_working_day=False, note="国庆节")
    day._history_user = people["general_manager"]
    day.save()
    client = client_for(people["general_manager"])
    blocks = rows(client.get(TRAIL, {"kind": "block_override"}))
    assert len(blocks) == 1 and f"{people['archive_manager']} | 逾期借阅特批 | " in blocks[0]
    assert "客户投诉处理急需" in blocks[0]
    copies = rows(client.get(TRAIL, {"kind": "reference_copy"}))
    assert len(copies) == 1 and f"{people['clerk']} | 参考副本 | " in copies[0]
    calendar = rows(client.get(TRAIL, {"kind": "calendar_day", "record": "国庆"}))
    assert len(calendar) == 1 and "2027-10-01 国庆节" in calendar[0]
