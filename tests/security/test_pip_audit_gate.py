"""The dependency gate of `make audit` (scripts/pip_audit_gate.py): which pip-audit reports
pass, which fail, and what the exceptions file must say."""
import datetime as dt
import importlib.util
import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_db

ROOT = Path(__file__).resolve().parents[2]


def _load_gate():
    spec = importlib.util.spec_from_file_location("pip_audit_gate",
                                                  ROOT / "scripts" / "pip_audit_gate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gate = _load_gate()
TODAY = dt.date(2026, 11, 25)
EXCEPTION = """
[[exception]]
id = "PYSEC-2026-1"
package = "Flask_Example"
reason = "Only the debugger is affected and it never runs in production"
review_by = 2026-12-31
"""


def vulnerable(name="flask-example", vuln_id="GHSA-aaaa-bbbb-cccc", aliases=("PYSEC-2026-1",)):
    return {"name": name, "version": "1.0",
            "vulns": [{"id": vuln_id, "fix_versions": ["1.1"], "aliases": list(aliases)}]}


def clean(name="jinja2"):
    return {"name": name, "version": "3.1.6", "vulns": []}


def report(*dependencies):
    return {"dependencies": list(dependencies), "fixes": []}


def test_a_clean_report_passes():
    outcome = gate.evaluate(report(clean(), clean("flask")), [], TODAY)
    assert outcome.passed
    assert outcome.lines()[-1] == "pip-audit gate passed: packages=2 failures=0 excepted=0"


def test_an_advisory_not_listed_fails_and_names_it():
    outcome = gate.evaluate(report(clean(), vulnerable()), [], TODAY)
    assert not outcome.passed
    assert outcome.failures == [
        "flask-example 1.0: GHSA-aaaa-bbbb-cccc / PYSEC-2026-1 (fixed in: 1.1)"]


def test_an_exception_matches_by_alias_and_normalised_package_name():
    exceptions = gate.parse_exceptions(EXCEPTION)
    outcome = gate.evaluate(report(vulnerable()), exceptions, TODAY)
    assert outcome.passed
    assert "review by 2026-12-31" in outcome.excepted[0]


def test_an_exception_for_another_advisory_does_not_cover_this_one():
    exceptions = gate.parse_exceptions(EXCEPTION)
    outcome = gate.evaluate(report(vulnerable(aliases=("PYSEC-2026-2",))), exceptions, TODAY)
    assert not outcome.passed
    assert any("no longer matches" in note for note in outcome.notes)


def test_an_exception_for_another_package_does_not_cover_it():
    exceptions = gate.parse_exceptions(EXCEPTION)
    outcome = gate.evaluate(report(vulnerable(name="other")), exceptions, TODAY)
    assert not outcome.passed


def test_an_exception_past_its_review_date_fails():
    exceptions = gate.parse_exceptions(EXCEPTION)
    on_the_day = gate.evaluate(report(vulnerable()), exceptions, dt.date(2026, 12, 31))
    assert on_the_day.passed
    day_after = gate.evaluate(report(vulnerable()), exceptions, dt.date(2027, 1, 1))
    assert not day_after.passed
    assert "expired on 2026-12-31" in day_after.failures[0]


def test_a_service_that_answers_nothing_fails_loudly():
    # What pip-audit reports when it cannot reach PyPI's vulnerability data: every package
    # skipped, exit status 0 and "No known vulnerabilities found".
    skipped = [{"name": name, "skip_reason": f"Dependency not found on PyPI and could not be "
                                             f"audited: {name} (1.0)"}
               for name in ("flask", "jinja2")]
    editable = {"name": "audit-app", "skip_reason": "distribution marked as editable"}
    outcome = gate.evaluate(report(*skipped, editable), [], TODAY)
    assert not outcome.passed and outcome.unreachable
    assert len(outcome.failures) == 1
    assert "could not check any package" in outcome.failures[0]


def test_main_tells_an_unreachable_service_from_a_vulnerable_environment(tmp_path, capsys):
    exceptions = tmp_path / "exceptions.toml"
    exceptions.write_text("")
    cut_off = tmp_path / "cut-off.json"
    cut_off.write_text(json.dumps(report({"name": "flask", "skip_reason":
                                          "Dependency not found on PyPI and could not be "
                                          "audited: flask (3.1.3)"})))
    vulnerable_report = tmp_path / "vulnerable.json"
    vulnerable_report.write_text(json.dumps(report(vulnerable())))
    assert gate.main(["--exceptions", str(exceptions), "--report", str(cut_off)]) == 3
    assert gate.main(["--exceptions", str(exceptions), "--report",
                      str(vulnerable_report)]) == 1
    assert "pip-audit gate FAILED" in capsys.readouterr().out


def test_one_package_not_checked_fails_unless_listed_as_unaudited():
    skipped = {"name": "internal-lib", "skip_reason": "Dependency not found on PyPI and could "
                                                      "not be audited: internal-lib (2.0)"}
    outcome = gate.evaluate(report(clean(), skipped), [], TODAY)
    assert outcome.failures[0] == "1 of 2 packages were not checked for vulnerabilities"
    listed = gate.parse_exceptions('[[unaudited]]\npackage = "internal-lib"\n'
                                   'reason = "Built here"\nreview_by = 2027-01-31\n')
    assert gate.evaluate(report(clean(), skipped), listed, TODAY).passed


def test_the_project_itself_installed_editable_is_not_a_failure():
    editable = {"name": "audit-app", "skip_reason": "distribution marked as editable"}
    assert gate.evaluate(report(clean(), editable), [], TODAY).passed


@pytest.mark.parametrize("text, message", [
    ('[[exception]]\nid = "X"\npackage = "p"\nreview_by = 2027-01-01\n', "reason is missing"),
    ('[[exception]]\nid = "X"\npackage = "p"\nreason = " "\nreview_by = 2027-01-01\n',
     "reason is missing"),
    ('[[exception]]\nid = "X"\npackage = "p"\nreason = "r"\n', "review_by must be a date"),
    ('[[exception]]\nid = "X"\npackage = "p"\nreason = "r"\nreview_by = "2027-01-01"\n',
     "review_by must be a date"),
    ('[[exception]]\nid = "X"\npackage = "p"\nreason = "r"\nreview_by = 2027-01-01T10:00:00\n',
     "review_by must be a date"),
    ('[[exception]]\npackage = "p"\nreason = "r"\nreview_by = 2027-01-01\n', "id is missing"),
    ('[[exception]]\nid = "X"\npackage = "p"\nreason = "r"\nreview_by = 2027-01-01\n'
     'until = 1\n', "unknown key 'until'"),
    ('[[ignore]]\nid = "X"\n', "unknown table 'ignore'"),
    ('[exception]\nid = "X"\n', "write [[exception]] entries"),
    ('[[exception]\n', "not valid TOML"),
])
def test_a_malformed_exceptions_file_is_refused_with_a_reason(text, message):
    with pytest.raises(gate.ExceptionsError, match=message.replace("[", r"\[")):
        gate.parse_exceptions(text)


def test_the_shipped_exceptions_file_is_valid_and_current():
    entries = gate.parse_exceptions(gate.DEFAULT_EXCEPTIONS.read_text(encoding="utf-8"))
    assert all(not entry.expired(dt.date.today()) for entry in entries)


def test_main_reads_a_saved_report_and_sets_the_exit_status(tmp_path, capsys):
    exceptions = tmp_path / "exceptions.toml"
    exceptions.write_text(EXCEPTION, encoding="utf-8")
    saved = tmp_path / "report.json"
    saved.write_text(json.dumps(report(vulnerable())), encoding="utf-8")
    arguments = ["--exceptions", str(exceptions), "--report", str(saved)]
    assert gate.main([*arguments, "--today", "2026-12-01"]) == 0
    assert gate.main([*arguments, "--today", "2027-01-01"]) == 1
    assert "pip-audit gate FAILED" in capsys.readouterr().out


def test_main_fails_when_pip_audit_gives_no_report(tmp_path, capsys):
    exceptions = tmp_path / "exceptions.toml"
    exceptions.write_text("", encoding="utf-8")
    saved = tmp_path / "report.json"
    saved.write_text("Traceback (most recent call last): ...", encoding="utf-8")
    assert gate.main(["--exceptions", str(exceptions), "--report", str(saved)]) == 1
    assert gate.main(["--exceptions", str(tmp_path / "missing.toml"),
                      "--report", str(saved)]) == 2


def test_main_fails_when_pip_audit_crashes(monkeypatch, tmp_path, capsys):
    class Done:
        returncode = 1
        stdout = ""
        stderr = "Traceback...\nrequests.exceptions.ConnectionError: api.osv.dev unreachable"

    monkeypatch.setattr(gate.subprocess, "run", lambda *args, **kwargs: Done())
    exceptions = tmp_path / "exceptions.toml"
    exceptions.write_text("", encoding="utf-8")
    assert gate.main(["--exceptions", str(exceptions)]) == 1
    assert "ConnectionError: api.osv.dev unreachable" in capsys.readouterr().err
