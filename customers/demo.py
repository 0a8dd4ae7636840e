"""Demo customers across every tier, department and owner (never for production)."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from . import complaints, followups
from .models import (
    Complaint,
    Contact,
    Customer,
    CustomerCategory,
    CustomerGrade,
    CustomerKind,
    Deal,
    EnterpriseType,
    Interaction,
    InteractionChannel,
    SecrecyTier,
)

# name, owner, tier, category, grade, kind, region, industry
CUSTOMERS = [
    ("华东机电设备有限公司", "sales1", SecrecyTier.PERSONAL, "signed", "A", "dealer", "华东", "机械制造"),
    ("上海申江通信工程公司", "sales1", SecrecyTier.DEPARTMENT, "signed", "A", "end_customer", "华东", "通信"),
    ("杭州西湖电子科技有限公司", "sales1", SecrecyTier.PERSONAL, "intent", "B", "end_customer", "华东", "电子"),
    ("南京金陵物流集团", "sales1", SecrecyTier.COMPANY, "signed", "A", "end_customer", "华东", "物流"),
    ("苏州园区精密仪器厂", "sales2", SecrecyTier.PERSONAL, "potential", "C", "end_customer", "华东", "仪器仪表"),
    ("无锡太湖纺织股份公司", "sales2", SecrecyTier.DEPARTMENT, "historical", "C", "dealer", "华东", "纺织"),
    ("宁波港航贸易有限公司", "sales2", SecrecyTier.PERSONAL, "lost", "D", "dealer", "华东", "贸易"),
    ("合肥科创软件有限公司", "sales2", SecrecyTier.TOP_SECRET, "signed", "A", "end_customer", "华东", "软件"),
    ("北京燕山石化销售公司", "sales3", SecrecyTier.COMPANY, "signed", "A", "end_customer", "华北", "石化"),
    ("天津滨海重工有限公司", "sales3", SecrecyTier.DEPARTMENT, "intent", "B", "end_customer", "华北", "机械制造"),
    ("石家庄华药医药连锁", "sales3", SecrecyTier.PERSONAL, "potential", "C", "dealer", "华北", "医药"),
    ("济南泉城建设集团", "sales3", SecrecyTier.PERSONAL, "signed", "B", "end_customer", "华北", "建筑"),
    ("中国工商银行某支行", "sales1", SecrecyTier.COMPANY, "signed", "A", "bank", "华东", "金融"),
    ("正大律师事务所", "sales3", SecrecyTier.DEPARTMENT, "signed", "B", "lawyer", "华北", "法律服务"),
    ("信达会计师事务所", "sales2", SecrecyTier.PERSONAL, "signed", "B", "auditor", "华东", "审计"),
    ("广州珠江电器有限公司", "sales1", SecrecyTier.PERSONAL, "intent", "C", "dealer", "华南", "家电"),
    ("深圳南山智能制造公司", "sales3", SecrecyTier.TOP_SECRET, "signed", "A", "end_customer", "华南", "电子"),
    ("成都天府酒店管理公司", "sales2", SecrecyTier.DEPARTMENT, "signed", "B", "end_customer", "西南", "酒店"),
]


@transaction.atomic
def seed_customers(users: dict) -> int:
    """Create (or refresh) the demo customers with a few records each; safe to run again."""
    today = timezone.localdate()
    for index, (name, owner_name, tier, category, grade, kind, region, industry) in enumerate(CUSTOMERS):
        owner = users[owner_name]
        customer, created = Customer.objects.get_or_create(
            name=name,
            defaults={
                "owner": owner,
                "department": owner.department,
                "secrecy_tier": tier,
                "category": CustomerCategory(category),
                "grade": CustomerGrade(grade),
                "kind": CustomerKind(kind),
                "region": region,
                "industry": industry,
                "legal_representative": "王" + "一二三四五六七八九"[index % 9] + "明",
                "address": f"{region}某市经济开发区{index + 1}号",
                "postcode": f"{200000 + index * 1111:06d}",
                "phone": f"021-6{index:03d}8888",
                "email": f"info{index}@example.cn",
                "registered_capital": Decimal(500 + index * 250),
                "founded_on": today.replace(year=today.year - 5 - index % 20, day=1),
                "enterprise_type": list(EnterpriseType)[index % len(EnterpriseType)],
                "employees": 50 + index * 37,
                "annual_revenue": Decimal(1000 + index * 830),
                "business_scope": "电话交换机、通信设备的销售、安装与维护。",
            },
        )
        if not created:
            continue
        Contact.objects.create(
            customer=customer,
            name="联系人" + str(index + 1),
            title="采购经理",
            mobile=f"1380000{index:04d}",
            is_decision_maker=index % 2 == 0,
            preferences="乒乓球" if index % 3 == 0 else "",
        )
        Interaction.objects.create(
            customer=customer,
            occurred_at=timezone.now() - timedelta(days=index + 1),
            channel=list(InteractionChannel)[index % 4],
            participants=str(owner),
            topic="年度合作洽谈",
            feedback="客户对安装进度满意。",
            next_action="回访确认交换机安装参数",
            next_action_on=today + timedelta(days=index % 10),
            recorded_by=owner,
        )
        if category == "signed":
            deal = Deal.objects.create(
                customer=customer,
                contract_number=f"HT-{today.year}-{index + 1:04d}",
                signed_on=today - timedelta(days=30 + index),
                amount=Decimal(120000 + index * 5000),
                payment_method="银行转账",
                cooperation_mode="直销",
            )
            # The purchase follow-ups the services would have started (回访 3/30/60 days after).
            followups.follow_ups_start_for_deal(deal, by=owner)
        if index % 5 == 0:
            Complaint.objects.create(
                customer=customer,
                received_on=today - timedelta(days=10),
                description="设备调试延期。",
                owner=owner,
                deadline=today - timedelta(days=3) if index % 2 == 0 else today + timedelta(days=5),
            )
    # Overdue demo complaints reach the managers' home pages as the hourly job would send them.
    complaints.complaint_escalations_send()
    return len(CUSTOMERS)
