"""SPEC §2: contacts, interactions, deals and complaints, each shown on the customer page, newest first."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customers import complaints
from customers.models import Complaint, Contact, Deal, Interaction, SecrecyTier

from .factories import ComplaintFactory, CustomerFactory, InteractionFactory
from .html import body_rows, element, errors, messages, section

pytestmark = pytest.mark.django_db


def days(offset: int) -> str:
    return (timezone.localdate() + timedelta(days=offset)).isoformat()


@pytest.fixture
def customer(people):
    return CustomerFactory(name="甲公司", owner=people["owner"], secrecy_tier=SecrecyTier.PERSONAL)


def add(client, customer, kind, data):
    return client.post(reverse("customers:record_add", args=[customer.pk, kind]), data, follow=True)


def shown(client, customer, kind) -> list[str]:
    response = client.get(reverse("customers:detail", args=[customer.pk]))
    assert response.status_code == 200
    return body_rows(section(response.content.decode(), kind))


def contact(name, **fields):
    return {"name": name, "title": "采购经理", "mobile": "13800138000", **fields}


def interaction(topic, occurred_at, **fields):
    return {"topic": topic, "occurred_at": occurred_at, "channel": "visit", **fields}


def deal(number, signed_on, amount="50000.00", **fields):
    return {"contract_number": number, "signed_on": signed_on, "amount": amount, "payment_method": "转账", **fields}


def complaint(description, handler, received_on, deadline, **fields):
    return {
        "kind": "complaint",
        "description": description,
        "owner": handler.pk,
        "received_on": received_on,
        "deadline": deadline,
        **fields,
    }


def test_the_owner_adds_contacts_and_the_newest_is_listed_first(people, customer, client_for):
    client = client_for(people["owner"])
    first = add(client, customer, "contacts", contact("陈一", is_decision_maker="on"))
    assert messages(first.content.decode()) == ["已保存。"]
    add(client, customer, "contacts", contact("林二", preferences="钓鱼"))
    rows = shown(client, customer, "contacts")
    assert [row.split()[0] for row in rows] == ["林二", "陈一"]
    assert "钓鱼" in rows[0]
    assert "是" in rows[1]  # the decision-maker


def test_the_owner_adds_interactions_and_the_latest_is_listed_first(people, customer, client_for):
    client = client_for(people["owner"])
    add(client, customer, "interactions", interaction("签约洽谈", f"{days(-1)}T10:00", participants="陈一、林二"))
    add(client, customer, "interactions", interaction("初次拜访", f"{days(-20)}T09:30", feedback="有兴趣"))
    rows = shown(client, customer, "interactions")
    assert len(rows) == 2
    assert "签约洽谈" in rows[0] and "陈一、林二" in rows[0] and "张三" in rows[0]  # 张三 recorded it
    assert "初次拜访" in rows[1] and "有兴趣" in rows[1]
    assert Interaction.objects.get(topic="初次拜访").recorded_by == people["owner"]


def test_the_owner_adds_deals_and_the_latest_is_listed_first(people, customer, client_for):
    client = client_for(people["owner"])
    add(client, customer, "deals", deal("HT-2", days(-3), "120000.00"))
    add(client, customer, "deals", deal("HT-1", days(-300)))
    rows = shown(client, customer, "deals")
    assert [row.split()[0] for row in rows] == ["HT-2", "HT-1"]
    assert "120000.00" in rows[0]


def test_the_owner_adds_complaints_and_the_latest_is_listed_first(people, customer, client_for):
    client = client_for(people["owner"])
    add(client, customer, "complaints", complaint("交货延迟", people["colleague"], days(-1), days(6)))
    add(client, customer, "complaints", complaint("发票错误", people["owner"], days(-5), days(2)))
    rows = shown(client, customer, "complaints")
    assert len(rows) == 2
    assert "交货延迟" in rows[0] and "王五" in rows[0] and "处理中" in rows[0]
    assert "发票错误" in rows[1]


def test_a_complaint_due_before_it_was_received_is_refused(people, customer, client_for):
    response = add(
        client_for(people["owner"]), customer, "complaints", complaint("质量", people["owner"], days(0), days(-1))
    )
    assert "处理期限不能早于受理日期。" in errors(response.content.decode())
    assert not Complaint.objects.exists()


def test_a_complaint_is_not_closed_from_its_record_form(people, customer, client_for):
    data = complaint("质量", people["owner"], days(-3), days(3), closed_on=days(0), resolution="已解决")
    add(client_for(people["owner"]), customer, "complaints", data)
    assert Complaint.objects.get().closed_on is None  # only its review note closes it (customers.complaints)


def test_a_contact_with_a_phone_of_letters_is_refused(people, customer, client_for):
    response = add(client_for(people["owner"]), customer, "contacts", contact("陈一", phone="abc"))
    assert "请输入有效的电话号码：数字，可含 +、-、空格和括号，至少 7 位。" in errors(response.content.decode())
    assert not Contact.objects.exists()


def test_a_contact_born_in_the_future_is_refused(people, customer, client_for):
    response = add(client_for(people["owner"]), customer, "contacts", contact("陈一", birthday=days(30)))
    assert "生日不能晚于今天。" in errors(response.content.decode())
    assert not Contact.objects.exists()


def test_a_next_action_date_without_the_action_is_refused(people, customer, client_for):
    data = interaction("电话回访", f"{days(0)}T10:00", next_action_on=days(3))
    response = add(client_for(people["owner"]), customer, "interactions", data)
    assert "填写了下一步行动日期时，请写明下一步行动。" in errors(response.content.decode())
    assert not Interaction.objects.exists()


def test_a_deal_with_a_negative_amount_is_refused(people, customer, client_for):
    response = add(client_for(people["owner"]), customer, "deals", deal("HT-9", days(0), "-1"))
    assert "金额不能为负数。" in errors(response.content.decode())
    assert not Deal.objects.exists()


def test_an_overdue_open_complaint_is_flagged_on_the_customer_page(people, customer, client_for):
    client = client_for(people["owner"])
    add(client, customer, "complaints", complaint("安装故障", people["owner"], days(-10), days(-2)))
    add(client, customer, "complaints", complaint("培训不足", people["owner"], days(-1), days(5)))
    rows = shown(client, customer, "complaints")
    assert "培训不足" in rows[0] and "已逾期" not in rows[0]
    assert "安装故障" in rows[1] and "已逾期" in rows[1]


def dashboard_panel(client, panel: str) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    return element(page, "data-panel", panel, tag="ul") if f'data-panel="{panel}"' in page else ""


def test_an_overdue_complaint_appears_on_the_owners_dashboard(people, customer, client_for):
    client = client_for(people["owner"])
    add(client, customer, "complaints", complaint("安装故障", people["owner"], days(-10), days(-2)))
    panel = dashboard_panel(client, "overdue-complaints")
    assert "甲公司" in panel
    assert days(-2) in panel


def test_a_closed_or_not_yet_due_complaint_is_not_on_the_dashboard(people, customer, client_for):
    ComplaintFactory(
        customer=customer, received_on=timezone.localdate() - timedelta(days=10), deadline=timezone.localdate()
    )
    ComplaintFactory(
        customer=customer,
        received_on=timezone.localdate() - timedelta(days=10),
        deadline=timezone.localdate() - timedelta(days=1),
        closed_on=timezone.localdate(),
        resolution="已更换设备",
    )
    other = CustomerFactory(name="乙公司", owner=people["owner"])
    ComplaintFactory(
        customer=other,
        received_on=timezone.localdate() - timedelta(days=3),
        deadline=timezone.localdate() - timedelta(days=1),
    )
    panel = dashboard_panel(client_for(people["owner"]), "overdue-complaints")
    assert "乙公司" in panel
    assert "甲公司" not in panel


def test_closing_an_overdue_complaint_takes_it_off_the_dashboard(people, customer, client_for):
    overdue = ComplaintFactory(
        customer=customer,
        received_on=timezone.localdate() - timedelta(days=10),
        deadline=timezone.localdate() - timedelta(days=1),
    )
    client = client_for(people["owner"])
    assert "甲公司" in dashboard_panel(client, "overdue-complaints")
    complaints.complaint_resolve(overdue, by=people["owner"], resolution="已解决")
    complaints.complaint_result_approve(overdue, by=people["general_manager"])
    complaints.complaint_close(overdue, by=people["owner"], review_note="客户满意")
    client = client_for(people["owner"])
    assert "甲公司" not in dashboard_panel(client, "overdue-complaints")
    assert "已逾期" not in shown(client, customer, "complaints")[0]


def test_an_upcoming_next_action_appears_on_the_owners_dashboard(people, customer, client_for):
    client = client_for(people["owner"])
    add(
        client,
        customer,
        "interactions",
        interaction("电话回访", f"{days(0)}T10:00", next_action="寄送报价单", next_action_on=days(3)),
    )
    add(
        client,
        customer,
        "interactions",
        interaction("年会", f"{days(0)}T11:00", next_action="续约谈判", next_action_on=days(60)),
    )
    panel = dashboard_panel(client, "next-actions")
    assert "寄送报价单" in panel and "甲公司" in panel and days(3) in panel
    assert "续约谈判" not in panel


def test_another_sales_persons_next_actions_are_not_on_my_dashboard(people, customer, client_for):
    client = client_for(people["owner"])
    add(
        client,
        customer,
        "interactions",
        interaction("电话回访", f"{days(0)}T10:00", next_action="寄送报价单", next_action_on=days(3)),
    )
    InteractionFactory(
        customer=CustomerFactory(name="乙公司", owner=people["colleague"]),
        next_action="上门演示",
        next_action_on=timezone.localdate() + timedelta(days=1),
    )
    panel = dashboard_panel(client_for(people["colleague"]), "next-actions")
    assert "上门演示" in panel
    assert "寄送报价单" not in panel


@pytest.mark.parametrize("kind", ["contacts", "interactions", "deals", "complaints"])
def test_a_sales_person_who_does_not_own_a_personal_customer_gets_404(kind, people, customer, client_for):
    client = client_for(people["colleague"])
    url = reverse("customers:record_add", args=[customer.pk, kind])
    assert client.get(url).status_code == 404
    data = {
        "contacts": contact("陈一"),
        "interactions": interaction("拜访", f"{days(0)}T10:00"),
        "deals": deal("HT-7", days(0)),
        "complaints": complaint("质量", people["colleague"], days(0), days(3)),
    }[kind]
    response = client.post(url, data)
    assert response.status_code == 404
    assert "甲公司" not in response.content.decode()
    assert not any(model.objects.exists() for model in (Contact, Interaction, Deal, Complaint))


def test_the_department_manager_adds_a_record_to_a_customer_of_the_department(people, customer, client_for):
    client = client_for(people["east_manager"])
    add(client, customer, "contacts", contact("陈一"))
    assert shown(client, customer, "contacts")[0].startswith("陈一")


def test_a_reader_who_may_not_edit_is_refused_adding_records(people, client_for):
    customer = CustomerFactory(name="乙公司", owner=people["owner"], secrecy_tier=SecrecyTier.DEPARTMENT)
    client = client_for(people["marketing_director"])
    assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
    response = client.post(reverse("customers:record_add", args=[customer.pk, "contacts"]), contact("陈一"))
    assert response.status_code == 403
    assert not Contact.objects.exists()


def test_an_unknown_kind_of_record_is_not_found(people, customer, client_for):
    assert client_for(people["owner"]).get(f"/customers/{customer.pk}/orders/add/").status_code == 404


def test_a_record_of_another_customer_cannot_be_edited_through_this_one(people, customer, client_for):
    other = CustomerFactory(name="乙公司", owner=people["owner"])
    foreign = ComplaintFactory(customer=other)
    url = reverse("customers:record_edit", args=[customer.pk, "complaints", foreign.pk])
    assert client_for(people["owner"]).get(url).status_code == 404


def test_a_record_is_never_saved_on_a_customer_its_author_may_not_read(people):
    """A department manager edits their department's customers, but a personal-tier customer whose
    owner sits in another department is not theirs to read, and so not theirs to write to."""
    from crm_archive.errors import ActionRefused
    from customers.services import customer_record_save

    customer = CustomerFactory(
        name="乙公司",
        owner=people["west_sales"],
        department=people["east_manager"].department,
        secrecy_tier=SecrecyTier.PERSONAL,
    )
    with pytest.raises(ActionRefused):
        customer_record_save(Contact(customer=customer, name="张经理"), by=people["east_manager"])
    assert not Contact.objects.filter(customer=customer).exists()
