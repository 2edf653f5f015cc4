"""Reading register CSV files: encodings, headers, line numbers."""
import pytest

from audit_app.organisations.csvfile import CsvTable, ImportFileError, decode

from .helpers import data_bytes


@pytest.mark.parametrize("name", ["gias_accents_utf8.csv", "gias_accents_bom.csv",
                                  "gias_accents_cp1252.csv"])
def test_utf8_with_or_without_bom_and_windows_1252_decode(name):
    text = decode(data_bytes(name))
    assert text.startswith("URN,")
    assert "St Mary’s Café School" in text


def test_utf8_is_tried_strictly_first():
    # "é" in UTF-8 is two bytes that Windows-1252 would also accept, as "Ã©".
    assert decode("URN\nCafé\n".encode("utf-8")) == "URN\nCafé\n"


@pytest.mark.parametrize("raw,message", [
    (b"", "The file is empty"),
    (b" \r\n\r\n", "The file is empty"),
    (b"URN,\x81\x8d\xc3\n", "The file is neither UTF-8 nor Windows-1252 text (byte 0x81 at "
                            "position 4)"),
    (b"\x00\x01\x02\x03binary", "The file is not a text CSV file (it holds binary data)"),
    ("URN,Name\n".encode("utf-16"), "The file is UTF-16 text: save it as CSV UTF-8 and try "
                                    "again"),
    (b"PK\x03\x04\x14\x00\x06\x00", "The file is a spreadsheet (XLSX), not CSV: save it as "
                                    "CSV UTF-8 and try again"),
])
def test_a_file_that_is_not_csv_text_is_refused(raw, message):
    with pytest.raises(ImportFileError) as error:
        decode(raw)
    assert str(error.value) == message


def test_rows_carry_their_line_numbers_across_blank_and_multiline_records():
    raw = b'code,name\r\n\r\nA,"First\r\nrow"\r\n\r\nB,Second\r\n'
    table = CsvTable(raw, ["name"], ["code"])
    rows = list(table)
    assert [(row.line, row.values) for row in rows] == [
        (3, {"code": "A", "name": "First\r\nrow"}), (6, {"code": "B", "name": "Second"})]


def test_short_rows_read_as_empty_and_long_rows_are_flagged():
    table = CsvTable(b"a,b,c\n1\n1,2,3,4\n1,2,3,\n", ["a"], ["b", "c"])
    rows = list(table)
    assert rows[0].values == {"a": "1"} and rows[0].extra_values == 0
    assert rows[1].extra_values == 1
    assert rows[2].extra_values == 0  # a trailing empty value is harmless


def test_invalid_csv_is_refused_with_its_line():
    raw = b"name\nok\n" + b'"' + b"x" * 200_000 + b'"\n'
    with pytest.raises(ImportFileError) as error:
        list(CsvTable(raw, ["name"]))
    assert str(error.value).startswith("line 3: the file is not valid CSV (field larger")


def test_a_header_of_blank_lines_only_is_empty():
    with pytest.raises(ImportFileError) as error:
        CsvTable(b",,\n,,\n", ["name"])
    assert str(error.value) == "The file is empty"
