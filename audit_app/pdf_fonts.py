"""The Unicode font every PDF of the service prints in (a return, the QA report), so that
every organisation's and person's name prints whatever its script: DejaVu Sans, copied into
static/build/fonts from the dejavu-fonts-ttf npm package by `make install`."""
import os

from flask import current_app
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
