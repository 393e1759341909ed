from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SalesLine(models.Model):
    """One invoiced line: it feeds the account P&L and the derived selection factors."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
        related_name="sales_lines",
    )
    date = models.DateField(_("date"))
    net_amount = models.DecimalField(_("net amount"), max_digits=18, decimal_places=4)
    cost = models.DecimalField(_("cost of goods"), max_digits=18, decimal_places=4, default=0)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    product = models.CharField(_("product"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=4, null=True, blank=True)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    line_number = models.CharField(_("line"), max_length=20, blank=True)
    import_batch = models.ForeignKey(
        "core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("sales line")
        verbose_name_plural = _("sales lines")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["customer", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["document_number", "line_number"], condition=~Q(document_number=""),
                name="sales_line_document_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.date} {self.net_amount}"
