"""The account plan as a PowerPoint QBR deck (python-pptx): title, account snapshot, P&L chart
(only for those who may see money), objectives and actions, co-creation initiatives, risks.
Texts are in the active language; the P&L is a native chart the KAM can restyle."""

from __future__ import annotations

import io

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.util import Emu, Inches, Pt

from kamp.core.money import format_money

from .plan_data import PNL_LINES, PlanReport

BLUE = RGBColor(0x2B, 0x6C, 0xB0)
GREY = RGBColor(0x4A, 0x55, 0x68)
RED = RGBColor(0xC5, 0x30, 0x30)
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MAX_ROWS = 9  # a table a room can read


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "—"


def _num(value) -> str:
    return (
        "—"
        if value is None
        else formats.number_format(
            value.normalize() if hasattr(value, "normalize") else value,
            use_l10n=True,
            force_grouping=True,
        )
    )


def _pnl_labels() -> dict[str, str]:
    return {
        "net_revenue": _("Net revenue"),
        "cost_of_goods": _("Cost of goods"),
        "gross_margin": _("Gross margin"),
        "cost_to_serve": _("Cost to serve"),
        "contribution": _("Contribution"),
        "kam_investments": _("KAM investments"),
        "profit_after_kam": _("Profit after KAM"),
    }


class Deck:
    def __init__(self):
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = WIDTH, HEIGHT
        self.title_layout = self.prs.slide_layouts[0]
        self.title_only = self.prs.slide_layouts[5]

    def slide(self, title: str):
        s = self.prs.slides.add_slide(self.title_only)
        s.shapes.title.text = title
        tf = s.shapes.title.text_frame
        tf.paragraphs[0].font.size = Pt(30)
        tf.paragraphs[0].font.color.rgb = BLUE
        s.shapes.title.left, s.shapes.title.top = Inches(0.5), Inches(0.3)
        s.shapes.title.width, s.shapes.title.height = WIDTH - Inches(1), Inches(0.9)
        return s

    def text(self, s, lines, left, top, width, height, size=14, color=None):
        box = s.shapes.add_textbox(left, top, width, height)
        tf = box.text_frame
        tf.word_wrap = True
        for i, line in enumerate(lines):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            bold = False
            if isinstance(line, tuple):
                line, bold = line
            p.text = str(line)
            p.font.size = Pt(size)
            p.font.bold = bold
            if color is not None:
                p.font.color.rgb = color
        return box

    def table(self, s, header, rows, left, top, width, col_widths=None, size=12, max_rows=MAX_ROWS):
        rows = rows[:max_rows]
        shape = s.shapes.add_table(
            len(rows) + 1, len(header), left, top, width, Inches(0.4) * (len(rows) + 1)
        )
        table = shape.table
        if col_widths:
            total = sum(col_widths)
            for i, w in enumerate(col_widths):
                table.columns[i].width = Emu(int(width * w / total))
        for c, text in enumerate(header):
            cell = table.cell(0, c)
            cell.text = str(text)
            cell.text_frame.paragraphs[0].font.size = Pt(size)
            cell.text_frame.paragraphs[0].font.bold = True
        for r, row in enumerate(rows, start=1):
            for c, text in enumerate(row):
                cell = table.cell(r, c)
                cell.text = str(text)
                cell.text_frame.paragraphs[0].font.size = Pt(size)
        return table

    def save(self) -> bytes:
        out = io.BytesIO()
        self.prs.save(out)
        return out.getvalue()


def plan_deck(report: PlanReport) -> bytes:
    d = Deck()
    plan, customer, h = report.plan, report.customer, report.health

    # 1. Title
    s = d.prs.slides.add_slide(d.title_layout)
    s.shapes.title.text = _("Quarterly business review — %(name)s") % {"name": customer.name}
    s.placeholders[1].text = "\n".join(
        [
            _("Account plan %(period)s") % {"period": plan.period},
            (_("Key account manager: %(kam)s") % {"kam": customer.owner}) if customer.owner else "",
            _date(report.generated.date()),
        ]
    ).strip()

    # 2. Account snapshot
    s = d.slide(_("Account snapshot"))
    high = sum(1 for r in report.risks if r.is_high)
    facts = [
        (_("Status"), customer.get_status_display()),
        (_("Key account manager"), str(customer.owner or "—")),
        (_("Industry"), customer.industry or "—"),
        (_("Account team"), ", ".join(str(m.user) for m in report.team) or "—"),
        (_("Plan completeness"), f"{h.percent} %"),
        (
            _("Plan execution"),
            " · ".join(
                [
                    h.execution_label,
                    *h.execution_problems,
                    _("last updated %(date)s") % {"date": _date(plan.last_updated_at.date())},
                ]
            ),
        ),
        (
            _("Open actions"),
            f"{h.open_actions} · "
            + ngettext("%(n)s overdue", "%(n)s overdue", report.overdue) % {"n": report.overdue},
        ),
        (
            _("Co-creation initiatives"),
            _("%(l)s launched, %(p)s in pilot, %(i)s ideas")
            % {
                "l": report.stage_counts["launched"],
                "p": report.stage_counts["pilot"],
                "i": report.stage_counts["idea"],
            },
        ),
        (
            _("Open risks"),
            str(len(report.risks))
            + " · "
            + ngettext("%(n)s high", "%(n)s high", high) % {"n": high},
        ),
    ]
    econ = report.economics
    # The account's headline figures, as the customer page and the API give them (one
    # definition each, docs/figures.md), each named with its period.
    for f in report.figures.values():
        if f.key != "margin":
            facts.append((f"{f.label} · {f.period}", f.display))
    d.table(
        s,
        [_("Account"), customer.name],
        [list(f) for f in facts],
        Inches(0.6),
        Inches(1.4),
        Inches(12),
        col_widths=[1, 2],
        size=13,
        max_rows=len(facts),
    )

    # 3. P&L — only for those who may see money
    if report.sees_money:
        s = d.slide(_("Account P&L"))
        if econ is None or not econ.available:
            d.text(
                s,
                [
                    _("The account's P&L is not available in this installation."),
                    _(
                        "Record sales, cost to serve and KAM investments in kamp's economics "
                        "area to see it here."
                    ),
                ],
                Inches(0.8),
                Inches(2),
                Inches(11.5),
                Inches(2),
                size=18,
                color=GREY,
            )
        else:
            labels = _pnl_labels()
            data = CategoryChartData()
            data.categories = [labels[line] for line in PNL_LINES]
            if econ.previous:
                data.add_series(
                    econ.previous_period or _("Previous period"),
                    [float(econ.previous[line]) for line in PNL_LINES],
                )
            data.add_series(econ.period, [float(econ.current[line]) for line in PNL_LINES])
            frame = s.shapes.add_chart(
                XL_CHART_TYPE.COLUMN_CLUSTERED,
                Inches(0.5),
                Inches(1.3),
                Inches(8.3),
                Inches(5.8),
                data,
            )
            chart = frame.chart
            chart.has_legend = True
            chart.legend.position = XL_LEGEND_POSITION.BOTTOM
            chart.legend.include_in_layout = False
            chart.value_axis.has_major_gridlines = True
            chart.value_axis.tick_labels.font.size = Pt(10)
            chart.category_axis.tick_labels.font.size = Pt(10)
            pnl_rows = [
                (labels[line], format_money(econ.current[line], econ.currency))
                for line in PNL_LINES
            ]
            d.table(
                s,
                [_("Line"), econ.period],
                pnl_rows,
                Inches(9.0),
                Inches(1.4),
                Inches(3.9),
                col_widths=[3, 2],
                size=10,
            )
            sow = report.figures.get("share_of_wallet")
            if sow is not None and sow.value is not None:
                d.text(
                    s,
                    [_("Share of wallet: %(pct)s") % {"pct": sow.display}, sow.period],
                    Inches(9.0),
                    Inches(5.3),
                    Inches(3.9),
                    Inches(0.5),
                    size=12,
                    color=GREY,
                )
            d.text(
                s,
                [_("Amounts in %(currency)s.") % {"currency": econ.currency}],
                Inches(9.0),
                Inches(5.8),
                Inches(3.9),
                Inches(0.5),
                size=10,
                color=GREY,
            )

    # 4. Objectives and actions
    s = d.slide(_("Objectives and actions"))
    obj_rows = []
    for o in report.objectives:
        if getattr(o, "hidden_money", False):
            obj_rows.append([o.title, _("financial"), ""])
        else:
            unit = f" {o.measure}" if o.measure else ""
            obj_rows.append(
                [
                    o.title,
                    (_num(o.current) + unit) if o.current is not None else "—",
                    (_num(o.target) + unit) if o.target is not None else "—",
                ]
            )
    if obj_rows:
        d.table(
            s,
            [_("Objective"), _("Current"), _("Target")],
            obj_rows,
            Inches(0.5),
            Inches(1.3),
            Inches(6.1),
            col_widths=[4, 1.4, 1.4],
            size=11,
        )
    else:
        d.text(s, [_("No objectives yet.")], Inches(0.5), Inches(1.4), Inches(6), Inches(1))
    act_rows = [
        [a.title, str(a.owner or "—"), _date(a.due) + (" ⚠" if a.is_overdue() else "")]
        for a in report.open_actions
    ]
    if act_rows:
        d.table(
            s,
            [_("Next actions"), _("Owner"), _("Due")],
            act_rows,
            Inches(6.9),
            Inches(1.3),
            Inches(6.0),
            col_widths=[4, 1.8, 1.3],
            size=11,
        )
    else:
        d.text(s, [_("No open actions.")], Inches(6.9), Inches(1.4), Inches(6), Inches(1))

    # 5. Co-creation initiatives
    s = d.slide(_("Co-creation initiatives"))
    rows = [
        [i.title, i.get_stage_display(), i.value_for_customer or "—", i.value_for_us or "—"]
        for i in report.initiatives
    ]
    if rows:
        d.table(
            s,
            [_("Initiative"), _("Stage"), _("Value for the customer"), _("Value for us")],
            rows,
            Inches(0.5),
            Inches(1.3),
            Inches(12.3),
            col_widths=[3, 1.2, 4, 4],
            size=12,
        )
    else:
        d.text(
            s,
            [_("No co-creation initiatives yet: what could we build together?")],
            Inches(0.8),
            Inches(2),
            Inches(11),
            Inches(1),
            size=18,
            color=GREY,
        )

    # 6. Risks
    s = d.slide(_("Risks"))
    rows = [
        [
            r.title,
            r.get_likelihood_display(),
            r.get_impact_display(),
            r.get_level_display(),
            r.mitigation or "—",
        ]
        for r in report.risks
    ]
    if rows:
        table = d.table(
            s,
            [_("Risk"), _("Likelihood"), _("Impact"), _("Level"), _("Mitigation")],
            rows,
            Inches(0.5),
            Inches(1.3),
            Inches(12.3),
            col_widths=[4, 1.3, 1.3, 1.2, 5],
            size=12,
        )
        for i, r in enumerate(report.risks[:MAX_ROWS], start=1):
            if r.is_high:
                table.cell(i, 3).text_frame.paragraphs[0].font.color.rgb = RED
    else:
        d.text(
            s,
            [_("No open risks recorded.")],
            Inches(0.8),
            Inches(2),
            Inches(11),
            Inches(1),
            size=18,
            color=GREY,
        )
    return d.save()
