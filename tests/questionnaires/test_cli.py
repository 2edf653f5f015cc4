"""`flask questionnaires check|load|list` through the CLI runner: output formats, exit codes,
idempotent loading with the SHA-256 of the canonical JSON, and the in-use rule."""
import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from audit_app.audit_log.models import AuditEvent
from audit_app.cycles.models import Cycle
from audit_app.extensions import db
from audit_app.questionnaires.checker import check_file
from audit_app.questionnaires.models import QuestionnaireVersion

HERE = Path(__file__).resolve().parent
DEFINITIONS = HERE / "definitions"
EXAMPLE = HERE.parents[1] / "questionnaires" / "example" / "1.yaml"


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A questionnaires folder of our own, as the current folder (so FILE is predictable)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def copy_definition(workdir, kind, folder=None):
    target = workdir / (folder or kind)
    target.mkdir(exist_ok=True)
    shutil.copy(DEFINITIONS / kind / "1.yaml", target / "1.yaml")
    return target / "1.yaml"


def lines(result):
    return result.stdout.splitlines()


# check --------------------------------------------------------------------------------
def test_check_of_a_valid_file_exits_0(runner, workdir):
    copy_definition(workdir, "valid")
    result = runner.invoke(args=["questionnaires", "check", "valid/1.yaml"])
    assert result.exit_code == 0, result.output
    assert lines(result) == []
    assert "1 file checked: no problems" in result.stderr


def test_check_prints_every_problem_and_exits_1(runner, workdir):
    copy_definition(workdir, "valid")
    copy_definition(workdir, "unknown_key")
    copy_definition(workdir, "duplicate_id")
    result = runner.invoke(args=["questionnaires", "check", "valid/1.yaml", "unknown_key",
                                 "duplicate_id/1.yaml"])
    assert result.exit_code == 1
    assert lines(result) == [
        "unknown_key/1.yaml:25: question 'named_governor' is missing required key 'text'",
        "unknown_key/1.yaml:28: unknown key 'txt' in question 'named_governor' (did you mean "
        "'text'?)",
        "duplicate_id/1.yaml:38: duplicate id 'named_governor' (first used on line 25)",
    ]
    assert "3 problems in 2 of 3 files" in result.stderr


def test_check_without_paths_checks_the_questionnaire_folder_except_the_example(
        runner, app, workdir, monkeypatch):
    copy_definition(workdir, "valid")
    copy_definition(workdir, "wrong_type")
    copy_definition(workdir, "unknown_key", folder="example")  # broken, but skipped
    monkeypatch.setitem(app.config, "QUESTIONNAIRE_DIR", str(workdir))
    result = runner.invoke(args=["questionnaires", "check"])
    assert result.exit_code == 1
    assert lines(result) == ["wrong_type/1.yaml:37: 'required' must be true or false"]


def test_check_walks_a_folder(runner, workdir):
    (workdir / "nested").mkdir()
    copy_definition(workdir / "nested", "wrong_type")
    result = runner.invoke(args=["questionnaires", "check", "nested"])
    assert result.exit_code == 1
    assert lines(result) == ["nested/wrong_type/1.yaml:37: 'required' must be true or false"]


def test_check_with_nothing_to_check_exits_1(runner, app, workdir, monkeypatch):
    monkeypatch.setitem(app.config, "QUESTIONNAIRE_DIR", str(workdir))
    result = runner.invoke(args=["questionnaires", "check"])
    assert result.exit_code == 1
    assert "No questionnaire files found" in result.output


def test_check_of_a_missing_path_exits_1(runner, workdir):
    result = runner.invoke(args=["questionnaires", "check", "s175/2030-31.yaml"])
    assert result.exit_code == 1
    assert lines(result) == ["s175/2030-31.yaml:1: no such file or folder"]


# load -----------------------------------------------------------------------------------
def test_load_stores_the_parsed_definition_and_its_sha256(runner, workdir):
    result = runner.invoke(args=["questionnaires", "load", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert lines(result)[-1] == "created=1 updated=0 unchanged=0"
    assert lines(result)[0].startswith("created example 1 (")
    version = QuestionnaireVersion.query.one()
    parsed = check_file(EXAMPLE).data
    canonical = json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert version.definition == parsed
    assert version.sha256 == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert (version.questionnaire_key, version.version, version.audience) == \
        ("example", "1", "school")
    assert version.title == "Example safeguarding self-audit for schools"
    assert (version.section_count, version.question_count) == (3, 12)
    event = AuditEvent.query.filter_by(action="questionnaire.created").one()
    assert event.detail["sha256"] == version.sha256


def test_load_again_changes_nothing(runner, workdir):
    path = copy_definition(workdir, "valid")
    assert runner.invoke(args=["questionnaires", "load", str(path)]).exit_code == 0
    first = QuestionnaireVersion.query.one()
    sha, updated_at = first.sha256, first.updated_at
    result = runner.invoke(args=["questionnaires", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert lines(result) == ["unchanged valid 1 (valid/1.yaml)",
                             "created=0 updated=0 unchanged=1"]
    db.session.expire_all()
    again = QuestionnaireVersion.query.one()
    assert (again.sha256, again.updated_at) == (sha, updated_at)
    assert AuditEvent.query.filter(AuditEvent.action.like("questionnaire.%")).count() == 1


def test_comments_and_layout_do_not_change_the_sha(runner, workdir):
    path = copy_definition(workdir, "valid")
    runner.invoke(args=["questionnaires", "load", str(path)])
    path.write_text("# A comment added later\n" + path.read_text().replace(
        "title: Definition for a checker test", "title:   'Definition for a checker test'"))
    result = runner.invoke(args=["questionnaires", "load", str(path)])
    assert lines(result)[-1] == "created=0 updated=0 unchanged=1"


def test_a_changed_version_no_cycle_uses_is_updated(runner, workdir):
    path = copy_definition(workdir, "valid")
    runner.invoke(args=["questionnaires", "load", str(path)])
    old_sha = QuestionnaireVersion.query.one().sha256
    path.write_text(path.read_text().replace("Definition for a checker test", "Renamed title"))
    result = runner.invoke(args=["questionnaires", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert lines(result) == ["updated valid 1 (valid/1.yaml)", "created=0 updated=1 unchanged=0"]
    db.session.expire_all()
    version = QuestionnaireVersion.query.one()
    assert version.title == "Renamed title" and version.sha256 != old_sha


def test_a_version_a_cycle_uses_cannot_change(runner, workdir, partnership):
    path = copy_definition(workdir, "valid")
    other = copy_definition(workdir, "valid", folder="other")
    other.write_text(other.read_text().replace("id: valid", "id: other"))
    runner.invoke(args=["questionnaires", "load", str(path)])
    version = QuestionnaireVersion.query.one()
    db.session.add(Cycle(partnership_id=partnership.id, questionnaire_version_id=version.id,
                         name="2025 to 2026", open_date=date(2025, 9, 1),
                         due_date=date(2025, 12, 1)))
    db.session.commit()
    original = path.read_text()
    assert runner.invoke(args=["questionnaires", "load", str(path)]).exit_code == 0

    path.write_text(original.replace("Every deputy is trained.", "Every deputy is trained well."))
    result = runner.invoke(args=["questionnaires", "load", str(path), str(other)])
    assert result.exit_code == 1
    assert lines(result) == [
        "valid/1.yaml: valid 1 is used by a cycle and cannot change; publish a new version "
        "instead"]
    db.session.expire_all()
    assert QuestionnaireVersion.query.count() == 1, "nothing else was loaded either"
    assert QuestionnaireVersion.query.one().definition == check_file(
        DEFINITIONS / "valid" / "1.yaml").data


def test_load_refuses_a_broken_file_and_stores_nothing(runner, workdir):
    copy_definition(workdir, "valid")
    copy_definition(workdir, "unknown_scale")
    result = runner.invoke(args=["questionnaires", "load", "valid", "unknown_scale"])
    assert result.exit_code == 1
    assert lines(result) == [
        "unknown_scale/1.yaml:40: unknown scale 'rga' (declared scales: rag)"]
    assert "Nothing was loaded" in result.stderr
    assert QuestionnaireVersion.query.count() == 0


def test_load_without_paths_loads_every_questionnaire_but_the_example(
        runner, app, workdir, monkeypatch):
    copy_definition(workdir, "valid")
    copy_definition(workdir, "valid", folder="example")
    monkeypatch.setitem(app.config, "QUESTIONNAIRE_DIR", str(workdir))
    result = runner.invoke(args=["questionnaires", "load"])
    assert result.exit_code == 0, result.output
    assert [version.questionnaire_key for version in QuestionnaireVersion.query] == ["valid"]


def test_load_with_nothing_to_load_exits_1(runner, app, workdir, monkeypatch):
    monkeypatch.setitem(app.config, "QUESTIONNAIRE_DIR", str(workdir))
    result = runner.invoke(args=["questionnaires", "load"])
    assert result.exit_code == 1
    assert lines(result) == [f"No questionnaire files found in {workdir}"]


# list -------------------------------------------------------------------------------------
def test_list_prints_one_line_per_version(runner, workdir):
    path = copy_definition(workdir, "valid")
    runner.invoke(args=["questionnaires", "load", str(EXAMPLE), str(path)])
    result = runner.invoke(args=["questionnaires", "list"])
    assert result.exit_code == 0
    assert lines(result) == [
        "example 1 sections=3 questions=12 Example safeguarding self-audit for schools",
        "valid 1 sections=2 questions=4 Definition for a checker test",
    ]


def test_list_with_nothing_loaded_says_so(runner):
    result = runner.invoke(args=["questionnaires", "list"])
    assert result.exit_code == 0
    assert lines(result) == []
    assert "No questionnaire versions are loaded" in result.stderr
