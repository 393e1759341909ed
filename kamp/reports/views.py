"""Downloads of the account plan: the PDF one-pager and the PowerPoint QBR deck. Whoever may
read the account may download them; money appears only for those who may see economics."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from kamp.core import audit
from kamp.core.http import AuthenticatedHttpRequest
from kamp.core.versioning import CONFLICT_MESSAGE, ConflictFormMixin, VersionConflict
from kamp.customers.access import get_customer_for_user
from kamp.plans.access import get_plan_for_user

from . import actions, deck, editions, identity, pdf, plan_data
from .models import (
    DEFAULT_ACCENT,
    DEFAULT_FONT,
    DEFAULT_PRIMARY,
    FONTS,
    CompanyIdentity,
    CustomerLogo,
)

PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# The trail says what was exported in the reader's language (audit.say).
EXPORTED = gettext_noop("Exported %(file)s")


def _filename(plan, kind: str, ext: str, edition: str = editions.INTERNAL) -> str:
    # The customer's name, readable and safe in every file system.
    suffix = "-customer" if edition == editions.CUSTOMER else ""
    return f"{slugify(plan.customer.name) or 'account'}-{kind}-{plan.period}{suffix}.{ext}"


def _edition(request) -> str:
    """``?edition=internal`` (the default) or ``?edition=customer``."""
    edition = editions.parse(request.GET.get("edition"))
    if edition is None:
        raise Http404("No such edition")
    return edition


def _download(request, plan, body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    audit.record(
        request.user,
        "other",
        plan,
        customer_id=plan.customer_id,
        summary=audit.say(EXPORTED, file=filename),
    )
    return response


def plan_pdf(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_pk)
    edition = _edition(request)
    report = plan_data.gather(request.user, plan, edition=edition)
    return _download(
        request,
        plan,
        pdf.plan_pdf(report),
        "application/pdf",
        _filename(plan, "plan", "pdf", edition),
    )


def plan_pptx(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_pk)
    edition = _edition(request)
    report = plan_data.gather(request.user, plan, edition=edition)
    return _download(
        request, plan, deck.plan_deck(report), PPTX_TYPE, _filename(plan, "qbr", "pptx", edition)
    )


# --- the exports' look --------------------------------------------------------------------------


class IdentityForm(ConflictFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    conflict_skip = ("logo", "remove_logo")

    logo = forms.FileField(
        label=gettext_lazy("Company logo"),
        required=False,
        help_text=gettext_lazy("PNG or JPEG, up to 1 MB; without one, the company's name."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=gettext_lazy("Remove the logo"), required=False)
    primary_color = forms.CharField(
        label=gettext_lazy("Primary colour"),
        widget=forms.TextInput(attrs={"type": "color"}),
        initial=DEFAULT_PRIMARY,
    )
    accent_color = forms.CharField(
        label=gettext_lazy("Accent colour"),
        widget=forms.TextInput(attrs={"type": "color"}),
        initial=DEFAULT_ACCENT,
    )
    font = forms.ChoiceField(label=gettext_lazy("Font"), choices=FONTS, initial=DEFAULT_FONT)
    confidentiality = forms.CharField(
        label=gettext_lazy("Confidentiality line"),
        required=False,
        max_length=120,
        help_text=gettext_lazy(
            "Printed in the footer of the internal edition; empty for “Confidential — internal "
            "use only”."
        ),
    )

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        return identity.check_logo(upload) if upload else None

    def clean(self):
        data = super().clean()
        if data.get("version") is None:
            # Without it the save could overwrite anything: a form from an older kamp, or tampered.
            self.add_error(None, _("This form is out of date: reload the page and try again."))
        return data

    def clean_primary_color(self):
        return identity.check_color(self.cleaned_data.get("primary_color", ""))

    def clean_accent_color(self):
        return identity.check_color(self.cleaned_data.get("accent_color", ""))


def identity_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Settings → identity for exports: logo, colours and font of the QBR deck and the PDF
    (directors and admins)."""
    if not request.user.manages_programme:
        raise PermissionDenied
    current = CompanyIdentity.load()
    initial = {
        "primary_color": current.primary_color,
        "accent_color": current.accent_color,
        "font": current.font,
        "confidentiality": current.confidentiality,
        "version": current.version if current.pk else 0,  # 0: not saved yet
    }
    form = IdentityForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_save_identity(
                request.user,
                primary_color=data["primary_color"],
                accent_color=data["accent_color"],
                font=data["font"],
                confidentiality=data["confidentiality"],
                logo=data["logo"],
                remove_logo=data["remove_logo"],
                version=form.take_version(),
            )
        except VersionConflict as exc:
            if exc.current is None:
                raise Http404("No identity") from None
            form.show_conflict(exc.current, CONFLICT_MESSAGE)  # both versions, they choose
        if not form.errors:
            messages.success(request, _("Identity for exports saved."))
            return redirect("reports:identity")
    return render(
        request,
        "reports/identity.html",
        {"form": form, "current": current, "has_logo": bool(current.logo)},
        status=409 if form.conflicts else 200,
    )


class CustomerLogoForm(forms.Form):
    logo = forms.FileField(
        label=gettext_lazy("Customer logo"),
        required=False,
        help_text=gettext_lazy("PNG or JPEG, up to 1 MB: on the title slide and the one-pager."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove = forms.BooleanField(label=gettext_lazy("Remove the logo"), required=False)

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        return identity.check_logo(upload) if upload else None


def customer_logo(request: AuthenticatedHttpRequest, customer_pk: int) -> HttpResponse:
    """The customer's logo on its exports: whoever edits the account sets or removes it."""
    customer = get_customer_for_user(request.user, customer_pk, write=True)
    form = CustomerLogoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["logo"]:
            actions.do_set_customer_logo(request.user, customer, form.cleaned_data["logo"])
            messages.success(request, _("Customer logo saved."))
        elif form.cleaned_data["remove"]:
            actions.do_set_customer_logo(request.user, customer, None)
            messages.success(request, _("Customer logo removed."))
        return redirect("reports:customer_logo", customer.pk)
    logo = CustomerLogo.objects.filter(customer=customer).only("updated_at", "image_type").first()
    return render(
        request,
        "reports/customer_logo.html",
        {"form": form, "customer": customer, "logo": logo},
    )
