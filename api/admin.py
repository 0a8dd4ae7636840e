"""Administrators issue an API key to an integration account here (the key is shown once, on
saving) and revoke it; a key is never deleted nor changed after it is issued."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crm_archive.admin import SuperuserOnlyNoDeleteAdmin
from crm_archive.forms import ModelForm

from .models import ApiKey


class ApiKeyForm(ModelForm):
    class Meta:
        model = ApiKey
        fields = ["user", "name", "expires_at"]

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        if expires_at <= timezone.now():
            raise forms.ValidationError(_("失效时间须晚于现在。"))
        return expires_at


@admin.register(ApiKey)
class ApiKeyAdmin(SuperuserOnlyNoDeleteAdmin):
    form = ApiKeyForm
    list_display = ["prefix", "user", "name", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_select_related = ["user"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "user__username", "name"]
    raw_id_fields = ["user"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["user", "name", "prefix", "created_at", "created_by", "expires_at", "revoked_at", "last_used_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return
        api_key, key = ApiKey.issue(
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            expires_at=form.cleaned_data["expires_at"],
            by=request.user,
        )
        obj.__dict__.update(api_key.__dict__)
        messages.warning(
            request,
            _("密钥（仅显示这一次，请立即交给对接方妥善保存）：%(key)s") % {"key": key},
        )

    @admin.action(description=_("吊销所选密钥"))
    def revoke(self, request, queryset):
        keys = list(queryset.filter(revoked_at__isnull=True))
        for api_key in keys:
            api_key.revoke()
        self.message_user(
            request,
            ngettext("已吊销 %(count)d 个密钥。", "已吊销 %(count)d 个密钥。", len(keys)) % {"count": len(keys)},
        )
