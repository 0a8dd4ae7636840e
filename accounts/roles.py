"""The roles of SPEC §1. Each role is a Django group of the same name, created by a data migration."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ARCHIVE_CLERK = "archive_clerk", _("档案管理员")
    ARCHIVE_MANAGER = "archive_manager", _("内勤部经理")
    SALES = "sales", _("销售/业务人员")
    DEPARTMENT_MANAGER = "department_manager", _("部门经理")
    CS_MANAGER = "cs_manager", _("客户服务部经理")
    CUSTOMER_DIRECTOR = "customer_director", _("客户总监")
    MARKETING_DIRECTOR = "marketing_director", _("营销总监")
    GENERAL_MANAGER = "general_manager", _("总经理")


def handles(user, *roles: Role) -> bool:
    """Whether `user` does the office work of one of `roles` (filing, issuing, registering, reading
    the archive's registers). A superuser administers the system and may do it too."""
    return user.is_superuser or user.has_role(*roles)


def signs_as(user, *roles: Role) -> bool:
    """Whether `user` may sign as one of `roles`: an approval, an appraisal, a verification or a
    supervision is a person's signature in the register, so only someone holding the role gives
    it — a superuser, who administers the system, signs nothing on anyone's behalf."""
    return user.has_role(*roles)
