from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "kamp.pipeline"
    label = "pipeline"
    verbose_name = _("Bids and contracts")


# The areas menu's label of the programme's bids page (core/_nav_areas.html): kept here so the
# catalogue of this app keeps its translation.
MENU_LABEL = _("Opportunities")
