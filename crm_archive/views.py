"""What every app's views do the same way: run a service from a form or a button, and show a
refusal (ActionRefused) to the person instead of failing; answer a bad request in their language."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

from crm_archive.errors import ActionRefused


def form_action(request, form, action):
    """For a POSTed, valid `form`, return `action(form.cleaned_data)`. A refusal is added to the
    form's errors and None returned; None too when nothing was posted or the form is invalid."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return action(form.cleaned_data)
    except ActionRefused as refusal:
        form.add_error(None, refusal.message)
        return None


def button_action(request, action, success_message, *, form=None) -> bool:
    """For a POSTed button (with an optional small form): run `action(cleaned_data)` and put
    the outcome — success, refusal or the form's errors — in the messages. True on success."""
    data = {}
    if form is not None:
        if not form.is_valid():
            # A message away from its field names the field ("退回理由：该字段是必填项。").
            for name, errors in form.errors.items():
                field = form.fields.get(name)
                for error in errors:
                    messages.error(request, f"{field.label}：{error}" if field and field.label else error)
            return False
        data = form.cleaned_data
    try:
        action(data)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return False
    messages.success(request, success_message)
    return True


def require(allowed: bool) -> None:
    """Refuse the request (403) unless `allowed` — a page or a step the person may not use at all."""
    if not allowed:
        raise PermissionDenied


def button_step(request, action, success_message, *, back_to: str, record, form=None):
    """One step of a workflow `record` (a loan, a destruction list) from a POSTed button with an
    optional small form: button_action runs `action(cleaned_data)` and puts the outcome in the
    messages; the person goes back to the record's page, the URL named `back_to` with its pk."""
    button_action(request, action, success_message, form=form)
    return redirect(back_to, pk=record.pk)


@requires_csrf_token
def bad_request(request, exception):
    """handler400. A form post larger than DATA_UPLOAD_MAX_MEMORY_SIZE (a long paste into a text
    box) gets a page that says so and leads back, where the browser still holds the typed text;
    any other bad request gets the plain 400 page."""
    if isinstance(exception, RequestDataTooBig):
        referer = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
            referer = ""
        return render(request, "413.html", {"back_url": referer}, status=413)
    return defaults.bad_request(request, exception)
