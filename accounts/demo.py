"""Demo departments and one user per role, with a known password (never for production)."""

from django.contrib.auth.models import Group
from django.db import transaction

from .models import Department, User
from .roles import Role

DEMO_PASSWORD = "demo-2026"

DEPARTMENTS = [
    ("archive", "内勤部"),
    ("sales-1", "销售一部"),
    ("sales-2", "销售二部"),
    ("service", "客户服务部"),
    ("marketing", "营销中心"),
    ("executive", "总经理办公室"),
]

# username, last name, first name, department code, roles
PEOPLE = [
    ("clerk", "李", "档案", "archive", [Role.ARCHIVE_CLERK]),
    ("archmgr", "王", "内勤", "archive", [Role.ARCHIVE_MANAGER]),
    ("sales1", "张", "一", "sales-1", [Role.SALES]),
    ("sales2", "赵", "二", "sales-1", [Role.SALES]),
    ("sales3", "孙", "三", "sales-2", [Role.SALES]),
    ("deptmgr1", "周", "经理", "sales-1", [Role.DEPARTMENT_MANAGER]),
    ("deptmgr2", "吴", "经理", "sales-2", [Role.DEPARTMENT_MANAGER]),
    ("csmgr", "郑", "客服", "service", [Role.CS_MANAGER, Role.DEPARTMENT_MANAGER]),
    ("custdir", "陈", "总监", "marketing", [Role.CUSTOMER_DIRECTOR]),
    ("mktdir", "刘", "营销", "marketing", [Role.MARKETING_DIRECTOR]),
    ("gm", "黄", "总", "executive", [Role.GENERAL_MANAGER]),
]


@transaction.atomic
def seed_people() -> dict[str, User]:
    """Create (or reset) the demo departments and users; safe to run again."""
    departments = {
        code: Department.objects.update_or_create(code=code, defaults={"name": name})[0] for code, name in DEPARTMENTS
    }
    users = {}
    for username, last_name, first_name, department_code, roles in PEOPLE:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "last_name": last_name,
                "first_name": first_name,
                "department": departments[department_code],
                "email": f"{username}@example.com",
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set(Group.objects.filter(name__in=roles))
        users[username] = user
    admin, _ = User.objects.update_or_create(
        username="admin",
        defaults={"is_staff": True, "is_superuser": True, "department": departments["archive"]},
    )
    admin.set_password(DEMO_PASSWORD)
    admin.save()
    users["admin"] = admin
    return users
