from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models, transaction
from django.db.models import F

from . import audit
from .models import AuditEvent, ImportBatch, SiteSettings, User

# Never copied into the trail, whatever the model.
SECRET_FIELDS = {"password"}


def _fields(obj: models.Model) -> list[str]:
    return [
        f.name
        for f in obj._meta.concrete_fields
        if not f.primary_key and f.name not in SECRET_FIELDS and f.name != "version"
    ]


def _customer_id(obj: models.Model) -> int | None:
    """The customer whose History tab shows the entry."""
    if obj._meta.label_lower == "customers.customer":
        return obj.pk
    return getattr(obj, "customer_id", None)


def _record(request, action: str, obj: models.Model, before: dict, after: dict) -> None:
    changes = audit.diff(before, after)
    if action == "update" and not changes:
        return
    audit.record(
        request.user,
        action,
        obj,
        customer_id=_customer_id(obj),
        changes=changes,
        summary="Django admin",
    )


def _bump_version(obj: models.Model) -> None:
    """A record edited in the admin moves to its next version, so that a form opened on it
    before is told (see ``kamp.core.versioning``)."""
    if any(f.name == "version" for f in obj._meta.concrete_fields) and obj.pk is not None:
        type(obj)._default_manager.filter(pk=obj.pk).update(version=F("version") + 1)


class AuditedAdmin(admin.ModelAdmin):
    """Every save and delete made in the Django admin lands in kamp's audit trail, with the old and
    new values, like the changes made through kamp's pages (whose actions write it): the admin
    is for data repair, and a repair is evidence too. Every app's admin uses it; a model whose
    changes must go through an action function overrides ``save_model`` to call it."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            old = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
            before = audit.snapshot(old, _fields(obj)) if old is not None else {}
            super().save_model(request, obj, form, change)
            _bump_version(obj)
            _record(
                request,
                "update" if change else "create",
                obj,
                before,
                audit.snapshot(obj, _fields(obj)),
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            _record(request, "delete", obj, audit.snapshot(obj, _fields(obj)), {})
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                _record(request, "delete", obj, audit.snapshot(obj, _fields(obj)), {})
            super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        """Inline rows (an investment's allocations, a survey's items) are audited one by one."""
        with transaction.atomic():
            befores = {}
            for inline in formset.initial_forms:
                stored = inline.instance
                if stored.pk is None:
                    continue
                if inline in formset.deleted_forms:
                    _record(request, "delete", stored, audit.snapshot(stored, _fields(stored)), {})
                elif inline.has_changed():
                    old = type(stored)._default_manager.filter(pk=stored.pk).first()
                    if old is not None:
                        befores[old.pk] = audit.snapshot(old, _fields(old))
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                _record(request, "create", obj, {}, audit.snapshot(obj, _fields(obj)))
            for obj, _changed in formset.changed_objects:
                after = audit.snapshot(obj, _fields(obj))
                _record(request, "update", obj, befores.get(obj.pk, {}), after)


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(ImportBatch, AuditedAdmin)
admin.site.register(SiteSettings, AuditedAdmin)


def _admins_only(request) -> bool:
    """The Django admin is for data repair by kamp's administrators, whatever ``is_staff``
    says: directors and the rest work through kamp's own pages, which keep the audit trail."""
    user = request.user
    return bool(user.is_active and user.is_authenticated and user.is_admin)


admin.site.has_permission = _admins_only  # type: ignore[method-assign]
admin.site.site_header = "kamp"
admin.site.site_title = "kamp admin"
