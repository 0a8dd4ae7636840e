from django.contrib import messages
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm_archive.page_cache import kept_for_its_reader
from crm_archive.pagination import paginate

from . import dashboard, selectors, services


@kept_for_its_reader
def home(request):
    """The dashboard: the user's 待办 (counted, most urgent first), then per role the panels apps
    registered for it."""
    page = dashboard.home_page(request.user)
    # Each panel is rendered here so that one with nothing to show leaves no empty card (without the
    # request's context processors, which would run again for every panel).
    base = {"user": request.user, "request": request, "csrf_token": get_token(request)}
    sections = []
    for role, panels in page.sections:
        rendered = (render_to_string(name, {**base, "panel": panel}) for name, panel in panels)
        sections.append((role, [html for html in rendered if html.strip()]))
    return render(
        request, "accounts/home.html", {"roles": request.user.roles, "todos": page.todos, "sections": sections}
    )


@kept_for_its_reader
def notification_list(request):
    # No COUNT(*) of a long inbox (the page shows no total): one query for the page.
    page = paginate(selectors.notifications_for(request.user), page=request.GET.get("page"), count=False)
    return render(request, "accounts/notifications.html", {"page_obj": page})


@require_POST
def notifications_mark_read(request):
    count = services.notifications_mark_read(user=request.user)
    messages.success(request, _("已将 %(count)d 条通知标为已读。") % {"count": count})
    return redirect("notifications")
