"""(stub: being written)"""


def ready():
    """Register this module's dashboard panels and menu items (called from CustomersConfig.ready)."""


def detail_context(user, customer) -> dict:
    """What the customer page shows of this module, in a fixed number of queries."""
    return {}
