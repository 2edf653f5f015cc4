"""The report's downloads, one table for the dashboard's buttons and the command line:
which writer makes each format, its file name and media type. A file is written beside its
target and moved into place only when complete, so a failure never leaves half a report."""
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..audit_log.services import record


@dataclass(frozen=True)
class ExportFormat:
    name: str
    suffix: str
    media_type: str
    description: str
    # Whether it holds year on year: the answers and the codebook never compare years, so
    # making them skips reading the previous cycle.
    compares_years: bool = True


FORMATS = {
    "csv": ExportFormat("csv", "answers.csv", "text/csv",
                        "Every answer, one row each (CSV)", compares_years=False),
    "codebook": ExportFormat("codebook", "codebook.csv", "text/csv",
                             "The questions and their scales (CSV)", compares_years=False),
    "xlsx": ExportFormat("xlsx", "report.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         "Summary tables (Excel spreadsheet)"),
    "pdf": ExportFormat("pdf", "report.pdf", "application/pdf",
                        "Report for the board (PDF)"),
}


def report_for_export(cycle, format_name: str, filters: dict | None = None):
    """The report a format is made from (only what that format needs): the kept one when
    its data is current, else the data as it is now, which is not kept, so that the
    dashboard keeps the figures it has prepared and refreshes them in the background."""
    from .services import load_report

    return load_report(cycle, filters, with_previous=FORMATS[format_name].compares_years,
                       keep=False)


def download_name(cycle, export_format: ExportFormat) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", cycle.name.lower()).strip("-") or f"cycle-{cycle.id}"
    return f"{slug}-{export_format.suffix}"


def write_export(report, format_name: str, target) -> None:
    """Write one format to a binary file object."""
    if format_name == "csv":
        from .csv_export import write_frame_csv
        write_frame_csv(report.answers, target)
    elif format_name == "codebook":
        from .csv_export import write_frame_csv
        write_frame_csv(report.codebook, target)
    elif format_name == "xlsx":
        from .xlsx_export import write_xlsx
        write_xlsx(report, target)
    elif format_name == "pdf":
        from .pdf_export import write_pdf
        write_pdf(report, target)
    else:
        raise ValueError(f"unknown export format {format_name!r}")


def write_export_file(report, format_name: str, path) -> Path:
    """Write to ``path`` through a temporary file in the same folder, then move it."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.",
                                         suffix=".part")
    try:
        with os.fdopen(handle, "wb") as target:
            write_export(report, format_name, target)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def record_export(report, format_name: str, via: str) -> None:
    record("report.exported", report.cycle,
           detail={"format": format_name, "filters": report.filters, "via": via,
                   "returns": int(len(report.returns))},
           partnership=report.cycle.partnership)
