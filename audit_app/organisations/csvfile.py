"""Reading a register CSV: its encoding, its header and its rows, each with its line number.
A problem with the file as a whole raises ``ImportFileError`` before anything is written."""
import csv
import io
import re
from dataclasses import dataclass
from typing import Iterator, Sequence

# Characters that never appear in a text CSV: a file holding them is binary.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; nothing was written."""


@dataclass
class CsvRow:
    line: int
    values: dict[str, str]
    extra_values: int = 0  # values beyond the header's columns


def decode(raw: bytes) -> str:
    """UTF-8 (with or without a byte order mark) strictly, else Windows-1252."""
    return raw.decode(text_encoding(raw))


def text_encoding(raw: bytes) -> str:
    """The encoding to read ``raw`` with: UTF-8 (with or without a byte order mark) when it
    decodes strictly, else Windows-1252; a file that is neither, or binary, is refused."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError("The file is UTF-16 text: save it as CSV UTF-8 and try again")
    if raw.startswith(b"PK\x03\x04"):
        raise ImportFileError("The file is a spreadsheet (XLSX), not CSV: save it as CSV "
                              "UTF-8 and try again")
    encoding = "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        encoding = "cp1252"
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as error:
            raise ImportFileError(
                f"The file is neither UTF-8 nor Windows-1252 text (byte 0x{raw[error.start]:02x} "
                f"at position {error.start})") from error
    if CONTROL_CHARACTERS.search(text):
        raise ImportFileError("The file is not a text CSV file (it holds binary data)")
    if not text.strip():
        raise ImportFileError("The file is empty")
    return encoding


class CsvTable:
    """The rows of a CSV file, keyed by column name. Known column names are matched without
    regard to case or surrounding spaces and given their canonical spelling."""

    def __init__(self, raw: bytes, required: Sequence[str], known: Sequence[str] = ()):
        # Read through a wrapper rather than a decoded copy: a national GIAS extract is
        # tens of megabytes.
        lines = io.TextIOWrapper(io.BytesIO(raw), encoding=text_encoding(raw), newline="")
        self._reader = csv.reader(lines)
        self.columns = self._read_header(required, known)

    def _read_header(self, required, known) -> list[str | None]:
        header = self._next_record()
        while header is not None and not any(cell.strip() for cell in header):
            header = self._next_record()
        if header is None:
            raise ImportFileError("The file is empty")
        canonical = {name.casefold(): name for name in (*required, *known)}
        columns = []
        for cell in header:
            name = " ".join(cell.split())
            columns.append(canonical.get(name.casefold(), name) if name else None)
        named = [name for name in columns if name]
        repeated = sorted({name for name in named if named.count(name) > 1})
        if repeated:
            raise ImportFileError(f"The column(s) {', '.join(repeated)} appear more than once "
                                  "in the header")
        missing = [name for name in required if name not in named]
        if missing:
            raise ImportFileError(f"The file is missing the required column(s): "
                                  f"{', '.join(missing)}")
        return columns

    def has(self, column: str) -> bool:
        return column in self.columns

    def _next_record(self) -> list[str] | None:
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except csv.Error as error:
            raise ImportFileError(f"line {self._reader.line_num}: the file is not valid CSV "
                                  f"({error})") from error

    def __iter__(self) -> Iterator[CsvRow]:
        width = len(self.columns)
        while True:
            line = self._reader.line_num + 1
            record = self._next_record()
            if record is None:
                return
            if not any(cell.strip() for cell in record):
                continue
            values = {name: cell.strip() for name, cell in zip(self.columns, record) if name}
            extra = sum(1 for cell in record[width:] if cell.strip())
            yield CsvRow(line=line, values=values, extra_values=extra)
