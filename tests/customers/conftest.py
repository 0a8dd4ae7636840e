import pytest

from accounts.roles import Role
from tests.factories import DepartmentFactory


@pytest.fixture
def people(make_user):
    """Two sales departments with named people; customers are made per test."""
    east = DepartmentFactory(code="east", name="华东销售部")
    west = DepartmentFactory(code="west", name="华西销售部")
    office = DepartmentFactory(code="office", name="总经办")
    return {
        "owner": make_user(Role.SALES, department=east, username="zhangsan", last_name="张", first_name="三"),
        "successor": make_user(Role.SALES, department=east, username="lisi", last_name="李", first_name="四"),
        "colleague": make_user(Role.SALES, department=east, username="wangwu", last_name="王", first_name="五"),
        "east_manager": make_user(
            Role.DEPARTMENT_MANAGER, department=east, username="east_mgr", last_name="赵", first_name="经理"
        ),
        "west_manager": make_user(
            Role.DEPARTMENT_MANAGER, department=west, username="west_mgr", last_name="钱", first_name="经理"
        ),
        "west_sales": make_user(Role.SALES, department=west, username="sunliu", last_name="孙", first_name="六"),
        "marketing_director": make_user(
            Role.MARKETING_DIRECTOR, department=office, username="md", last_name="周", first_name="总监"
        ),
        "general_manager": make_user(
            Role.GENERAL_MANAGER, department=office, username="gm", last_name="吴", first_name="总"
        ),
    }
