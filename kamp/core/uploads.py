"""Bounds on what people upload (import files, calendars): checked before a file is kept or
read. See ``settings.KAMP_IMPORT_MAX_BYTES``."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


def check_upload_size(size: int) -> None:
    """Refuse an upload larger than ``settings.KAMP_IMPORT_MAX_BYTES`` (raises the form error
    that says so; the file is then neither kept nor read)."""
    limit = settings.KAMP_IMPORT_MAX_BYTES
    if size > limit:
        raise forms.ValidationError(
            _(
                "The file is %(size)s; kamp accepts files of up to %(limit)s. Split it, or ask "
                "an administrator to import it with the kamp import command."
            )
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
