"""A list page opened again by the same session in the same minute is answered from the cache
(crm_archive.page_cache), and only while it would be the same page: nothing it read written since,
the same reader, the same language, no message waiting."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection, connections
from django.db.models import Value
from django.db.models.functions import Concat
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from accounts.services import notification_send
from crm_archive.page_cache import kept_for_its_reader
from customers.models import Customer

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 25, 12, 0, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _kept(settings):
    settings.PAGE_CACHE_SECONDS = 60


@pytest.fixture
def noon():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def _customer_statements(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries if "customers_customer" in query["sql"]]


def test_a_list_opened_again_in_the_same_minute_is_the_same_page_without_reading_its_rows(archive, client_for, noon):
    client = client_for(archive["people"]["general_manager"])
    url = reverse("customers:list")
    first = client.get(url).content
    assert _customer_statements(client, url) == []
    assert client.get(url).content == first
    assert "客户-top_secret" in first.decode()


def test_a_page_read_through_a_union_is_kept_too(archive, client_for, noon):
    client = client_for(archive["people"]["general_manager"])
    url = reverse("audit:trail")
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    assert not any("UNION" in query["sql"] for query in captured.captured_queries)


def test_the_next_minute_draws_the_page_anew(archive, client_for, noon):
    client = client_for(archive["people"]["general_manager"])
    url = reverse("customers:list")
    client.get(url)
    noon.shift(timedelta(seconds=50))  # 12:01:00
    assert _customer_statements(client, url) != []


@pytest.mark.parametrize("write", ["bulk update", "raw SQL", "save"])
def test_a_customer_renamed_in_any_way_shows_at_the_next_request(archive, client_for, noon, write):
    client = client_for(archive["people"]["general_manager"])
    url = reverse("customers:list")
    customer = archive["customers"]["company"]
    assert customer.name in client.get(url).content.decode()
    if write == "bulk update":
        Customer.objects.filter(pk=customer.pk).update(name="改名公司")
    elif write == "raw SQL":
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {Customer._meta.db_table} SET name = %s WHERE id = %s", ["改名公司", customer.pk])
    else:
        customer.name = "改名公司"
        customer.save()
    html = client.get(url).content.decode()
    assert "改名公司" in html and "客户-company" not in html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_committed_elsewhere_while_the_page_was_drawn_shows_at_the_next_request(
    archive, client_for, noon, monkeypatch
):
    """Another process (here a thread with its own connection) commits after the page read its
    rows and before it was kept: the page is kept under versions that are gone by then."""
    client = client_for(archive["people"]["general_manager"])
    url = reverse("customers:list")
    customer = archive["customers"]["company"]
    from customers import views

    render = views.render

    def render_then_a_write_elsewhere(*args, **kwargs):
        response = render(*args, **kwargs)

        def rename():
            Customer.objects.filter(pk=customer.pk).update(name="改名公司")
            connections.close_all()

        writer = threading.Thread(target=rename)
        writer.start()
        writer.join()
        return response

    monkeypatch.setattr(views, "render", render_then_a_write_elsewhere)
    assert "客户-company" in client.get(url).content.decode()  # drawn before the write
    monkeypatch.setattr(views, "render", render)
    assert "改名公司" in client.get(url).content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transaction_that_wrote_before_the_page_took_its_versions_and_committed_after_it_read_shows_next(
    archive, client_for, noon, monkeypatch
):
    """The writer's first new version comes before the reader looks (the reader takes it), the
    rows it wrote are not yet committed when the reader reads them, the commit comes before the
    page is kept: only the new version given at the commit tells the next request."""
    client = client_for(archive["people"]["general_manager"])
    url = reverse("customers:list")
    customer = archive["customers"]["company"]
    from django.db import transaction

    from customers import views

    written, commit, committed = threading.Event(), threading.Event(), threading.Event()

    def writer():
        with transaction.atomic():
            Customer.objects.filter(pk=customer.pk).update(name="改名公司")
            written.set()
            commit.wait(10)
        committed.set()
        connections.close_all()

    render = views.render

    def render_then_commit_elsewhere(*args, **kwargs):
        response = render(*args, **kwargs)
        commit.set()
        committed.wait(10)
        return response

    thread = threading.Thread(target=writer)
    thread.start()
    written.wait(10)
    monkeypatch.setattr(views, "render", render_then_commit_elsewhere)
    assert "客户-company" in client.get(url).content.decode()
    thread.join()
    monkeypatch.setattr(views, "render", render)
    assert "改名公司" in client.get(url).content.decode()


def test_one_readers_page_is_never_given_to_another(archive, noon):
    owner, colleague = archive["people"]["owner"], archive["people"]["colleague"]
    url = reverse("customers:list")
    owners, colleagues = Client(), Client()
    owners.force_login(owner)
    colleagues.force_login(colleague)
    assert "客户-personal" in owners.get(url).content.decode()
    assert "客户-personal" not in colleagues.get(url).content.decode()
    # The same person signed in a second time has a session of their own, and a page of its own.
    again = Client()
    again.force_login(owner)
    assert _customer_statements(again, url) != []


def test_signed_out_the_old_session_gets_the_sign_in_page_not_the_kept_one(archive, client_for, noon):
    client = client_for(archive["people"]["general_manager"])
    url = reverse("customers:list")
    client.get(url)
    cookie = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    stolen = Client()
    stolen.cookies["sessionid"] = cookie
    answer = stolen.get(url)
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))


def test_a_role_taken_away_is_felt_at_the_next_request(archive, client_for, noon):
    manager = archive["people"]["general_manager"]
    client = client_for(manager)
    url = reverse("audit:trail")
    assert client.get(url).status_code == 200
    manager.groups.remove(Group.objects.get(name=Role.GENERAL_MANAGER))
    assert client.get(url).status_code == 403


def test_a_new_notification_shows_in_the_badge_of_a_kept_page(archive, client_for, noon):
    owner = archive["people"]["owner"]
    client = client_for(owner)
    url = reverse("customers:list")
    assert '<span class="badge">' not in client.get(url).content.decode()
    notification_send(recipient=owner, message="新通知")
    assert '<span class="badge">1</span>' in client.get(url).content.decode()


def test_a_message_waiting_is_shown_on_the_page_it_leads_to_and_not_kept(archive, client_for, noon):
    owner = archive["people"]["owner"]
    notification_send(recipient=owner, message="新通知")
    client = client_for(owner)
    url = reverse("notifications")
    client.get(url)
    followed = client.post(reverse("notifications_mark_read"), follow=True)
    assert "已将 1 条通知标为已读" in followed.content.decode()
    assert "已将 1 条通知标为已读" not in client.get(url).content.decode()


def test_a_page_is_drawn_when_a_message_waits_and_not_kept_when_it_shows_one(archive, noon):
    """A message left by the previous request must reach the reader (the kept page would not show
    it), and a page that showed one must not be given again."""
    from django.contrib import messages
    from django.contrib.messages.storage.fallback import FallbackStorage

    shown = []

    def draw(request):
        waiting = messages.get_messages(request)  # as the layout asks: iterated only when there are some
        shown.append([str(message) for message in waiting] if waiting else [])
        return HttpResponse(f"<p>{'、'.join(shown[-1])}</p>")

    @kept_for_its_reader
    def page(request):
        return draw(request)

    request = _signed_in_request(archive["people"]["owner"])
    request._messages = FallbackStorage(request)
    page(request)  # kept
    messages.info(request, "已保存")
    assert "已保存" in page(request).content.decode()  # a message waits: drawn
    request._messages = FallbackStorage(request)
    assert "已保存" not in page(request).content.decode()  # the page kept first
    assert shown == [[], ["已保存"]]

    @kept_for_its_reader
    def page_that_says_so_itself(request):
        messages.info(request, "已保存")
        return draw(request)

    request = _signed_in_request(archive["people"]["owner"])
    request._messages = FallbackStorage(request)
    page_that_says_so_itself(request)
    request._messages = FallbackStorage(request)
    page_that_says_so_itself(request)
    assert shown[2:] == [["已保存"], ["已保存"]]


def test_the_language_chosen_is_the_language_of_the_page(archive, client_for, noon):
    client = client_for(archive["people"]["general_manager"])
    url = reverse("customers:list")
    assert "客户档案" in client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": url})
    assert "Customers" in client.get(url).content.decode()


def test_a_page_whose_view_records_each_visit_is_drawn_each_time(archive, noon):
    customer = archive["customers"]["company"]

    @kept_for_its_reader
    def records_a_visit(request):
        Customer.objects.filter(pk=customer.pk).update(business_scope=Concat("business_scope", Value("读")))
        return HttpResponse("<p>页</p>")

    request = _signed_in_request(archive["people"]["owner"])
    records_a_visit(request)
    records_a_visit(request)
    customer.refresh_from_db()
    assert customer.business_scope.endswith("读读")


def test_off_the_view_is_called_each_time(archive, noon, settings):
    settings.PAGE_CACHE_SECONDS = 0
    calls = []

    @kept_for_its_reader
    def page(request):
        calls.append(request)
        return HttpResponse("<p>页</p>")

    request = _signed_in_request(archive["people"]["owner"])
    page(request)
    page(request)
    assert len(calls) == 2


def _signed_in_request(user):
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    request.session.create()
    return request


def test_after_a_restore_no_page_kept_before_is_given_again(archive, client_for, noon):
    """A restore loads the database outside the watched statements (pg_restore and psql); it says
    every table was written (crm_archive.backup.backup_restore)."""
    from crm_archive import page_cache

    client = client_for(archive["people"]["general_manager"])
    url = reverse("customers:list")
    client.get(url)
    page_cache.every_table_written()
    assert _customer_statements(client, url) != []
