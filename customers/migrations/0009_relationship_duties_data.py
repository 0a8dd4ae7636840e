"""The grade criteria and follow-up plans the policies set, each profile's completeness, and the
guards over the new records (see crm_archive/db_guards.py). SQLite rebuilt the customer, complaint
and handover tables in 0008, dropping their triggers: they are installed again here."""

from django.db import migrations

from crm_archive.db_guards import guard_tables

# seed 004 part 11 and seed 001 §5: what each grade means, how often its customers are contacted,
# how often the grade is reviewed. Administrators change them in the admin.
GRADES = [
    ("A", "年交易额大、合作稳定、信用良好的重点客户", 30, 6),
    ("B", "有稳定交易、具发展潜力的客户", 60, 12),
    ("C", "交易额较小或合作不稳定的一般客户", 90, 12),
    ("D", "长期无交易或信用较差的客户", 180, 12),
]

# seed 003 制度8 第7条: 购买顾客 3、30、60 日内回访；未购买顾客 3、15 日内回访.
PLANS = [
    ("购买客户回访", "purchase", "", "3,30,60"),
    ("潜在客户回访", "profile", "potential", "3,15"),
]


def seed_and_score(apps, schema_editor):
    GradeCriterion = apps.get_model("customers", "GradeCriterion")
    FollowUpPlan = apps.get_model("customers", "FollowUpPlan")
    Customer = apps.get_model("customers", "Customer")
    for grade, criteria, contact_days, review_months in GRADES:
        GradeCriterion.objects.get_or_create(
            grade=grade,
            defaults={"criteria": criteria, "contact_every_days": contact_days, "review_every_months": review_months},
        )
    for name, event, category, days in PLANS:
        FollowUpPlan.objects.get_or_create(name=name, defaults={"event": event, "category": category, "days": days})
    fields = [
        "legal_representative",
        "address",
        "postcode",
        "phone",
        "email",
        "registered_capital",
        "founded_on",
        "enterprise_type",
        "industry",
        "region",
        "business_scope",
        "annual_revenue",
        "employees",
        "credit_rating",
    ]
    batch = []
    for customer in Customer.objects.only("pk", *fields).iterator(chunk_size=2000):
        missing = sum(getattr(customer, name) in (None, "") for name in fields)
        customer.completeness = round(100 * (1 - missing / len(fields)))
        batch.append(customer)
        if len(batch) >= 2000:
            Customer.objects.bulk_update(batch, ["completeness"])
            batch = []
    Customer.objects.bulk_update(batch, ["completeness"])


class Migration(migrations.Migration):
    dependencies = [("customers", "0008_relationship_duties")]

    operations = [
        migrations.RunPython(seed_and_score, migrations.RunPython.noop),
        guard_tables(
            "customers",
            never_deleted=[
                "customers_customer",
                "customers_complaint",
                "customers_visitplan",
                "customers_followupplan",
                "customers_followup",
                "customers_gradecriterion",
                "customers_gradechange",
                "customers_correctionrequest",
            ],
            append_only=[
                "customers_handover",
                "customers_handoverstep",
                "customers_complaintprogress",
                "customers_complaintescalation",
                "customers_historicalcustomer",
                "customers_historicalcomplaint",
                "customers_historicalfollowupplan",
                "customers_historicalfollowup",
                "customers_historicalgradecriterion",
                "customers_historicalgradechange",
                "customers_historicalcorrectionrequest",
            ],
        ),
    ]
