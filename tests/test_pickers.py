"""Issue 15 §5: searchable pickers. Customer, dossier and person fields are searched on the server
through the page's own access rules; a people picker offers only those who can hold that duty —
never an administrator, never a deactivated account, never someone outside the duty — and the form
refuses any other id with a message; an answer is at most 20 rows in a fixed number of queries,
whatever `q` holds."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from customers.models import Customer, CustomerGrade, SecrecyTier
from tests.customers.factories import CustomerFactory
from tests.customers.html import errors, messages
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

# Control characters (NUL included) in a query string answer the 400 page before any view
# (crm_archive/middleware.py); the rest reach the search.
CONTROL_TERMS = ["\x00机电\x00", "机电\x1b[0m"]
HOSTILE_TERMS = ["长" * 100_000, "%", "_", "' OR 1=1 --", "1e3", "99999999999999999999999", "机电" * 60]


@pytest.fixture
def office(make_user):
    """Two sales departments and the people a picker must tell apart: an administrator who even
    holds the sales role in 华东, a deactivated sales person, a sales person of 华西."""
    east = DepartmentFactory(code="east", name="华东销售部")
    west = DepartmentFactory(code="west", name="华西销售部")
    office = DepartmentFactory(code="office", name="总经办")
    service = DepartmentFactory(code="service", name="客户服务部")
    return {
        "owner": make_user(Role.SALES, department=east, username="zhangsan", last_name="张", first_name="三"),
        "successor": make_user(Role.SALES, department=east, username="lisi", last_name="李", first_name="四"),
        "gone": make_user(
            Role.SALES, department=east, username="gone", last_name="赵", first_name="离", is_active=False
        ),
        "west_sales": make_user(Role.SALES, department=west, username="sunliu", last_name="孙", first_name="六"),
        "east_manager": make_user(Role.DEPARTMENT_MANAGER, department=east, username="east_mgr", last_name="周"),
        "cs_manager": make_user(Role.CS_MANAGER, department=service, username="csmgr", last_name="郑"),
        "general_manager": make_user(Role.GENERAL_MANAGER, department=office, username="gm", last_name="黄"),
        "admin": make_user(
            Role.SALES, department=east, username="admin", last_name="管", first_name="理员", is_superuser=True
        ),
    }


@pytest.fixture
def book(office):
    """华东's customers of every tier (owned by 张三) and a department-tier customer of 华西."""
    owner = office["owner"]
    return {
        "personal": CustomerFactory(name="甲机电有限公司", owner=owner, grade=CustomerGrade.A),
        "department": CustomerFactory(name="乙机电有限公司", owner=owner, secrecy_tier=SecrecyTier.DEPARTMENT),
        "company": CustomerFactory(name="丙机电有限公司", owner=owner, secrecy_tier=SecrecyTier.COMPANY),
        "top_secret": CustomerFactory(name="丁机电有限公司", owner=owner, secrecy_tier=SecrecyTier.TOP_SECRET),
        "west": CustomerFactory(name="戊机电有限公司", owner=office["west_sales"], secrecy_tier=SecrecyTier.DEPARTMENT),
    }


def found(client, url, term="") -> list[str]:
    """The labels a picker shows after typing `term`."""
    response = client.get(url, {"q": term})
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/json"
    return [row["text"] for row in response.json()["results"]]


def found_ids(client, url, term="") -> list[str]:
    return [row["id"] for row in client.get(url, {"q": term}).json()["results"]]


def usernames(labels: list[str]) -> set[str]:
    """zhangsan from "张三 (zhangsan) · 华东销售部"."""
    return {re.search(r"\(([^)]+)\)", label).group(1) for label in labels}


def customers_url():
    return reverse("customers:pick_customers")


# --- customers: only what the person may read --------------------------------------------------


def test_a_sales_person_finds_their_own_customers_by_a_fragment_and_never_the_top_secret_one(office, book, client_for):
    names = found(client_for(office["owner"]), customers_url(), "机电")
    assert set(names) == {"甲机电有限公司", "乙机电有限公司", "丙机电有限公司"}  # 丁 is top secret, 戊 is 华西's


def test_a_sales_person_does_not_find_another_departments_department_tier_customer(office, book, client_for):
    client = client_for(office["owner"])
    assert found(client, customers_url(), "戊机电") == []
    assert found(client_for(office["west_sales"]), customers_url(), "机电") == ["戊机电有限公司"]


def test_the_general_manager_finds_every_tier(office, book, client_for):
    assert len(found(client_for(office["general_manager"]), customers_url(), "机电")) == 5


def test_a_customer_typed_in_full_is_found_as_the_request_form_would_accept_it(office, book, client_for):
    """A 查阅申请 names a customer outside one's tier by its exact name (docs/approvals.md): the
    picker confirms that name and nothing more — a fragment of it finds nothing."""
    client = client_for(office["owner"])
    assert found(client, customers_url(), "丁机电有限公司") == ["丁机电有限公司"]
    assert found(client, customers_url(), "丁机电有限") == []
    assert found(client_for(office["west_sales"]), customers_url(), "甲机电有") == []


def test_an_empty_term_lists_no_customer(office, book, client_for):
    assert found(client_for(office["general_manager"]), customers_url(), "") == []


def test_the_read_request_picker_also_takes_an_exact_archive_number(archive, formal_dossier, client_for):
    dossier = formal_dossier(SecrecyTier.TOP_SECRET)
    client = client_for(archive["people"]["colleague"])
    url = reverse("dossiers:pick_customers_to_request")
    assert found(client, url, dossier.archive_number) == [dossier.archive_number]  # the number, not the name
    assert found(client, url, dossier.archive_number[:-1]) == []


# --- dossiers: the dossier list's own search and access ----------------------------------------


def test_a_dossier_is_found_by_a_fragment_of_its_customers_name_where_its_page_may_be_opened(
    archive, formal_dossier, client_for
):
    personal, top_secret = formal_dossier(SecrecyTier.PERSONAL), formal_dossier(SecrecyTier.TOP_SECRET)
    url = reverse("dossiers:pick_dossiers")
    assert found(client_for(archive["people"]["owner"]), url, "客户-") == [f"{personal.archive_number} · 客户-personal"]
    assert set(found(client_for(archive["people"]["clerk"]), url, "客户-")) == {
        f"{top_secret.archive_number} · 客户-top_secret",
        f"{personal.archive_number} · 客户-personal",
    }
    # A borrow request names any dossier by its full archive number: its customer stays unnamed.
    assert found(client_for(archive["people"]["owner"]), url, top_secret.archive_number) == [top_secret.archive_number]
    assert found_ids(client_for(archive["people"]["owner"]), url, "客户-") == [personal.archive_number]


def test_a_temporary_dossier_without_an_archive_number_is_not_offered(archive, open_dossier, client_for):
    open_dossier(SecrecyTier.PERSONAL)
    assert found(client_for(archive["people"]["clerk"]), reverse("dossiers:pick_dossiers"), "客户-") == []


# --- people: only those who can hold the duty ----------------------------------------------------


def test_a_handover_successor_is_an_active_sales_person_of_the_managers_department(office, client_for):
    url = reverse("customers:pick_handover_successors")
    assert usernames(found(client_for(office["east_manager"]), url)) == {"zhangsan", "lisi"}
    assert usernames(found(client_for(office["general_manager"]), url)) == {"zhangsan", "lisi", "sunliu"}


def test_a_deactivated_leaver_is_offered_only_while_customers_remain_in_their_name(office, client_for):
    url = reverse("customers:pick_handover_leavers")
    client = client_for(office["east_manager"])
    assert usernames(found(client, url)) == {"zhangsan", "lisi", "east_mgr"}
    CustomerFactory(name="己公司", owner=office["gone"])
    labels = found(client, url, "gone")
    assert labels == ["赵离 (gone) · 华东销售部 · 已停用"]


def test_a_second_responsible_person_is_an_active_colleague_of_the_customers_department_not_its_owner(
    office, book, client_for
):
    url = reverse("customers:pick_second_owners", args=[book["personal"].pk])
    assert usernames(found(client_for(office["east_manager"]), url)) == {"lisi", "east_mgr"}


def test_a_complaint_handler_is_of_the_customers_department_or_a_customer_service_manager(office, book, client_for):
    url = reverse("customers:pick_complaint_handlers", args=[book["personal"].pk])
    assert usernames(found(client_for(office["owner"]), url)) == {"zhangsan", "lisi", "east_mgr", "csmgr"}


def test_a_new_customers_owner_is_a_sales_person_the_creator_may_assign(office, client_for):
    url = reverse("customers:pick_owners")
    assert usernames(found(client_for(office["east_manager"]), url)) == {"zhangsan", "lisi"}
    assert usernames(found(client_for(office["owner"]), url)) == {"zhangsan"}


def test_a_deputy_is_any_active_colleague_but_oneself(office, client_for):
    url = reverse("approvals:pick_deputies")
    assert usernames(found(client_for(office["east_manager"]), url)) == {
        "zhangsan",
        "lisi",
        "sunliu",
        "csmgr",
        "gm",
    }


def test_key_users_and_remarks_checkers_are_archive_staff(archive, make_user, client_for):
    make_user(Role.ARCHIVE_CLERK, username="root", is_superuser=True)
    clerk = client_for(archive["people"]["clerk"])
    assert usernames(found(clerk, reverse("dossiers:pick_key_users"))) == {"clerk", "checker", "archmgr", "gm"}
    assert usernames(found(clerk, reverse("dossiers:pick_remarks_checkers"))) == {"checker", "archmgr"}


def test_people_are_found_by_name_or_username(office, client_for):
    client = client_for(office["general_manager"])
    url = reverse("approvals:pick_deputies")
    assert found(client, url, "张三") == ["张三 (zhangsan) · 华东销售部"]
    assert usernames(found(client, url, "LISI")) == {"lisi"}
    assert found(client, url, "管理") == []  # the administrator is nobody's deputy
    assert found(client, url, "admin") == []


# --- who may ask ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["customers:pick_handover_successors", "customers:pick_handover_leavers", "dossiers:pick_key_users"],
)
def test_a_sales_person_is_refused_the_people_of_duties_they_do_not_assign(name, office, client_for):
    assert client_for(office["owner"]).get(reverse(name), {"q": "a"}).status_code == 403


def test_the_people_of_a_customer_the_person_may_not_read_are_not_found(office, book, client_for):
    client = client_for(office["west_sales"])
    for name in ("customers:pick_second_owners", "customers:pick_complaint_handlers"):
        assert client.get(reverse(name, args=[book["personal"].pk])).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("customers:pick_customers"), {"q": "机电"})
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- forms refuse what the picker would not offer ------------------------------------------------


def hand_over(client, office, to_user):
    data = {"from_user": office["owner"].pk, "to_user": to_user, "reason": "张三离职"}
    return client.post(reverse("customers:handover"), data)


@pytest.mark.parametrize("to_user", ["admin", "gone", "west_sales", "east_manager", "1e3", "99999999999999999999999"])
def test_the_handover_refuses_a_successor_outside_the_set_with_a_message(to_user, office, book, client_for):
    value = office[to_user].pk if to_user in office else to_user
    response = hand_over(client_for(office["east_manager"]), office, value)
    assert response.status_code == 200
    assert "接收人须为您所管部门的在职业务员。" in errors(response.content.decode())
    assert Customer.objects.filter(owner=office["owner"]).count() == 4


def test_a_deputy_outside_the_set_is_refused_with_a_message(office, client_for):
    response = client_for(office["east_manager"]).post(
        reverse("approvals:deputies"),
        {"deputy": office["admin"].pk, "starts_on": "2026-05-01", "ends_on": "2026-05-03", "reason": "出差"},
    )
    assert "代理人须为在职的同事，且不是您本人。" in errors(response.content.decode())


def test_a_complaint_handler_outside_the_set_is_refused_with_a_message(office, book, client_for):
    response = client_for(office["owner"]).post(
        reverse("customers:record_add", args=[book["personal"].pk, "complaints"]),
        {
            "kind": "complaint",
            "received_on": "2026-03-02",
            "deadline": "2026-03-09",
            "description": "延误",
            "owner": office["west_sales"].pk,
        },
    )
    assert "处理人须为客户所属部门、客户负责人或客户服务部经理中的在职人员。" in errors(response.content.decode())


def test_a_second_responsible_person_outside_the_set_is_refused_with_a_message(office, book, client_for):
    response = client_for(office["east_manager"]).post(
        reverse("customers:second_owner", args=[book["personal"].pk]), {"second_owner": office["admin"].pk}, follow=True
    )
    assert "第二负责人：第二负责人须为本部门的在职人员，且不是负责业务员。" in messages(response.content.decode())
    assert Customer.objects.get(pk=book["personal"].pk).second_owner is None


def test_a_new_customer_cannot_be_given_to_the_administrator(office, client_for):
    response = client_for(office["general_manager"]).post(
        reverse("customers:create"),
        {
            "name": "新客户",
            "credit_status": "unknown",
            "category": "potential",
            "kind": "end_customer",
            "grade": "C",
            "secrecy_tier": "personal",
            "owner": office["admin"].pk,
        },
    )
    assert "负责业务员须为您可以为其建立客户的在职业务员。" in errors(response.content.decode())
    assert not Customer.objects.filter(name="新客户").exists()


# --- pages render the chosen value only ----------------------------------------------------------


def options(page: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select name="{name}"[^>]*data-picker="([^"]+)"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no picker named {name}"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(2))


def test_a_picker_renders_only_the_chosen_value_whatever_the_number_of_people(office, client_for):
    page = client_for(office["owner"]).get(reverse("customers:create")).content.decode()
    assert options(page, "owner") == [("", "（请选择）"), (str(office["owner"].pk), "张三 (zhangsan) · 华东销售部")]
    page = client_for(office["general_manager"]).get(reverse("customers:handover")).content.decode()
    assert options(page, "to_user") == [("", "（请选择）")]
    assert 'data-placeholder="输入姓名或用户名查找…"' in page


def test_the_read_request_form_carries_the_customer_it_was_opened_for(office, book, client_for):
    url = reverse("dossiers:read_request_create")
    page = client_for(office["west_sales"]).get(url, {"customer": "甲机电有限公司"}).content.decode()
    assert options(page, "customer_ref") == [("", ""), ("甲机电有限公司", "甲机电有限公司")]
    assert f'data-picker="{reverse("dossiers:pick_customers_to_request")}"' in page


# --- bounded answers -----------------------------------------------------------------------------


def queries_for(client, url, term) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, {"q": term}).status_code == 200
    return len(captured)


def test_a_customer_search_costs_the_same_queries_and_answers_at_most_twenty_rows(office, client_for):
    client = client_for(office["owner"])
    CustomerFactory(name="一家机电", owner=office["owner"])
    few = queries_for(client, customers_url(), "机电")
    for number in range(30):
        CustomerFactory(name=f"机电{number:02d}", owner=office["owner"])
    assert queries_for(client, customers_url(), "机电") == few
    assert len(found(client, customers_url(), "机电")) == 20


def test_a_dossier_search_costs_the_same_queries_however_many_match(archive, formal_dossier, client_for):
    client = client_for(archive["people"]["clerk"])
    url = reverse("dossiers:pick_dossiers")
    formal_dossier(SecrecyTier.PERSONAL)
    few = queries_for(client, url, "客户-")
    formal_dossier(SecrecyTier.DEPARTMENT)
    formal_dossier(SecrecyTier.COMPANY)
    assert queries_for(client, url, "客户-") == few


def test_a_people_search_costs_the_same_queries_however_many_match(office, make_user, client_for):
    client = client_for(office["general_manager"])
    url = reverse("approvals:pick_deputies")
    few = queries_for(client, url, "")
    for number in range(25):
        make_user(Role.SALES, department=office["owner"].department, username=f"sales{number:02d}")
    assert queries_for(client, url, "") == few
    assert len(found(client, url, "")) == 20


@pytest.mark.parametrize("term", HOSTILE_TERMS, ids=range(len(HOSTILE_TERMS)))
@pytest.mark.parametrize(
    "name", ["customers:pick_customers", "dossiers:pick_dossiers", "dossiers:pick_customers_to_request"]
)
def test_no_typed_term_fails_a_search(name, term, office, book, client_for):
    response = client_for(office["general_manager"]).get(reverse(name), {"q": term})
    assert response.status_code == 200
    assert len(response.json()["results"]) <= 20


@pytest.mark.parametrize("term", HOSTILE_TERMS, ids=range(len(HOSTILE_TERMS)))
def test_no_typed_term_fails_a_people_search(term, office, client_for):
    response = client_for(office["east_manager"]).get(reverse("customers:pick_handover_successors"), {"q": term})
    assert response.status_code == 200


@pytest.mark.parametrize("term", CONTROL_TERMS, ids=["nul", "escape"])
def test_a_term_with_control_characters_is_a_bad_request_not_an_error(term, office, client_for):
    assert client_for(office["general_manager"]).get(customers_url(), {"q": term}).status_code == 400


def test_a_long_term_is_cut_and_still_searched(office, book, client_for):
    client = client_for(office["general_manager"])
    assert found(client, customers_url(), "甲机电有限公司" + "。" * 200) == []
    assert found(client, customers_url(), "甲机电" + " " * 500) == ["甲机电有限公司"]


def test_an_imported_row_cannot_make_the_administrator_its_owner(office):
    from customers.forms import CustomerImportRowForm

    form = CustomerImportRowForm({"name": "导入客户", "owner": "admin"})
    assert form.errors["owner"] == ["“admin”不能担任负责业务员：须为在职的销售/业务人员。"]
    assert CustomerImportRowForm({"name": "导入客户", "owner": "zhangsan"}).is_valid()


def test_the_customer_lists_owner_filter_offers_sales_people_only(office, client_for):
    page = client_for(office["general_manager"]).get(reverse("customers:list")).content.decode()
    owner_filter = re.search(r'<select name="owner"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert "zhangsan" not in owner_filter  # labelled by name
    assert "张三" in owner_filter and "孙六" in owner_filter
    assert "管理员" not in owner_filter and "赵离" not in owner_filter and "周" not in owner_filter


def test_the_clerk_finds_customers_without_a_dossier_by_a_fragment_to_open_one(archive, open_dossier, client_for):
    """建档: archive staff read no profile, yet open every customer's dossier — their picker lists the
    names of customers with no dossier yet, whatever the tier; nobody else may use it."""
    open_dossier(SecrecyTier.PERSONAL)
    url = reverse("dossiers:pick_customers_to_open")
    names = found(client_for(archive["people"]["clerk"]), url, "客户-")
    assert "客户-personal" not in names  # it has its dossier
    assert {"客户-department", "客户-company", "客户-top_secret"} <= set(names)
    assert client_for(archive["people"]["owner"]).get(url, {"q": "客户"}).status_code == 403
