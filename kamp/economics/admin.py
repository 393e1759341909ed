from django.contrib import admin
from django.db import transaction

from kamp.core.admin import AuditedAdmin

from . import sales_months
from .models import (
    ActivityRecord,
    ActivityType,
    CategorySpend,
    EconomicsSettings,
    ExchangeRate,
    Investment,
    InvestmentAllocation,
    SalesLine,
)


@admin.register(SalesLine)
class SalesLineAdmin(AuditedAdmin):
    list_display = ["customer", "date", "net_amount", "cost", "currency", "document_number"]
    raw_id_fields = ["customer", "import_batch"]

    # Saves refresh the monthly sums through a signal; deletes do it here (see sales_months).
    def delete_model(self, request, obj):
        with transaction.atomic():
            super().delete_model(request, obj)
            sales_months.refresh([obj.customer_id], obj.date, obj.date)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            touched: dict[int, list] = {}
            for cid, day in queryset.values_list("customer_id", "date"):
                sales_months.touch(touched, cid, day)
            super().delete_queryset(request, queryset)
            sales_months.refresh_touched(touched)


@admin.register(ActivityType)
class ActivityTypeAdmin(AuditedAdmin):
    list_display = ["name", "driver", "rate", "currency", "kam_time", "active"]


@admin.register(ActivityRecord)
class ActivityRecordAdmin(AuditedAdmin):
    list_display = ["customer", "activity", "month", "count", "minutes", "cost", "currency"]
    raw_id_fields = ["customer"]
    list_filter = ["activity"]


class AllocationInline(admin.TabularInline):
    model = InvestmentAllocation
    raw_id_fields = ["customer"]
    extra = 0


@admin.register(Investment)
class InvestmentAdmin(AuditedAdmin):
    list_display = ["date", "kind", "customer", "amount", "currency", "allocation"]
    raw_id_fields = ["customer"]
    list_filter = ["kind"]
    inlines = [AllocationInline]


@admin.register(CategorySpend)
class CategorySpendAdmin(AuditedAdmin):
    list_display = ["customer", "period", "amount", "currency"]
    raw_id_fields = ["customer"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(AuditedAdmin):
    list_display = ["currency", "period", "rate"]


admin.site.register(EconomicsSettings, AuditedAdmin)
