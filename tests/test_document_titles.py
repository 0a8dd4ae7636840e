"""SPEC §4: document titles are shown by one rule on every page that lists them.

A reader sees a document's title when they may read that document's own tier (the documents
`dossiers.permissions.documents_readable_by` returns); archive staff and the general manager, who keep
every catalogue, see every title. A row standing for a whole dossier is titled with its customer's
name, shown to those who may open that dossier. Elsewhere the title is masked (绝密文件 / 密级文件,
绝密档案 / 密级档案) and the row keeps its archive number, year, retention, pages and type.

The world: a department-tier customer's dossier holding one document of each tier, two whole
dossiers (a personal-tier and a top-secret customer's), all expired and on one submitted
destruction list of the sales department, and a repair open on the top-secret document."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from customers.models import SecrecyTier
from destruction import services as destruction_services
from dossiers import services as dossier_services
from dossiers.models import Document, Dossier, RetentionPeriod
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
C, D, P, T = SecrecyTier.COMPANY, SecrecyTier.DEPARTMENT, SecrecyTier.PERSONAL, SecrecyTier.TOP_SECRET
EVERY_TIER = {C, D, P, T}
TITLES = {tier: f"题名·{tier.value}" for tier in SecrecyTier}
# What the customer's name titles in a whole-dossier destruction item.
WHOLE = {P: "客户-personal", T: "客户-top_secret"}
FILING_YEAR = 2012
OVERSEERS = ["clerk", "archive_manager", "general_manager"]
PERSONAS = [
    *OVERSEERS,
    "owner",
    "manager",
    "marketing_director",
    "cs_manager",
    "customer_director",
    "colleague",
    "west_manager",
]
REFUSED = None

# persona → the tiers whose document titles the dossier page shows (REFUSED: the page is closed).
DOSSIER_PAGE = {
    **dict.fromkeys(OVERSEERS, EVERY_TIER),
    "owner": {C, D, P},  # the owner reads their customer's documents, never top secret
    "manager": {D, P},  # the company-tier document is above a department manager
    "marketing_director": {C, D},
    "cs_manager": REFUSED,
    "customer_director": REFUSED,
    "colleague": REFUSED,
    "west_manager": REFUSED,
}
# The regular volume's printed catalogue (卷内文件目录): the same rule, without the top-secret volume.
CATALOGUE = {persona: shown and shown - {T} for persona, shown in DOSSIER_PAGE.items()}
# The top-secret volume prints for archive staff and the general manager only.
TOP_SECRET_CATALOGUE = {persona: {T} if persona in OVERSEERS else REFUSED for persona in PERSONAS}
# persona → the destruction items whose titles the list and its printed register show: documents by
# tier, whole dossiers as ("whole", tier).
DESTRUCTION_LIST = {
    **dict.fromkeys(OVERSEERS, EVERY_TIER | {("whole", P), ("whole", T)}),
    "manager": {D, P, ("whole", P)},  # the producing department's head appraises
    "cs_manager": set(),  # appraises by archive number, year, retention, pages and type
    "customer_director": set(),
    "owner": REFUSED,
    "marketing_director": REFUSED,
    "colleague": REFUSED,
    "west_manager": REFUSED,  # another department's list
}
# The repairs page is the archive's own.
REPAIRS_PAGE = {persona: {T} if persona in OVERSEERS else REFUSED for persona in PERSONAS}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime(2026, 11, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def world(archive, make_user, ready_dossier, file_document):
    people = archive["people"]
    sales = people["owner"].department
    people["marketing_director"] = make_user(
        Role.MARKETING_DIRECTOR, department=DepartmentFactory(code="marketing"), username="md"
    )
    service = DepartmentFactory(code="service")
    people["cs_manager"] = make_user(Role.CS_MANAGER, department=service, username="csmgr")
    people["customer_director"] = make_user(Role.CUSTOMER_DIRECTOR, department=service, username="custdir")
    people["west_manager"] = make_user(
        Role.DEPARTMENT_MANAGER, department=DepartmentFactory(code="west"), username="westmgr"
    )
    clerk, retention = people["clerk"], RetentionPeriod.objects.get(code="D10")
    positions = iter(range(1, 11))

    def expired_formal_dossier(tier, *, with_documents=False):
        dossier = ready_dossier(tier)
        documents = {}
        if with_documents:
            for document_tier in SecrecyTier:
                documents[document_tier] = file_document(
                    dossier,
                    "其他",
                    title=TITLES[document_tier],
                    document_number=f"文号·{document_tier.value}",
                    responsible_party=f"责任者·{document_tier.value}",
                    pages=10 + len(documents),
                    secrecy_tier=document_tier,
                )
        dossier_services.dossier_promote(dossier, by=clerk, cabinet=archive["cabinet"], position=next(positions))
        Dossier.objects.filter(pk=dossier.pk).update(filing_year=FILING_YEAR, retention=retention)
        Document.objects.filter(dossier=dossier).update(filing_year=FILING_YEAR, retention=retention)
        return Dossier.objects.select_related("customer").get(pk=dossier.pk), {
            tier: Document.objects.get(pk=document.pk) for tier, document in documents.items()
        }

    dossier, documents = expired_formal_dossier(D, with_documents=True)
    whole = {tier: expired_formal_dossier(tier)[0] for tier in (P, T)}
    destruction_list = destruction_services.destruction_list_draft(
        by=clerk, department=sales, documents=list(documents.values()), dossiers=list(whole.values())
    )
    destruction_services.destruction_list_submit(destruction_list, by=clerk)
    dossier_services.repair_open(documents[T], by=clerk, damage="水渍")
    return {"people": people, "dossier": dossier, "documents": documents, "whole": whole, "list": destruction_list}


def url_of(page: str, world) -> str:
    dossier, destruction_list = world["dossier"], world["list"]
    return {
        "dossier": reverse("dossiers:detail", args=[dossier.pk]),
        "catalogue": reverse("dossiers:volume_catalogue", args=[dossier.pk, FILING_YEAR, "regular"]),
        "top_secret_catalogue": reverse("dossiers:volume_catalogue", args=[dossier.pk, FILING_YEAR, "top-secret"]),
        "remarks": reverse("dossiers:volume_remarks", args=[dossier.pk, FILING_YEAR, "regular"]),
        "destruction_list": reverse("destruction:detail", args=[destruction_list.pk]),
        "destruction_register": reverse("destruction:register", args=[destruction_list.pk]),
        "expired": reverse("destruction:expired"),
        "repairs": reverse("dossiers:inspections"),
    }[page]


def titles_shown(html: str, world) -> set:
    shown = {tier for tier, title in TITLES.items() if title in html}
    return shown | {("whole", tier) for tier, name in WHOLE.items() if name in html}


def visit(client_for, world, persona: str, page: str):
    response = client_for(world["people"][persona]).get(url_of(page, world))
    return response, response.content.decode()


def expected_pages():
    tables = {
        "dossier": DOSSIER_PAGE,
        "catalogue": CATALOGUE,
        "top_secret_catalogue": TOP_SECRET_CATALOGUE,
        "destruction_list": DESTRUCTION_LIST,
        "destruction_register": DESTRUCTION_LIST,
        "repairs": REPAIRS_PAGE,
    }
    return [(page, persona, table[persona]) for page, table in tables.items() for persona in PERSONAS]


@pytest.mark.parametrize(("page", "persona", "expected"), expected_pages())
def test_each_role_sees_exactly_the_titles_the_rule_opens_on_every_page(page, persona, expected, world, client_for):
    response, html = visit(client_for, world, persona, page)
    if expected is REFUSED:
        assert response.status_code in (403, 404)
        assert titles_shown(html, world) == set()
        return
    assert response.status_code == 200
    assert titles_shown(html, world) == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_expired_records_page_is_the_clerks_and_shows_the_titles(persona, world, client_for):
    # The dossier's required documents expired with it and are on no list yet.
    expired_title = world["dossier"].documents.get(document_type__name="客户基本资料表").title
    response, html = visit(client_for, world, persona, "expired")
    if persona != "clerk":
        assert response.status_code == 403
        assert expired_title not in html
        return
    assert response.status_code == 200
    assert expired_title in html


@pytest.mark.parametrize("persona", [p for p, shown in CATALOGUE.items() if shown is not REFUSED])
def test_the_remarks_sheet_lists_no_titles(persona, world, client_for):
    response, html = visit(client_for, world, persona, "remarks")
    assert response.status_code == 200
    assert titles_shown(html, world) == set()


def test_a_masked_document_keeps_its_pages_but_not_its_number_or_author_on_the_dossier_page(world, client_for):
    _response, html = visit(client_for, world, "manager", "dossier")
    documents = world["documents"]
    for tier in (C, T):
        row = html.split(f'data-document="{documents[tier].pk}"')[1].split("</tr>")[0]
        assert "data-title-masked" in row
        assert f"<td>{documents[tier].pages}</td>" in row
        assert f"文号·{tier.value}" not in row and f"责任者·{tier.value}" not in row
    assert "绝密文件" in html and "密级文件" in html
    open_row = html.split(f'data-document="{documents[D].pk}"')[1].split("</tr>")[0]
    assert "文号·department" in open_row and "责任者·department" in open_row


def test_a_masked_catalogue_row_keeps_its_pages_and_the_volume_its_archive_number(world, client_for):
    _response, html = visit(client_for, world, "manager", "catalogue")
    assert html.count("data-title-masked") == 1  # the company-tier document
    assert world["dossier"].archive_number in html
    assert f'<td class="narrow">{world["documents"][C].pages}</td>' in html
    assert "文号·company" not in html and "责任者·company" not in html


def test_appraisers_who_may_not_read_a_record_still_see_what_appraising_needs(world, client_for):
    for page in ("destruction_list", "destruction_register"):
        _response, html = visit(client_for, world, "cs_manager", page)
        assert html.count("data-title-masked") == 6
        assert html.count("绝密文件") == 1 and html.count("密级文件") == 3
        assert html.count("绝密档案") == 1 and html.count("密级档案") == 1
        for item in world["list"].items.all():
            assert item.archive_number in html
            assert f">{item.pages}<" in html
            assert f">{item.year}<" in html
            assert item.retention in html
    _response, html = visit(client_for, world, "cs_manager", "destruction_list")
    assert "其他" in html and "整卷档案" in html  # the document type


def test_the_pages_that_list_documents_ask_a_fixed_number_of_queries(world, client_for, file_document):
    def queries(persona, page):
        client = client_for(world["people"][persona])
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url_of(page, world)).status_code == 200
        return len(captured)

    before = {
        (persona, page): queries(persona, page)
        for persona in ("manager", "clerk")
        for page in ("dossier", "catalogue", "destruction_list", "destruction_register")
    }
    dossier = world["dossier"]
    for number in range(12):
        document = file_document(dossier, "其他", title=f"更多{number}", secrecy_tier=list(SecrecyTier)[number % 4])
        Document.objects.filter(pk=document.pk).update(filing_year=FILING_YEAR, retention=dossier.retention)
    more = destruction_services.destruction_list_draft(
        by=world["people"]["clerk"],
        department=dossier.customer.department,
        documents=list(dossier.documents.filter(title__startswith="更多")),
    )
    # The same step as the first list (submitted), so only the number of items differs.
    destruction_services.destruction_list_submit(more, by=world["people"]["clerk"])
    world = {**world, "list": more}
    after = {key: queries(*key) for key in before}
    assert after == before
