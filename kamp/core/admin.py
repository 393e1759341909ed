from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AuditEvent, ImportBatch, SiteSettings, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "role", "function", "is_active"]
    list_filter = ["role", "function", "is_active"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("kamp", {"fields": ["name", "role", "function", "language"]}),
        (
            "Django",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "name", "role", "function", "password1", "password2"],
            },
        )
    ]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "summary"]

    def has_change_permission(self, request, obj=None):
        return False  # the trail is evidence: read-only, even for admins


admin.site.register(ImportBatch)
admin.site.register(SiteSettings)


def _admins_only(request) -> bool:
    """The Django admin is for data repair by kamp's administrators, whatever ``is_staff``
    says: directors and the rest work through kamp's own pages, which keep the audit trail."""
    user = request.user
    return bool(user.is_active and user.is_authenticated and user.is_admin)


admin.site.has_permission = _admins_only  # type: ignore[method-assign]
admin.site.site_header = "kamp"
admin.site.site_title = "kamp admin"
