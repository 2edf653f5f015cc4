"""The QA report PDF's building blocks: its styles, tables, the heatmap table, the page
numbering, and charts drawn with reportlab's own graphics so they print sharply at any size
(a stacked bar of final ratings per section, bars of completion). Every bar and cell carries
its figures in words (colour is never the only signal), and all text reaches Paragraph
markup escaped."""
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, Table, TableStyle

from ..pdf_fonts import BOLD, FONT
from ..pdf_fonts import NumberedCanvas as SharedNumberedCanvas
from .export_common import BAND_COLOURS

# GOV.UK colours; the text on each is chosen to stay readable on it.
BAND_FILLS = {"green": colors.HexColor("#00703c"), "amber": colors.HexColor("#ffdd00"),
              "red": colors.HexColor("#d4351c")}
BAND_INK = {"green": colors.white, "amber": colors.black, "red": colors.white}
BAND_WORDS = {"green": "Green", "amber": "Amber", "red": "Red"}
BLUE = colors.HexColor("#1d70b8")
LIGHT = colors.HexColor("#f3f2f1")
INK = colors.HexColor("#0b0c0c")
GREY = colors.HexColor("#505a5f")
RULE = colors.HexColor("#b1b4b6")
HEAD = colors.HexColor("#f3f2f1")
MARGIN = 16 * mm
SHORT_BANDS = {"green": "Green", "amber": "Amber", "red": "Red", "na": "N/A"}
LABEL_SIZE = 7.5
BAR_HEIGHT = 11
ROW_GAP = 5


def fit(text: str, width: float, size: float = LABEL_SIZE, font: str = FONT) -> str:
    """``text`` cut with an ellipsis to fit ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _percent(value) -> str:
    return "–" if value is None else f"{value:.0f}%"


def rag_stacked_bars(rows: list[dict], width: float) -> Drawing:
    """One 100% bar per section: rows of {label, green, amber, red} percentages (None when
    nothing is rated). Each segment wide enough shows its % inside; every bar also has its
    figures in words on the right."""
    label_width, text_width = width * 0.24, width * 0.30
    bar_width = width - label_width - text_width - 8
    legend = 16
    height = legend + len(rows) * (BAR_HEIGHT + ROW_GAP) + 4
    drawing = Drawing(width, height)
    _legend(drawing, label_width, height - 10)
    y = height - legend - BAR_HEIGHT
    for row in rows:
        drawing.add(String(label_width - 4, y + 3, fit(row["label"], label_width - 6),
                           fontName=FONT, fontSize=LABEL_SIZE, fillColor=INK,
                           textAnchor="end"))
        x = label_width
        if row.get("green") is None:
            drawing.add(Rect(x, y, bar_width, BAR_HEIGHT, fillColor=LIGHT, strokeColor=None))
            words = "No rated answers yet"
        else:
            for band in ("green", "amber", "red"):
                share = (row[band] or 0) / 100.0 * bar_width
                if share <= 0:
                    continue
                drawing.add(Rect(x, y, share, BAR_HEIGHT, fillColor=BAND_FILLS[band],
                                 strokeColor=colors.white, strokeWidth=0.5))
                inside = _percent(row[band])
                if stringWidth(inside, BOLD, 6.5) + 4 <= share:
                    drawing.add(String(x + share / 2, y + 3, inside, fontName=BOLD,
                                       fontSize=6.5, fillColor=BAND_INK[band],
                                       textAnchor="middle"))
                x += share
            words = " · ".join(f"{BAND_WORDS[band]} {_percent(row[band])}"
                               for band in ("green", "amber", "red"))
        drawing.add(String(label_width + bar_width + 6, y + 3, fit(words, text_width),
                           fontName=FONT, fontSize=LABEL_SIZE - 0.5, fillColor=INK))
        y -= BAR_HEIGHT + ROW_GAP
    return drawing


def _legend(drawing: Drawing, x: float, y: float) -> None:
    for band in ("green", "amber", "red"):
        drawing.add(Rect(x, y, 8, 8, fillColor=BAND_FILLS[band], strokeColor=None))
        drawing.add(String(x + 11, y + 1, BAND_WORDS[band], fontName=FONT,
                           fontSize=LABEL_SIZE, fillColor=INK))
        x += 22 + stringWidth(BAND_WORDS[band], FONT, LABEL_SIZE)
    drawing.add(String(x + 6, y + 1, "% of rated answers (not applicable left out)",
                       fontName=FONT, fontSize=LABEL_SIZE, fillColor=GREY))


def count_bars(rows: list[dict], width: float, total_label: str = "") -> Drawing:
    """Horizontal bars of counts: rows of {label, count, total} drawn against their total,
    each with "count of total (percent)" written beside it."""
    label_width, text_width = width * 0.30, width * 0.22
    bar_width = width - label_width - text_width - 8
    header = 12 if total_label else 0
    height = header + len(rows) * (BAR_HEIGHT + ROW_GAP) + 4
    drawing = Drawing(width, height)
    if total_label:
        drawing.add(String(label_width, height - 9, total_label, fontName=FONT,
                           fontSize=LABEL_SIZE, fillColor=GREY))
    y = height - header - BAR_HEIGHT
    for row in rows:
        total = row["total"] or 0
        share = bar_width * row["count"] / total if total else 0
        drawing.add(String(label_width - 4, y + 3, fit(row["label"], label_width - 6),
                           fontName=FONT, fontSize=LABEL_SIZE, fillColor=INK,
                           textAnchor="end"))
        drawing.add(Rect(label_width, y, bar_width, BAR_HEIGHT, fillColor=LIGHT,
                         strokeColor=None))
        if share > 0:
            drawing.add(Rect(label_width, y, share, BAR_HEIGHT, fillColor=BLUE,
                             strokeColor=None))
        percent = f" ({100.0 * row['count'] / total:.0f}%)" if total else ""
        drawing.add(String(label_width + bar_width + 6, y + 3,
                           fit(f"{row['count']:,} of {total:,}{percent}", text_width),
                           fontName=FONT, fontSize=LABEL_SIZE, fillColor=INK))
        y -= BAR_HEIGHT + ROW_GAP
    drawing.add(Line(label_width, 2, label_width, height - header, strokeColor=GREY,
                     strokeWidth=0.5))
    return drawing


def text(value) -> str:
    """Any text as Paragraph markup: escaped, so names print exactly as typed."""
    return escape("" if value is None or value is pd.NA else str(value))


def make_styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, spaceAfter=4)
    return {
        "kicker": ParagraphStyle("kicker", parent=base, fontSize=11, textColor=GREY,
                                 spaceAfter=6),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=24,
                                leading=30, spaceAfter=10),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontName=BOLD, fontSize=14,
                                   leading=19, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontName=BOLD, fontSize=14, leading=19,
                             spaceBefore=12, spaceAfter=6, keepWithNext=1),
        "h3": ParagraphStyle("h3", parent=base, fontName=BOLD, fontSize=11, leading=15,
                             spaceBefore=8, spaceAfter=4, keepWithNext=1),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5, spaceAfter=0),
        "tiny": ParagraphStyle("tiny", parent=base, fontSize=6.5, leading=8, spaceAfter=0),
        "tinybold": ParagraphStyle("tinybold", parent=base, fontName=BOLD, fontSize=6,
                                   leading=7.5, spaceAfter=0),
    }


def data_table(rows: list[list], widths: list[float], styles,
               numeric_from: int | None = None, style: str = "cell") -> Table:
    """A plain table: bold header row repeated on each page, rules between rows; columns
    from ``numeric_from`` on are right-aligned."""
    right = ParagraphStyle(f"{style}-right", parent=styles[style], alignment=2)

    def paragraph(cell, index, column):
        markup = f"<b>{text(cell)}</b>" if index == 0 else text(cell)
        numeric = numeric_from is not None and column >= numeric_from
        return Paragraph(markup, right if numeric else styles[style])

    cells = [[paragraph(cell, index, column) if isinstance(cell, str) else cell
              for column, cell in enumerate(row)] for index, row in enumerate(rows)]
    table = Table(cells, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("BACKGROUND", (0, 0), (-1, 0), HEAD),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
    return table


def known(value):
    """None for a missing figure (pandas turns None into NaN in a float column)."""
    return None if value is None or pd.isna(value) else value


def number(value) -> str:
    return "–" if known(value) is None else f"{value:,}"


def pct(value) -> str:
    return "–" if known(value) is None else f"{value:.1f}%"


def pairs_table(pairs: list[list[str]], styles, width: float) -> Table:
    """Label and value rows, labels in bold, without a header."""
    cells = [[Paragraph(f"<b>{text(label)}</b>", styles["cell"]),
              Paragraph(text(value), styles["cell"])] for label, value in pairs]
    table = Table(cells, colWidths=[width * 0.3, width * 0.7], hAlign="LEFT")
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 2)]))
    return table


def heatmap_table(grid, short: dict, first: str, styles, width: float) -> Table:
    """The heatmap grid (``analysis.heatmap_grid``) as a table: one row per organisation or
    group, one column per section headed by its short title; each cell says its worst band,
    the reds in brackets and the % compliant, on the band's fill."""
    sections, rows = grid
    name_width = min(width * 0.18, 55 * mm)
    column = (width - name_width) / max(len(sections), 1)
    titles = [short.get(item.section_id, item.section_title) for item in sections]
    heading = _heading_style(styles["tinybold"], titles, column - 4)
    header = [Paragraph(f"<b>{text(first)}</b>", styles["tinybold"])]
    header += [Paragraph(text(title), heading) for title in titles]
    data, commands = [header], [
        ("FONT", (1, 1), (-1, -1), FONT, 6.5, 8), ("ALIGN", (1, 1), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("BACKGROUND", (0, 0), (-1, 0), HEAD),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.white),
        ("LINEBELOW", (0, 0), (0, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
    for row_number, row in enumerate(rows, start=1):
        line = [Paragraph(text(row["group"]), styles["tiny"])]
        for column_number, item in enumerate(sections, start=1):
            cell = row["cells"].get(item.section_id)
            if cell is None:
                line.append("–")
                continue
            words = SHORT_BANDS.get(cell["worst"], str(cell["worst"]))
            if cell["worst"] == "red":
                words += f" ({cell['reds']:,})"
            if known(cell["percent_compliant"]) is not None:
                words += f"\n{cell['percent_compliant']:.0f}%"
            line.append(words)
            fill, ink = BAND_COLOURS.get(cell["worst"], ("#ffffff", "#0b0c0c"))
            place = (column_number, row_number)
            commands += [("BACKGROUND", place, place, colors.HexColor(fill)),
                         ("TEXTCOLOR", place, place, colors.HexColor(ink))]
        data.append(line)
    table = Table(data, colWidths=[name_width] + [column] * len(sections), repeatRows=1,
                  hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table


def _heading_style(style: ParagraphStyle, titles: list[str], width: float) -> ParagraphStyle:
    """The column headings' style, its size cut until the longest word fits a column, so
    no word is broken across lines."""
    words = [word for title in titles for word in title.split()] or [""]
    longest = max(stringWidth(word, style.fontName, 1) for word in words) or 1
    size = max(4.5, min(style.fontSize, width / longest))
    return ParagraphStyle("heading", parent=style, fontSize=size, leading=size * 1.25)


class NumberedCanvas(SharedNumberedCanvas):
    right_margin = MARGIN
