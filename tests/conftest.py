import os
from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from django.utils.functional import empty

from accounts.roles import Role
from customers.models import Customer, SecrecyTier
from dossiers import services as dossier_services
from dossiers.models import Cabinet, Document, DocumentType, RetentionPeriod, private_scan_storage

from .factories import DepartmentFactory, UserFactory


def _report_jinja2_pages():
    """A page written by Jinja2 reports its context to the test client (`response.context`), as
    Django's test setup makes its own templates do (django.test.utils.instrumented_test_render)."""
    from django.template.backends.jinja2 import Template
    from django.test.signals import template_rendered

    render = Template.render

    def reported(self, context=None, request=None):
        context = {} if context is None else context
        content = render(self, context, request)
        template_rendered.send(sender=self, template=self, context=context)
        return content

    Template.render = reported


_report_jinja2_pages()


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default=os.environ.get("CRM_TEST_CLOCK", ""),
        help="start every test with the clock at this ISO instant, e.g. 2026-12-31T23:59:30+08:00 "
        "(the test command runs the suite at several such instants: no test may depend on the wall clock)",
    )


def pytest_report_header(config):
    clock = config.getoption("--clock")
    return [f"clock: every test starts at {clock}"] if clock else []


@pytest.fixture(autouse=True)
def _fixed_clock(request):
    """With --clock, every test starts at that instant; the clock then runs on (tick), so code
    that orders by time still sees it move. Tests that freeze time themselves travel further."""
    clock = request.config.getoption("--clock")
    if not clock:
        yield
        return
    with time_machine.travel(datetime.fromisoformat(clock), tick=True):
        yield


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Browser tests last: once Playwright runs, the other transactional tests would start in its
    context (see tests/browser/conftest.py). On SQLite, tests of what only PostgreSQL has
    (triggers, trigram indexes, row locks) are skipped, saying so."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        skip = pytest.mark.skip(reason="PostgreSQL-only by nature (triggers, trigram indexes, row locks)")
        for item in items:
            if item.get_closest_marker("postgres_only"):
                item.add_marker(skip)
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (figures kept for minutes must not leak between tests)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def drawn_each_time(settings):
    """Every request draws its page (no page kept for its reader): for tests of what drawing costs."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def make_user(db):
    """make_user(Role.SALES, department=d, username="x") → a saved user holding those roles."""

    def make(*roles: Role, **fields):
        return UserFactory(roles=list(roles), **fields)

    return make


@pytest.fixture
def client_for(client):
    """client_for(user) → the test client signed in as `user` (bypasses axes, which is fine
    for tests that are not about login)."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def real_celery_worker(settings):
    """A Celery worker thread consuming from the real Redis broker of the test settings.

    The worker has its own database connection and sees only committed rows, so tests using
    it need `@pytest.mark.django_db(transaction=True, serialized_rollback=True)`. A missing broker fails the test."""
    import redis
    from celery.contrib.testing.worker import start_worker

    from crm_archive.celery import app

    broker_url = settings.CELERY_BROKER_URL
    assert broker_url.startswith("redis://"), f"the worker tests need a Redis broker, not {broker_url}"
    try:
        redis.Redis.from_url(broker_url, socket_timeout=3).ping()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(f"Redis broker {broker_url} is not reachable: {error}")
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.task_always_eager = True


def wait_for(condition, *, timeout=20.0, interval=0.1):
    """Poll `condition()` until it is truthy; returns its last value."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


# Archive fixtures shared by the dossiers, lending and destruction tests.

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Scans go to a temporary folder, never into the work tree."""
    settings.MEDIA_ROOT = tmp_path / "media"
    private_scan_storage._wrapped = empty  # the storage re-reads MEDIA_ROOT
    yield settings.MEDIA_ROOT
    private_scan_storage._wrapped = empty


@pytest.fixture
def archive(make_user):
    """An archive office, a sales department, one customer per tier, a cabinet."""
    office, sales_department = DepartmentFactory(code="archive"), DepartmentFactory(code="sales")
    people = {
        "clerk": make_user(Role.ARCHIVE_CLERK, department=office, username="clerk"),
        "checker": make_user(Role.ARCHIVE_CLERK, department=office, username="checker"),
        "archive_manager": make_user(
            Role.ARCHIVE_MANAGER, department=office, username="archmgr", email="am@example.com"
        ),
        "owner": make_user(Role.SALES, department=sales_department, username="owner"),
        "colleague": make_user(Role.SALES, department=sales_department, username="colleague"),
        "manager": make_user(Role.DEPARTMENT_MANAGER, department=sales_department, username="manager"),
        "general_manager": make_user(Role.GENERAL_MANAGER, department=office, username="gm"),
    }
    customers = {
        tier: Customer.objects.create(
            name=f"客户-{tier.value}", owner=people["owner"], department=sales_department, secrecy_tier=tier
        )
        for tier in SecrecyTier
    }
    return {
        "people": people,
        "customers": customers,
        "cabinet": Cabinet.objects.create(code="A01", place="档案室", positions=10),
        "retention": RetentionPeriod.objects.get(code="D30"),
        "types": {item.name: item for item in DocumentType.objects.all()},
    }


@pytest.fixture
def open_dossier(archive):
    def make(tier=SecrecyTier.PERSONAL, *, opened_days_ago=30, customer=None):
        return dossier_services.dossier_open(
            customer or archive["customers"][tier],
            by=archive["people"]["clerk"],
            opened_on=timezone.localdate() - timedelta(days=opened_days_ago),
            retention=archive["retention"],
        )

    return make


@pytest.fixture
def file_document(archive):
    def make(dossier, type_name="客户基本资料表", **fields):
        values = {
            "title": f"{type_name}-{dossier.pk}",
            "made_on": timezone.localdate() - timedelta(days=10),
            "responsible_party": "工程部",
            "pages": 3,
            "secrecy_tier": dossier.customer.secrecy_tier,
            "retention": archive["retention"],
            **fields,
        }
        return dossier_services.document_save(
            Document(dossier=dossier, document_type=archive["types"][type_name], **values),
            by=archive["people"]["clerk"],
        )

    return make


REQUIRED = ["客户基本资料表", "客户销售合同（复印件）", "竣工文档", "电话交换机安装参数一览表"]


@pytest.fixture
def ready_dossier(archive, open_dossier, file_document):
    """A dossier holding every required document, completion received `received_days_ago`."""

    def make(tier=SecrecyTier.PERSONAL, *, received_days_ago=1, customer=None):
        dossier = open_dossier(tier, customer=customer)
        for type_name in REQUIRED:
            file_document(dossier, type_name)
        return dossier_services.dossier_record_completion(
            dossier,
            by=archive["people"]["clerk"],
            received_on=timezone.localdate() - timedelta(days=received_days_ago),
        )

    return make


@pytest.fixture
def formal_dossier(archive, ready_dossier):
    """formal_dossier(tier) → a shelved formal dossier of the customer of that tier."""
    positions = iter(range(1, 11))

    def make(tier=SecrecyTier.PERSONAL):
        dossier = ready_dossier(tier)
        return dossier_services.dossier_promote(
            dossier, by=archive["people"]["clerk"], cabinet=archive["cabinet"], position=next(positions)
        )

    return make
