"""The account plan as a PowerPoint QBR deck (python-pptx), in two editions sharing one template:

- the template is made here in code: title, section, content and closing layouts on a 16:9
  page, in the company's identity (logo, primary and accent colours, font: Settings → Identity
  for exports) with the customer's logo when it has one; a footer with the confidentiality line,
  the date and the slide number;
- the **internal** edition: the quarter in numbers, the P&L (for those who may see money),
  objectives, the relationship, the people, co-creation, risks and asks, next quarter;
- the **customer** edition (``kamp.reports.editions``): no money, no internal notes, no DMU
  attitudes — the perception gap, the joint plan, co-creation results, next quarter's agenda.

Charts are native (editable) PowerPoint charts. Every text box is sized for its text: the
font shrinks, then lines are left out, so nothing runs past its shape (``fit_lines``); each
slide has speaker notes with talking points and the figures' definitions."""

from __future__ import annotations

import io
import math
from contextvars import ContextVar
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from kamp.core.money import format_money

from . import editions
from .plan_data import PNL_LINES, PlanReport
from .qbr_data import Qbr, gather

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.6)
BODY_TOP = Inches(1.55)
BODY_BOTTOM = Inches(6.75)
FOOTER_TOP = Inches(6.98)
INK = RGBColor(0x1A, 0x20, 0x2C)
MUTED = RGBColor(0x5A, 0x65, 0x78)
RULE = RGBColor(0xD5, 0xDB, 0xE3)
ZEBRA = RGBColor(0xF3, 0xF5, 0xF8)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
GOOD = RGBColor(0x2F, 0x85, 0x5A)
WARN = RGBColor(0xB7, 0x79, 0x1F)
BAD = RGBColor(0xC5, 0x30, 0x30)
MAX_ROWS = 8  # a table a room can read
LINE = 1.22  # line height, in font sizes
CHAR = 0.53  # average character width, in font sizes (sans serif, a little generous)
# Wider fonts than Arial take more room per character (Verdana's average is about an eighth
# wider): the estimate follows the font of the deck being made.
FONT_WIDTH = {"Verdana": 1.13, "Georgia": 1.07, "Calibri": 0.95, "Times New Roman": 0.95}
CHAR_FACTOR: ContextVar[float] = ContextVar("CHAR_FACTOR", default=1.0)
TABLE_CHAR = 0.5  # a table cell's margins are narrower and rows grow if need be
BOX_PAD = Inches(0.1)  # text frame's inner margin each side (python-pptx default: 0.1 in)
BOX_PAD_V = Inches(0.05)


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "—"


def _num(value, places: int | None = None) -> str:
    if value is None:
        return "—"
    if places is not None:
        return formats.number_format(round(float(value), places), places, use_l10n=True)
    return formats.number_format(
        value.normalize() if hasattr(value, "normalize") else value,
        use_l10n=True,
        force_grouping=True,
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


# --- fitting text in its shape ----------------------------------------------------------------


def lines_needed(text: str, size_pt: float, width_emu: int, char: float = CHAR) -> int:
    """How many lines ``text`` takes at ``size_pt`` in a box ``width_emu`` wide (estimate)."""
    usable = max(width_emu - 2 * BOX_PAD, Emu(Inches(0.3)))
    per_line = max(1, int(usable / Pt(size_pt * char * CHAR_FACTOR.get())))
    total = 0
    for part in str(text).split("\n"):
        words, line, count = part.split(" "), 0, 1
        for w in words:
            n = len(w)
            if line and line + 1 + n > per_line:
                count += 1
                line = n
            else:
                line += (1 if line else 0) + n
            while line > per_line:  # a word longer than the line breaks
                count += 1
                line -= per_line
        total += count
    return total


def text_height(paragraphs: list[str], size_pt: float, width_emu: int, space_pt=0.0) -> int:
    lines = sum(lines_needed(p, size_pt, width_emu) for p in paragraphs)
    return int(
        Pt(size_pt * LINE) * lines + Pt(space_pt) * max(0, len(paragraphs) - 1) + 2 * BOX_PAD_V
    )


def fit_lines(
    paragraphs: list[str], size: float, width: int, height: int, min_size: float, space=0.0
) -> tuple[list[str], float]:
    """The paragraphs and font size that fit the box: the size shrinks to ``min_size``, then the
    last paragraphs are left out (with "…")."""
    size_now = size
    while size_now > min_size and text_height(paragraphs, size_now, width, space) > height:
        size_now -= 1
    kept = list(paragraphs)
    while len(kept) > 1 and text_height(kept, size_now, width, space) > height:
        kept = kept[:-2] + ["…"] if kept[-1] != "…" else kept[:-2] + ["…"]
    if text_height(kept, size_now, width, space) > height and kept:
        # One paragraph too long for the box: cut it at the words that fit.
        words = kept[0].split(" ")
        while len(words) > 1 and text_height([" ".join(words) + " …"], size_now, width) > height:
            words = words[:-1]
        kept = [" ".join(words) + " …"]
    return kept, size_now


def clip(text, n: int = 90) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + " …"


# --- the template -----------------------------------------------------------------------------


@dataclass
class Theme:
    primary: RGBColor
    accent: RGBColor
    font: str
    light: RGBColor  # the primary colour at 12 %, for tiles


def _tint(rgb: tuple[int, int, int], share: float) -> RGBColor:
    r, g, b = (int(255 - (255 - c) * share) for c in rgb)
    return RGBColor(r, g, b)


def _logo_size(data: bytes, max_w: int, max_h: int) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        w, h = img.size
    scale = min(max_w / w, max_h / h)
    return int(w * scale), int(h * scale)


class Deck:
    def __init__(self, q: Qbr):
        self.q = q
        ident = q.identity
        self.theme = Theme(
            primary=RGBColor(*ident.rgb("primary")),
            accent=RGBColor(*ident.rgb("accent")),
            font=ident.font,
            light=_tint(ident.rgb("primary"), 0.10),
        )
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = WIDTH, HEIGHT
        self.blank = self.prs.slide_layouts[6]
        self.footed: list = []  # slides that get the footer

    # primitives

    def _slide(self, notes: list[str]):
        s = self.prs.slides.add_slide(self.blank)
        if notes:
            s.notes_slide.notes_text_frame.text = "\n".join(n for n in notes if n)
        return s

    def rect(self, s, left, top, width, height, color, shape=MSO_SHAPE.RECTANGLE):
        r = s.shapes.add_shape(shape, left, top, width, height)
        r.fill.solid()
        r.fill.fore_color.rgb = color
        r.line.fill.background()
        r.shadow.inherit = False
        # No theme style either: LibreOffice would still draw its shadow.
        style = r._element.find(qn("p:style"))
        if style is not None:
            r._element.remove(style)
        return r

    def text(
        self,
        s,
        paragraphs,
        left,
        top,
        width,
        height,
        size=18,
        color=INK,
        bold=False,
        min_size=11,
        align=None,
        anchor=MSO_ANCHOR.TOP,
        space=4.0,
        bullets=False,
    ):
        """A text box that fits: the size shrinks, then paragraphs are left out."""
        items = [str(p) for p in paragraphs if p is not None and str(p) != ""]
        if bullets:
            items = ["•  " + p for p in items]
        items, size = fit_lines(items or [""], size, width, height, min_size, space)
        box = s.shapes.add_textbox(left, top, width, height)
        tf = box.text_frame
        tf.word_wrap = True
        tf.vertical_anchor = anchor
        tf.margin_left = tf.margin_right = BOX_PAD
        tf.margin_top = tf.margin_bottom = BOX_PAD_V
        for i, line in enumerate(items):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            p.text = line
            p.font.size = Pt(size)
            p.font.bold = bold
            p.font.name = self.theme.font
            p.font.color.rgb = color
            if i:
                p.space_before = Pt(space)
            if align is not None:
                p.alignment = align
        return box

    def logo(self, s, data, left, top, max_w, max_h, right_align=False):
        w, h = _logo_size(data, max_w, max_h)
        x = left + max_w - w if right_align else left
        return s.shapes.add_picture(io.BytesIO(data), x, top + (max_h - h) // 2, w, h)

    def wordmark(self, s, name, left, top, width, height, color, right_align=False):
        return self.text(
            s,
            [name],
            left,
            top,
            width,
            height,
            size=20,
            bold=True,
            color=color,
            min_size=12,
            align=PP_ALIGN.RIGHT if right_align else PP_ALIGN.LEFT,
            anchor=MSO_ANCHOR.MIDDLE,
        )

    # layouts

    def title_slide(self, title: str, subtitle: str, lines: list[str], notes: list[str]):
        q, t = self.q, self.theme
        s = self._slide(notes)
        self.rect(s, 0, 0, WIDTH, HEIGHT, WHITE)
        self.rect(s, 0, 0, Inches(0.28), HEIGHT, t.primary)
        ident = q.identity
        # Both companies' logos, ours left and the customer's right (their names without one).
        if ident.logo:
            self.logo(s, ident.logo, MARGIN + Inches(0.2), Inches(0.55), Inches(2.6), Inches(0.9))
        else:
            self.wordmark(
                s,
                ident.company,
                MARGIN + Inches(0.2),
                Inches(0.55),
                Inches(4),
                Inches(0.9),
                t.primary,
            )
        customer = q.report.customer.name
        if ident.customer_logo:
            self.logo(
                s,
                ident.customer_logo,
                WIDTH - MARGIN - Inches(2.6),
                Inches(0.55),
                Inches(2.6),
                Inches(0.9),
                right_align=True,
            )
        else:
            self.wordmark(
                s,
                customer,
                WIDTH - MARGIN - Inches(4.5),
                Inches(0.55),
                Inches(4.5),
                Inches(0.9),
                MUTED,
                right_align=True,
            )
        left = MARGIN + Inches(0.2)
        self.rect(s, left + BOX_PAD, Inches(2.45), Inches(1.1), Inches(0.09), t.accent)
        self.text(
            s,
            [title],
            left,
            Inches(2.65),
            Inches(11.5),
            Inches(1.3),
            size=44,
            bold=True,
            color=t.primary,
            min_size=28,
        )
        self.text(
            s,
            [subtitle],
            left,
            Inches(3.95),
            Inches(11.5),
            Inches(0.75),
            size=26,
            color=INK,
            min_size=16,
        )
        self.text(
            s,
            lines,
            left,
            Inches(4.85),
            Inches(11.5),
            Inches(1.3),
            size=16,
            color=MUTED,
            min_size=12,
            space=2,
        )
        band = self.rect(
            s, Inches(0.28), HEIGHT - Inches(0.6), WIDTH - Inches(0.28), Inches(0.6), t.primary
        )
        band.name = "band"
        self.text(
            s,
            [self.confidentiality()],
            left,
            HEIGHT - Inches(0.57),
            Inches(11),
            Inches(0.5),
            size=12,
            color=WHITE,
            min_size=9,
            anchor=MSO_ANCHOR.MIDDLE,
        )
        return s

    def section_slide(self, number: int, title: str, intro: str, notes: list[str]):
        t = self.theme
        s = self._slide(notes)
        self.rect(s, 0, 0, WIDTH, HEIGHT, t.primary)
        self.rect(s, MARGIN + BOX_PAD, Inches(2.55), Inches(1.1), Inches(0.09), t.accent)
        self.text(
            s,
            [f"{number:02d}"],
            MARGIN,
            Inches(1.45),
            Inches(3),
            Inches(1.0),
            size=40,
            bold=True,
            color=t.accent,
            min_size=24,
        )
        self.text(
            s,
            [title],
            MARGIN,
            Inches(2.8),
            Inches(11.5),
            Inches(1.2),
            size=40,
            bold=True,
            color=WHITE,
            min_size=26,
        )
        self.text(
            s,
            [intro],
            MARGIN,
            Inches(4.05),
            Inches(10.5),
            Inches(1.3),
            size=20,
            color=_tint((255, 255, 255), 0.85),
            min_size=14,
        )
        self.footed.append((s, True))
        return s

    def content_slide(self, title: str, notes: list[str], kicker: str = ""):
        q, t = self.q, self.theme
        s = self._slide(notes)
        self.text(
            s,
            [title],
            MARGIN,
            Inches(0.38),
            Inches(9.6),
            Inches(0.8),
            size=30,
            bold=True,
            color=t.primary,
            min_size=20,
            anchor=MSO_ANCHOR.MIDDLE,
        )
        self.rect(s, MARGIN + BOX_PAD, Inches(1.2), Inches(0.8), Inches(0.06), t.accent)
        if kicker:
            self.text(
                s,
                [kicker],
                MARGIN + Inches(1.1),
                Inches(1.05),
                Inches(10.5),
                Inches(0.38),
                size=14,
                color=MUTED,
                min_size=10,
                anchor=MSO_ANCHOR.MIDDLE,
            )
        ident = q.identity
        if ident.logo:
            self.logo(
                s,
                ident.logo,
                WIDTH - MARGIN - Inches(1.6),
                Inches(0.45),
                Inches(1.6),
                Inches(0.6),
                right_align=True,
            )
        else:
            self.wordmark(
                s,
                ident.company,
                WIDTH - MARGIN - Inches(2.6),
                Inches(0.45),
                Inches(2.6),
                Inches(0.6),
                t.primary,
                right_align=True,
            )
        self.footed.append((s, False))
        return s

    def closing_slide(self, title: str, lines: list[str], notes: list[str]):
        t = self.theme
        s = self._slide(notes)
        self.rect(s, 0, 0, WIDTH, HEIGHT, t.primary)
        self.rect(s, MARGIN + BOX_PAD, Inches(2.35), Inches(1.1), Inches(0.09), t.accent)
        self.text(
            s,
            [title],
            MARGIN,
            Inches(2.6),
            Inches(11.5),
            Inches(1.2),
            size=44,
            bold=True,
            color=WHITE,
            min_size=28,
        )
        self.text(
            s,
            lines,
            MARGIN,
            Inches(3.9),
            Inches(11.5),
            Inches(2.2),
            size=20,
            color=_tint((255, 255, 255), 0.85),
            min_size=14,
            space=6,
        )
        self.footed.append((s, True))
        return s

    def confidentiality(self) -> str:
        q = self.q
        if q.customer_edition:
            return _("Prepared for %(customer)s by %(company)s") % {
                "customer": q.report.customer.name,
                "company": q.identity.company,
            }
        return q.identity.confidentiality or _("Confidential — internal use only")

    def add_footers(self):
        total = len(self.prs.slides)
        index = {id(sl): i for i, sl in enumerate(self.prs.slides, start=1)}
        for s, dark in self.footed:
            color = _tint((255, 255, 255), 0.75) if dark else MUTED
            if not dark:
                self.rect(s, MARGIN, FOOTER_TOP, WIDTH - 2 * MARGIN, Pt(1), RULE)
            top, h = FOOTER_TOP + Inches(0.04), Inches(0.4)
            self.text(
                s,
                [self.confidentiality()],
                MARGIN,
                top,
                Inches(6.6),
                h,
                size=11,
                color=color,
                min_size=8,
                anchor=MSO_ANCHOR.MIDDLE,
            )
            self.text(
                s,
                [_date(self.q.today)],
                Inches(7.4),
                top,
                Inches(2.6),
                h,
                size=11,
                color=color,
                min_size=8,
                align=PP_ALIGN.CENTER,
                anchor=MSO_ANCHOR.MIDDLE,
            )
            self.text(
                s,
                [f"{index[id(s)]} / {total}"],
                WIDTH - MARGIN - Inches(1.6),
                top,
                Inches(1.6),
                h,
                size=11,
                color=color,
                min_size=8,
                align=PP_ALIGN.RIGHT,
                anchor=MSO_ANCHOR.MIDDLE,
            )

    # building blocks

    def table(
        self, s, header, rows, left, top, width, col_widths, size=14, max_height=None, colors=None
    ):
        """A table in the theme: the header in the primary colour, banded rows; rows are left
        out (with a last "…" row) rather than run past ``max_height``."""
        max_height = max_height or (BODY_BOTTOM - top)
        total = sum(col_widths)
        widths = [int(width * w / total) for w in col_widths]
        pad = Inches(0.16)

        def row_h(cells, sz):
            return (
                max(
                    Pt(sz * LINE) * lines_needed(str(c), sz, w, TABLE_CHAR)
                    for c, w in zip(cells, widths, strict=True)
                )
                + pad
            )

        rows = [[str(c) for c in r] for r in rows][:MAX_ROWS]
        sz = size
        while sz > 11 and row_h(header, sz) + sum(row_h(r, sz) for r in rows) > max_height:
            sz -= 1
        while rows and row_h(header, sz) + sum(row_h(r, sz) for r in rows) > max_height:
            rows = rows[:-1]
            cut = True
        else:
            cut = False
        if cut and rows:
            rows = rows[:-1] + [["…"] + [""] * (len(header) - 1)]
        heights = [row_h(header, sz)] + [row_h(r, sz) for r in rows]
        shape = s.shapes.add_table(len(rows) + 1, len(header), left, top, width, sum(heights))
        tbl = shape.table
        tbl.first_row = True
        tbl.horz_banding = False
        for i, w in enumerate(widths):
            tbl.columns[i].width = w
        for i, h in enumerate(heights):
            tbl.rows[i].height = h
        for r, cells in enumerate([list(map(str, header)), *rows]):
            for c, value in enumerate(cells):
                cell = tbl.cell(r, c)
                cell.margin_left = cell.margin_right = Inches(0.05)
                cell.margin_top = cell.margin_bottom = Inches(0.05)
                cell.vertical_anchor = MSO_ANCHOR.MIDDLE
                cell.fill.solid()
                if r == 0:
                    cell.fill.fore_color.rgb = self.theme.primary
                else:
                    cell.fill.fore_color.rgb = ZEBRA if r % 2 == 0 else WHITE
                cell.text = value
                p = cell.text_frame.paragraphs[0]
                p.font.size = Pt(sz)
                p.font.name = self.theme.font
                p.font.bold = r == 0
                p.font.color.rgb = WHITE if r == 0 else INK
                if colors and r > 0 and (r - 1, c) in colors:
                    p.font.color.rgb = colors[(r - 1, c)]
                    p.font.bold = True
        return shape

    def tiles(self, s, items, left, top, width, height, cols=3):
        """Big numbers with their label and period: one tile each."""
        t = self.theme
        gap = Inches(0.2)
        rows = math.ceil(len(items) / cols) or 1
        w = (width - gap * (cols - 1)) // cols
        h = min(Inches(1.45), (height - gap * (rows - 1)) // rows)
        for i, (value, label, note, color) in enumerate(items):
            x = left + (w + gap) * (i % cols)
            y = top + (h + gap) * (i // cols)
            self.rect(s, x, y, w, h, t.light)
            self.rect(s, x, y, Inches(0.07), h, t.accent)
            self.text(
                s,
                [value],
                x + Inches(0.15),
                y + Inches(0.08),
                w - Inches(0.25),
                Inches(0.62),
                size=28,
                bold=True,
                color=color or t.primary,
                min_size=14,
            )
            self.text(
                s,
                [label, note],
                x + Inches(0.15),
                y + Inches(0.68),
                w - Inches(0.25),
                h - Inches(0.74),
                size=13,
                color=MUTED,
                min_size=9,
                space=0,
            )

    def chart(
        self,
        s,
        kind,
        categories,
        series,
        left,
        top,
        width,
        height,
        *,
        number_format,
        axis_title,
        category_title="",
        labels=None,
        value_range=None,
        legend=True,
    ):
        data = CategoryChartData(number_format=number_format)
        data.categories = categories
        for name, values in series:
            data.add_series(name, values)
        chart = s.shapes.add_chart(kind, left, top, width, height, data).chart
        chart.has_title = False
        t = self.theme
        chart.font.size = Pt(14)
        chart.font.name = t.font
        chart.font.color.rgb = INK
        chart.has_legend = legend and len(series) > 1
        if chart.has_legend:
            chart.legend.position = XL_LEGEND_POSITION.BOTTOM
            chart.legend.include_in_layout = False
            chart.legend.font.size = Pt(14)
        palette = [t.primary, t.accent, MUTED]
        plot = chart.plots[0]
        for i, ser in enumerate(plot.series):
            fmt = ser.format
            if kind == XL_CHART_TYPE.LINE_MARKERS:
                fmt.line.color.rgb = palette[i % 3]
                fmt.line.width = Pt(3)
                ser.smooth = False
                ser.marker.format.fill.solid()
                ser.marker.format.fill.fore_color.rgb = palette[i % 3]
            else:
                fmt.fill.solid()
                fmt.fill.fore_color.rgb = palette[i % 3]
        if kind != XL_CHART_TYPE.LINE_MARKERS:
            plot.gap_width = 60
            if len(series) > 1:
                plot.overlap = -10
        va, ca = chart.value_axis, chart.category_axis
        va.has_major_gridlines = True
        va.major_gridlines.format.line.color.rgb = RULE
        va.tick_labels.font.size = Pt(13)
        va.tick_labels.number_format = number_format
        va.tick_labels.number_format_is_linked = False
        va.format.line.fill.background()
        ca.tick_labels.font.size = Pt(13)
        ca.format.line.color.rgb = RULE
        if value_range:
            va.minimum_scale, va.maximum_scale = value_range
        va.has_title = True
        va.axis_title.text_frame.text = axis_title
        va.axis_title.text_frame.paragraphs[0].font.size = Pt(13)
        va.axis_title.text_frame.paragraphs[0].font.bold = False
        if category_title:
            ca.has_title = True
            ca.axis_title.text_frame.text = category_title
            ca.axis_title.text_frame.paragraphs[0].font.size = Pt(13)
            ca.axis_title.text_frame.paragraphs[0].font.bold = False
        if labels:
            # The values as the reader's language writes them (data labels of their own, so
            # PowerPoint's locale does not decide the separators).
            for ser, texts in zip(plot.series, labels, strict=True):
                for point, text in zip(ser.points, texts, strict=True):
                    dl = point.data_label
                    dl.has_text_frame = True
                    dl.text_frame.text = text
                    dl.text_frame.paragraphs[0].font.size = Pt(12)
                    dl.position = (
                        XL_LABEL_POSITION.ABOVE
                        if kind == XL_CHART_TYPE.LINE_MARKERS
                        else XL_LABEL_POSITION.OUTSIDE_END
                    )
        return chart

    def save(self) -> bytes:
        self.add_footers()
        out = io.BytesIO()
        self.prs.save(out)
        return out.getvalue()


# --- money in charts ---------------------------------------------------------------------------


def money_scale(values, currency: str) -> tuple[float, str]:
    """Divisor and unit for a chart's amounts: millions ("CLP M"), thousands ("USD k") or
    units."""
    top = max((abs(float(v)) for v in values), default=0)
    if top >= 10_000_000:
        return 1_000_000, _("%(currency)s M") % {"currency": currency}
    if top >= 10_000:
        return 1_000, _("%(currency)s k") % {"currency": currency}
    return 1, currency


def _places(values) -> int:
    top = max((abs(v) for v in values), default=0)
    return 0 if top >= 10 else 1


# --- the slides ----------------------------------------------------------------------------------

STATUS = {
    "achieved": (GOOD, "Achieved"),
    "on_track": (GOOD, "On track"),
    "behind": (WARN, "Behind target"),
    "late": (BAD, "Past its date below target"),
    "no_target": (MUTED, "No target set"),
    "hidden": (MUTED, "financial"),
}


def _status_label(key: str) -> str:
    return {
        "achieved": _("Achieved"),
        "on_track": _("On track"),
        "behind": _("Behind target"),
        "late": _("Past its date below target"),
        "no_target": _("No target set"),
        "hidden": _("financial"),
    }[key]


def stage_counts(counts: dict) -> str:
    """ "1 launched, 2 in pilot, 1 idea", each a real plural."""
    launched, pilot, idea = counts["launched"], counts["pilot"], counts["idea"]
    return ", ".join(
        [
            ngettext("%(n)s launched", "%(n)s launched", launched) % {"n": launched},
            ngettext("%(n)s in pilot", "%(n)s in pilot", pilot) % {"n": pilot},
            ngettext("%(n)s idea", "%(n)s ideas", idea) % {"n": idea},
        ]
    )


def _definition(key: str) -> str:
    try:
        from kamp.economics.figures import DEFINITIONS
    except ImportError:
        return ""
    return str(DEFINITIONS.get(key, ""))


def _score(value) -> str:
    return _num(value, 1)


def _quarter(code: str) -> str:
    """ "2026-Q3" as the reader's language writes a quarter ("Q3 2026", "T3 2026")."""
    import re

    from .qbr_data import Quarter

    m = re.fullmatch(r"(\d{4})-Q([1-4])", str(code))
    return Quarter(int(m.group(1)), int(m.group(2))).label if m else str(code)


def _title(d: Deck, q: Qbr):
    r = q.report
    owner = r.customer.owner
    lines = [
        _("Quarter under review: %(period)s") % {"period": q.period_text},
        (_("Key account manager: %(kam)s") % {"kam": owner}) if owner else "",
        _("Account plan %(period)s · %(date)s") % {"period": r.plan.period, "date": _date(q.today)},
    ]
    subtitle = f"{r.customer.name} · {q.identity.company}"
    notes = [
        _("Welcome and introductions: who is in the room on each side, and the meeting's goal."),
        _("This deck is the customer edition: it holds only what both sides share.")
        if q.customer_edition
        else _("This deck is the internal edition: do not hand it to the customer."),
    ]
    d.title_slide(_("Quarterly business review"), subtitle, lines, notes)


def _agenda(d: Deck, q: Qbr, parts: list[tuple[str, list[str]]]):
    s = d.content_slide(
        _("Agenda"),
        [
            _("Walk through the agenda and ask what the customer wants to add."),
            _("Time: about 60 minutes."),
        ],
    )
    t = d.theme
    top = BODY_TOP + Inches(0.1)
    h = Inches(1.5)
    for i, (title, items) in enumerate(parts):
        y = top + (h + Inches(0.15)) * i
        d.rect(
            s,
            MARGIN + BOX_PAD,
            y + Inches(0.08),
            Inches(0.75),
            Inches(0.75),
            t.primary,
            MSO_SHAPE.OVAL,
        )
        d.text(
            s,
            [str(i + 1)],
            MARGIN + BOX_PAD,
            y + Inches(0.08),
            Inches(0.75),
            Inches(0.75),
            size=24,
            bold=True,
            color=WHITE,
            align=PP_ALIGN.CENTER,
            anchor=MSO_ANCHOR.MIDDLE,
            min_size=16,
        )
        d.text(
            s,
            [title],
            MARGIN + Inches(1.15),
            y,
            Inches(10.5),
            Inches(0.6),
            size=24,
            bold=True,
            color=INK,
            min_size=16,
        )
        d.text(
            s,
            [" · ".join(items)],
            MARGIN + Inches(1.15),
            y + Inches(0.6),
            Inches(10.8),
            Inches(0.75),
            size=16,
            color=MUTED,
            min_size=11,
        )


def _numbers(d: Deck, q: Qbr):
    r = q.report
    h = r.health
    notes = [_("Period: %(period)s.") % {"period": q.period_text}]
    tiles: list[tuple[str, str, str, RGBColor | None]] = []
    if q.customer_edition:
        tiles.append((str(q.joint_done), _("Joint actions done"), q.quarter.label, None))
        tiles.append(
            (
                str(q.joint_open),
                _("Joint actions open"),
                _("as of %(date)s") % {"date": _date(q.today)},
                None,
            )
        )
        tiles.append(
            (
                f"{r.stage_counts['launched']} / {r.stage_counts['pilot']} / {r.stage_counts['idea']}",
                _("Initiatives launched / pilot / idea"),
                _("co-creation"),
                None,
            )
        )
        if q.rqi_theirs is not None:
            tiles.append(
                (
                    _score(q.rqi_theirs),
                    _("Relationship quality, your view (1–7)"),
                    _("survey of %(date)s") % {"date": _date(q.survey_date)},
                    None,
                )
            )
            tiles.append(
                (
                    _score(q.rqi_ours),
                    _("Relationship quality, our view (1–7)"),
                    _("survey of %(date)s") % {"date": _date(q.survey_date)},
                    None,
                )
            )
        tiles.append((str(q.interactions), _("Meetings and contacts"), q.quarter.label, None))
        s = d.content_slide(_("The quarter in numbers"), notes, kicker=q.period_text)
        d.tiles(
            s,
            tiles,
            MARGIN + BOX_PAD,
            BODY_TOP + Inches(0.2),
            WIDTH - 2 * MARGIN - BOX_PAD,
            BODY_BOTTOM - BODY_TOP - Inches(0.2),
        )
        notes.append(
            _(
                "Relationship quality: the mean of trust, commitment, satisfaction and 8 "
                "minus conflict, on the 1 to 7 scale of the survey's answers."
            )
        )
        s.notes_slide.notes_text_frame.text = "\n".join(notes)
        return
    behind = not h.up_to_date
    tiles = [
        (
            h.execution_label,
            _("Plan execution"),
            " · ".join(h.execution_problems) or _("nothing overdue"),
            BAD if behind else GOOD,
        ),
        (str(q.actions_done), _("Actions done"), q.quarter.label, None),
        (str(q.interactions), _("Interactions logged"), q.quarter.label, None),
    ]
    s = d.content_slide(_("The quarter in numbers"), notes, kicker=q.period_text)
    d.tiles(s, tiles, MARGIN + BOX_PAD, BODY_TOP + Inches(0.1), Inches(12.0), Inches(1.3))
    rows = [[f"{f.label} · {f.period}", f.display] for f in r.figures.values()]
    top = BODY_TOP + Inches(1.6)
    econ = r.economics
    series = econ.series if econ and econ.available else []
    table_w = Inches(7.2) if series else Inches(12.0)
    d.table(
        s,
        [_("Figure · period"), _("Value")],
        rows,
        MARGIN + BOX_PAD,
        top,
        table_w,
        [3.4, 1.2],
        size=14,
    )
    if series and econ is not None:
        values = [float(v) for _p, a, b in series for v in (a, b)]
        div, unit = money_scale(values, econ.currency)
        rev = [float(a) / div for _p, a, _b in series]
        pak = [float(b) / div for _p, _a, b in series]
        places = _places(rev + pak)
        fmt = "#,##0" if places == 0 else "#,##0.0"
        d.chart(
            s,
            XL_CHART_TYPE.COLUMN_CLUSTERED,
            [_quarter(p) for p, _a, _b in series],
            [(_("Net revenue"), rev), (_("Profit after KAM"), pak)],
            MARGIN + Inches(7.5),
            top - Inches(0.1),
            Inches(4.7),
            BODY_BOTTOM - top + Inches(0.1),
            number_format=fmt,
            axis_title=unit,
            category_title=_("Quarter"),
        )
        notes.append(
            _("The chart: net revenue and profit after KAM per quarter, in %(unit)s.")
            % {"unit": unit}
        )
    for f in r.figures.values():
        notes.append(_definition(f.key))
    notes.append(_("Talking point: what moved this quarter, and why."))
    s.notes_slide.notes_text_frame.text = "\n".join(n for n in notes if n)


def _pnl(d: Deck, q: Qbr):
    r = q.report
    econ = r.economics
    notes = [
        _definition("profit_after_kam"),
        _("Talking point: which line explains the change against the previous period."),
    ]
    s = d.content_slide(
        _("Account P&L"), notes, kicker=econ.period if econ and econ.available else ""
    )
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
            MARGIN,
            BODY_TOP + Inches(0.5),
            Inches(11.5),
            Inches(2),
            size=20,
            color=MUTED,
        )
        return
    labels = _pnl_labels()
    values = [float(econ.current[line]) for line in PNL_LINES]
    values += [float(econ.previous[line]) for line in PNL_LINES] if econ.previous else []
    div, unit = money_scale(values, econ.currency)
    series = []
    if econ.previous:
        series.append(
            (
                econ.previous_period or _("Previous period"),
                [float(econ.previous[line]) / div for line in PNL_LINES],
            )
        )
    series.append((econ.period, [float(econ.current[line]) / div for line in PNL_LINES]))
    places = _places([v for _n, vs in series for v in vs])
    fmt = "#,##0" if places == 0 else "#,##0.0"
    d.chart(
        s,
        XL_CHART_TYPE.BAR_CLUSTERED,
        [labels[line] for line in PNL_LINES][::-1],
        [(n, vs[::-1]) for n, vs in series],
        MARGIN,
        BODY_TOP,
        Inches(7.6),
        BODY_BOTTOM - BODY_TOP,
        number_format=fmt,
        axis_title=unit,
        labels=[[_num(v, places) for v in vs[::-1]] for _n, vs in series],
    )
    rows = [(labels[line], format_money(econ.current[line], econ.currency)) for line in PNL_LINES]
    d.table(
        s,
        [_("Line"), econ.period],
        rows,
        MARGIN + Inches(7.9),
        BODY_TOP + Inches(0.1),
        Inches(4.25),
        [2.2, 2],
        size=13,
    )
    d.text(
        s,
        [_("Amounts in %(currency)s.") % {"currency": econ.currency}],
        MARGIN + Inches(7.9),
        BODY_BOTTOM - Inches(0.5),
        Inches(4.25),
        Inches(0.45),
        size=12,
        color=MUTED,
    )


def _objectives(d: Deck, q: Qbr):
    r = q.report
    notes = [
        _("Each objective against its target; the status says where it stands on %(date)s.")
        % {"date": _date(q.today)}
    ]
    title = (
        _("Joint plan: objectives and progress")
        if q.customer_edition
        else _("Objectives and progress")
    )
    s = d.content_slide(
        title, notes, kicker=_("Account plan %(period)s") % {"period": r.plan.period}
    )
    rows, colors = [], {}
    for i, o in enumerate(q.objectives):
        unit = f" {o.measure}" if o.measure else ""
        if o.status == "hidden":
            rows.append([clip(o.title, 70), "", "", _status_label("hidden")])
        else:
            rows.append(
                [
                    clip(o.title, 70),
                    (_num(o.current) + unit) if o.current is not None else "—",
                    (_num(o.target) + unit) if o.target is not None else "—",
                    _status_label(o.status),
                ]
            )
        colors[(i, 3)] = STATUS[o.status][0]
    left_w = Inches(7.3)
    if rows:
        d.table(
            s,
            [_("Objective"), _("Current"), _("Target"), _("Status")],
            rows,
            MARGIN + BOX_PAD,
            BODY_TOP,
            left_w,
            [3.6, 1.3, 1.3, 1.8],
            size=14,
            colors=colors,
        )
    else:
        d.text(
            s, [_("No objectives yet.")], MARGIN, BODY_TOP, left_w, Inches(1), size=18, color=MUTED
        )
    x = MARGIN + BOX_PAD + left_w + Inches(0.3)
    w = WIDTH - MARGIN - x
    if q.customer_edition:
        head = _("Joint actions: %(done)s, %(open)s") % {
            "done": ngettext("%(n)s done this quarter", "%(n)s done this quarter", q.joint_done)
            % {"n": q.joint_done},
            "open": ngettext("%(n)s open", "%(n)s open", q.joint_open) % {"n": q.joint_open},
        }
    else:
        h = r.health
        head = " · ".join([h.execution_label, *h.execution_problems])
    d.text(
        s,
        [head],
        x,
        BODY_TOP,
        w,
        Inches(0.8),
        size=16,
        bold=True,
        color=INK if (q.customer_edition or r.health.up_to_date) else BAD,
        min_size=12,
    )
    acts = [
        f"{clip(a.title, 60)} — {a.owner or '—'}, {_date(a.due)}"
        + (" ⚠" if a.is_overdue(q.today) else "")
        for a in r.open_actions
    ]
    d.text(
        s,
        acts or [_("No open actions.")],
        x,
        BODY_TOP + Inches(0.85),
        w,
        BODY_BOTTOM - BODY_TOP - Inches(0.85),
        size=14,
        color=INK,
        min_size=11,
        bullets=True,
    )
    notes.append(
        _("Talking point: what we need from each other to close the objectives behind target.")
    )
    s.notes_slide.notes_text_frame.text = "\n".join(notes)


def _relationship(d: Deck, q: Qbr):
    notes = [
        _definition("rqi"),
        _(
            "The perception gap is our score minus the customer's, per construct; a gap "
            "beyond the threshold is flagged (for conflict, a higher score is worse)."
        ),
    ]
    title = (
        _("How we see the relationship, and how you see it")
        if q.customer_edition
        else _("The relationship")
    )
    kicker = (
        (
            _("Two-sided survey of %(date)s: %(team)s answers from our team, %(theirs)s from yours")
            if q.customer_edition
            else _(
                "Two-sided survey of %(date)s: %(team)s "
                "answers from our team, %(theirs)s from the customer"
            )
        )
        % {
            "date": _date(q.survey_date),
            "team": q.team_n,
            "theirs": q.customer_n,
        }
        if q.survey_date
        else ""
    )
    s = d.content_slide(title, notes, kicker=kicker)
    rows = [r for r in q.gap_rows if not r["is_rqi"]]
    chart_w = Inches(7.4)
    if rows:
        cats = [str(r["label"]) for r in rows]
        ours = [float(r["ours"]) if r["ours"] is not None else 0.0 for r in rows]
        theirs = [float(r["theirs"]) if r["theirs"] is not None else 0.0 for r in rows]
        them = _("Your view") if q.customer_edition else _("Customer's view")
        d.chart(
            s,
            XL_CHART_TYPE.BAR_CLUSTERED,
            cats[::-1],
            [(_("Our view"), ours[::-1]), (them, theirs[::-1])],
            MARGIN,
            BODY_TOP,
            chart_w,
            BODY_BOTTOM - BODY_TOP,
            number_format="0",
            axis_title=_("Score (1–7)"),
            value_range=(1, 7),
            labels=[[_score(v) for v in ours[::-1]], [_score(v) for v in theirs[::-1]]],
        )
    else:
        d.text(
            s,
            [
                _(
                    "No counted two-sided survey yet: a round with enough answers on each side "
                    "gives the perception gap."
                )
            ],
            MARGIN,
            BODY_TOP,
            chart_w,
            Inches(1.5),
            size=18,
            color=MUTED,
        )
    x = MARGIN + chart_w + Inches(0.3)
    w = WIDTH - MARGIN - x
    facts = []
    if q.rqi_ours is not None or q.rqi_theirs is not None:
        facts.append(
            _("RQI: %(ours)s our view · %(theirs)s %(whose)s")
            % {
                "ours": _score(q.rqi_ours),
                "theirs": _score(q.rqi_theirs),
                "whose": _("your view") if q.customer_edition else _("the customer's view"),
            }
        )
    gaps = q.flagged_gaps
    if gaps:
        facts += [
            _("Gap on %(c)s: %(g)s") % {"c": str(g["label"]).lower(), "g": _num(g["gap"], 1)}
            for g in gaps
        ]
    elif rows:
        facts.append(_("No gap beyond the threshold: both sides read the relationship alike."))
    if not q.customer_edition:
        if q.type_label:
            facts.append(_("Type: %(type)s") % {"type": q.type_label})
        if len(q.type_path) > 1:
            facts.append(
                _("Path: %(path)s")
                % {
                    "path": " → ".join(
                        f"{label} ({formats.date_format(when, 'Y')})" for when, label in q.type_path
                    )
                }
            )
        if q.stage_label:
            facts.append(_("Stage: %(stage)s") % {"stage": q.stage_label})
    d.text(
        s,
        facts,
        x,
        BODY_TOP,
        w,
        BODY_BOTTOM - BODY_TOP,
        size=16,
        min_size=11,
        bullets=True,
        space=8,
    )
    notes.append(_("Talking point: ask about the constructs where the views differ most."))
    s.notes_slide.notes_text_frame.text = "\n".join(n for n in notes if n)


def _people(d: Deck, q: Qbr):
    notes = [
        _definition("diamond_index"),
        _("DMU coverage: the buying centre's roles with at least one active contact."),
    ]
    s = d.content_slide(
        _("The people"),
        notes,
        kicker=(
            _("%(covered)s of %(total)s buying-centre roles covered · %(form)s")
            % {"covered": q.roles_covered, "total": len(q.roles), "form": q.form_label}
            if q.form_label
            else ""
        ),
    )
    rows = [[label, ", ".join(names) if names else _("nobody yet")] for label, names in q.roles]
    colors = {(i, 1): BAD for i, (_l, names) in enumerate(q.roles) if not names}
    d.table(
        s,
        [_("DMU role"), _("Contacts")],
        rows,
        MARGIN + BOX_PAD,
        BODY_TOP,
        Inches(5.6),
        [1.6, 3],
        size=14,
        max_height=Inches(3.3),
        colors=colors,
    )
    sp_top = BODY_TOP + Inches(3.5)
    sponsors = [f"{a} ↔ {b}" for a, b in q.sponsors] or [
        _("No executive sponsor on the account team yet.")
    ]
    pairs = [f"{a} ↔ {b}" for a, b in q.pairs]
    for i, (head, items) in enumerate(
        [
            (_("Sponsor pairs"), sponsors),
            (_("Functional pairs"), pairs or [_("none beside purchasing")]),
        ]
    ):
        x = MARGIN + Inches(2.95) * i
        d.text(
            s,
            [head],
            x,
            sp_top,
            Inches(2.9),
            Inches(0.45),
            size=15,
            bold=True,
            color=d.theme.primary,
        )
        d.text(
            s,
            items,
            x,
            sp_top + Inches(0.45),
            Inches(2.9),
            BODY_BOTTOM - sp_top - Inches(0.45),
            size=13,
            min_size=10,
            space=3,
        )
    if q.form_trend:
        cats = [_quarter(label) for label, _p, _f in q.form_trend]
        vals = [p for _l, p, _f in q.form_trend]
        d.chart(
            s,
            XL_CHART_TYPE.LINE_MARKERS,
            cats,
            [(_("Diamond index"), vals)],
            MARGIN + Inches(6.0),
            BODY_TOP,
            Inches(6.1),
            BODY_BOTTOM - BODY_TOP,
            number_format='0" %"',
            axis_title=_("Diamond index (%)"),
            category_title=_("Quarter"),
            value_range=(0, 100),
            labels=[[f"{v} %" for v in vals]],
            legend=False,
        )
        notes.append(
            _("Trend: %(trend)s.")
            % {
                "trend": ", ".join(
                    f"{label} {'B' if f == 'B' else 'A'} {p} %" for label, p, f in q.form_trend
                )
            }
        )
    notes.append(_("Talking point: which pair to open next, and who introduces us."))
    s.notes_slide.notes_text_frame.text = "\n".join(n for n in notes if n)


def _initiatives(d: Deck, q: Qbr):
    r = q.report
    notes = [
        _("Co-creation: what we build together, at which stage, and the value each side gets.")
    ]
    title = _("Co-creation: results") if q.customer_edition else _("Co-creation initiatives")
    s = d.content_slide(
        title,
        notes,
        kicker=stage_counts(r.stage_counts),
    )
    if q.customer_edition:
        header = [_("Initiative"), _("Stage"), _("Value for you")]
        rows = [
            [clip(i.title, 60), i.get_stage_display(), clip(i.value_for_customer or "—", 120)]
            for i in r.initiatives
        ]
        widths = [3, 1.3, 5.5]
    else:
        header = [_("Initiative"), _("Stage"), _("Value for the customer"), _("Value for us")]
        rows = [
            [
                clip(i.title, 50),
                i.get_stage_display(),
                clip(i.value_for_customer or "—", 90),
                clip(i.value_for_us or "—", 90),
            ]
            for i in r.initiatives
        ]
        widths = [2.6, 1.2, 3.6, 3.6]
    if rows:
        d.table(
            s,
            header,
            rows,
            MARGIN + BOX_PAD,
            BODY_TOP,
            WIDTH - 2 * MARGIN - BOX_PAD,
            widths,
            size=14,
        )
    else:
        d.text(
            s,
            [_("No co-creation initiatives yet: what could we build together?")],
            MARGIN,
            BODY_TOP + Inches(0.5),
            Inches(11),
            Inches(1),
            size=20,
            color=MUTED,
        )


def _foundations(d: Deck, q: Qbr):
    """The customer's journey with us and the buying process with who decides at each step
    (kam-domain.md §4): two tables, one above the other, each kept to its half of the body."""
    r = q.report
    notes = [
        _(
            "The foundations: where the customer meets us and what hurts there; how the customer "
            "buys and who decides at each step."
        )
    ]
    s = d.content_slide(_("Customer journey and buying process"), notes)
    left = MARGIN + BOX_PAD
    width = WIDTH - 2 * MARGIN - BOX_PAD
    gap = Inches(0.25)
    half = (BODY_BOTTOM - BODY_TOP - gap) // 2
    top = Emu(BODY_TOP)
    if r.journey:
        d.table(
            s,
            [_("Stage"), _("Touchpoints"), _("Pain points"), _("As of")],
            [
                [
                    clip(j.name, 50),
                    clip(j.touchpoints or "—", 90),
                    clip(j.pain_points or "—", 90),
                    _date(j.dated) if j.dated else "—",
                ]
                for j in r.journey
            ],
            left,
            top,
            width,
            [2.4, 3.6, 3.6, 1.3],
            size=13,
            max_height=half if r.buying else BODY_BOTTOM - top,
        )
        top = Emu(top + half + gap)
    if r.buying:
        header = [_("Step"), _("Who decides"), _("When")]
        widths = [3.2, 4.4, 1.3]
        if not q.customer_edition:
            header.append(_("Note"))
            widths = [2.6, 3.3, 1.3, 3.7]
        rows = []
        for b in r.buying:
            row = [
                clip(b["name"], 50),
                clip(", ".join(b["deciders"]) or "—", 90),
                _date(b["dated"]) if b["dated"] else "—",
            ]
            if not q.customer_edition:
                row.append(clip(b["note"] or "—", 90))
            rows.append(row)
        d.table(s, header, rows, left, top, width, widths, size=13, max_height=BODY_BOTTOM - top)


def _risks_and_asks(d: Deck, q: Qbr):
    r = q.report
    notes = [
        _(
            "Risks: the open risks of the plan, highest first. Asks: what we need from the "
            "customer to move the account forward."
        )
    ]
    s = d.content_slide(_("Risks and asks"), notes)
    risks = sorted(r.risks, key=lambda k: -(k.likelihood * k.impact))
    rows = [
        [clip(k.title, 60), k.get_level_display(), clip(k.mitigation or "—", 80)] for k in risks
    ]
    colors = {(i, 1): BAD for i, k in enumerate(risks[:MAX_ROWS]) if k.is_high}
    if rows:
        d.table(
            s,
            [_("Risk"), _("Level"), _("Mitigation")],
            rows,
            MARGIN + BOX_PAD,
            BODY_TOP,
            Inches(7.6),
            [3, 1.1, 3.5],
            size=14,
            colors=colors,
        )
    else:
        d.text(
            s,
            [_("No open risks recorded.")],
            MARGIN,
            BODY_TOP,
            Inches(7.6),
            Inches(1),
            size=18,
            color=MUTED,
        )
    x = MARGIN + Inches(8.1)
    d.text(
        s,
        [_("Our asks")],
        x,
        BODY_TOP,
        WIDTH - MARGIN - x,
        Inches(0.6),
        size=20,
        bold=True,
        color=d.theme.primary,
    )
    d.text(
        s,
        q.asks or [_("No asks this quarter.")],
        x,
        BODY_TOP + Inches(0.65),
        WIDTH - MARGIN - x,
        BODY_BOTTOM - BODY_TOP - Inches(0.65),
        size=15,
        min_size=11,
        bullets=True,
        space=8,
    )


def _agenda_next(d: Deck, q: Qbr):
    notes = [
        _("Next quarter: the open actions due by %(date)s, each with its owner.")
        % {"date": _date(q.next_quarter.end)},
        _("Talking point: agree the owners and dates before the meeting ends."),
    ]
    s = d.content_slide(
        _("Next quarter: agenda and owners"),
        notes,
        kicker=_("%(q)s, until %(date)s")
        % {"q": q.next_quarter.label, "date": _date(q.next_quarter.end)},
    )
    rows = [
        [clip(a.title, 80), str(a.owner or "—"), _date(a.due), a.get_status_display()]
        for a in q.agenda
    ]
    colors = {(i, 2): BAD for i, a in enumerate(q.agenda[:MAX_ROWS]) if a.is_overdue(q.today)}
    body_w = WIDTH - 2 * MARGIN - BOX_PAD
    if rows:
        d.table(
            s,
            [_("Action"), _("Owner"), _("Due"), _("Status")],
            rows,
            MARGIN + BOX_PAD,
            BODY_TOP,
            body_w,
            [6, 2.4, 1.5, 1.6],
            size=15,
            colors=colors,
        )
    else:
        d.text(
            s,
            [_("No actions planned for next quarter yet: agree them in this meeting.")],
            MARGIN,
            BODY_TOP + Inches(0.5),
            Inches(11),
            Inches(1),
            size=20,
            color=MUTED,
        )


def plan_deck(report: PlanReport, edition: str | None = None) -> bytes:
    """The QBR deck of ``report`` in its edition (the report's, gathered for it)."""
    q = gather(report, edition or report.edition)
    token = CHAR_FACTOR.set(FONT_WIDTH.get(q.identity.font, 1.0))
    try:
        return _build(report, q)
    finally:
        CHAR_FACTOR.reset(token)


def _build(report: PlanReport, q: Qbr) -> bytes:
    d = Deck(q)
    customer = q.customer_edition
    _title(d, q)
    parts = [
        (_("The quarter"), [_("The quarter in numbers"), _("Objectives and progress")]),
        (
            _("Working together"),
            (
                [_("The relationship from both sides"), _("Co-creation")]
                if customer
                else [_("The relationship"), _("The people"), _("Co-creation")]
            )
            + (
                [_("Customer journey and buying process")]
                if report.journey or report.buying
                else []
            ),
        ),
        (
            _("Next quarter"),
            ([_("What we would like to discuss")] if q.asks else []) + [_("Agenda and owners")]
            if customer
            else [_("Risks and asks"), _("Agenda and owners")],
        ),
    ]
    _agenda(d, q, parts)
    d.section_slide(
        1,
        parts[0][0],
        _("Where the account stands: %(period)s.") % {"period": q.period_text},
        [_("The results first.")],
    )
    _numbers(d, q)
    if not customer and report.sees_money:
        _pnl(d, q)
    _objectives(d, q)
    d.section_slide(
        2,
        parts[1][0],
        _("The relationship and what we build together.")
        if customer
        else _("The relationship, the people and what we build together."),
        [_("How we work together.")],
    )
    _relationship(d, q)
    if not customer:
        _people(d, q)
    _initiatives(d, q)
    if report.journey or report.buying:
        _foundations(d, q)
    d.section_slide(
        3,
        parts[2][0],
        _("What we ask of each other, and who does what next."),
        [_("Looking ahead.")],
    )
    if customer:
        if q.asks:
            _asks_only(d, q)
    else:
        _risks_and_asks(d, q)
    _agenda_next(d, q)
    owner = report.customer.owner
    lines = [_("Thank you for your time.")]
    if owner:
        lines.append(str(owner) + (f" · {owner.email}" if getattr(owner, "email", "") else ""))
    lines.append(q.identity.company)
    d.closing_slide(
        _("Thank you"),
        lines,
        [_("Close: confirm the next meeting's date and the owners of the agenda.")],
    )
    return d.save()


def _asks_only(d: Deck, q: Qbr):
    notes = [_("What we would like to discuss with you, from the survey's perception gaps.")]
    s = d.content_slide(_("What we would like to discuss"), notes)
    d.text(
        s,
        q.asks,
        MARGIN,
        BODY_TOP,
        WIDTH - 2 * MARGIN,
        BODY_BOTTOM - BODY_TOP,
        size=20,
        min_size=12,
        bullets=True,
        space=10,
    )


__all__ = ["plan_deck", "editions"]
