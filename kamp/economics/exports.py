"""Excel exports of the account P&L and of the portfolio (openpyxl).

Text that a spreadsheet would read as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) is neutralised with a leading apostrophe-quote prefix, so a customer called
``=HYPERLINK(...)`` or a note starting with ``-`` stays text.

Figures are cells of their own type, formatted by :mod:`kamp.core.formatting` as the pages
show them: money a number with ``"CLP "#,##0`` (the currency's decimals, its code in front),
ratios a number with ``0.0%``, days real dates with the reader's date format (``dd-mm-yyyy`` in
Spanish), never text; Excel then shows them with the reader's own separators. Periods are
written as people read them ("dic 2025 – nov 2026") with their first and last day as dates.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from kamp.core import formatting

from . import figures, pnl
from .pnl_rows import PNL_ROWS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe(value):
    """A cell value that cannot run as a formula."""
    if isinstance(value, str):
        if value.startswith(DANGEROUS):
            return "'" + value
        return value
    if value is None or isinstance(value, (int, Decimal, float, date)):
        return value
    return safe(str(value))


def _append(ws, values, bold: bool = False, money_cols=(), currency: str = "", pct_cols=()):
    ws.append([safe(v) for v in values])
    row = ws.max_row
    for col in money_cols:
        ws.cell(row=row, column=col).number_format = formatting.excel_money_format(currency)
    for col in pct_cols:
        ws.cell(row=row, column=col).number_format = formatting.excel_percent_format(1)
    for cell in ws[row]:
        if isinstance(cell.value, datetime):
            cell.number_format = formatting.excel_datetime_format()
        elif isinstance(cell.value, date):
            cell.number_format = formatting.excel_date_format()
    if bold:
        for cell in ws[row]:
            cell.font = Font(bold=True)


def _response(wb: Workbook, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def pnl_workbook(customer, value: pnl.AccountPnL, label: str) -> Workbook:
    currency = value.currency
    wb = Workbook()
    ws = wb.active
    ws.title = _("P&L")[:31]
    _append(ws, [_("Account P&L"), customer.name], bold=True)
    _append(ws, [_("Period"), label, *_days(value.period)])
    previous = value.previous.period if value.previous else None
    _append(
        ws,
        [_("Previous period"), formatting.format_period(previous) if previous else ""]
        + (_days(previous) if previous else []),
    )
    _append(ws, [_("Currency"), currency])
    _append(ws, [_("Exported"), timezone.localtime().replace(tzinfo=None, microsecond=0)])
    ws.append([])
    _append(
        ws,
        [
            _("Line"),
            f"{formatting.format_period(value.period)} ({currency})",
            f"{_('Previous period')} ({currency})",
            _("Growth"),
            _("How it is computed"),
        ],
        bold=True,
    )
    for key, line_label, how, _inputs, subtotal in PNL_ROWS:
        before = value.previous.line(key) if value.previous else None
        _append(
            ws,
            [str(line_label), value.line(key), before, value.growth(key), str(how)],
            bold=subtotal,
            money_cols=(2, 3),
            currency=currency,
            pct_cols=(4,),
        )
    ws.append([])
    _append(ws, [_("Share of wallet"), value.share_of_wallet], pct_cols=(2,))
    _append(
        ws,
        [_("Estimated category spend"), value.category_spend],
        money_cols=(2,),
        currency=currency,
    )
    _append(ws, [_("Potential left"), value.potential], money_cols=(2,), currency=currency)
    # The headline figures as the customer page shows them (docs/figures.md), whatever period
    # the sheet above was asked for, each with its own period.
    ws.append([])
    _append(ws, [_("Headline figures"), _("Value"), _("Period")], bold=True)
    for f in figures.account_figures(customer).values():
        fmt = {"money_cols": (2,), "currency": f.currency} if f.kind == "money" else {}
        if f.kind == "ratio":
            fmt = {"pct_cols": (2,)}
        _append(ws, [f.label, f.rounded, f.period], **fmt)  # type: ignore[arg-type]
        if f.kind == "percent":
            # A whole percent, as the pages print it (63 %), not 63,0 %.
            ws.cell(row=ws.max_row, column=2).number_format = "0%"
    if value.missing_rates:
        ws.append([])
        _append(
            ws,
            [
                _("Not converted for want of an exchange rate"),
                ", ".join(
                    f"{c} {formatting.format_period(m)}" for c, m in sorted(value.missing_rates)
                ),
            ],
        )
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 26
    for col in "CD":
        ws.column_dimensions[col].width = 18
    ws.column_dimensions["E"].width = 80
    return wb


def _days(period: pnl.Period) -> list[date]:
    """The first and the last day of a period, as date cells beside its name."""
    return [period.start, period.end - timedelta(days=1)]


def pnl_response(customer, value: pnl.AccountPnL, label: str) -> HttpResponse:
    wb = pnl_workbook(customer, value, label)
    name = f"pnl-{slugify(customer.name) or customer.pk}-{slugify(str(value.period))}.xlsx"
    return _response(wb, name)


def portfolio_workbook(data: dict, names: dict[int, str]) -> Workbook:
    currency = data["currency"]
    wb = Workbook()
    ws = wb.active
    ws.title = _("Portfolio")[:31]
    _append(ws, [_("Portfolio P&L"), data["period_label"], currency], bold=True)
    period = data.get("period")
    if isinstance(period, pnl.Period):
        _append(ws, [_("Period"), formatting.format_period(period), *_days(period)])
    ws.append([])
    header = [
        _("Rank"),
        _("Customer"),
        _("Key account"),
        pgettext("P&L line", "Net revenue"),
        _("Cost of goods"),
        _("Gross margin"),
        _("Cost to serve"),
        _("Contribution"),
        _("KAM investments"),
        _("Profit after KAM"),
        _("Cumulative profit"),
        _("Share of wallet"),
    ]
    _append(ws, header, bold=True)
    values = data["values"]
    for p in data["points"]:
        v = values[p.key]
        _append(
            ws,
            [
                p.rank,
                names.get(p.key, str(p.key)),
                _("yes") if p.key in data["key_ids"] else "",
                v.net_revenue,
                v.cost_of_goods,
                v.gross_margin,
                v.cost_to_serve,
                v.contribution,
                v.kam_investments,
                v.profit_after_kam,
                p.cumulative,
                v.share_of_wallet,
            ],
            money_cols=range(4, 12),
            currency=currency,
            pct_cols=(12,),
        )
    total = data["total"]
    _append(
        ws,
        [
            "",
            _("Total"),
            "",
            total.net_revenue,
            total.cost_of_goods,
            total.gross_margin,
            total.cost_to_serve,
            total.contribution,
            total.kam_investments,
            total.profit_after_kam,
            "",
            "",
        ],
        bold=True,
        money_cols=range(4, 11),
        currency=currency,
    )
    ws.column_dimensions["B"].width = 40
    ws.freeze_panes = "C4"
    return wb


def portfolio_response(data: dict, names: dict[int, str]) -> HttpResponse:
    wb = portfolio_workbook(data, names)
    return _response(wb, f"portfolio-pnl-{slugify(str(data['period']))}.xlsx")
