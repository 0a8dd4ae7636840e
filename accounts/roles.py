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
