"""The bench database: the issue's scale (200,000 customers and dossiers, 1,000,000 loans, 10,000 of
them out), filled once and reused, shaped as the services would leave it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench .venv/bin/python bench/data.py

Every bench script calls `setup()` then `ensure()`; each part is filled only if missing, so a
second run starts measuring at once. What "as the services would leave it" means here:
- a formal dossier is numbered (档号 from its year's counter) and shelved; one whose original is
  out is ON_LOAN with its holder, and each original is out at most once;
- a loan went requested → approved → issued → (returned → closed); a photocopy loan has its 影印登记
  (PhotocopyRecord), with the copies still out while it is COPIES_OUT;
- every record simple-history tracks has its creation in the history table (the audit trail reads
  them), and a loan still out has its "issued" change too;
- reads leave read-log rows; approved read requests carry their (expired) grant;
- destroyed dossiers went through a destroyed destruction list; follow-ups come from a plan.
Rows are written with bulk_create and INSERT … SELECT: the services' row-by-row writes would take
hours at this scale."""

import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCALE = {
    "customers": 200_000,
    "loans": 1_000_000,
    "loans_out": 10_000,
    "read_logs": 500_000,
    "notifications": 200_000,
    "read_requests": 20_000,
    "destruction_lists": 1_000,
    "interactions": 400_000,
    "follow_ups": 200_000,
}
# The sales force: the demo's three and as many more, so a person owns a few thousand customers and
# borrows a share of the loans, as in a company of this size (three people owning 200,000 would
# make every per-person page measure an unrealistic book of business).
SALES_PEOPLE = 60
FORMAL_SHARE = 0.75  # of the dossiers; the rest are still being filed
CABINET_POSITIONS = 30_000


def setup(database: str = "crm_bench") -> None:
    """Point Django at the bench database (DATABASE_URL wins), create it if needed, migrate."""
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{database}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_archive.settings_test")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    # The shared cache of production (docs/operations.md): sessions are read from it.
    os.environ.setdefault("CACHE_URL", "rediscache://127.0.0.1:6379/5")
    # What a page costs to draw, every time: no page kept for its reader (crm_archive.page_cache);
    # bench/throughput.py measures both.
    os.environ.setdefault("PAGE_CACHE_SECONDS", "0")
    _create_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _create_database(url: str) -> None:
    import psycopg2

    name = url.rsplit("/", 1)[-1]
    connection = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def _say(text: str) -> None:
    print(text, flush=True)


def _bulk(model, rows, *, batch: int = 10_000) -> int:
    """bulk_create an iterable in batches; returns how many were written."""
    written, chunk = 0, []
    for row in rows:
        chunk.append(row)
        if len(chunk) == batch:
            model.objects.bulk_create(chunk)
            written += len(chunk)
            chunk = []
    if chunk:
        model.objects.bulk_create(chunk)
        written += len(chunk)
    return written


def _history(model, *, history_type: str, date_column: str, user_column: str | None, where: str = "TRUE") -> None:
    """Write one historical row per row of `model` matching `where` (SQL on the model's table), as
    simple-history does on save: the tracked columns, when, what and who."""
    from django.db import connection

    historical = model.history.model
    tracked = [
        field.column
        for field in historical._meta.concrete_fields
        if not field.name.startswith("history_") and field.column != "id"
    ]
    columns = ", ".join(["id", *tracked])
    user = f"t.{user_column}" if user_column else "NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {historical._meta.db_table} ({columns}, history_date, history_type, history_user_id, "
            f"history_change_reason) SELECT {', '.join('t.' + c for c in ['id', *tracked])}, t.{date_column}, "
            f"%s, {user}, NULL FROM {model._meta.db_table} t WHERE {where}",
            [history_type],
        )


def _analyze() -> None:
    """Statistics for the planner, and the visibility map an index-only scan needs (what autovacuum
    keeps up on a live database)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def ensure(scale: dict | None = None) -> dict:
    """Fill what is missing; return the demo people by username (their password: demo-2026)."""
    from accounts.demo import seed_people

    # BENCH_SCALE=0.01 fills a hundredth, to try a bench script quickly.
    factor = float(os.environ.get("BENCH_SCALE", "1"))
    scale = {key: max(int(value * factor), 1) for key, value in {**SCALE, **(scale or {})}.items()}
    people = _people(seed_people)
    people["sales"] = _sales_force(people)
    started = time.perf_counter()
    steps = [
        _customers,
        _dossiers,
        _loans,
        _reads,
        _notifications,
        _read_requests,
        _destruction,
        _relationship,
    ]
    filled = False
    for step in steps:
        filled |= bool(step(people, scale))
    if filled:
        _analyze()
        _say(f"bench data ready in {time.perf_counter() - started:.0f} s")
    return people


def _people(seed_people) -> dict:
    """The demo people, seeded once: seeding again resets their passwords, which would sign out
    the sessions of a bench running beside this one (bench/throughput.py's)."""
    from accounts.demo import PEOPLE
    from accounts.models import User

    usernames = [row[0] for row in PEOPLE] + ["admin"]
    people = {user.username: user for user in User.objects.filter(username__in=usernames)}
    return people if len(people) == len(usernames) else seed_people()


def _sales_force(people) -> list:
    """sales1..3 and SALES_PEOPLE more, half in each sales department."""
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.roles import Role

    group = Group.objects.get(name=Role.SALES)
    departments = [people["sales1"].department_id, people["sales3"].department_id]
    force = [people["sales1"], people["sales2"], people["sales3"]]
    for number in range(1, SALES_PEOPLE + 1):
        user, created = User.objects.get_or_create(
            username=f"bench{number:02d}",
            defaults={"last_name": "员工", "first_name": f"{number:02d}", "department_id": departments[number % 2]},
        )
        if created:
            user.groups.add(group)
        force.append(user)
    return force


def _customers(people, scale) -> bool:
    from django.utils import timezone

    from customers.models import (
        Contact,
        CreditStatus,
        Customer,
        CustomerCategory,
        CustomerGrade,
        EnterpriseType,
        SecrecyTier,
    )

    have = Customer.objects.count()
    if have >= scale["customers"]:
        return False
    started = time.perf_counter()
    rng = random.Random(have)
    owners = people["sales"]
    tiers = [SecrecyTier.COMPANY, SecrecyTier.DEPARTMENT, SecrecyTier.PERSONAL, SecrecyTier.PERSONAL]
    now = timezone.now()

    def customers():
        for number in range(have, scale["customers"]):
            owner = owners[number % len(owners)]
            customer = Customer(
                name=f"基准客户{number:07d}",
                owner=owner,
                department_id=owner.department_id,
                secrecy_tier=SecrecyTier.TOP_SECRET if number % 97 == 0 else tiers[number % 4],
                category=rng.choice(list(CustomerCategory)),
                grade=rng.choice(list(CustomerGrade)),
                region=rng.choice(["华东", "华北", "华南", "西南", "东北"]),
                industry=rng.choice(["电子", "机械制造", "通信", "物流", "金融"]),
                phone=f"0{rng.randint(10, 99)}-{rng.randint(10000000, 99999999)}",
                address=f"某市某路{number % 999}号" if number % 3 else "",
                legal_representative=f"法人{number % 5000}" if number % 4 else "",
                enterprise_type=rng.choice(list(EnterpriseType)) if number % 5 else "",
                credit_status=rng.choice(list(CreditStatus)),
                employees=rng.randint(5, 5000) if number % 2 else None,
                grade_reviewed_on=(now - timedelta(days=number % 900)).date(),
                created_at=now - timedelta(days=3000 - number * 2900 // scale["customers"], minutes=number % 1440),
            )
            customer.completeness = customer.completeness_score()
            yield customer

    _bulk(Customer, customers())
    Contact.objects.bulk_create(
        [
            Contact(customer_id=pk, name=f"联系人{pk}", mobile=f"13{pk:09d}")
            for pk in Customer.objects.values_list("pk", flat=True).filter(contacts__isnull=True)
        ],
        batch_size=10_000,
    )
    _history(Customer, history_type="+", date_column="created_at", user_column="owner_id")
    _say(f"filled {scale['customers'] - have} customers in {time.perf_counter() - started:.0f} s")
    return True


def _dossiers(people, scale) -> bool:
    from django.conf import settings
    from django.utils import timezone

    from customers.models import Customer
    from dossiers.models import (
        ArchiveNumberCounter,
        Cabinet,
        Dossier,
        DossierCustody,
        DossierStatus,
        RetentionPeriod,
    )

    if Dossier.objects.exists():
        return False
    started = time.perf_counter()
    retention = RetentionPeriod.objects.get(code="D10")
    clerk = people["clerk"]
    now, today = timezone.now(), timezone.localdate()
    customer_ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    formal_count = int(len(customer_ids) * FORMAL_SHARE)
    cabinets = [
        Cabinet.objects.get_or_create(
            code=f"B{number:02d}", defaults={"place": "基准库房", "positions": CABINET_POSITIONS}
        )[0]
        for number in range(formal_count // CABINET_POSITIONS + 1)
    ]
    sequences: dict[int, int] = {}

    def dossiers():
        for index, customer_id in enumerate(customer_ids):
            opened = today - timedelta(days=index % 6000 + 40)
            if index < formal_count:
                year = 2008 + index % 18
                sequences[year] = sequences.get(year, 0) + 1
                yield Dossier(
                    customer_id=customer_id,
                    status=DossierStatus.FORMAL,
                    custody=DossierCustody.IN_CABINET,
                    retention=retention,
                    opened_on=opened,
                    opened_by=clerk,
                    completion_received_on=opened + timedelta(days=20),
                    promotion_due_on=opened + timedelta(days=27),
                    promoted_at=now - timedelta(days=index % 6000),
                    promoted_by=clerk,
                    archive_number=f"{settings.ARCHIVE_FONDS_CODE}-{year}-D10-{sequences[year]:04d}",
                    filing_year=year,
                    cabinet=cabinets[index // CABINET_POSITIONS],
                    position=index % CABINET_POSITIONS + 1,
                )
            else:
                received = index % 2 == 0
                yield Dossier(
                    customer_id=customer_id,
                    status=DossierStatus.COMPLETION_RECEIVED if received else DossierStatus.TEMPORARY,
                    custody=DossierCustody.FILING,
                    retention=retention,
                    opened_on=today - timedelta(days=index % 60 + 10),
                    opened_by=clerk,
                    completion_received_on=today - timedelta(days=index % 10) if received else None,
                    promotion_due_on=today - timedelta(days=index % 10) + timedelta(days=7) if received else None,
                )

    _bulk(Dossier, dossiers())
    ArchiveNumberCounter.objects.bulk_create(
        ArchiveNumberCounter(year=year, retention_code="D10", last_sequence=last) for year, last in sequences.items()
    )
    _history(
        Dossier,
        history_type="+",
        date_column="promoted_at",
        user_column="opened_by_id",
        where="t.promoted_at IS NOT NULL",
    )
    _history(
        Dossier,
        history_type="+",
        date_column="opened_on::timestamptz",
        user_column="opened_by_id",
        where="t.promoted_at IS NULL",
    )
    _say(f"filled {len(customer_ids)} dossiers in {time.perf_counter() - started:.0f} s")
    return True


def _loans(people, scale) -> bool:
    """Loans over the last six years, a photocopy in five; the newest `loans_out` still out (nine in
    ten originals, one in ten photocopies whose copies are out), most of them overdue."""
    from django.utils import timezone

    from dossiers.models import Dossier, DossierCustody, DossierStatus
    from lending.models import Loan, LoanKind, LoanStatus, PhotocopyRecord

    have = Loan.objects.count()
    if have >= scale["loans"]:
        return False
    if have:
        sys.exit(f"the bench database holds {have} loans of a different fill: drop it and run again")
    started = time.perf_counter()
    rng = random.Random(7)
    clerk, archmgr = people["clerk"], people["archmgr"]
    borrowers = [*people["sales"], *(people[name] for name in ("deptmgr1", "deptmgr2", "csmgr"))]
    formal = list(
        Dossier.objects.filter(status=DossierStatus.FORMAL, filing_year__gte=2016)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    now = timezone.now().replace(microsecond=0)
    total, out = scale["loans"], scale["loans_out"]
    closed = total - out
    span = 6 * 365 * 24 * 3600  # closed loans spread over six years, oldest first

    def loans():
        for number in range(total):
            borrower = borrowers[number % len(borrowers)]
            kind = LoanKind.PHOTOCOPY if number % 5 == 0 else LoanKind.BORROW
            if number < closed:
                issued = now - timedelta(days=70) - timedelta(seconds=span * (closed - number) // closed)
                dossier_id = formal[number % len(formal)]
                status = LoanStatus.CLOSED
            else:
                index = number - closed
                issued = now - timedelta(seconds=60 * 24 * 3600 * (out - index) // out)
                dossier_id = formal[index]  # one original out per dossier
                status = LoanStatus.COPIES_OUT if kind == LoanKind.PHOTOCOPY and index % 2 else LoanStatus.ISSUED
            returned = issued + timedelta(hours=2)
            loan = Loan(
                kind=kind,
                status=status,
                dossier_id=dossier_id,
                borrower=borrower,
                department_id=borrower.department_id,
                content=rng.choice(["参数表", "合同", "竣工图", "验收报告", "往来函件"]),
                purpose=rng.choice(["售后", "审计", "投标", "合同续签"]),
                requested_at=issued - timedelta(hours=3),
                archive_approved_by=archmgr,
                archive_approved_at=issued - timedelta(hours=1),
                issued_at=issued,
                issued_by=clerk,
                due_at=issued + timedelta(hours=4),
                borrower_confirmed_at=issued + timedelta(minutes=1),
                pages_out=rng.randint(5, 80),
            )
            if status != LoanStatus.ISSUED:
                loan.original_returned_at = returned
                loan.original_complete = True
                loan.original_received_by = clerk
                loan.pages_returned = loan.pages_out
            if status == LoanStatus.CLOSED:
                loan.returned_at = returned + timedelta(days=3) if kind == LoanKind.PHOTOCOPY else returned
                loan.returned_complete = True
                loan.closed_by = clerk
            yield loan

    _bulk(Loan, loans())
    copies = (
        PhotocopyRecord(
            loan_id=loan_id,
            copied_content=content,
            pages=pages,
            copies=1,
            copied_at=issued + timedelta(minutes=30),
            registered_by=clerk,
            copies_due_on=(issued + timedelta(days=7)).date(),
            copies_signed_at=issued + timedelta(minutes=40),
            copies_returned_at=None if status == LoanStatus.COPIES_OUT else issued + timedelta(days=3),
            copies_complete=None if status == LoanStatus.COPIES_OUT else True,
        )
        for loan_id, content, pages, issued, status in Loan.objects.filter(kind=LoanKind.PHOTOCOPY)
        .order_by()
        .values_list("pk", "content", "pages_out", "issued_at", "status")
        .iterator(chunk_size=20_000)
    )
    _bulk(PhotocopyRecord, copies)
    originals_out = Loan.objects.filter(status=LoanStatus.ISSUED, reference_copy__isnull=True)
    for borrower in borrowers:
        Dossier.objects.filter(pk__in=originals_out.filter(borrower=borrower).values("dossier_id")).update(
            custody=DossierCustody.ON_LOAN, custody_holder=borrower
        )
    _history(Loan, history_type="+", date_column="requested_at", user_column="borrower_id")
    _history(Loan, history_type="~", date_column="issued_at", user_column="issued_by_id", where="t.status = 'issued'")
    _say(f"filled {total} loans ({out} out) in {time.perf_counter() - started:.0f} s")
    return True


def _reads(people, scale) -> bool:
    from django.utils import timezone

    from customers.models import Customer, CustomerReadLog

    if CustomerReadLog.objects.count() >= scale["read_logs"]:
        return False
    started = time.perf_counter()
    readers = [*people["sales"], *(people[name] for name in ("deptmgr1", "gm", "mktdir", "clerk"))]
    first, last = Customer.objects.order_by("pk").values_list("pk", flat=True)[:1][0], Customer.objects.latest("pk").pk
    rng = random.Random(3)
    now = timezone.now()
    count = scale["read_logs"]
    _bulk(
        CustomerReadLog,
        (
            CustomerReadLog(
                user=readers[number % len(readers)],
                customer_id=rng.randint(first, last),
                read_at=now - timedelta(seconds=(count - number) * 120),
                what=rng.choice(["profile", "profile", "dossier", "document"]),
            )
            for number in range(count)
        ),
    )
    _say(f"filled {count} read-log rows in {time.perf_counter() - started:.0f} s")
    return True


def _notifications(people, scale) -> bool:
    from django.utils import timezone

    from accounts.models import Notification

    if Notification.objects.count() >= scale["notifications"]:
        return False
    started = time.perf_counter()
    recipients = [people[name] for name in ("gm", "archmgr", "clerk", "sales1", "deptmgr1")]
    now = timezone.now()
    count = scale["notifications"]
    _bulk(
        Notification,
        (
            Notification(
                recipient=recipients[number % len(recipients)],
                message=f"借阅 J{number:06d} 已逾期，请催还。",
                link=f"/lending/{number + 1}/",
                read_at=None if number > count - 2000 else now,
            )
            for number in range(count)
        ),
    )
    # auto_now_add wrote "now" on every row: spread them over the past as they arrived.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_notification SET created_at = now() - ((SELECT max(id) FROM accounts_notification) - id)"
            " * interval '5 minutes'"
        )
    _say(f"filled {count} notifications in {time.perf_counter() - started:.0f} s")
    return True


def _read_requests(people, scale) -> bool:
    """Requests to read customers outside one's tier: most approved long ago (their grant expired),
    some refused, a few waiting for their approver."""
    from django.contrib.auth.models import Permission
    from django.utils import timezone

    from customers.models import Customer, CustomerAccessGrant, SecrecyTier
    from dossiers.models import ReadRequest, ReadRequestStatus

    if ReadRequest.objects.count() >= scale["read_requests"]:
        return False
    started = time.perf_counter()
    permission = Permission.objects.get(codename="view_customer", content_type__app_label="customers")
    requesters = people["sales"][:3]
    # Someone asks to read another sales person's personal-tier customer.
    targets, asking = [], []
    for pk, owner_id in (
        Customer.objects.filter(secrecy_tier=SecrecyTier.PERSONAL)
        .order_by("pk")
        .values_list("pk", "owner_id")[: scale["read_requests"]]
    ):
        targets.append(pk)
        asking.append(next(person for person in requesters if person.pk != owner_id))
    now = timezone.now()
    count = len(targets)
    grants = CustomerAccessGrant.objects.bulk_create(
        CustomerAccessGrant(
            user=asking[number],
            content_object_id=targets[number],
            permission=permission,
            granted_at=now - timedelta(days=(count - number) // 20 + 30),
            expires_at=now - timedelta(days=(count - number) // 20 + 28),
            granted_by=people["deptmgr1"],
            reference=f"CY{number + 1:06d}",
        )
        for number in range(count)
        if number % 10 < 8
    )
    grant_of = {grant.content_object_id: grant for grant in grants}
    _bulk(
        ReadRequest,
        (
            ReadRequest(
                customer_id=targets[number],
                requester=asking[number],
                department_id=asking[number].department_id,
                content="客户档案",
                purpose="项目投标",
                status=ReadRequestStatus.APPROVED
                if number % 10 < 8
                else (ReadRequestStatus.REJECTED if number < count - 50 else ReadRequestStatus.REQUESTED),
                requested_at=now - timedelta(days=(count - number) // 20 + 30),
                decided_at=None
                if number >= count - 50 and number % 10 >= 8
                else now - timedelta(days=(count - number) // 20 + 29),
                grant=grant_of.get(targets[number]),
            )
            for number in range(count)
        ),
    )
    _say(f"filled {count} read requests in {time.perf_counter() - started:.0f} s")
    return True


def _destruction(people, scale) -> bool:
    """Destroyed lists of expired dossiers (filed before 2016, kept ten years), each with its
    items; the newest few lists still being drafted."""
    from django.utils import timezone

    from destruction.models import DestructionItem, DestructionList, ItemStatus, ListStatus
    from dossiers.models import Dossier, DossierCustody, DossierStatus

    if DestructionList.objects.count() >= scale["destruction_lists"]:
        return False
    started = time.perf_counter()
    per_list = 20
    count = scale["destruction_lists"]
    expired = list(
        Dossier.objects.filter(status=DossierStatus.FORMAL, filing_year__lt=2016)
        .select_related("retention")
        .order_by("filing_year", "pk")
        .values_list("pk", "archive_number", "filing_year")[: count * per_list]
    )
    now = timezone.now()
    department = people["sales1"].department
    drafted = []
    for number in range(count):
        destroyed = number < count - 10
        day = now - timedelta(days=(count - number) * 2 + 200)
        drafted.append(
            DestructionList(
                department=department,
                status=ListStatus.DESTROYED if destroyed else ListStatus.DRAFT,
                drafted_by=people["clerk"],
                drafted_at=day,
                submitted_at=day if destroyed else None,
                cs_appraised_by=people["csmgr"] if destroyed else None,
                department_appraised_by=people["deptmgr1"] if destroyed else None,
                approved_by=people["custdir"] if destroyed else None,
                approved_on=day.date() if destroyed else None,
                hold_until=(day + timedelta(days=182)).date() if destroyed else None,
                verified_by=people["archmgr"] if destroyed else None,
                verified_at=day + timedelta(days=183) if destroyed else None,
                destroyed_on=(day + timedelta(days=184)).date() if destroyed else None,
                place="碎纸室" if destroyed else "",
                method="粉碎" if destroyed else "",
                supervisor=people["gm"] if destroyed else None,
            )
        )
    lists = DestructionList.objects.bulk_create(drafted)
    items = []
    for index, (dossier_id, archive_number, year) in enumerate(expired):
        destruction_list = lists[index // per_list]
        items.append(
            DestructionItem(
                destruction_list=destruction_list,
                dossier_id=dossier_id,
                status=ItemStatus.DESTROYED if destruction_list.status == ListStatus.DESTROYED else ItemStatus.PROPOSED,
                title=f"客户档案 {archive_number}",
                archive_number=archive_number,
                year=year,
                retention="定期10年",
                retention_due_on=datetime(year + 11, 1, 1).date(),
                pages=40,
            )
        )
    DestructionItem.objects.bulk_create(items, batch_size=10_000)
    destroyed_ids = [item.dossier_id for item in items if item.status == ItemStatus.DESTROYED]
    Dossier.objects.filter(pk__in=destroyed_ids).update(
        status=DossierStatus.DESTROYED, custody=DossierCustody.DESTROYED, destroyed_at=now - timedelta(days=100)
    )
    _history(DestructionList, history_type="+", date_column="drafted_at", user_column="drafted_by_id")
    _say(f"filled {count} destruction lists, {len(items)} items in {time.perf_counter() - started:.0f} s")
    return True


def _relationship(people, scale) -> bool:
    """Interactions (two per customer, some entered late), follow-ups from the first plan (a quarter
    still open, some missed), a few pending grade changes and correction requests."""
    from django.utils import timezone

    from customers.models import (
        CorrectionRequest,
        Customer,
        FollowUp,
        FollowUpPlan,
        GradeChange,
        Interaction,
    )

    if Interaction.objects.count() >= scale["interactions"]:
        return False
    started = time.perf_counter()
    now = timezone.now()
    today = timezone.localdate()
    customers = list(Customer.objects.order_by("pk").values_list("pk", "owner_id", "grade"))
    count = scale["interactions"]
    _bulk(
        Interaction,
        (
            Interaction(
                customer_id=customers[number % len(customers)][0],
                recorded_by_id=customers[number % len(customers)][1],
                occurred_at=now - timedelta(minutes=(count - number) * 3),
                created_at=now - timedelta(minutes=(count - number) * 3) + timedelta(days=2 if number % 7 == 0 else 0),
                topic="电话回访",
                channel="phone",
                next_action="发送报价" if number % 4 == 0 else "",
                next_action_on=(now - timedelta(minutes=(count - number) * 3)).date() + timedelta(days=7)
                if number % 4 == 0
                else None,
            )
            for number in range(count)
        ),
    )
    plan = FollowUpPlan.objects.order_by("pk").first()
    if plan is None:
        plan = FollowUpPlan.objects.create(name="基准回访", event="profile", days="3,30,60")
    follow = scale["follow_ups"]
    _bulk(
        FollowUp,
        (
            FollowUp(
                customer_id=customers[number % len(customers)][0],
                assigned_to_id=customers[number % len(customers)][1],
                plan=plan,
                event_key="profile",
                event_on=today - timedelta(days=(follow - number) // 100),
                sequence=number // len(customers) + 1,
                due_on=today - timedelta(days=(follow - number) // 100) + timedelta(days=30),
                done_at=None if number > follow * 3 // 4 else now - timedelta(days=(follow - number) // 100),
            )
            for number in range(follow)
        ),
    )
    GradeChange.objects.bulk_create(
        GradeChange(
            customer_id=pk,
            from_grade=grade,
            to_grade="A" if grade != "A" else "B",
            reason="年度复评",
            requested_by_id=owner,
        )
        for pk, owner, grade in customers[:: len(customers) // 2000]
    )
    CorrectionRequest.objects.bulk_create(
        CorrectionRequest(customer_id=pk, requested_by=people["clerk"], addressed_to_id=owner, note="请补充地址")
        for pk, owner, _grade in customers[1 :: len(customers) // 2000]
    )
    _history(FollowUp, history_type="+", date_column="created_at", user_column="assigned_to_id")
    _say(f"filled interactions, follow-ups and profile requests in {time.perf_counter() - started:.0f} s")
    return True


if __name__ == "__main__":
    setup()
    ensure()
