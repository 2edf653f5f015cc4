"""Checking and loading definition files, and reading the stored versions. Loading stores
the parsed definition with the SHA-256 of its canonical JSON; a version a cycle uses never
changes."""
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..audit_log.services import record
from ..cycles.models import Cycle
from ..extensions import db
from ..timeutil import utcnow
from .checker import CheckedFile, Problem, check_file
from .models import QuestionnaireVersion

EXAMPLE_FOLDER = "example"


class DefinitionProblems(Exception):
    """Files failed the checker: nothing was loaded."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


class LoadRefused(Exception):
    """Loading would break a rule (e.g. change a version in use): nothing was loaded."""

    def __init__(self, lines: list[str]):
        super().__init__("; ".join(lines))
        self.lines = lines


@dataclass
class LoadReport:
    lines: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        return f"created={self.created} updated={self.updated} unchanged={self.unchanged}"


def canonical_json(definition) -> str:
    return json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def definition_sha256(definition) -> str:
    return hashlib.sha256(canonical_json(definition).encode("utf-8")).hexdigest()


def default_folder() -> Path:
    return Path(current_app.config["QUESTIONNAIRE_DIR"])


def definition_files(paths, folder=None) -> tuple[list[Path], list[CheckedFile]]:
    """The files named by ``paths`` (folders are walked for *.yaml), or, with none, every
    <id>/<version>.yaml of the questionnaire folder except the example. Also a checked
    result with a problem for each path that does not exist."""
    if not paths:
        base = Path(folder) if folder is not None else default_folder()
        return sorted(path for path in base.glob("*/*.yaml")
                      if path.is_file() and path.parent.name != EXAMPLE_FOLDER), []
    files, missing = [], []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files.extend(sorted(found for found in path.rglob("*.yaml") if found.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(CheckedFile(path, str(given),
                                       [Problem(str(given), 1, "no such file or folder")]))
    unique = list(dict.fromkeys(path.resolve() for path in files))
    return [Path(path) for path in unique], missing


def check_paths(paths=(), folder=None) -> list[CheckedFile]:
    """Check every file named (see definition_files): one result per file."""
    files, missing = definition_files(paths, folder)
    return [check_file(path) for path in files] + missing


def version_in_use(version: QuestionnaireVersion) -> bool:
    """A version is in use, and so immutable, once any cycle refers to it."""
    return db.session.query(
        sa.exists().where(Cycle.questionnaire_version_id == version.id)).scalar()


def load_paths(paths=(), folder=None) -> LoadReport:
    """Check, then store every file's definition. All or nothing: on any problem nothing is
    stored (DefinitionProblems, LoadRefused). The caller commits."""
    results = check_paths(paths, folder)
    problems = [problem for result in results for problem in result.problems]
    if problems:
        raise DefinitionProblems(problems)
    if not results:
        where = ", ".join(map(str, paths)) if paths else str(folder or default_folder())
        raise LoadRefused([f"No questionnaire files found in {where}"])
    plan = _plan(results)
    report = LoadReport()
    for action, result, version, sha in plan:
        _apply(action, result, version, sha, report)
    db.session.flush()
    return report


def _plan(results: list[CheckedFile]) -> list[tuple]:
    refusals, plan, seen = [], [], {}
    for result in results:
        key, version_name = result.data["id"], result.data["version"]
        if (key, version_name) in seen:
            refusals.append(f"{result.display}: {key} {version_name} is also defined by "
                            f"{seen[(key, version_name)]}")
            continue
        seen[(key, version_name)] = result.display
        sha = definition_sha256(result.data)
        stored = QuestionnaireVersion.query.filter_by(questionnaire_key=key,
                                                      version=version_name).one_or_none()
        if stored is None:
            plan.append(("created", result, None, sha))
        elif stored.sha256 == sha:
            plan.append(("unchanged", result, stored, sha))
        elif version_in_use(stored):
            refusals.append(f"{result.display}: {key} {version_name} is used by a cycle and "
                            "cannot change; publish a new version instead")
        else:
            plan.append(("updated", result, stored, sha))
    if refusals:
        raise LoadRefused(refusals)
    return plan


def _apply(action: str, result: CheckedFile, version, sha: str, report: LoadReport) -> None:
    data = result.data
    if action == "created":
        version = QuestionnaireVersion(questionnaire_key=data["id"], version=data["version"])
        db.session.add(version)
    if action in ("created", "updated"):
        sections = data["sections"]
        version.title = data["title"]
        version.audience = data["audience"]
        version.definition = data
        version.sha256 = sha
        version.source_path = result.display[:500]
        version.section_count = len(sections)
        version.question_count = sum(len(section["questions"]) for section in sections)
        version.updated_at = utcnow()
        db.session.flush()
        record(f"questionnaire.{action}", obj=version,
               detail={"questionnaire": data["id"], "version": data["version"],
                       "sha256": sha, "source": version.source_path})
    setattr(report, action, getattr(report, action) + 1)
    report.lines.append(f"{action} {data['id']} {data['version']} ({result.display})")


def stored_versions() -> list[QuestionnaireVersion]:
    return QuestionnaireVersion.query.order_by(QuestionnaireVersion.questionnaire_key,
                                               QuestionnaireVersion.version).all()


def cycle_counts() -> dict[int, int]:
    """Version id -> number of cycles using it."""
    rows = db.session.query(Cycle.questionnaire_version_id, sa.func.count(Cycle.id)) \
        .group_by(Cycle.questionnaire_version_id).all()
    return dict(rows)


def list_lines() -> list[str]:
    """`flask questionnaires list`: ``ID VERSION sections=N questions=M TITLE``."""
    return [f"{version.questionnaire_key} {version.version} "
            f"sections={version.section_count} questions={version.question_count} "
            f"{version.title}" for version in stored_versions()]
