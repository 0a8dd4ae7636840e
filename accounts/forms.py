from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from crm_archive.forms import CleanInputMixin


class UsernameLengthCheckedMixin:
    """Checks the username's length before anyone is authenticated. AuthenticationForm only sets
    `max_length` on the field (no validator), so an overlong name reached django-axes, whose
    255-character column refused it with a 500; now it is an error on the form."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class LoginForm(UsernameLengthCheckedMixin, CleanInputMixin, AuthenticationForm):
    """The product's sign-in page."""


class AdminLoginForm(UsernameLengthCheckedMixin, CleanInputMixin, AdminAuthenticationForm):
    """The admin's sign-in page."""
