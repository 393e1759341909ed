from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailCaptureConfig(AppConfig):
    name = "kamp.mailcapture"
    label = "mailcapture"
    verbose_name = _("Mail capture")
