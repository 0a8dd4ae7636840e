"""What every admin page of the project shares.

The admin is for superusers: it bypasses the secrecy tiers and the workflows, so the classes here
keep it from becoming a side door. Every object page answers 404 for an id that is not a valid
key (never a 500 or a redirect); nothing is ever deleted here; evidence is only read; and
simple-history's "revert" is off everywhere — a revert is an edit that skips the services and
their rules, and would turn a destroyed dossier back into a formal one.

The working-day calendar's exceptions (`CalendarDay`) are edited here too, by superusers.
"""

from django.contrib import admin
from django.contrib.admin.options import TO_FIELD_VAR
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_history_model_for_model

from .forms import CleanInputMixin
from .models import CalendarDay
from .workdays import is_working_day_without_overrides


def _valid_key_or_404(field, value):
    """`value` as the python value of `field`, or 404 when it is not one (e.g. "abc", "1e3", or
    an integer beyond the column's range)."""
    try:
        key = field.to_python(unquote(value))
    except (ValidationError, ValueError, TypeError):
        raise Http404 from None
    if isinstance(key, int):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        if (low is not None and key < low) or (high is not None and key > high):
            raise Http404
    return key


class CleanAdminInputMixin:
    """The admin's forms clean their input like every form of the product (crm_archive/forms.py:
    control characters dropped, text capped, dates in a sane range), whatever form class an admin
    names (Django's user forms included)."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not issubclass(form, CleanInputMixin):
            form = type(form.__name__, (CleanInputMixin, form), {"__module__": form.__module__})
        return form


class ObjectIdMustBeValidMixin(CleanAdminInputMixin):
    """Object pages (change, delete, history) answer 404 for an id that is not a valid key; forms
    clean their input (CleanAdminInputMixin)."""

    def _check_object_id(self, request, object_id):
        to_field = request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR))
        if to_field and self.to_field_allowed(request, to_field):
            field = self.model._meta.get_field(to_field)
        else:
            field = self.model._meta.pk
        _valid_key_or_404(field, object_id)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._check_object_id(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._check_object_id(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._check_object_id(request, object_id)
        return super().history_view(request, object_id, extra_context)


class SuperuserOnlyNoDeleteAdmin(ObjectIdMustBeValidMixin, admin.ModelAdmin):
    """For superusers only, and nothing is ever deleted from here."""

    show_full_result_count = False

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(SuperuserOnlyNoDeleteAdmin):
    """Evidence and workflow records: superusers read them; every change goes through the
    services (by the right person), evidence never changes at all."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class HistoryAdmin(SuperuserOnlyNoDeleteAdmin, SimpleHistoryAdmin):
    """simple-history's pages, read-only: a past version can be looked at, never restored."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_object_id(request, object_id)
        _valid_key_or_404(get_history_model_for_model(self.model)._meta.pk, version_id)
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyHistoryAdmin(HistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(HistoryAdmin):
    """The working-day calendar's exceptions (crm_archive/workdays.py). Never deleted: an exception
    entered by mistake is changed back, and its history says what every due date was counted on."""

    fields = ["day", "is_working_day", "note"]
    list_display = ["day", "weekday", "is_working_day", "calendar_says", "note"]
    list_filter = ["is_working_day"]
    search_fields = ["note"]

    @admin.display(description=_("星期"))
    def weekday(self, obj):
        return date_format(obj.day, "l")

    @admin.display(description=_("日历本身"))
    def calendar_says(self, obj):
        return _("上班") if is_working_day_without_overrides(obj.day) else _("放假")
