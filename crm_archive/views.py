"""What every app's views do the same way: run a service from a form or a button, and show a
refusal (ActionRefused) to the person instead of failing."""

from django.contrib import messages

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
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return False
        data = form.cleaned_data
    try:
        action(data)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return False
    messages.success(request, success_message)
    return True
