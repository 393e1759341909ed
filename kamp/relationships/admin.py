from django.contrib import admin

from kamp.core.admin import AuditedAdmin

from .models import (
    Assessment,
    RelationshipSettings,
    StageRecord,
    SurveyItem,
    SurveyRound,
    SurveyTemplate,
)


class SurveyItemInline(admin.TabularInline):
    model = SurveyItem
    extra = 0
    fields = ["order", "key", "construct", "facet", "reversed", "text_en", "text_es"]


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(AuditedAdmin):
    list_display = ["name", "key", "active"]
    inlines = [SurveyItemInline]


@admin.register(Assessment)
class AssessmentAdmin(AuditedAdmin):
    list_display = ["customer", "date", "type", "ro", "ds", "db", "relative_power"]
    list_filter = ["type"]
    search_fields = ["customer__name"]
    raw_id_fields = ["customer", "created_by"]


@admin.register(SurveyRound)
class SurveyRoundAdmin(AuditedAdmin):
    """Read-only listing: rounds are run from the customer page (answers are never edited)."""

    list_display = ["customer", "opened_on", "closes_on", "team_rqi", "customer_rqi", "max_gap"]
    readonly_fields = [f.name for f in SurveyRound._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(StageRecord)
class StageRecordAdmin(AuditedAdmin):
    list_display = ["customer", "date", "stage", "suggested"]
    raw_id_fields = ["customer", "created_by"]


@admin.register(RelationshipSettings)
class RelationshipSettingsAdmin(AuditedAdmin):
    """One row: the answers a survey round needs per side before it counts."""

    list_display = ["__str__", "min_team_answers", "min_customer_answers"]

    def has_add_permission(self, request):
        return not RelationshipSettings.objects.exists()
