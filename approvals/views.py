"""The approvals inbox (everything waiting for my signature) and my deputies."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm_archive.views import button_action, form_action, require

from . import permissions, selectors, services
from .forms import DeputyForm
from .models import Deputy


def inbox(request):
    require(permissions.may_approve(request.user) or bool(selectors.principals_of(request.user)))
    tasks = selectors.tasks_awaiting(request.user)[:200]
    return render(request, "approvals/inbox.html", {"tasks": tasks})


def deputies(request):
    require(permissions.may_approve(request.user))
    form = DeputyForm(request.POST or None, principal=request.user)
    appointed = form_action(
        request,
        form,
        lambda data: services.deputy_appoint(
            principal=request.user,
            deputy=data["deputy"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            reason=data["reason"],
        ),
    )
    if appointed:
        messages.success(request, _("已指定 %(deputy)s 为您的审批代理人。") % {"deputy": appointed.deputy})
        return redirect("approvals:deputies")
    return render(
        request,
        "approvals/deputies.html",
        {
            "form": form,
            "deputies": selectors.deputies_of(request.user)[:50],
            "deputising": selectors.deputising_for(request.user)[:50],
        },
    )


@require_POST
def deputy_cancel(request, pk):
    appointment = get_object_or_404(Deputy, pk=pk, principal=request.user)
    button_action(request, lambda _data: services.deputy_cancel(appointment, by=request.user), _("代理已撤销。"))
    return redirect("approvals:deputies")
