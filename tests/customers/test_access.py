"""SPEC §4: who reads which customer, in the list, the export and by direct URL."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from customers.models import Customer, CustomerAccessGrant, CustomerReadLog, SecrecyTier
from customers.services import customer_access_grant, customer_access_revoke
from tests.excel import export_of
from tests.factories import DepartmentFactory, export_permit_for

pytestmark = pytest.mark.django_db

TIERS = [SecrecyTier.COMPANY, SecrecyTier.DEPARTMENT, SecrecyTier.PERSONAL, SecrecyTier.TOP_SECRET]

# persona → the tiers it reads, for customers owned by "owner" in department "east".
READS = {
    "owner": {SecrecyTier.COMPANY, SecrecyTier.DEPARTMENT, SecrecyTier.PERSONAL},
    "colleague": set(),
    "east_manager": {SecrecyTier.DEPARTMENT, SecrecyTier.PERSONAL},
    "west_manager": set(),
    "marketing_director": {SecrecyTier.COMPANY, SecrecyTier.DEPARTMENT},
    "general_manager": set(TIERS),
    "archive_clerk": set(),
    "archive_manager": set(),
    "cs_manager": set(),
    "customer_director": set(),
}


@pytest.fixture
def world(make_user):
    east, west = DepartmentFactory(code="east"), DepartmentFactory(code="west")
    people = {
        "owner": make_user(Role.SALES, department=east, username="owner"),
        "colleague": make_user(Role.SALES, department=east, username="colleague"),
        "east_manager": make_user(Role.DEPARTMENT_MANAGER, department=east, username="east_manager"),
        "west_manager": make_user(Role.DEPARTMENT_MANAGER, department=west, username="west_manager"),
        "marketing_director": make_user(Role.MARKETING_DIRECTOR, department=west, username="md"),
        "general_manager": make_user(Role.GENERAL_MANAGER, department=west, username="gm"),
        "archive_clerk": make_user(Role.ARCHIVE_CLERK, department=west, username="clerk"),
        "archive_manager": make_user(Role.ARCHIVE_MANAGER, department=west, username="archmgr"),
        "cs_manager": make_user(Role.CS_MANAGER, department=west, username="csmgr"),
        "customer_director": make_user(Role.CUSTOMER_DIRECTOR, department=west, username="custdir"),
    }
    customers = {
        tier: Customer.objects.create(
            name=f"客户-{tier.value}", owner=people["owner"], department=east, secrecy_tier=tier
        )
        for tier in TIERS
    }
    return people, customers


def listed_names(client, **params) -> set[str]:
    html = client.get(reverse("customers:list"), {"per_page": 100, **params}).content.decode()
    return {name for name in (f"客户-{tier.value}" for tier in TIERS) if name in html}


def exported_names(client) -> set[str]:
    return {row[0] for row in export_of(client.get(reverse("customers:export"))).rows}


@pytest.mark.parametrize("persona", list(READS))
def test_each_role_sees_exactly_its_tiers_in_the_list(persona, world, client_for):
    people, _customers = world
    assert listed_names(client_for(people[persona])) == {f"客户-{tier.value}" for tier in READS[persona]}


@pytest.mark.parametrize("persona", list(READS))
def test_each_role_exports_exactly_its_tiers(persona, world, client_for):
    people, _customers = world
    export_permit_for(people[persona])  # an approved export request: the tiers still bound it
    assert exported_names(client_for(people[persona])) == {f"客户-{tier.value}" for tier in READS[persona]}


@pytest.mark.parametrize("persona", list(READS))
@pytest.mark.parametrize("tier", TIERS)
def test_direct_url_answers_404_without_the_name_when_the_tier_is_closed(persona, tier, world, client_for):
    people, customers = world
    response = client_for(people[persona]).get(reverse("customers:detail", args=[customers[tier].pk]))
    if tier in READS[persona]:
        assert response.status_code == 200
        assert customers[tier].name in response.content.decode()
    else:
        assert response.status_code == 404
        assert customers[tier].name not in response.content.decode()


@pytest.mark.parametrize("persona", list(READS))
def test_search_never_finds_a_closed_customer(persona, world, client_for):
    people, _customers = world
    found = listed_names(client_for(people[persona]), q="客户-")
    assert found == {f"客户-{tier.value}" for tier in READS[persona]}


def test_a_grant_opens_exactly_one_customer_until_it_expires(world, client_for):
    people, customers = world
    clerk = people["archive_clerk"]
    granted, other = customers[SecrecyTier.PERSONAL], customers[SecrecyTier.DEPARTMENT]
    customer_access_grant(granted, user=clerk, until=timezone.now() + timedelta(hours=2), by=people["general_manager"])
    client = client_for(clerk)
    assert listed_names(client) == {granted.name}
    assert client.get(reverse("customers:detail", args=[granted.pk])).status_code == 200
    assert client.get(reverse("customers:detail", args=[other.pk])).status_code == 404

    CustomerAccessGrant.objects.filter(user=clerk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert listed_names(client) == set()
    assert client.get(reverse("customers:detail", args=[granted.pk])).status_code == 404


def test_a_grant_is_a_guardian_object_permission_on_the_direct_table(world):
    from guardian.utils import get_user_obj_perms_model

    people, customers = world
    grant = customer_access_grant(
        customers[SecrecyTier.TOP_SECRET], user=people["owner"], until=timezone.now() + timedelta(days=1)
    )
    assert get_user_obj_perms_model(customers[SecrecyTier.TOP_SECRET]) is CustomerAccessGrant
    assert grant.permission.codename == "view_customer"


def test_a_revoked_grant_closes_the_customer_at_once(world, client_for):
    people, customers = world
    customer = customers[SecrecyTier.COMPANY]
    grant = customer_access_grant(customer, user=people["colleague"], until=timezone.now() + timedelta(days=1))
    customer_access_revoke(grant)
    assert client_for(people["colleague"]).get(reverse("customers:detail", args=[customer.pk])).status_code == 404


def test_a_grant_must_end_in_the_future(world):
    from crm_archive.errors import ActionRefused

    people, customers = world
    with pytest.raises(ActionRefused):
        customer_access_grant(customers[SecrecyTier.COMPANY], user=people["colleague"], until=timezone.now())


def test_two_overlapping_grants_of_one_customer_end_independently(world, client_for):
    people, customers = world
    customer, colleague = customers[SecrecyTier.COMPANY], people["colleague"]
    first = customer_access_grant(
        customer, user=colleague, until=timezone.now() + timedelta(days=1), reference="J000001"
    )
    second = customer_access_grant(
        customer, user=colleague, until=timezone.now() + timedelta(days=2), reference="CY000001"
    )
    assert first.pk != second.pk
    page = reverse("customers:detail", args=[customer.pk])
    customer_access_revoke(first)
    assert client_for(colleague).get(page).status_code == 200
    customer_access_revoke(second)
    assert client_for(colleague).get(page).status_code == 404


def test_expired_and_revoked_grants_stay_as_history(world):
    people, customers = world
    customer = customers[SecrecyTier.COMPANY]
    revoked = customer_access_grant(customer, user=people["colleague"], until=timezone.now() + timedelta(days=1))
    customer_access_revoke(revoked)
    customer_access_grant(customer, user=people["archive_clerk"], until=timezone.now() + timedelta(minutes=5))
    CustomerAccessGrant.objects.filter(user=people["archive_clerk"]).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    assert CustomerAccessGrant.objects.count() == 2
    assert "customers-remove-expired-access-grants" not in __import__("django.conf").conf.settings.CELERY_BEAT_SCHEDULE


def test_every_read_of_a_customer_page_is_logged_and_shown_to_the_archive_manager(world, client_for, client):
    people, customers = world
    customer = customers[SecrecyTier.PERSONAL]
    client_for(people["owner"]).get(reverse("customers:detail", args=[customer.pk]))
    client_for(people["east_manager"]).get(reverse("customers:detail", args=[customer.pk]))
    assert CustomerReadLog.objects.filter(customer=customer).count() == 2
    page = client_for(people["archive_manager"]).get(reverse("customers:read_log")).content.decode()
    assert page.count(customer.name) == 2
    assert str(people["east_manager"]) in page


def test_a_refused_read_is_not_logged(world, client_for):
    people, customers = world
    client_for(people["colleague"]).get(reverse("customers:detail", args=[customers[SecrecyTier.PERSONAL].pk]))
    assert not CustomerReadLog.objects.exists()


@pytest.mark.parametrize("persona", ["owner", "east_manager", "marketing_director", "archive_clerk", "sales_elsewhere"])
def test_the_read_log_is_refused_to_everyone_but_the_archive_manager_and_general_manager(
    persona, world, client_for, make_user
):
    people, _customers = world
    user = people.get(persona) or make_user(Role.SALES)
    assert client_for(user).get(reverse("customers:read_log")).status_code == 403


def test_the_general_manager_reads_the_log(world, client_for):
    people, _customers = world
    assert client_for(people["general_manager"]).get(reverse("customers:read_log")).status_code == 200


def test_a_sales_person_edits_their_own_customer_but_not_a_colleagues(world, client_for):
    people, customers = world
    own = customers[SecrecyTier.PERSONAL]
    assert client_for(people["owner"]).get(reverse("customers:update", args=[own.pk])).status_code == 200
    foreign = Customer.objects.create(
        name="同事的客户", owner=people["colleague"], department=own.department, secrecy_tier=SecrecyTier.PERSONAL
    )
    client = client_for(people["owner"])
    assert client.get(reverse("customers:update", args=[foreign.pk])).status_code == 404
    response = client.post(reverse("customers:update", args=[foreign.pk]), {"name": "改名"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "同事的客户"


def test_a_reader_who_is_not_an_editor_is_refused_the_edit_page(world, client_for):
    people, customers = world
    customer = customers[SecrecyTier.DEPARTMENT]
    client = client_for(people["marketing_director"])
    assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
    assert client.get(reverse("customers:update", args=[customer.pk])).status_code == 403


def test_the_admin_customer_pages_are_for_superusers_only(world, client_for, make_user):
    people, customers = world
    staff = make_user(Role.GENERAL_MANAGER, is_staff=True)
    client = client_for(staff)
    assert client.get(reverse("admin:customers_customer_changelist")).status_code == 403
    superuser = make_user(is_staff=True, is_superuser=True)
    assert client_for(superuser).get(reverse("admin:customers_customer_changelist")).status_code == 200


def test_a_nul_character_in_the_read_log_filter_is_harmless(world, client_for):
    people, _customers = world
    response = client_for(people["archive_manager"]).get(reverse("customers:read_log"), {"customer": "客户\x00"})
    assert response.status_code == 400  # refused before any view (crm_archive.middleware), never a 500


# The read log (查阅日志): what was read, a period, an export (issue 15 §7).


def read_log_rows(client, **query) -> list[dict]:
    """Each row of the read log page: its cells' text, and the link of the 查阅内容 and 客户 cells."""
    import re

    from tests.customers.html import text

    page = client.get(reverse("customers:read_log"), query).content.decode()
    body = re.search(r'data-list="read-log">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td\b[^>]*>(.*?)</td>", row, re.S)
        if len(cells) < 7:
            continue
        link = re.search(r'href="([^"]+)"', cells[5])
        customer_link = re.search(r'href="([^"]+)"', cells[3])
        rows.append(
            {
                "customer": text(cells[3]),
                "what": text(cells[5]),
                "link": link.group(1) if link else "",
                "customer_link": customer_link.group(1) if customer_link else "",
            }
        )
    return rows


def test_the_read_log_says_which_dossier_and_document_were_read_with_links(archive, formal_dossier, client_for):
    from customers.services import customer_read_log

    people = archive["people"]
    dossier = formal_dossier()
    document = dossier.documents.order_by("pk").first()
    customer_read_log(dossier.customer, user=people["owner"], what="profile")
    customer_read_log(dossier.customer, user=people["owner"], what=f"dossier:{dossier.pk}")
    customer_read_log(dossier.customer, user=people["owner"], what=f"document:{document.pk}")
    customer_read_log(dossier.customer, user=people["owner"], what=f"catalogue:{dossier.pk}:2026")
    rows = read_log_rows(client_for(people["archive_manager"]))
    what = {row["what"]: row["link"] for row in rows}
    dossier_page = reverse("dossiers:detail", args=[dossier.pk])
    assert what[f"档案页：{dossier.archive_number}"] == dossier_page
    assert what[f"扫描件：{document.title}（{dossier.archive_number}）"] == dossier_page  # no scan: its dossier
    assert what[f"卷内文件目录：{dossier.archive_number} 2026 年度"] == dossier_page
    # The archive manager may not read this personal-tier customer: named, not linked.
    assert what["客户资料"] == ""
    assert all(row["customer_link"] == "" for row in rows)


def test_the_general_manager_reaches_the_customer_from_the_read_log(archive, client_for):
    from customers.services import customer_read_log

    people = archive["people"]
    customer = archive["customers"][SecrecyTier.PERSONAL]
    customer_read_log(customer, user=people["owner"], what="profile")
    (row,) = read_log_rows(client_for(people["general_manager"]))
    assert row["what"] == "客户资料"
    assert row["link"] == row["customer_link"] == reverse("customers:detail", args=[customer.pk])


def test_the_read_log_is_filtered_by_the_days_of_a_period(world, client_for):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    people, customers = world
    shanghai = ZoneInfo("Asia/Shanghai")
    customer = customers[SecrecyTier.PERSONAL]
    for moment in ("2026-03-01 23:30", "2026-03-02 00:10", "2026-03-05 12:00"):
        read_at = datetime.fromisoformat(moment).replace(tzinfo=shanghai)
        CustomerReadLog.objects.create(user=people["owner"], customer=customer, read_at=read_at)
    client = client_for(people["archive_manager"])
    assert len(read_log_rows(client)) == 3
    assert len(read_log_rows(client, date_from="2026-03-02")) == 2
    assert len(read_log_rows(client, date_from="2026-03-02", date_to="2026-03-02")) == 1
    assert len(read_log_rows(client, date_to="2026-03-01")) == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2026-02-30"}, "有效的日期"),
        ({"date_from": "10000-01-01"}, "有效的日期"),
        ({"date_from": "2026-03-09", "date_to": "2026-03-01"}, "结束日期不能早于开始日期。"),
    ],
)
def test_a_bad_period_on_the_read_log_keeps_what_was_typed_with_a_message(query, message, world, client_for):
    people, _customers = world
    response = client_for(people["archive_manager"]).get(reverse("customers:read_log"), query)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'value="{query["date_from"]}"' in page


@pytest.mark.parametrize("persona", ["owner", "east_manager", "marketing_director", "archive_clerk"])
def test_the_read_log_export_is_refused_to_whoever_is_refused_the_page(persona, world, client_for):
    people, _customers = world
    assert client_for(people[persona]).get(reverse("customers:read_log_export")).status_code == 403


def test_the_read_log_export_holds_the_rows_the_page_shows(world, client_for):
    people, customers = world
    CustomerReadLog.objects.create(user=people["owner"], customer=customers[SecrecyTier.PERSONAL])
    CustomerReadLog.objects.create(user=people["east_manager"], customer=customers[SecrecyTier.DEPARTMENT])
    client = client_for(people["general_manager"])
    query = {"user": people["owner"].pk}
    shown = [(row["customer"], row["what"]) for row in read_log_rows(client, **query)]
    export = export_of(client.get(reverse("customers:read_log_export"), query))
    assert [(row[3], row[5]) for row in export.rows] == shown == [("客户-personal", "客户资料")]
    assert f"查阅人：{people['owner']}" in export.filters
