"""Documents, scanned files and who may open them (SPEC §3, §4)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from customers.models import CustomerReadLog, SecrecyTier
from customers.services import customer_access_grant
from dossiers.models import Document
from tests.conftest import PDF_BYTES
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def document_form(archive, **overrides):
    return {
        "document_type": archive["types"]["客户基本资料表"].pk,
        "title": "客户基本资料表",
        "made_on": timezone.localdate().isoformat(),
        "responsible_party": "销售一部",
        "pages": 4,
        "copies": 1,
        "is_original": "on",
        "secrecy_tier": SecrecyTier.PERSONAL,
        "retention": archive["retention"].pk,
        "position": 1,
        **overrides,
    }


def stored_files(media_root):
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


def test_the_clerk_files_a_document_with_its_scan(archive, open_dossier, client_for, media_root):
    dossier = open_dossier()
    scan = SimpleUploadedFile("contract.pdf", PDF_BYTES, content_type="application/pdf")
    response = client_for(archive["people"]["clerk"]).post(
        reverse("dossiers:document_add", args=[dossier.pk]), {**document_form(archive), "scan_file": scan}
    )
    assert response.status_code == 302
    document = Document.objects.get(dossier=dossier)
    assert document.filing_year == timezone.localdate().year
    assert document.scan_content_type == "application/pdf"
    assert len(stored_files(media_root)) == 1
    assert "contract" not in document.scan.name  # the uploaded name is never reused


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("fake.pdf", b"MZ\x90\x00 this is an executable", "扫描件只能是 PDF、PNG 或 JPEG 文件。"),
        ("notes.txt", b"plain text", "扫描件只能是 PDF、PNG 或 JPEG 文件。"),
    ],
)
def test_a_scan_of_the_wrong_type_is_refused_and_nothing_is_stored(
    filename, content, message, archive, open_dossier, client_for, media_root
):
    dossier = open_dossier()
    response = client_for(archive["people"]["clerk"]).post(
        reverse("dossiers:document_add", args=[dossier.pk]),
        {**document_form(archive), "scan_file": SimpleUploadedFile(filename, content)},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_a_scan_over_the_size_limit_is_refused_and_nothing_is_stored(
    archive, open_dossier, client_for, settings, media_root
):
    settings.SCAN_MAX_BYTES = 1024
    dossier = open_dossier()
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 2048)
    response = client_for(archive["people"]["clerk"]).post(
        reverse("dossiers:document_add", args=[dossier.pk]), {**document_form(archive), "scan_file": big}
    )
    assert "文件过大" in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_bad_document_fields_get_messages_on_the_form(archive, open_dossier, client_for):
    dossier = open_dossier()
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    response = client_for(archive["people"]["clerk"]).post(
        reverse("dossiers:document_add", args=[dossier.pk]), document_form(archive, made_on=tomorrow, pages=0)
    )
    html = response.content.decode()
    assert "形成日期不能晚于今天。" in html
    assert not Document.objects.exists()


@pytest.fixture
def scanned(archive, open_dossier, file_document):
    """A personal-tier dossier with a scanned personal document and a scanned top-secret one."""
    dossier = open_dossier(SecrecyTier.PERSONAL)
    regular = file_document(dossier, "客户基本资料表")
    secret = file_document(dossier, "其他", secrecy_tier=SecrecyTier.TOP_SECRET, title="绝密附件")
    for document in (regular, secret):
        document.scan.save("x.pdf", SimpleUploadedFile("x.pdf", PDF_BYTES))
        Document.objects.filter(pk=document.pk).update(scan_content_type="application/pdf")
    return dossier, regular, secret


@pytest.mark.parametrize(
    ("person", "page", "regular", "secret"),
    [
        ("owner", 200, 200, 404),
        ("manager", 200, 200, 404),
        ("general_manager", 200, 200, 200),
        ("clerk", 200, 404, 404),
        ("archive_manager", 200, 404, 404),
        ("colleague", 404, 404, 404),
    ],
)
def test_who_opens_the_dossier_page_and_its_files(person, page, regular, secret, archive, scanned, client_for):
    dossier, regular_document, secret_document = scanned
    client = client_for(archive["people"][person])
    assert client.get(reverse("dossiers:detail", args=[dossier.pk])).status_code == page
    assert client.get(reverse("dossiers:document_scan", args=[regular_document.pk])).status_code == regular
    assert client.get(reverse("dossiers:document_scan", args=[secret_document.pk])).status_code == secret


def test_a_refused_dossier_page_does_not_reveal_the_customer(archive, scanned, client_for):
    dossier, _regular, _secret = scanned
    response = client_for(archive["people"]["colleague"]).get(reverse("dossiers:detail", args=[dossier.pk]))
    assert response.status_code == 404
    assert dossier.customer.name not in response.content.decode()
    assert not CustomerReadLog.objects.exists()  # nothing was read, nothing is logged


def test_reading_a_scan_is_logged_and_returns_the_file(archive, scanned, client_for):
    dossier, regular, _secret = scanned
    response = client_for(archive["people"]["owner"]).get(reverse("dossiers:document_scan", args=[regular.pk]))
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    log = CustomerReadLog.objects.get()
    assert (log.user.username, log.customer, log.what) == ("owner", dossier.customer, f"document:{regular.pk}")


def test_the_dossier_list_only_shows_what_a_user_may_see(archive, open_dossier, client_for):
    mine = open_dossier(SecrecyTier.PERSONAL)
    secret = open_dossier(SecrecyTier.TOP_SECRET)
    owner_html = client_for(archive["people"]["owner"]).get(reverse("dossiers:list")).content.decode()
    assert f'data-dossier="{mine.pk}"' in owner_html and f'data-dossier="{secret.pk}"' not in owner_html
    clerk_html = client_for(archive["people"]["clerk"]).get(reverse("dossiers:list")).content.decode()
    assert f'data-dossier="{mine.pk}"' in clerk_html and f'data-dossier="{secret.pk}"' in clerk_html
    colleague_html = client_for(archive["people"]["colleague"]).get(reverse("dossiers:list")).content.decode()
    assert "data-dossier=" not in colleague_html


def test_the_dossier_list_keeps_a_fixed_number_of_queries(
    archive, open_dossier, client_for, django_assert_max_num_queries
):
    from customers.models import Customer

    owner = archive["people"]["owner"]
    for number in range(105):
        customer = Customer.objects.create(name=f"批量客户{number:03d}", owner=owner, department=owner.department)
        open_dossier(customer=customer)
    client = client_for(archive["people"]["manager"])
    for size in (10, 100):
        with django_assert_max_num_queries(11):  # 11th: the session's idle timer, saved on each request
            html = client.get(reverse("dossiers:list"), {"per_page": size}).content.decode()
        assert html.count("data-dossier=") == size


@pytest.fixture
def outsider(make_user):
    return make_user(Role.SALES, department=DepartmentFactory(code="far"), username="outsider")


def test_a_grant_never_opens_top_secret_documents(archive, open_dossier, file_document, outsider, client_for):
    dossier = open_dossier(SecrecyTier.PERSONAL)
    regular = file_document(dossier, "客户基本资料表")
    secret = file_document(dossier, "其他", secrecy_tier=SecrecyTier.TOP_SECRET, title="绝密协议")
    for document in (regular, secret):
        document.scan.save("x.pdf", SimpleUploadedFile("x.pdf", PDF_BYTES))
    customer_access_grant(dossier.customer, user=outsider, until=timezone.now() + timedelta(hours=2))
    client = client_for(outsider)
    assert client.get(reverse("dossiers:document_scan", args=[regular.pk])).status_code == 200
    assert client.get(reverse("dossiers:document_scan", args=[secret.pk])).status_code == 404
    assert "绝密协议" not in client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()


def test_top_secret_documents_are_not_listed_to_readers_of_the_dossier(
    archive, open_dossier, file_document, client_for
):
    dossier = open_dossier(SecrecyTier.PERSONAL)
    file_document(dossier, "其他", secrecy_tier=SecrecyTier.TOP_SECRET, title="绝密协议")
    assert (
        "绝密协议"
        not in client_for(archive["people"]["owner"])
        .get(reverse("dossiers:detail", args=[dossier.pk]))
        .content.decode()
    )
    assert (
        "绝密协议"
        in client_for(archive["people"]["clerk"]).get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    )


def test_a_scan_the_storage_no_longer_holds_is_not_found_not_a_server_error(archive, scanned, client_for):
    _dossier, regular, _secret = scanned
    regular.refresh_from_db()
    regular.scan.storage.delete(regular.scan.name)
    response = client_for(archive["people"]["owner"]).get(reverse("dossiers:document_scan", args=[regular.pk]))
    assert response.status_code == 404


def test_opening_a_dossier_page_and_printing_its_catalogue_are_logged_as_reads(archive, scanned, client_for):
    dossier, regular, _secret = scanned
    client = client_for(archive["people"]["clerk"])
    assert client.get(reverse("dossiers:detail", args=[dossier.pk])).status_code == 200
    catalogue = reverse("dossiers:volume_catalogue", args=[dossier.pk, regular.filing_year, "regular"])
    assert client.get(catalogue).status_code == 200
    logged = list(CustomerReadLog.objects.order_by("id").values_list("user__username", "customer_id", "what"))
    assert logged == [
        ("clerk", dossier.customer_id, f"dossier:{dossier.pk}"),
        ("clerk", dossier.customer_id, f"catalogue:{dossier.pk}:{regular.filing_year}"),
    ]
