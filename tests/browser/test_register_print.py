"""Issue 15 §3: the printed 借阅登记簿 and 影印登记簿 are A4 landscape, and a name is never broken one
character per line (static/css/print.css, @page register)."""

import re

import pytest

from customers.models import SecrecyTier
from lending import services as lending_services
from lending.models import LoanKind
from tests.approving import approve_loan_fully
from tests.browser.signing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# A4 landscape in PDF points (297 × 210 mm).
A4_LANDSCAPE = (842, 595)


@pytest.mark.parametrize("kind", [LoanKind.BORROW, LoanKind.PHOTOCOPY])
def test_the_register_prints_on_a4_landscape_with_names_on_one_line(
    kind, browser, live_server, archive, formal_dossier
):
    people = archive["people"]
    loan = lending_services.loan_request(
        borrower=people["owner"],
        dossier=formal_dossier(SecrecyTier.PERSONAL),
        kind=kind,
        content="客户销售合同（复印件）及补充协议，含技术附件和验收报告",
        purpose="核对合同条款并准备年度续约谈判材料",
    )
    lending_services.loan_issue(approve_loan_fully(loan), by=people["clerk"])
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, live_server, "clerk")
    page.goto(f"{live_server.url}/lending/register/{kind}/")

    pdf = page.pdf(prefer_css_page_size=True)
    boxes = re.findall(rb"/MediaBox \[([^\]]+)\]", pdf)
    sizes = {tuple(round(float(number)) for number in box.split()[2:]) for box in boxes}
    assert sizes == {A4_LANDSCAPE}

    page.emulate_media(media="print")
    page.set_viewport_size({"width": 1123, "height": 794})  # the printable width of A4 landscape
    # Lines of text in each cell of the first row, by column heading.
    lines = page.evaluate(
        """() => {
            const headings = [...document.querySelectorAll('table.register thead th')].map(th => th.innerText.trim());
            const cells = [...document.querySelector('table.register tbody tr').children];
            return Object.fromEntries(cells.map((td, index) => {
                const range = document.createRange();
                range.selectNodeContents(td);
                const tops = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
                return [headings[index], td.innerText.trim() ? tops.size : 0];
            }));
        }"""
    )
    for heading in ("借阅人", "部门", "档号", "经办人", "批准人"):
        assert lines[heading] == 1, (heading, lines)
    # The long material name wraps, in a column wide enough for several characters a line.
    assert 1 < lines["材料名称"] <= 6, lines
    context.close()
