"""What every PDF of the service shares (a return, the QA report): the Unicode font, so that
every organisation's and person's name prints whatever its script (DejaVu Sans, copied into
static/build/fonts from the dejavu-fonts-ttf npm package by `make install`), and page
numbers."""
import os

from flask import current_app
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONT = "AuditSans"
BOLD = "AuditSans-Bold"
FONT_FILES = {FONT: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}


class PdfFontMissing(RuntimeError):
    """The Unicode font is not installed: a set-up problem, said plainly."""


def register_fonts() -> None:
    """Register DejaVu Sans once per process (reportlab's registry is global). The folder
    is the PDF_FONT_DIR setting, else where Debian's fonts-dejavu-core puts it."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = current_app.config.get("PDF_FONT_DIR") or DEFAULT_FONT_DIR
    paths = {name: os.path.join(folder, file_name) for name, file_name in FONT_FILES.items()}
    missing = [path for path in paths.values() if not os.path.isfile(path)]
    if missing:
        raise PdfFontMissing(f"The PDF font {missing[0]} is missing: run `make install` "
                             "(it copies DejaVu Sans into audit_app/static/build/fonts), or "
                             "set PDF_FONT_DIR to a folder holding DejaVuSans.ttf and "
                             "DejaVuSans-Bold.ttf")
    for name, path in paths.items():
        pdfmetrics.registerFont(TTFont(name, path))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


PAGE_NUMBER_GREY = colors.HexColor("#505a5f")


class NumberedCanvas(Canvas):
    """Writes 'Page N of M' at the foot of every page, portrait or landscape, once M is
    known."""

    footer_height = 9 * mm
    right_margin = 18 * mm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(FONT, 8)
            self.setFillColor(PAGE_NUMBER_GREY)
            self.drawRightString(self._pagesize[0] - self.right_margin, self.footer_height,
                                 f"Page {self._pageNumber} of {total}")
            super().showPage()
        super().save()
