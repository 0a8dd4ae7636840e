from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, register_converter
from django.views.i18n import set_language

from accounts.forms import AdminLoginForm, LoginForm
from crm_archive import health
from crm_archive.converters import IdConverter

# Before the apps' URL modules are included: they name ids `<id:pk>`.
register_converter(IdConverter, "id")

# 403, 404 and 500 use Django's views with our templates (templates/403.html …); 400 also
# recognises an oversized form post (crm_archive.views.bad_request).
# Under /api/ they answer the API's JSON error shape instead (api/errors.py).
handler400 = "api.errors.bad_request"
handler403 = "api.errors.permission_denied"
handler404 = "api.errors.page_not_found"
handler500 = "api.errors.server_error"

admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # The language can be switched on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("customers/", include("customers.urls")),
    path("approvals/", include("approvals.urls")),
    path("dossiers/", include("dossiers.urls")),
    path("lending/", include("lending.urls")),
    path("destruction/", include("destruction.urls")),
    path("audit/", include("audit.urls")),
    path("api/", include("api.urls")),
    path("", include("accounts.urls")),
]
