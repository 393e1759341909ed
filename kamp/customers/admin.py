from django.contrib import admin

from kamp.core.admin import AuditedAdmin

from . import actions
from .models import Contact, Customer


@admin.register(Customer)
class CustomerAdmin(AuditedAdmin):
    """Data repair goes through the same actions as kamp's pages: the owner changes by handing
    the account over (kept in its ownership history), and the status is read-only here — it
    changes by a selection decision, on the customer's Selection tab."""

    list_display = ["name", "tax_id", "status", "owner", "industry", "region"]
    list_filter = ["status", "industry", "region"]
    search_fields = ["name", "tax_id", "external_id"]
    raw_id_fields = ["parent", "owner"]
    readonly_fields = ["status"]

    def save_model(self, request, obj, form, change):
        from kamp.team.actions import do_change_owner

        values = {
            f: form.cleaned_data[f]
            for f in form.changed_data
            if f in actions.EDITABLE_CUSTOMER_FIELDS
        }
        if change:
            fresh = Customer.objects.get(pk=obj.pk)
            if values:
                actions.do_update_customer(request.user, fresh, **values)
            if "owner" in form.changed_data:
                do_change_owner(
                    request.user, fresh, form.cleaned_data["owner"], reason="Django admin"
                )
        else:
            fresh = actions.do_create_customer(
                request.user, owner=form.cleaned_data.get("owner"), **values
            )
            obj.pk = fresh.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        actions.do_delete_customer(request.user, obj)

    def delete_queryset(self, request, queryset):
        for customer in queryset:
            actions.do_delete_customer(request.user, customer)


@admin.register(Contact)
class ContactAdmin(AuditedAdmin):
    list_display = ["name", "customer", "function", "attitude", "active"]
    list_filter = ["function", "attitude", "active"]
    search_fields = ["name", "email", "customer__name"]
    raw_id_fields = ["customer", "reports_to"]

    def save_model(self, request, obj, form, change):
        values = {f: form.cleaned_data[f] for f in form.changed_data}
        if change:
            actions.do_update_contact(request.user, Contact.objects.get(pk=obj.pk), **values)
        else:
            customer = values.pop("customer")
            obj.pk = actions.do_create_contact(request.user, customer, **values).pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        actions.do_delete_contact(request.user, obj)

    def delete_queryset(self, request, queryset):
        for contact in queryset:
            actions.do_delete_contact(request.user, contact)
