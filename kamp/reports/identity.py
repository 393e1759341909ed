"""The look of the exports: the company's identity (Settings) and the customer's logo, checked
when uploaded and read once per export."""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .models import DEFAULT_ACCENT, DEFAULT_FONT, DEFAULT_PRIMARY, CompanyIdentity, CustomerLogo

LOGO_MAX_BYTES = 1024 * 1024  # 1 MB: a logo, not a photo
LOGO_MAX_SIDE = 4000  # pixels
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
HEX = re.compile(r"#[0-9A-Fa-f]{6}")


def check_logo(upload) -> tuple[bytes, str]:
    """The bytes and content type of an uploaded logo, or the form error that says what is wrong:
    PNG or JPEG only (read from the image itself, not its name), at most 1 MB and 4000 pixels a
    side."""
    from PIL import Image

    if upload.size > LOGO_MAX_BYTES:
        raise forms.ValidationError(
            _("The logo is %(size)s; kamp accepts logos of up to %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(LOGO_MAX_BYTES)},
            code="too_large",
        )
    data = upload.read(LOGO_MAX_BYTES + 1)
    try:
        with Image.open(io.BytesIO(data)) as img:
            kind = img.format
            width, height = img.size
            img.verify()
    except Exception:
        raise forms.ValidationError(
            _("This file is not a PNG or JPEG image."), code="not_image"
        ) from None
    if kind not in LOGO_TYPES:
        raise forms.ValidationError(_("This file is not a PNG or JPEG image."), code="not_image")
    if max(width, height) > LOGO_MAX_SIDE:
        raise forms.ValidationError(
            _("The logo is %(w)s × %(h)s pixels; kamp accepts up to %(max)s pixels a side.")
            % {"w": width, "h": height, "max": LOGO_MAX_SIDE},
            code="too_big",
        )
    return data, LOGO_TYPES[kind]


def check_color(value: str) -> str:
    value = (value or "").strip()
    if not HEX.fullmatch(value):
        raise forms.ValidationError(_("Give a colour as #RRGGBB, e.g. #1F3A5F."), code="color")
    return value.upper()


@dataclass(frozen=True)
class Identity:
    """What an export needs of both companies' look."""

    company: str
    primary: str = DEFAULT_PRIMARY
    accent: str = DEFAULT_ACCENT
    font: str = DEFAULT_FONT
    confidentiality: str = ""
    logo: bytes | None = None
    logo_type: str = ""
    customer_logo: bytes | None = None
    customer_logo_type: str = ""

    def rgb(self, which: str) -> tuple[int, int, int]:
        value = getattr(self, which).lstrip("#")
        return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)

    @property
    def logo_data_uri(self) -> str:
        return _data_uri(self.logo, self.logo_type)

    @property
    def customer_logo_data_uri(self) -> str:
        return _data_uri(self.customer_logo, self.customer_logo_type)


def _data_uri(data: bytes | None, kind: str) -> str:
    if not data:
        return ""
    return f"data:{kind};base64,{base64.b64encode(bytes(data)).decode()}"


def identity_for(customer) -> Identity:
    from kamp.core.models import SiteSettings

    company = SiteSettings.load().company_name
    ident = CompanyIdentity.load()
    logo = CustomerLogo.objects.filter(customer=customer).first()

    def color(value: str, default: str) -> str:
        return value.upper() if value and HEX.fullmatch(value) else default

    return Identity(
        company=company,
        primary=color(ident.primary_color, DEFAULT_PRIMARY),
        accent=color(ident.accent_color, DEFAULT_ACCENT),
        font=ident.font or DEFAULT_FONT,
        confidentiality=ident.confidentiality,
        logo=bytes(ident.logo) if ident.logo else None,
        logo_type=ident.logo_type,
        customer_logo=bytes(logo.image) if logo else None,
        customer_logo_type=logo.image_type if logo else "",
    )
