"""The dependency gate of `make audit`: run pip-audit over the installed environment and fail
on any known vulnerability that is not excepted, with a reason and a review date, in
security/pip-audit-exceptions.toml.

pip-audit on its own passes silently when it cannot look a package up (it reports the package
as skipped and still says "No known vulnerabilities found"), so a gate that trusted its exit
status would pass on a machine cut off from the vulnerability service. This gate therefore
fails on every package pip-audit could not check, unless the exceptions file lists it under
[[unaudited]] (a package built here that is not on PyPI), and on every exception whose review
date has passed.

    python scripts/pip_audit_gate.py [--exceptions FILE] [--report JSON] [--today DATE]
                                     [-- PIP-AUDIT ARGUMENTS...]

--report reads a saved `pip-audit --format json` report instead of running pip-audit.
Exit status: 0 when the gate passes, 1 when it fails, 2 when the exceptions file is wrong,
3 when no package could be checked at all (the vulnerability service is out of reach; the
gate has still failed, but callers can tell a blocked check from a vulnerable environment).
"""
import argparse
import datetime as dt
import json
import subprocess  # nosec B404: runs pip-audit, a fixed command, without a shell
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_EXCEPTIONS = Path(__file__).resolve().parent.parent / "security" / \
    "pip-audit-exceptions.toml"
TABLES = {"exception": ("id", "package", "reason", "review_by"),
          "unaudited": ("package", "reason", "review_by")}
UNREACHABLE = 3
# How pip-audit words the skip of an editable install (this project, in development).
EDITABLE = "marked as editable"


class ExceptionsError(ValueError):
    """The exceptions file is malformed; the message names the entry and the problem."""


@dataclass(frozen=True)
class Excepted:
    table: str
    package: str
    reason: str
    review_by: dt.date
    id: str = ""

    def expired(self, today: dt.date) -> bool:
        return self.review_by < today

    def describe(self) -> str:
        what = f"{self.id} in {self.package}" if self.id else self.package
        return f"{what} (reason: {self.reason}; review by {self.review_by:%Y-%m-%d})"


@dataclass
class Outcome:
    packages: int = 0
    failures: list[str] = field(default_factory=list)
    excepted: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Nothing could be looked up at all: the vulnerability service is out of reach.
    unreachable: bool = False

    @property
    def passed(self) -> bool:
        return not self.failures

    def lines(self) -> list[str]:
        verdict = "passed" if self.passed else "FAILED"
        return ([f"FAIL {line}" for line in self.failures]
                + [f"EXCEPTED {line}" for line in self.excepted]
                + [f"NOTE {line}" for line in self.notes]
                + [f"pip-audit gate {verdict}: packages={self.packages} "
                   f"failures={len(self.failures)} excepted={len(self.excepted)}"])


def normalise(name: str) -> str:
    """PyPI names compare case-insensitively, with runs of -, _ and . equal."""
    return "-".join(name.lower().replace("_", "-").replace(".", "-").split("-"))


def parse_exceptions(text: str, source: str = "exceptions file") -> list[Excepted]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ExceptionsError(f"{source}: not valid TOML: {error}") from error
    unknown = set(data) - set(TABLES)
    if unknown:
        raise ExceptionsError(f"{source}: unknown table {sorted(unknown)[0]!r}: use "
                              "[[exception]] or [[unaudited]]")
    entries = []
    for table, keys in TABLES.items():
        rows = data.get(table, [])
        if not isinstance(rows, list):
            raise ExceptionsError(f"{source}: write [[{table}]] entries, not [{table}]")
        for number, row in enumerate(rows, start=1):
            entries.append(_entry(table, keys, row, f"{source}: [[{table}]] entry {number}"))
    return entries


def _entry(table: str, keys: tuple, row: dict, where: str) -> Excepted:
    extra = set(row) - set(keys)
    if extra:
        raise ExceptionsError(f"{where}: unknown key {sorted(extra)[0]!r}")
    for key in keys:
        value = row.get(key)
        if key == "review_by":
            # A bare TOML date, so that a typo cannot pass as text.
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise ExceptionsError(f"{where}: review_by must be a date, like 2027-01-31")
        elif not isinstance(value, str) or not value.strip():
            raise ExceptionsError(f"{where}: {key} is missing or empty")
    return Excepted(table=table, package=normalise(row["package"]),
                    reason=row["reason"].strip(), review_by=row["review_by"],
                    id=row.get("id", "").strip())


def evaluate(report: dict, exceptions: list[Excepted], today: dt.date) -> Outcome:
    """Apply the exceptions to a pip-audit JSON report."""
    dependencies = report.get("dependencies") if isinstance(report, dict) else None
    if not isinstance(dependencies, list):
        return Outcome(failures=["the pip-audit report has no list of dependencies"])
    outcome = Outcome(packages=len(dependencies))
    used = set()
    skipped = []
    for dependency in dependencies:
        name = normalise(str(dependency.get("name", "")))
        version = dependency.get("version", "?")
        reason = dependency.get("skip_reason")
        if reason is not None and EDITABLE in reason:
            outcome.notes.append(f"{name} not checked: it is this project, installed editable")
        elif reason is not None:
            entry = _find(exceptions, "unaudited", name)
            _judge(outcome, entry, today, used, f"{name} could not be checked: {reason}",
                   skipped)
        for vulnerability in dependency.get("vulns") or ():
            ids = [vulnerability.get("id", "?"), *(vulnerability.get("aliases") or ())]
            entry = _find(exceptions, "exception", name, ids)
            fixes = ", ".join(vulnerability.get("fix_versions") or ()) or "none yet"
            _judge(outcome, entry, today, used,
                   f"{name} {version}: {' / '.join(ids)} (fixed in: {fixes})")
    checkable = sum(1 for d in dependencies if EDITABLE not in d.get("skip_reason", ""))
    if skipped and len(skipped) == checkable:
        # Nothing was looked up: say so once rather than once per package.
        outcome.unreachable = True
        outcome.failures = [
            "pip-audit could not check any package, so nothing is known about "
            "vulnerabilities: is its vulnerability service reachable from here? "
            f"For example: {skipped[0]}",
            *[line for line in outcome.failures if line not in skipped]]
    elif skipped:
        outcome.failures.insert(0, f"{len(skipped)} of {checkable} packages were not "
                                   "checked for vulnerabilities")
    for entry in exceptions:
        if entry not in used:
            outcome.notes.append(f"exception no longer matches anything, remove it: "
                                 f"{entry.describe()}")
    return outcome


def _find(exceptions, table, name, ids=None):
    for entry in exceptions:
        if entry.table == table and entry.package == name and (ids is None or entry.id in ids):
            return entry
    return None


def _judge(outcome, entry, today, used, finding, skipped=None):
    if entry is not None:
        used.add(entry)
    if entry is None:
        outcome.failures.append(finding)
        if skipped is not None:
            skipped.append(finding)
    elif entry.expired(today):
        outcome.failures.append(f"{finding}: its exception expired on "
                                f"{entry.review_by:%Y-%m-%d}; review it and set a new date")
    else:
        outcome.excepted.append(f"{finding}: {entry.describe()}")


def run_pip_audit(extra: list[str]) -> dict:
    """pip-audit over the environment this interpreter runs in, as JSON. The project itself
    is installed editable and is not on PyPI, so it is left out."""
    command = [sys.executable, "-m", "pip_audit", "--format", "json", "--aliases", "on",
               "--desc", "off", "--progress-spinner", "off", "--skip-editable", *extra]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # nosec B603
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        detail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"pip-audit did not produce a report (exit {done.returncode}): "
                           f"{detail}") from None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Fail on vulnerable dependencies.")
    parser.add_argument("--exceptions", type=Path, default=DEFAULT_EXCEPTIONS)
    parser.add_argument("--report", type=Path, help="a saved pip-audit JSON report")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    parser.add_argument("pip_audit_args", nargs="*", help="passed to pip-audit after --")
    args = parser.parse_args(argv)
    try:
        exceptions = parse_exceptions(args.exceptions.read_text(encoding="utf-8"),
                                      str(args.exceptions))
    except (OSError, ExceptionsError) as error:
        print(f"pip-audit gate: {error}", file=sys.stderr)
        return 2
    try:
        report = (json.loads(args.report.read_text(encoding="utf-8")) if args.report
                  else run_pip_audit(args.pip_audit_args))
    except (OSError, ValueError, RuntimeError) as error:
        print(f"FAIL {error}\npip-audit gate FAILED: no report", file=sys.stderr)
        return 1
    outcome = evaluate(report, exceptions, args.today)
    print("\n".join(outcome.lines()))
    if outcome.passed:
        return 0
    return UNREACHABLE if outcome.unreachable and len(outcome.failures) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
