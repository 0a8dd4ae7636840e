"""People pickers: the form field and the search answer every app uses for a field that names a
person (a successor, a second responsible person, a complaint handler, a deputy…).

Who may hold the duty is decided by the app that owns the field, in its permissions or selectors
(e.g. customers.permissions.handover_successors_for); the field's queryset and the search
endpoint both take that one set, so the picker offers nobody the form would refuse, and the form
refuses a posted id outside it — an administrator's, `1e3`, a huge number — with the field's own
message. Superusers administer the system and hold no duty: no set includes them.
"""

from django import forms
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from crm_archive.autocomplete import PICKER_LIMIT, picker_response, search_term
from crm_archive.widgets import PickerSelect

from .models import User


def person_label(person: User) -> str:
    """How a picker names a person: name, username and department (two 张伟 are told apart), and
    whether the account is deactivated."""
    name = str(person)
    label = name if name == person.username else f"{name} ({person.username})"
    if person.department_id:
        label = f"{label} · {person.department}"
    # A leaver already deactivated can still be handed over from; say so.
    return label if person.is_active else f"{label} · {_('已停用')}"


def people_matching(people: QuerySet[User], term: str) -> QuerySet[User]:
    """`people` whose username or name (张三 as one word, or John Smith) contains `term`; all of
    them for an empty term. Ordered by username, departments joined in for the label."""
    people = people.select_related("department")
    if term:
        people = people.annotate(
            picker_family_first=Concat("last_name", "first_name"),
            picker_given_first=Concat("first_name", Value(" "), "last_name"),
        ).filter(
            Q(username__icontains=term) | Q(picker_family_first__icontains=term) | Q(picker_given_first__icontains=term)
        )
    return people.order_by("username", "pk")


def people_picker(request, people: QuerySet[User]):
    """The JSON answer of a people picker: at most PICKER_LIMIT of `people` matching `q`."""
    matches = people_matching(people, search_term(request))[:PICKER_LIMIT]
    return picker_response((person.pk, person_label(person)) for person in matches)


class PersonField(forms.ModelChoiceField):
    """A person chosen among the set the owning app decides (pass it as `queryset`, in the form's
    __init__), searched at `url`. `refusal` says who may hold the duty: it is the message for a
    posted id outside the set."""

    def __init__(self, *, url="", refusal=None, queryset=None, **kwargs):
        kwargs.setdefault("widget", PickerSelect(url, placeholder=_("输入姓名或用户名查找…"), preload=True))
        kwargs.setdefault("empty_label", _("（请选择）"))
        super().__init__(queryset=queryset if queryset is not None else User.objects.none(), **kwargs)
        if refusal:
            self.error_messages["invalid_choice"] = refusal

    def label_from_instance(self, obj) -> str:
        return person_label(obj)
