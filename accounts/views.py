from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import dashboard, selectors, services


def home(request):
    """The dashboard: one card per role the user holds, with the panels apps registered for it."""
    sections = [(role, dashboard.panels_for(request.user, role)) for role in request.user.roles]
    return render(request, "accounts/home.html", {"roles": request.user.roles, "sections": sections})


def notification_list(request):
    page = Paginator(selectors.notifications_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {"page_obj": page})


@require_POST
def notifications_mark_read(request):
    count = services.notifications_mark_read(user=request.user)
    messages.success(request, _("已将 %(count)d 条通知标为已读。") % {"count": count})
    return redirect("notifications")
