"""``flask reports export`` (DESIGN §9)."""
import pandas as pd
import pytest

from tests.reports.report_builders import known_cycle


@pytest.fixture
def cycle(partnership, school, make_user):
    return known_cycle(partnership, school, make_user)


def run(app, *args):
    return app.test_cli_runner().invoke(args=["reports", "export", *args])


def test_csv_writes_the_answers_and_the_codebook(app, cycle, tmp_path):
    out = tmp_path / "s175.csv"
    result = run(app, "--cycle", cycle.name, "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    assert f"wrote {tmp_path / 's175-codebook.csv'}" in result.output
    assert len(pd.read_csv(out)) > 0 and len(pd.read_csv(tmp_path / "s175-codebook.csv")) > 0


@pytest.mark.parametrize("format_name, magic", [("xlsx", b"PK"), ("pdf", b"%PDF")])
def test_xlsx_and_pdf_by_cycle_id(app, cycle, tmp_path, format_name, magic):
    out = tmp_path / f"report.{format_name}"
    result = run(app, "--cycle", str(cycle.id), "--format", format_name, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)
    assert [path.name for path in tmp_path.iterdir()] == [out.name]


@pytest.mark.parametrize("args, message", [
    (["--cycle", "No such cycle", "--format", "csv"], "No cycle with id or name"),
    (["--cycle", "999999", "--format", "pdf"], "No cycle with id or name"),
    (["--cycle", "S175 audit 2025-26", "--format", "docx"], "Invalid value for '--format'"),
])
def test_bad_input_exits_non_zero_with_a_reason_and_writes_nothing(app, cycle, tmp_path,
                                                                  args, message):
    result = run(app, *args, "--out", str(tmp_path / "out"))
    assert result.exit_code != 0
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_refused(app, cycle, tmp_path):
    result = run(app, "--cycle", cycle.name, "--format", "csv",
                 "--out", str(tmp_path / "nowhere" / "out.csv"))
    assert result.exit_code != 0 and "No such folder" in result.output


def test_a_writer_failure_leaves_no_partial_file(app, cycle, tmp_path, monkeypatch):
    from audit_app.reports import exports

    def broken(report, format_name, target):
        target.write(b"half a report")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exports, "write_export", broken)
    result = run(app, "--cycle", cycle.name, "--format", "pdf",
                 "--out", str(tmp_path / "out.pdf"))
    assert result.exit_code == 1
    assert "Could not write" in result.output and "No space left on device" in result.output
    assert list(tmp_path.iterdir()) == []
