from django.contrib import admin

from .models import Contact, Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "tax_id", "status", "owner", "industry", "region"]
    list_filter = ["status", "industry", "region"]
    search_fields = ["name", "tax_id", "external_id"]
    raw_id_fields = ["parent", "owner"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "function", "attitude", "active"]
    list_filter = ["function", "attitude", "active"]
    search_fields = ["name", "email", "customer__name"]
    raw_id_fields = ["customer", "reports_to"]
