"""(stub: being written)"""


def ready():
    """Register this module's dashboard panels and menu items (called from CustomersConfig.ready)."""


def detail_context(user, customer) -> dict:
    """What the customer page shows of this module, in a fixed number of queries."""
    return {}


def on_record_saved(record, *, by, created: bool) -> None:
    """Called by services.customer_record_save after a contact, interaction, deal or complaint is saved."""


def on_customer_created(customers, *, by) -> None:
    """Called after customers are created (one by form, many by import)."""
