"""What every page pays before its own rows (issue 16): the user read once with what every page
asks of it, no session write on each click, a select's options written without a template each,
choice labels from a map, the home page's counts in one statement, a sales person's customer list
read through their own id sets."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms
from django.contrib.auth.models import Group
from django.db import connection
from django.forms.renderers import DjangoTemplates
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import timezone, translation

from accounts.roles import Role
from accounts.services import notification_send
from crm_archive.forms import FormRenderer
from crm_archive.pagination import PANEL_COUNT_CAP, bounded, count_together, paginate
from crm_archive.sql import BranchRows
from customers import secrecy, services
from customers.models import Customer, CustomerCategory, GradeCriterion, SecrecyTier
from customers.profiles import grade_criteria

from .customers.html import listed_customer_ids

# What a page costs when it is drawn: not the page kept for its reader (crm_archive.page_cache).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("drawn_each_time")]


def _statements(client, url) -> list[str]:
    client.get(url)  # the first request after signing in may still warm a cache
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_a_page_reads_its_user_with_roles_department_and_unread_count_in_one_query(archive, client_for, settings):
    # As in production, where the cache is shared (CACHE_URL): sessions are read from it.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    owner = archive["people"]["owner"]
    for number in range(3):
        notification_send(recipient=owner, message=f"通知{number}")
    client = client_for(owner)
    statements = _statements(client, reverse("notifications"))
    people = [sql for sql in statements if 'FROM "accounts_user"' in sql]
    assert len(people) == 1
    assert "auth_group" in people[0] and "accounts_department" in people[0] and "accounts_notification" in people[0]
    assert not any('FROM "django_session"' in sql for sql in statements)  # read from the cache
    assert not any('FROM "auth_group"' in sql.split("FROM", 1)[-1][:40] for sql in statements[1:])
    badge = re.search(
        r'data-nav="notifications"[^>]*>[^<]*<span class="badge">(\d+)</span>', client.get("/").content.decode()
    )
    assert badge and badge.group(1) == "3"


def test_a_role_taken_away_closes_its_pages_at_the_next_request(archive, client_for):
    manager = archive["people"]["manager"]
    client = client_for(manager)
    assert client.get(reverse("customers:list")).status_code == 200
    assert "客户-department" in client.get(reverse("customers:list")).content.decode()
    manager.groups.remove(Group.objects.get(name=Role.DEPARTMENT_MANAGER))
    assert "客户-department" not in client.get(reverse("customers:list")).content.decode()


def test_the_user_compiled_once_is_read_afresh_at_every_request(archive, client_for):
    owner = archive["people"]["owner"]
    client = client_for(owner)

    def badge():
        html = client.get(reverse("notifications")).content.decode()
        found = re.search(r'data-nav="notifications"[^>]*>[^<]*<span class="badge">(\d+)</span>', html)
        return found and found.group(1)

    assert badge() is None
    notification_send(recipient=owner, message="通知")
    assert badge() == "1"
    owner.department.name = "改名后的部门"
    owner.department.save()
    assert "改名后的部门" in client.get(reverse("notifications")).content.decode()
    owner.is_active = False
    owner.save()
    response = client.get(reverse("notifications"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_user_compiled_once_reads_back_as_the_orm_reads_it(archive):
    from accounts.backends import SignedInUserBackend, signed_in_users

    owner = archive["people"]["owner"]
    notification_send(recipient=owner, message="通知")
    owner.last_login = timezone.now()
    owner.save()
    read, expected = SignedInUserBackend().get_user(str(owner.pk)), signed_in_users().get(pk=owner.pk)
    for field in type(owner)._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(expected, field.attname), field.name
    assert timezone.is_aware(read.last_login) and timezone.is_aware(read.date_joined)
    assert read.department == expected.department and read.department.name == owner.department.name
    assert read.role_names == owner.role_names and read.unread_notifications == 1
    assert read._state.db == "default" and not read._state.adding
    with CaptureQueriesContext(connection) as captured:
        assert SignedInUserBackend().get_user(owner.pk).department.name == owner.department.name
    assert len(captured.captured_queries) == 1
    assert SignedInUserBackend().get_user(2_000_000_017) is None
    with pytest.raises(ValueError):
        SignedInUserBackend().get_user("1e3")


# Committed rows, for the other thread's connection to see; serialized_rollback restores what
# the flush after it takes away (content types, permissions), as the suite's other such tests do.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_user_compiled_once_reads_back_on_another_threads_connection(make_user):
    import threading

    from accounts.backends import SignedInUserBackend

    person = make_user(Role.SALES, username="threaded")
    assert SignedInUserBackend().get_user(person.pk).username == "threaded"  # compiled on this thread
    read = {}

    def elsewhere():
        try:
            user = SignedInUserBackend().get_user(person.pk)
            read["user"] = (user.username, user.role_names, timezone.is_aware(user.date_joined))
        finally:
            connection.close()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert read["user"] == ("threaded", frozenset({Role.SALES}), True)


def test_a_page_drawn_without_a_request_still_has_its_top_bar():
    from django.template.loader import render_to_string

    html = render_to_string("400.html")
    assert '<header class="topbar no-print">' in html and 'name="next" type="hidden" value=""' in html


def test_a_shared_redis_cache_keeps_one_client_and_each_server_reads_what_another_wrote(settings):
    from crm_archive.cache import RedisCache

    # Two servers' caches on the suite's Redis (the broker's database, keys of this test only).
    first, second = (RedisCache(settings.CELERY_BROKER_URL, {"KEY_PREFIX": "fixed-costs"}) for _ in range(2))
    try:
        first.set("dossier", {"客户": "甲"}, 30)
        assert second.get("dossier") == {"客户": "甲"}
        assert second.get_or_set("counted", 1, 30) == 1 and first.incr("counted") == 2
        assert first._cache.get_client() is first._cache.get_client(write=True) is first._cache.get_client()
    finally:
        first.delete_many(["dossier", "counted"])
    assert second.get("dossier") is None


def test_sessions_are_read_from_the_cache_only_when_every_server_shares_it():
    from django.conf import settings

    shared = settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    assert settings.SESSION_ENGINE.endswith("cached_db" if shared else ".db")


def test_a_group_named_like_a_list_of_roles_grants_none_of_them(archive, client_for):
    colleague = archive["people"]["colleague"]
    colleague.groups.add(Group.objects.create(name=f"x,{Role.GENERAL_MANAGER}"))
    html = client_for(colleague).get(reverse("customers:list")).content.decode()
    assert "客户-top_secret" not in html and "客户-company" not in html


def test_a_sales_persons_list_holds_what_they_own_second_own_or_were_granted_and_nothing_else(
    archive, make_user, client_for
):
    owner, colleague = archive["people"]["owner"], archive["people"]["colleague"]
    department = owner.department
    Customer.objects.create(
        name="甲-同事的客户", owner=colleague, department=department, secrecy_tier=SecrecyTier.PERSONAL
    )
    Customer.objects.create(
        name="乙-第二负责",
        owner=colleague,
        second_owner=owner,
        department=department,
        secrecy_tier=SecrecyTier.PERSONAL,
    )
    html = client_for(owner).get(reverse("customers:list")).content.decode()
    names = re.findall(r'<tr data-customer="\d+">\s*<td><a href="[^"]+">([^<]+)</a>', html)
    assert names == sorted(names)
    assert set(names) == {
        "乙-第二负责",
        *(f"客户-{tier.value}" for tier in SecrecyTier if tier != SecrecyTier.TOP_SECRET),
    }


def test_choice_labels_speak_the_active_language_and_leave_unknown_values_as_they_are():
    customer = Customer(category=CustomerCategory.POTENTIAL, secrecy_tier="no-such-tier")
    with translation.override("zh-hans"):
        assert customer.get_category_display() == "潜在客户"
    with translation.override("en"):
        assert customer.get_category_display() == "Potential"
    assert customer.get_secrecy_tier_display() == "no-such-tier"


class _Choices(forms.Form):
    person = forms.ChoiceField(choices=[(number, f'人{number} <&>"') for number in range(30)], required=False)
    tiers = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], required=False)
    grouped = forms.ChoiceField(choices=[("组<1>", [(1, "一"), (2, "二")]), (3, "三")])
    answer = forms.NullBooleanField()
    name = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": "名称 <\"&'>"}))
    amount = forms.DecimalField(required=False)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    secret = forms.CharField(required=False, widget=forms.HiddenInput)


def test_selects_and_inputs_render_as_djangos_own_markup():
    """The widgets written in Python (crm_archive.forms.FormRenderer) write Django's markup."""
    data = {
        "person": "5",
        "tiers": ["a", "b"],
        "grouped": "2",
        "answer": "true",
        "name": '<b>"甲&乙"</b>',
        "amount": "12.5",
        "since": "2026-11-24",
        "secret": "x'y",
    }
    ours, djangos = _Choices(data, renderer=FormRenderer()), _Choices(data, renderer=DjangoTemplates())
    for name in _Choices.base_fields:
        assert re.sub(r"\s+", " ", str(ours[name])) == re.sub(r"\s+", " ", str(djangos[name]))
    assert 'value="5" selected>人5 &lt;&amp;&gt;&quot;</option>' in str(ours["person"])
    assert 'value="&lt;b&gt;&quot;甲&amp;乙&quot;&lt;/b&gt;"' in str(ours["name"])
    assert str(_Choices(renderer=FormRenderer())["name"]).startswith('<input type="text" name="name" placeholder=')


def test_counts_alone_are_counted_together_in_one_statement(archive):
    owner = archive["people"]["owner"]
    for number in range(PANEL_COUNT_CAP + 3):
        Customer.objects.create(name=f"丙{number}", owner=owner, department=owner.department)
    many = bounded(Customer.objects.filter(name__startswith="丙"), show=0)
    few = bounded(Customer.objects.filter(secrecy_tier=SecrecyTier.TOP_SECRET), show=0)
    none = bounded(Customer.objects.none(), show=0)
    shown = bounded(Customer.objects.filter(name__startswith="客户-"), show=2)
    with CaptureQueriesContext(connection) as captured:
        count_together([many, few, none, shown, 7])
    assert len(captured.captured_queries) == 1
    assert (many.count, many.capped, many.label) == (PANEL_COUNT_CAP, True, f"{PANEL_COUNT_CAP}+")
    assert (few.count, few.capped, bool(few)) == (1, False, True)
    assert (none.count, bool(none)) == (0, False)
    assert (shown.count, len(shown.items)) == (len(SecrecyTier), 2)


def test_a_count_asked_for_alone_is_counted_then(archive):
    waiting = bounded(Customer.objects.filter(secrecy_tier=SecrecyTier.COMPANY), show=0)
    Customer.objects.filter(secrecy_tier=SecrecyTier.COMPANY).update(secrecy_tier=SecrecyTier.PERSONAL)  # counted now
    assert waiting.count == 0 and not waiting


def test_a_register_row_is_written_escaped_with_its_moments_and_long_texts():
    from lending.registers import register_cells

    html = register_cells(
        7,
        [
            "JY<1>",
            "<i>借</i>",
            datetime(2026, 11, 24, 9, 5),
            date(2026, 1, 2),
            None,
            "用途说明很长很长很长很长",
            "DA-2026-000123",
        ],
    )
    cells = re.findall(r"<td[^>]*>.*?</td>", html)
    assert cells[0] == f'<td><a href="{reverse("lending:detail", args=[7])}">JY&lt;1&gt;</a></td>'
    assert cells[1] == "<td>&lt;i&gt;借&lt;/i&gt;</td>"
    assert cells[2] == '<td class="moment"><span>2026-11-24</span> <span>09:05</span></td>'
    assert cells[3] == '<td class="moment"><span>2026-01-02</span> <span></span></td>'
    assert cells[4] == "<td></td>"
    assert cells[5] == '<td class="text">用途说明很长很长很长很长</td>'
    assert cells[6] == "<td>DA-2026-000123</td>"  # a code, kept on one line


@pytest.mark.parametrize(
    "value",
    [None, "", "text", 5, date(1, 1, 1), date(2026, 11, 24), datetime(2026, 11, 24, 23, 59, 7)]
    + [datetime(2026, 11, 24, 17, 5, 9, tzinfo=ZoneInfo("UTC")), datetime(2026, 12, 31, 16, 0, tzinfo=ZoneInfo("UTC"))],
)
def test_day_minute_and_second_write_what_djangos_date_filter_wrote(value):
    template = engines["django"].from_string(
        '{{ v|date:"Y-m-d" }}|{{ v|day }}#{% if v.hour is not None %}{{ v|date:"Y-m-d H:i" }}|{{ v|minute }}#'
        '{{ v|date:"Y-m-d H:i:s" }}|{{ v|second }}{% endif %}'
    )
    for pair in filter(None, template.render({"v": value}).split("#")):
        theirs, ours = pair.split("|")
        assert ours == theirs


def test_a_filter_forms_people_are_read_once_a_minute_and_a_newcomer_appears_after_it(archive, make_user, client_for):
    sales_department = archive["people"]["owner"].department
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False) as clock:
        client = client_for(archive["people"]["general_manager"])
        first = _statements(client, reverse("customers:list"))
        make_user(Role.SALES, department=sales_department, username="newcomer", last_name="新", first_name="人")
        html = client.get(reverse("customers:list")).content.decode()
        assert "新人" not in html  # the list of a minute ago
        clock.shift(timedelta(seconds=61))
        html = client.get(reverse("customers:list")).content.decode()
        assert re.search(r'<option value="\d+">新人</option>', html)
        again = _statements(client, reverse("customers:list"))
    assert len(again) == len(first)
    assert not any('FROM "accounts_department"' in sql for sql in again)


def test_a_filter_still_refuses_a_person_who_may_not_own_customers(archive, client_for):
    clerk = archive["people"]["clerk"]
    client = client_for(archive["people"]["general_manager"])
    client.get(reverse("customers:list"))  # the choices remembered
    response = client.get(reverse("customers:list"), {"owner": clerk.pk})
    assert response.status_code == 200
    assert response.context["filter"].form.errors.get("owner")


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("customers:detail", (1,)),
        ("customers:detail", (0,)),
        ("customers:detail", (9_007_199_254_740_991,)),
        ("customers:follow_up_record", (12, 345)),
        ("dossiers:detail", (7,)),
        ("customers:detail", ("12",)),  # not a whole number: reversed as {% url %} does
    ],
)
def test_id_url_writes_what_the_url_tag_wrote(name, ids):
    arguments = " ".join(f"a{n}" for n in range(len(ids)))
    template = engines["django"].from_string(f"{{% url '{name}' {arguments} %}}|{{% id_url '{name}' {arguments} %}}")
    context = {f"a{n}": value for n, value in enumerate(ids)}
    theirs, ours = template.render(context).split("|")
    assert ours == theirs
    set_script_prefix("/crm/")  # a site served under a path: the prefix is part of what is kept
    try:
        theirs, ours = template.render(context).split("|")
        assert ours == theirs and ours.startswith("/crm/")
    finally:
        set_script_prefix("/")


def test_id_url_refuses_what_the_url_tag_refuses():
    template = engines["django"].from_string("{% id_url 'customers:detail' value %}")
    for value in (-1, None, "x", True, 10**19):
        with pytest.raises(NoReverseMatch):
            template.render({"value": value})


def test_a_list_of_customers_links_each_row_to_its_own_page(archive, client_for):
    client = client_for(archive["people"]["general_manager"])
    html = client.get(reverse("customers:list"), {"per_page": 100}).content.decode()
    linked = [int(pk) for pk in re.findall(r'<a href="/customers/(\d+)/">', html)]
    assert linked and linked == listed_customer_ids(html)


@pytest.mark.parametrize("sort", ["name", "-name", "grade", "-updated"])
def test_a_sales_persons_list_pages_through_their_three_sets_in_the_lists_order(archive, client_for, sort):
    """Each page of a sales person's list is read from each of their sets cut to the page
    (customers_paged); page after page, the rows and the count are those of the whole list."""
    owner, colleague = archive["people"]["owner"], archive["people"]["colleague"]
    department = owner.department
    grades = ["A", "B", "C", "D"]
    for n in range(50):  # owned, second-owned, granted and unreadable ones, names interleaved
        kind = n % 4
        customer = Customer.objects.create(
            name=f"客户{n:02d}",
            grade=grades[(n * 7) % 4],
            owner=owner if kind == 0 else colleague,
            second_owner=owner if kind == 1 else None,
            department=department,
            secrecy_tier=SecrecyTier.TOP_SECRET if n == 4 else SecrecyTier.PERSONAL,
        )
        if kind == 2 or n == 4:
            services.customer_access_grant(customer, user=owner, until=timezone.now() + timedelta(days=1))
    client = client_for(owner)
    whole = client.get(reverse("customers:list"), {"sort": sort, "per_page": 100}).content.decode()
    expected = listed_customer_ids(whole)
    assert len(expected) == len(set(expected)) > 40
    paged = []
    for number in range(1, 7):  # 10 a page: each set holds more than a page
        html = client.get(reverse("customers:list"), {"sort": sort, "per_page": 10, "page": number}).content.decode()
        paged += listed_customer_ids(html)
        # Counted with the page's rows (crm_archive.sql.BranchRows.page), the whole list's total.
        assert f"共 {len(expected)} 位客户" in html
    assert paged == expected
    past_the_end = client.get(reverse("customers:list"), {"sort": sort, "per_page": 10, "page": 60})
    assert listed_customer_ids(past_the_end.content.decode()) == []
    assert f"共 {len(expected)} 位客户" in past_the_end.content.decode()
    unreadable = Customer.objects.filter(name__in=[f"客户{n:02d}" for n in range(3, 50, 4)]).values_list(
        "pk", flat=True
    )
    assert not set(unreadable) & set(expected)


@pytest.mark.parametrize(
    "roles",
    # Each role, and the customer service manager who manages the service department (the demo's).
    [[role] for role in Role] + [[Role.CS_MANAGER, Role.DEPARTMENT_MANAGER]],
    ids=lambda roles: "+".join(roles),
)
def test_every_home_page_reads_in_at_most_ten_queries_whatever_it_holds(
    archive, make_user, client_for, roles, django_assert_max_num_queries, settings
):
    """A home page's panels read their shown rows and count the rest in one statement: ten
    queries at most for any role, with something in every list of the archive.
    Sessions as in production, where the cache is shared: read from it, not from their table."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    department = archive["people"]["owner"].department
    person = make_user(*roles, department=department, username="home")
    for n in range(12):  # customers of theirs, with what their panels list
        customer = Customer.objects.create(
            name=f"首页客户{n:02d}", owner=person, department=department, grade="A", secrecy_tier=SecrecyTier.PERSONAL
        )
        services.customer_access_grant(
            customer, user=archive["people"]["colleague"], until=timezone.now() + timedelta(1)
        )
    client = client_for(person)
    assert client.get(reverse("home")).status_code == 200  # the cached figures and choices, once
    with django_assert_max_num_queries(10):
        assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("page", ["home", "customers:follow_ups"])
def test_a_sales_persons_home_and_follow_ups_pages_build_their_access_rule_once(archive, client_for, monkeypatch, page):
    """Their panels and lists ask whom the person may read from four to ten places; the rule is
    built once a page, and again on the next page (a grant opened between two clicks is seen)."""
    built = []
    build = secrecy._customers_readable_by
    monkeypatch.setattr(secrecy, "_customers_readable_by", lambda *a, **k: built.append(k) or build(*a, **k))
    client = client_for(archive["people"]["owner"])
    assert client.get(reverse(page)).status_code == 200
    once = len(built)
    assert 1 <= once <= 2  # with grants, and at most once more without them
    assert client.get(reverse(page)).status_code == 200
    assert len(built) == 2 * once


def test_outside_a_page_the_access_rule_is_built_at_each_ask(archive):
    """A service that reads after it wrote reads anew: the rule is kept only within a page."""
    colleague, customer = archive["people"]["colleague"], archive["customers"][SecrecyTier.PERSONAL]
    assert not secrecy.customers_readable_by(colleague).filter(pk=customer.pk).exists()
    services.customer_access_grant(customer, user=colleague, until=timezone.now() + timedelta(1))
    assert secrecy.customers_readable_by(colleague).filter(pk=customer.pk).exists()


def test_grade_criteria_come_from_the_cache_and_an_edit_is_seen_at_once(archive, django_assert_num_queries):
    first = {criterion.grade: criterion.contact_every_days for criterion in grade_criteria()}
    with django_assert_num_queries(0):
        assert {criterion.grade: criterion.contact_every_days for criterion in grade_criteria()} == first
    criterion = GradeCriterion.objects.get(grade="A")
    criterion.contact_every_days = 7
    criterion.save()
    assert {c.grade: c.contact_every_days for c in grade_criteria()}["A"] == 7


def test_a_sales_persons_search_finds_a_match_wherever_it_stands_in_their_list(archive, client_for):
    """The search is applied inside each of the person's sets, as every other filter is (on
    PostgreSQL written as `id = ANY(ARRAY(…))`): a match far down the name order is found, and
    the count agrees with the rows."""
    owner = archive["people"]["owner"]
    for n in range(40):
        Customer.objects.create(
            name=f"甲{n:02d}", owner=owner, department=owner.department, secrecy_tier=SecrecyTier.PERSONAL
        )
    far = Customer.objects.create(
        name="癸-目标客户", owner=owner, department=owner.department, secrecy_tier=SecrecyTier.PERSONAL
    )
    client = client_for(owner)
    html = client.get(reverse("customers:list"), {"q": "目标", "per_page": 10}).content.decode()
    assert listed_customer_ids(html) == [far.pk]
    html = client.get(reverse("customers:list"), {"q": "甲3", "per_page": 10}).content.decode()
    assert len(listed_customer_ids(html)) == 10


@pytest.mark.django_db
def test_a_list_read_through_sets_none_of_which_can_match_is_an_empty_page_counted_nought():
    """Every set of the list one no row can match (an empty id list, a .none()): an empty page
    with a total of 0, on PostgreSQL and SQLite alike, not an error."""
    nothing = BranchRows(
        Customer.objects.all(), [Customer.objects.none(), Customer.objects.filter(pk__in=[])], ("name", "pk")
    )
    assert nothing.page(0, 11, 1000) == ([], 0)
    page = paginate(nothing, per_page=10)
    assert (list(page), page.total, page.total_is_capped) == ([], 0, False)
    panel = bounded(nothing, show=10)
    assert (panel.items, panel.count) == ([], 0)
