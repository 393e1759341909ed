from django.contrib import admin

from .models import SalesLine


@admin.register(SalesLine)
class SalesLineAdmin(admin.ModelAdmin):
    list_display = ["customer", "date", "net_amount", "cost", "currency", "document_number"]
    raw_id_fields = ["customer", "import_batch"]
