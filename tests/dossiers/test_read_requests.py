"""查阅申请: someone outside a customer's tier asks to read it — profile only, some document types
or the whole dossier, in whatever state it is — approved along its chain (requester's department
manager → tier manager → general manager), then reads it through the request's own grant until
the end of the working days asked for; every read is logged against the request (SPEC §4, §9)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Notification
from accounts.roles import Role
from approvals.models import ApprovalStep, ApprovalTask, RequestKind, TaskStatus
from approvals.selectors import approval_timeline
from customers.models import Customer, CustomerReadLog, SecrecyTier
from dossiers import services
from dossiers.models import Document, ReadRequest, ReadRequestScope, ReadRequestStatus
from dossiers.permissions import documents_readable_by
from tests.conftest import PDF_BYTES
from tests.customers.html import errors, messages
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of June 2026 in Shanghai (the 10th is a Wednesday, the 12th a Friday)."""
    return datetime(2026, 6, day, hour, minute, tzinfo=SHANGHAI)


WEDNESDAY_10 = at(10, 10)


@pytest.fixture(autouse=True)
def wednesday_morning():
    """Every test here starts at 10:00 on a Wednesday; tests that need another moment travel on."""
    with time_machine.travel(WEDNESDAY_10, tick=False) as clock:
        yield clock


@pytest.fixture
def people(archive, make_user):
    """Besides the archive's people: a sales person of another department ("outsider") and their
    manager, and a third department with its manager and a sales person of its own."""
    people = archive["people"]
    service, east = DepartmentFactory(code="service", name="服务部"), DepartmentFactory(code="east", name="华东部")
    people["outsider"] = make_user(Role.SALES, department=service, username="outsider")
    people["outsider_manager"] = make_user(Role.DEPARTMENT_MANAGER, department=service, username="servicemgr")
    people["third_manager"] = make_user(Role.DEPARTMENT_MANAGER, department=east, username="eastmgr")
    people["stranger"] = make_user(Role.SALES, department=east, username="stranger")
    return people


def customer_page(customer) -> str:
    return reverse("customers:detail", args=[customer.pk])


def dossier_page(dossier) -> str:
    return reverse("dossiers:detail", args=[dossier.pk])


def scan_url(document) -> str:
    return reverse("dossiers:document_scan", args=[document.pk])


def request_page(read_request) -> str:
    return reverse("dossiers:read_request", args=[read_request.pk])


def ask(client, customer_ref, /, **fields):
    """File a 查阅申请 through the form page (`fields` may override any field, customer_ref too)."""
    data = {
        "customer_ref": customer_ref,
        "scope": ReadRequestScope.WHOLE,
        "content": "客户资料和合同",
        "purpose": "跨部门合作报价",
        "working_days": 1,
        **fields,
    }
    return client.post(reverse("dossiers:read_request_create"), data)


def decide(client, read_request, decision="approve", comment=""):
    """Sign the request's due step through its page; returns the page it leads back to."""
    return client.post(
        reverse("dossiers:read_request_decide", args=[read_request.pk]),
        {"decision": decision, "comment": comment},
        follow=True,
    )


def file_request(requester, customer, *, scope=ReadRequestScope.WHOLE, working_days=1, document_types=()):
    return services.read_request_create(
        requester=requester,
        customer=customer,
        scope=scope,
        content="客户资料",
        purpose="报价",
        working_days=working_days,
        document_types=document_types,
    )


def approve_along(read_request, *approvers) -> ReadRequest:
    for approver in approvers:
        read_request = services.read_request_decide(read_request, by=approver, approve=True)
    return read_request


def the_whole_chain(people):
    """The default chain of a personal-tier customer for the outsider."""
    return people["outsider_manager"], people["manager"], people["general_manager"]


def steps(read_request) -> list[tuple[str, str, str]]:
    """(step, status, signer) of each step of the request's chain, in order."""
    return [
        (task.step_role, task.status, task.decided_by.username if task.decided_by else "")
        for task in approval_timeline(RequestKind.READ, read_request.pk)
    ]


def scanned(document) -> Document:
    document.scan.save("x.pdf", SimpleUploadedFile("x.pdf", PDF_BYTES))
    Document.objects.filter(pk=document.pk).update(scan_content_type="application/pdf")
    return document


# 1. The whole flow, through the pages, and when the grant ends.


@pytest.mark.parametrize("dossier_state", ["temporary", "no dossier"])
def test_another_departments_sales_person_reads_a_customer_once_the_whole_chain_approved(
    dossier_state, wednesday_morning, archive, people, open_dossier, client_for
):
    if dossier_state == "temporary":
        dossier = open_dossier(SecrecyTier.PERSONAL)
        customer = dossier.customer
    else:
        dossier = None
        customer = Customer.objects.create(
            name="尚未建档客户", owner=people["owner"], department=people["owner"].department
        )
    outsider = people["outsider"]
    assert client_for(outsider).get(customer_page(customer)).status_code == 404

    response = ask(client_for(outsider), customer.name)
    read_request = ReadRequest.objects.get()
    assert response.status_code == 302 and response.url == request_page(read_request)
    assert read_request.number == f"CY{read_request.pk:06d}"
    assert read_request.status == ReadRequestStatus.REQUESTED

    # The outsider's manager, the owner's department manager (the personal tier's manager), then
    # the general manager; the customer stays closed until the last one signed.
    for approver in ("outsider_manager", "manager", "general_manager"):
        assert client_for(outsider).get(customer_page(customer)).status_code == 404
        if dossier is not None:
            assert client_for(outsider).get(dossier_page(dossier)).status_code == 404
        page = decide(client_for(people[approver]), read_request)
        assert page.status_code == 200 and "已审批。" in messages(page.content.decode())
    read_request.refresh_from_db()
    assert read_request.status == ReadRequestStatus.APPROVED
    assert [signer for _step, _status, signer in steps(read_request)] == ["servicemgr", "manager", "gm"]
    assert Notification.objects.filter(recipient=outsider, message__contains="已批准").exists()

    page = client_for(outsider).get(customer_page(customer))
    assert page.status_code == 200
    assert f'data-read-through="{read_request.number}"' in page.content.decode()
    assert "有效至 2026-06-10 17:30" in page.content.decode()
    if dossier is not None:
        assert client_for(outsider).get(dossier_page(dossier)).status_code == 200

    wednesday_morning.move_to(at(10, 17, 31))
    assert client_for(outsider).get(customer_page(customer)).status_code == 404
    if dossier is not None:
        assert client_for(outsider).get(dossier_page(dossier)).status_code == 404
    assert "已到期" in client_for(outsider).get(request_page(read_request)).content.decode()


@pytest.mark.parametrize(
    ("approved_at", "working_days", "ends_at"),
    [
        (at(10, 10), 1, at(10, 17, 30)),  # Wednesday morning: that Wednesday's end of day
        (at(10, 18), 1, at(11, 17, 30)),  # Wednesday after hours: Thursday's
        (at(10, 17, 30), 1, at(11, 17, 30)),  # the day is over at 17:30 sharp
        (at(12, 18), 1, at(15, 17, 30)),  # Friday after hours: Monday's
        (at(13, 11), 1, at(15, 17, 30)),  # Saturday: Monday's
        (at(12, 10), 3, at(16, 17, 30)),  # Friday, Monday, Tuesday
    ],
    ids=["wed-10:00", "wed-18:00", "wed-17:30", "fri-18:00", "sat-11:00", "fri-10:00-for-3"],
)
def test_the_grant_ends_with_the_last_working_day_asked_for(
    approved_at, working_days, ends_at, wednesday_morning, archive, people, client_for
):
    customer = archive["customers"][SecrecyTier.PERSONAL]
    wednesday_morning.move_to(approved_at)
    read_request = approve_along(
        file_request(people["outsider"], customer, working_days=working_days), *the_whole_chain(people)
    )
    assert read_request.grant.expires_at == ends_at
    client = client_for(people["outsider"])
    assert ends_at.strftime("%Y-%m-%d %H:%M") in client.get(request_page(read_request)).content.decode()

    # Signed in afresh after each move: a session ends after hours without a request.
    wednesday_morning.move_to(ends_at - timedelta(minutes=1))
    assert client_for(people["outsider"]).get(customer_page(customer)).status_code == 200
    wednesday_morning.move_to(ends_at)
    assert client_for(people["outsider"]).get(customer_page(customer)).status_code == 404


def test_the_last_approval_not_the_request_starts_the_working_days(wednesday_morning, archive, people):
    read_request = file_request(people["outsider"], archive["customers"][SecrecyTier.PERSONAL])
    read_request = approve_along(read_request, people["outsider_manager"], people["manager"])
    wednesday_morning.move_to(at(12, 18))  # the general manager signs on Friday evening
    read_request = approve_along(read_request, people["general_manager"])
    assert read_request.grant.expires_at == at(15, 17, 30)


def test_each_next_approver_is_told_when_their_step_falls_due(archive, people):
    read_request = file_request(people["outsider"], archive["customers"][SecrecyTier.PERSONAL])

    def told(person):
        return Notification.objects.filter(recipient=people[person], message__contains=read_request.number).exists()

    assert told("outsider_manager") and not told("manager") and not told("general_manager")
    approve_along(read_request, people["outsider_manager"])
    assert told("manager") and not told("general_manager")
    approve_along(read_request, people["manager"])
    assert told("general_manager")


# Chains: identical steps merge; a manager has no department manager above them.


def test_a_colleague_of_the_owner_needs_their_shared_manager_only_once(archive, people):
    read_request = file_request(people["colleague"], archive["customers"][SecrecyTier.PERSONAL])
    assert [(step, status) for step, status, _signer in steps(read_request)] == [
        ("requester_department_manager", TaskStatus.WAITING),
        ("general_manager", TaskStatus.QUEUED),
    ]
    read_request = approve_along(read_request, people["manager"], people["general_manager"])
    assert read_request.status == ReadRequestStatus.APPROVED


def test_a_department_manager_skips_the_requesters_department_manager_step(archive, people):
    read_request = file_request(people["third_manager"], archive["customers"][SecrecyTier.PERSONAL])
    assert [step for step, _status, _signer in steps(read_request)] == ["tier_manager", "general_manager"]
    read_request = approve_along(read_request, people["manager"], people["general_manager"])
    assert read_request.status == ReadRequestStatus.APPROVED


# 2. Who may sign which step; a refusal.


def test_the_requester_cannot_sign_their_own_request(archive, people, client_for):
    read_request = file_request(people["outsider"], archive["customers"][SecrecyTier.PERSONAL])
    page = decide(client_for(people["outsider"]), read_request)
    assert page.status_code == 200 and "不能审批自己的申请。" in messages(page.content.decode())
    assert [status for _step, status, _signer in steps(read_request)][0] == TaskStatus.WAITING


def test_a_manager_of_a_third_department_cannot_sign_nor_see_the_request(archive, people, client_for):
    read_request = file_request(people["outsider"], archive["customers"][SecrecyTier.PERSONAL])
    client = client_for(people["third_manager"])
    assert client.get(request_page(read_request)).status_code == 404
    assert decide(client, read_request).status_code == 404
    assert not ApprovalTask.objects.filter(request_id=read_request.pk, decided_by__isnull=False).exists()


def test_the_general_manager_cannot_sign_before_the_steps_before_theirs(archive, people, client_for):
    read_request = file_request(people["outsider"], archive["customers"][SecrecyTier.PERSONAL])
    page = decide(client_for(people["general_manager"]), read_request)
    assert page.status_code == 200 and "此申请当前不需要您审批，或您已审批过。" in messages(page.content.decode())
    assert [status for _step, status, _signer in steps(read_request)] == [
        TaskStatus.WAITING,
        TaskStatus.QUEUED,
        TaskStatus.QUEUED,
    ]


def test_nobody_signs_twice_in_one_chain(archive, people, client_for):
    read_request = file_request(people["outsider"], archive["customers"][SecrecyTier.PERSONAL])
    client = client_for(people["outsider_manager"])
    assert "已审批。" in messages(decide(client, read_request).content.decode())
    page = decide(client, read_request)
    assert page.status_code == 200 and "同一人不能签署两次" in " ".join(messages(page.content.decode()))
    assert [signer for _step, _status, signer in steps(read_request)] == ["servicemgr", "", ""]


def test_a_refusal_needs_a_reason_then_ends_the_request_and_skips_the_rest(archive, people, client_for):
    customer = archive["customers"][SecrecyTier.PERSONAL]
    read_request = file_request(people["outsider"], customer)
    approve_along(read_request, people["outsider_manager"])

    page = decide(client_for(people["manager"]), read_request, "reject", "  ")
    assert page.status_code == 200 and "请写明不同意的原因。" in messages(page.content.decode())
    read_request.refresh_from_db()
    assert read_request.status == ReadRequestStatus.REQUESTED

    page = decide(client_for(people["manager"]), read_request, "reject", "与本部门业务无关")
    assert page.status_code == 200 and '<span class="tag" data-status="rejected">' in page.content.decode()
    read_request.refresh_from_db()
    assert read_request.status == ReadRequestStatus.REJECTED and read_request.grant is None
    assert [status for _step, status, _signer in steps(read_request)] == [
        TaskStatus.APPROVED,
        TaskStatus.REJECTED,
        TaskStatus.SKIPPED,
    ]
    assert Notification.objects.filter(recipient=people["outsider"], message__contains="与本部门业务无关").exists()
    page = decide(client_for(people["general_manager"]), read_request)
    assert page.status_code == 200 and "不能审批" in " ".join(messages(page.content.decode()))
    assert client_for(people["outsider"]).get(customer_page(customer)).status_code == 404


def test_the_decide_page_answers_junk_with_a_message(archive, people, client_for):
    read_request = file_request(people["outsider"], archive["customers"][SecrecyTier.PERSONAL])
    client = client_for(people["outsider_manager"])
    # Control characters are cleaned away (leaving no reason), a 100k paste is too long, and an
    # unknown decision is a refusal, which needs a reason.
    for decision, comment, message in [
        ("reject", "\x00\x01", "请写明不同意的原因。"),
        ("approve", "长" * 100_000, "不超过 300 字符"),
        ("maybe", "", "请写明不同意的原因。"),
    ]:
        page = decide(client, read_request, decision, comment)
        assert page.status_code == 200
        assert message in " ".join(messages(page.content.decode())), decision
    read_request.refresh_from_db()
    assert read_request.status == ReadRequestStatus.REQUESTED
    assert [status for _step, status, _signer in steps(read_request)][0] == TaskStatus.WAITING


# 3. The read log says which request a read went through.


def test_reads_through_a_request_are_logged_against_it_and_reads_by_tier_against_nothing(
    archive, people, open_dossier, file_document, client_for
):
    dossier = open_dossier(SecrecyTier.PERSONAL)
    document = scanned(file_document(dossier, "客户基本资料表"))
    customer = dossier.customer
    read_request = approve_along(file_request(people["outsider"], customer), *the_whole_chain(people))

    client = client_for(people["outsider"])
    assert client.get(customer_page(customer)).status_code == 200
    assert client.get(dossier_page(dossier)).status_code == 200
    assert client.get(scan_url(document)).status_code == 200
    logged = CustomerReadLog.objects.filter(user=people["outsider"], customer=customer)
    assert sorted(logged.values_list("what", "through")) == sorted(
        [
            ("profile", read_request.number),
            (f"dossier:{dossier.pk}", read_request.number),
            (f"document:{document.pk}", read_request.number),
        ]
    )

    for reader in ("owner", "manager", "general_manager"):
        page = client_for(people[reader]).get(customer_page(customer))
        assert page.status_code == 200 and "data-read-through" not in page.content.decode()
        assert CustomerReadLog.objects.filter(user=people[reader]).get().through == ""


# 4. What a request opens: its scope; top secret only with the general manager's signature.


@pytest.fixture
def papers(archive, open_dossier, file_document):
    """A personal-tier dossier with a scanned basic-data sheet, a scanned contract and a scanned
    top-secret appendix."""
    dossier = open_dossier(SecrecyTier.PERSONAL)
    return {
        "dossier": dossier,
        "basic": scanned(file_document(dossier, "客户基本资料表", title="基本资料-甲")),
        "contract": scanned(file_document(dossier, "客户销售合同（复印件）", title="销售合同-乙")),
        "secret": scanned(file_document(dossier, "其他", secrecy_tier=SecrecyTier.TOP_SECRET, title="绝密附件-丙")),
    }


def readable(user, dossier) -> set[str]:
    return set(documents_readable_by(user).filter(dossier=dossier).values_list("title", flat=True))


def test_a_profile_request_opens_the_profile_and_no_document(archive, people, papers, client_for):
    dossier = papers["dossier"]
    approve_along(
        file_request(people["outsider"], dossier.customer, scope=ReadRequestScope.PROFILE), *the_whole_chain(people)
    )
    assert readable(people["outsider"], dossier) == set()
    client = client_for(people["outsider"])
    assert client.get(customer_page(dossier.customer)).status_code == 200
    html = client.get(dossier_page(dossier)).content.decode()
    assert "基本资料-甲" not in html and "销售合同-乙" not in html and "绝密附件-丙" not in html
    for document in ("basic", "contract", "secret"):
        assert client.get(scan_url(papers[document])).status_code == 404


def test_a_types_request_opens_the_documents_of_the_types_chosen_only(archive, people, papers, client_for):
    dossier = papers["dossier"]
    client = client_for(people["outsider"])
    response = ask(
        client,
        dossier.customer.name,
        scope=ReadRequestScope.TYPES,
        document_types=[archive["types"]["客户基本资料表"].pk],
    )
    assert response.status_code == 302
    approve_along(ReadRequest.objects.get(), *the_whole_chain(people))
    assert readable(people["outsider"], dossier) == {"基本资料-甲"}
    client = client_for(people["outsider"])
    assert client.get(scan_url(papers["basic"])).status_code == 200
    assert client.get(scan_url(papers["contract"])).status_code == 404
    html = client.get(dossier_page(dossier)).content.decode()
    assert "基本资料-甲" in html and "销售合同-乙" not in html


def test_a_types_request_without_types_is_a_form_error(archive, people, client_for):
    response = ask(client_for(people["outsider"]), "客户-personal", scope=ReadRequestScope.TYPES)
    assert response.status_code == 200 and "请选择要查阅的文件类型。" in errors(response.content.decode())
    assert not ReadRequest.objects.exists()


@pytest.mark.parametrize("general_manager_step", [True, False], ids=["with-gm", "without-gm"])
def test_a_whole_dossier_request_opens_top_secret_only_when_the_general_manager_signed(
    general_manager_step, archive, people, papers, client_for
):
    ApprovalStep.objects.filter(
        chain__kind=RequestKind.READ, chain__tier=SecrecyTier.PERSONAL, role="general_manager"
    ).update(active=general_manager_step)
    dossier = papers["dossier"]
    approvers = the_whole_chain(people) if general_manager_step else the_whole_chain(people)[:2]
    read_request = approve_along(file_request(people["outsider"], dossier.customer), *approvers)
    assert read_request.status == ReadRequestStatus.APPROVED
    assert read_request.grant.opens_top_secret is general_manager_step
    expected = {"基本资料-甲", "销售合同-乙"} | ({"绝密附件-丙"} if general_manager_step else set())
    assert readable(people["outsider"], dossier) == expected
    status = client_for(people["outsider"]).get(scan_url(papers["secret"])).status_code
    assert status == (200 if general_manager_step else 404)


def test_a_profile_request_opens_no_document_even_one_whose_own_tier_the_requesters_role_opens(
    archive, people, open_dossier, file_document, make_user
):
    director = make_user(Role.MARKETING_DIRECTOR, department=people["outsider"].department, username="md")
    dossier = open_dossier(SecrecyTier.PERSONAL)
    file_document(dossier, "客户信用评估报告", secrecy_tier=SecrecyTier.DEPARTMENT, title="信用评估-丁")
    assert readable(director, dossier) == set()
    read_request = file_request(director, dossier.customer, scope=ReadRequestScope.PROFILE)
    approve_along(read_request, people["manager"], people["general_manager"])
    assert readable(director, dossier) == set()


# 5. Each request has its own grant.


def test_ending_one_of_two_overlapping_requests_leaves_the_other_open(archive, people, client_for):
    customer = archive["customers"][SecrecyTier.PERSONAL]
    short = approve_along(file_request(people["outsider"], customer, working_days=1), *the_whole_chain(people))
    long = approve_along(file_request(people["outsider"], customer, working_days=3), *the_whole_chain(people))
    client = client_for(people["outsider"])
    html = client.get(customer_page(customer)).content.decode()
    assert f'data-read-through="{short.number}"' in html and f'data-read-through="{long.number}"' in html

    response = client.post(reverse("dossiers:read_request_withdraw", args=[long.pk]), follow=True)
    assert response.status_code == 200 and "已撤回。" in messages(response.content.decode())
    long.refresh_from_db()
    short.refresh_from_db()
    assert long.status == ReadRequestStatus.WITHDRAWN and long.grant.revoked_at is not None
    assert short.status == ReadRequestStatus.APPROVED and short.grant.is_open

    page = client.get(customer_page(customer))
    assert page.status_code == 200
    assert f'data-read-through="{short.number}"' in page.content.decode()
    assert f'data-read-through="{long.number}"' not in page.content.decode()
    assert CustomerReadLog.objects.filter(user=people["outsider"]).first().through == short.number


def test_a_withdrawn_request_can_no_longer_be_signed(archive, people, client_for):
    read_request = file_request(people["outsider"], archive["customers"][SecrecyTier.PERSONAL])
    response = client_for(people["outsider"]).post(reverse("dossiers:read_request_withdraw", args=[read_request.pk]))
    assert response.status_code == 302
    read_request.refresh_from_db()
    assert read_request.status == ReadRequestStatus.WITHDRAWN
    assert {status for _step, status, _signer in steps(read_request)} == {TaskStatus.SKIPPED}
    assert decide(client_for(people["outsider_manager"]), read_request).status_code == 404


def test_only_the_requester_withdraws(archive, people, client_for):
    read_request = file_request(people["outsider"], archive["customers"][SecrecyTier.PERSONAL])
    page = client_for(people["outsider_manager"]).post(
        reverse("dossiers:read_request_withdraw", args=[read_request.pk]), follow=True
    )
    assert page.status_code == 200 and "只有申请人可以撤回申请。" in messages(page.content.decode())
    read_request.refresh_from_db()
    assert read_request.status == ReadRequestStatus.REQUESTED


# 6. The form: who needs no request, limits, junk.


@pytest.mark.parametrize("person", ["owner", "manager", "general_manager"])
def test_someone_the_tier_already_opens_is_told_no_request_is_needed(person, archive, people, client_for):
    response = ask(client_for(people[person]), "客户-personal")
    assert response.status_code == 200
    assert any("无需申请" in error for error in errors(response.content.decode()))
    assert not ReadRequest.objects.exists()


def test_a_customer_is_found_by_its_dossiers_archive_number(archive, people, formal_dossier, client_for):
    dossier = formal_dossier(SecrecyTier.PERSONAL)
    assert ask(client_for(people["outsider"]), dossier.archive_number).status_code == 302
    assert ReadRequest.objects.get().customer == dossier.customer


def field_has_error(html: str, name: str) -> bool:
    """Whether the form shows an error beside the field `name`."""
    return re.search(rf'<div class="field has-error">(?:(?!</div>).)*\bname="{name}"', html, re.S) is not None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"working_days": settings.READ_ACCESS_MAX_DAYS + 1}, "working_days"),
        ({"working_days": 0}, "working_days"),
        ({"customer_ref": "没有这个客户"}, "customer_ref"),
        ({"content": "   "}, "content"),
    ],
    ids=["too-many-days", "no-days", "unknown-customer", "blank-content"],
)
def test_the_form_refuses_what_it_cannot_take(fields, field, archive, people, client_for):
    response = ask(client_for(people["outsider"]), "客户-personal", **fields)
    assert response.status_code == 200
    assert field_has_error(response.content.decode(), field)
    assert not ReadRequest.objects.exists()


def test_an_unknown_customer_is_named_in_the_error(archive, people, client_for):
    response = ask(client_for(people["outsider"]), "没有这个客户")
    assert "没有名称或档号为“没有这个客户”的客户。" in errors(response.content.decode())


def test_the_longest_allowed_request_is_taken(archive, people, client_for):
    response = ask(client_for(people["outsider"]), "客户-personal", working_days=settings.READ_ACCESS_MAX_DAYS)
    assert response.status_code == 302
    assert ReadRequest.objects.get().working_days == settings.READ_ACCESS_MAX_DAYS


HUGE = "-99999999999999999999999999"
JUNK = ["\x00\x01\x1b", "客\x00户-personal", "长" * 100_000, "1e3", HUGE, ""]


@pytest.mark.parametrize("field", ["customer_ref", "scope", "document_types", "content", "purpose", "working_days"])
def test_junk_in_any_field_is_a_form_error_never_a_server_error(field, archive, people, client_for):
    client = client_for(people["outsider"])
    # A type id beyond a database integer has a test of its own (below).
    for junk in [junk for junk in JUNK if not (field == "document_types" and junk == HUGE)]:
        response = ask(client, "客户-personal", **{field: [junk, junk] if field == "document_types" else junk})
        assert response.status_code in (200, 302), (field, junk[:20])
        if response.status_code == 200:
            assert errors(response.content.decode()), (field, junk[:20])
    assert not ReadRequest.objects.filter(scope=ReadRequestScope.TYPES).exists()


def test_a_document_type_id_beyond_a_database_integer_is_a_form_error(archive, people, client_for):
    response = ask(client_for(people["outsider"]), "客户-personal", scope=ReadRequestScope.TYPES, document_types=[HUGE])
    assert response.status_code == 200 and field_has_error(response.content.decode(), "document_types")
    assert not ReadRequest.objects.exists()


def test_junk_in_the_customer_asked_for_on_the_link_is_harmless(archive, people, client_for):
    client = client_for(people["outsider"])
    for junk in JUNK:
        response = client.get(reverse("dossiers:read_request_create"), {"customer": junk})
        # A NUL byte in a query string is a bad request everywhere on the site; the rest fill the form.
        assert response.status_code == (400 if "\x00" in junk else 200), junk[:20]


# 7. Who sees a request.


def test_who_sees_a_request_while_its_first_step_is_due(archive, people, client_for):
    read_request = file_request(people["outsider"], archive["customers"][SecrecyTier.PERSONAL])
    expected = {
        "outsider": 200,  # the requester
        "outsider_manager": 200,  # their step is due
        "archive_manager": 200,  # keeps the read register
        "general_manager": 200,
        "manager": 404,  # their step is not due yet
        "third_manager": 404,
        "stranger": 404,
        "colleague": 404,
        "owner": 404,
        "clerk": 404,
    }
    seen = {person: client_for(people[person]).get(request_page(read_request)).status_code for person in expected}
    assert seen == expected


def test_only_the_approver_whose_step_is_due_gets_the_decision_buttons(archive, people, client_for):
    read_request = file_request(people["outsider"], archive["customers"][SecrecyTier.PERSONAL])
    approve_along(read_request, people["outsider_manager"])
    decides = {
        person: 'data-action="decide"' in client_for(people[person]).get(request_page(read_request)).content.decode()
        for person in ("outsider", "outsider_manager", "manager", "archive_manager", "general_manager")
    }
    assert decides == {
        "outsider": False,
        "outsider_manager": False,  # signed already: sees it, signs no more
        "manager": True,
        "archive_manager": False,
        "general_manager": False,
    }
    assert 'data-action="withdraw"' in client_for(people["outsider"]).get(request_page(read_request)).content.decode()


def test_the_request_list_shows_each_person_the_requests_they_may_open(archive, people, client_for):
    read_request = file_request(people["outsider"], archive["customers"][SecrecyTier.PERSONAL])
    row = f'data-read-request="{read_request.pk}"'
    for person, listed in [
        ("outsider", True),
        ("outsider_manager", True),
        ("general_manager", True),
        ("stranger", False),
    ]:
        response = client_for(people[person]).get(reverse("dossiers:read_requests"))
        assert response.status_code == 200
        assert (row in response.content.decode()) is listed, person
