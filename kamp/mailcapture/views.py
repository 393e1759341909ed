"""Mail capture's pages: each person's mail waiting to be resolved; the admin's dropbox mailbox
(settings and state, "Check now")."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kamp.core.http import AuthenticatedHttpRequest
from kamp.customers.access import customers_editable_by

from . import access, actions, tasks
from .forms import AssignForm, MailboxForm
from .models import CapturedMessage, Mailbox, Status

WAITING = (Status.UNMATCHED, Status.TOO_LARGE, Status.UNREADABLE)
RECENT_SHOWN = 20


def _customers(user):
    return customers_editable_by(user).order_by("name").only("pk", "name")


@require_GET
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    mine = access.messages_for(request.user)
    waiting = list(mine.filter(status__in=WAITING).order_by("-sent_at", "-id")[:200])
    recent = list(
        mine.filter(status=Status.LOGGED)
        .select_related("customer")
        .order_by("-read_at", "-id")[:RECENT_SHOWN]
    )
    mailbox = Mailbox.load()
    return render(
        request,
        "mailcapture/inbox.html",
        {
            "waiting": waiting,
            "recent": recent,
            "mailbox": mailbox if mailbox.configured else None,
            "form": AssignForm(customers=_customers(request.user)),
        },
    )


def _own_message(request: AuthenticatedHttpRequest, pk: int) -> CapturedMessage:
    return get_object_or_404(access.messages_for(request.user), pk=pk)


@require_POST
def assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    message = _own_message(request, pk)
    form = AssignForm(request.POST, customers=_customers(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose one of the customers whose log you may write in."))
        return redirect("mailcapture:inbox")
    try:
        actions.do_assign(request.user, message, form.cleaned_data["customer"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        messages.error(request, _("You may not write in this customer's log."))
    else:
        messages.success(
            request,
            _("“%(subject)s” logged on %(customer)s.")
            % {
                "subject": message.subject or _("(no subject)"),
                "customer": form.cleaned_data["customer"],
            },
        )
    return redirect("mailcapture:inbox")


@require_POST
def dismiss(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    message = _own_message(request, pk)
    try:
        actions.do_dismiss(request.user, message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Mail dismissed: it is not logged."))
    return redirect("mailcapture:inbox")


def _admin(request: AuthenticatedHttpRequest) -> None:
    if not access.may_manage_mailbox(request.user):
        raise PermissionDenied


@never_cache
def mailbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    _admin(request)
    box = Mailbox.load()
    form = MailboxForm(request.POST or None, instance=box)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "password"}
        try:
            actions.do_save_mailbox(
                request.user, password=form.cleaned_data.get("password") or "", **values
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Dropbox mailbox saved."))
            return redirect("mailcapture:mailbox")
    # Re-arms the worker's schedule should it have been lost (a restored database): a check
    # already waiting makes this a look-up.
    tasks.schedule_next()
    counts = {
        row["status"]: row["n"]
        for row in CapturedMessage.objects.values("status").annotate(n=Count("id"))
    }
    return render(
        request,
        "mailcapture/mailbox.html",
        {
            "form": form,
            "mailbox": Mailbox.load(),
            "counts": [(label, counts.get(value, 0)) for value, label in Status.choices],
            "total": sum(counts.values()),
        },
    )


@require_POST
def mailbox_check(request: AuthenticatedHttpRequest) -> HttpResponse:
    _admin(request)
    box = Mailbox.load()
    if not box.configured:
        messages.error(request, _("Set up the mailbox first."))
    else:
        tasks.check_now()
        messages.success(
            request, _("The mailbox will be checked now; reload the page to see the result.")
        )
    return redirect("mailcapture:mailbox")


@require_POST
def mailbox_remove(request: AuthenticatedHttpRequest) -> HttpResponse:
    _admin(request)
    actions.do_remove_mailbox(request.user)
    messages.success(request, _("Mailbox removed; its password is forgotten."))
    return redirect("mailcapture:mailbox")
