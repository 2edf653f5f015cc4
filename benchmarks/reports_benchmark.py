"""Reporting benchmark: how long the QA reports take, and how much memory, against the floor
(the fastest raw read of the same answer rows the database allows), measured in one run.

    python benchmarks/reports_benchmark.py --scale partnership|national|both \\
        --database sqlite|postgresql|both [--previous] [--pg-url URL] [--steps floor,...]

For each database and scale it makes a database of its own (an SQLite file in a temporary
folder; a PostgreSQL database on the server at --pg-url, dropped afterwards), bulk-inserts a
synthetic cycle of the real S175 2025-26 questionnaire (partnership: 170 returns; national:
25,000 returns, about 2.4 million counted answers, ~2% of them moderated; --previous adds
the S175 2024-25 cycle before it, for year on year), then times each step in a fresh child
process, so that every step starts cold and its peak memory is its own. Figures and how to
read them: benchmarks/README.md. Never point it at a real database: it only ever creates and
drops its own.
"""
import argparse
import importlib
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

STEPS = ("floor", "table", "frame", "report", "csv", "xlsx", "pdf", "dashboard")
# "table" (every stored answer of every submission) is for comparison only, on request.
DEFAULT_STEPS = tuple(step for step in STEPS if step != "table")
LABELS = {
    "floor": "floor: raw read of the report's answer rows",
    "table": "raw read of the whole answers table",
    "frame": "answers frame (answers_frame)",
    "report": "all frames (load_report)",
    "csv": "CSV export (with the frames)",
    "xlsx": "XLSX export (with the frames)",
    "pdf": "PDF export (with the frames)",
    "dashboard": "dashboard page (GET, signed in as qa)",
}


def make_app(url: str, folder: str):
    from audit_app import create_app

    return create_app({
        "AUDIT_ENV": "test", "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "benchmark-secret-key-that-is-long-enough-0123456789",
        "WTF_CSRF_ENABLED": False, "OUTBOX_DIR": os.path.join(folder, "outbox"),
        "UPLOAD_DIR": os.path.join(folder, "uploads"), "BASE_URL": "http://localhost",
        "SERVER_NAME": None})


# --- Memory: the peak resident set of this process, reset before each step ---------------

def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Linux lets a process reset its own high-water mark; elsewhere the delta of
    getrusage's max RSS is used, which only counts growth beyond the earlier peak."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def _peak_kb() -> int:
    return _status_kb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# --- The steps, each run in a child process of its own -----------------------------------

def _floor(cycle, folder, client):
    """The rows the report needs, read as plainly as the driver allows: PostgreSQL's COPY
    to bytes in memory, SQLite's fetchall of tuples."""
    from audit_app.reports.frame import RATED_STATUSES
    from audit_app.reports.reading import answer_rows_sql

    return _raw_read(answer_rows_sql(cycle.id, RATED_STATUSES))


def _table(cycle, folder, client):
    """For comparison: every stored answer of every submission, no join."""
    return _raw_read("SELECT submission_id, question_key, value, score, comment "
                     "FROM submission_answers")


def _raw_read(sql: str) -> str:
    from audit_app.extensions import db

    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if db.engine.dialect.name == "postgresql":
            chunks = []
            with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
                for chunk in copy:
                    chunks.append(bytes(chunk))
            data = b"".join(chunks)
            lines = data.count(b"\n")
            return f"{lines:,} rows, {len(data) / 1e6:.0f} MB of CSV"
        cursor.execute(sql)
        rows = cursor.fetchall()
        return f"{len(rows):,} rows"
    finally:
        raw.close()


def _frame(cycle, folder, client):
    from audit_app.reports.frame import answers_frame

    frame = answers_frame(cycle)
    return f"{len(frame):,} rows"


def _report(cycle, folder, client):
    from audit_app.reports.services import load_report

    report = load_report(cycle)
    previous = 0 if report.previous_answers is None else len(report.previous_answers)
    return f"{len(report.answers):,} rows, previous cycle {previous:,}"


def _export(format_name):
    def run(cycle, folder, client):
        from audit_app.reports.exports import report_for_export, write_export

        path = Path(folder) / f"report.{format_name}"
        report = report_for_export(cycle, format_name)
        with open(path, "wb") as target:
            write_export(report, format_name, target)
        return f"{path.stat().st_size / 1e6:.1f} MB"
    return run


def signed_in_client(app):
    """A test client holding the QA member's server-side session, as after a passed second
    factor: the benchmark measures the page, not the sign-in."""
    from audit_app.auth.models import User
    from audit_app.auth.sessions import SESSION_KEY, start_session
    from audit_app.extensions import db

    client = app.test_client()
    with app.test_request_context():
        token = start_session(User.query.filter_by(email=QA_EMAIL).one(), second_factor=True)
        db.session.commit()
    with client.session_transaction() as cookie_session:
        cookie_session[SESSION_KEY] = token
    return client


def _dashboard(cycle, folder, client):
    response = client.get(f"/reports/cycles/{cycle.id}")
    if response.status_code != 200:
        raise RuntimeError(f"the dashboard answered {response.status_code}")
    return f"{len(response.data) / 1e3:.0f} kB of HTML"


RUNNERS = {"floor": _floor, "table": _table, "frame": _frame, "report": _report,
           "csv": _export("csv"), "xlsx": _export("xlsx"), "pdf": _export("pdf"),
           "dashboard": _dashboard}


def run_step(step: str, url: str, cycle_id: int, folder: str) -> dict:
    """In a fresh process: set the application up, then time one step and its peak memory
    above what the process held before it."""
    import gc

    from audit_app.cycles.models import Cycle
    from audit_app.extensions import db

    app = make_app(url, folder)
    # Imports are a once-per-process cost, not the report's: load them before the clock.
    for name in ("services", "exports", "csv_export", "xlsx_export", "pdf_export",
                 "dashboard", "routes"):
        try:
            importlib.import_module(f"audit_app.reports.{name}")
        except ImportError:
            pass
    with app.app_context():
        cycle = db.session.get(Cycle, cycle_id)
        _ = cycle.questionnaire_version.definition, cycle.partnership
        client = signed_in_client(app) if step == "dashboard" else None
        gc.collect()
        before = _status_kb("VmRSS") or 0
        reset = _reset_peak()
        base = before if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        try:
            note = RUNNERS[step](cycle, folder, client)
        except Exception as error:  # a step not yet available must not hide the others
            return {"step": step, "error": f"{type(error).__name__}: {error}"}
        seconds = time.perf_counter() - started
        peak = _peak_kb()
        db.session.remove()
    return {"step": step, "seconds": seconds, "peak_mb": max(peak - base, 0) / 1024,
            "process_mb": peak / 1024, "note": note}


def _in_child(function, *args):
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


# --- The synthetic cycle -------------------------------------------------------------------

SCALES = {"partnership": 170, "national": 25_000}
QA_EMAIL = "qa@reports-benchmark.example.org"
# Returns by state, roughly as a cycle looks just after its due date.
STATUS_SHARES = {"accepted": 0.45, "submitted": 0.36, "returned": 0.08, "in_progress": 0.05,
                 "not_started": 0.04, "withdrawn": 0.02}
RATING_SHARES = {"green": 0.70, "amber": 0.17, "red": 0.05, "na": 0.08}
MODERATED, RESUBMITTED, CHUNK = 0.02, 0.05, 1000
# Settings in the proportions of England's schools; the questions asked depend on them.
PROFILES = [
    (0.55, dict(phase="Primary", type_group="Local authority maintained schools",
                establishment_type="Community school", legal_basis="s175", boarders=False,
                nursery=False, sixth_form=False, statutory_low_age=4, statutory_high_age=11)),
    (0.25, dict(phase="Secondary", type_group="Academies", establishment_type="Academy converter",
                legal_basis="s157", boarders=False, nursery=False, sixth_form=True,
                statutory_low_age=11, statutory_high_age=18)),
    (0.12, dict(phase="Primary", type_group="Independent schools",
                establishment_type="Other independent school", legal_basis="s157",
                boarders=True, nursery=True, sixth_form=False, statutory_low_age=2,
                statutory_high_age=11)),
    (0.08, dict(phase="16 plus", type_group="Colleges", establishment_type="Further education",
                legal_basis="s175", boarders=False, nursery=False, sixth_form=True,
                statutory_low_age=16, statutory_high_age=19)),
]


def generate(scale: str, previous: bool = False, seed: int = 2026) -> dict:
    """Migrate, load the S175 questionnaires and bulk-insert the cycle(s); commits."""
    import numpy as np
    from flask_migrate import upgrade

    from audit_app.auth.models import Grant, User
    from audit_app.extensions import db
    from audit_app.organisations.models import Membership, Organisation, Partnership
    from audit_app.questionnaires.models import QuestionnaireVersion
    from audit_app.questionnaires.services import load_paths

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    upgrade()
    folder = ROOT / "questionnaires" / "s175"
    load_paths([str(folder / "2025-26.yaml")] + ([str(folder / "2024-25.yaml")] if previous
                                                  else []))
    partnership = Partnership(slug="benchmark", name="Benchmark Safeguarding Children Partnership")
    user = User(email=QA_EMAIL, name="Benchmark QA member")
    db.session.add_all([partnership, user])
    db.session.flush()
    db.session.add(Grant(user_id=user.id, role="qa", partnership_id=partnership.id))
    count = SCALES[scale]
    profile = rng.choice(len(PROFILES), size=count, p=[share for share, _ in PROFILES])
    organisations = [dict(id=number, kind="school", status="open", urn=str(200000 + number),
                          name=f"{PROFILES[kind][1]['phase']} school {number:05d}",
                          trust=f"Learning Trust {number % 300:03d}" if kind == 1 else None,
                          la_name=f"Local authority {number % 152:03d}", extra={},
                          **PROFILES[kind][1])
                     for number, kind in zip(range(1, count + 1), profile.tolist())]
    db.session.execute(Organisation.__table__.insert(), organisations)
    db.session.execute(Membership.__table__.insert(), [
        dict(partnership_id=partnership.id, organisation_id=row["id"], active=True,
             locality=f"Locality {row['id'] % 8 + 1}") for row in organisations])
    versions = {item.version: item for item in QuestionnaireVersion.query}
    ids = {"returns": 1, "submissions": 1}
    made = {"returns": 0, "answers": 0, "counted": 0, "moderations": 0, "actions": 0}
    before = None
    if previous:
        before = _cycle(partnership, versions["2024-25"], "S175 2024-25", 400, closed=True)
        _fill(before, organisations, profile, rng, ids, made, closed=True)
    cycle = _cycle(partnership, versions["2025-26"], "S175 2025-26", 35, previous=before)
    _fill(cycle, organisations, profile, rng, ids, made, closed=False, count_it=True)
    if db.engine.dialect.name == "postgresql":
        for table in ("organisations", "returns", "submissions"):
            db.session.execute(db.text(f"SELECT setval(pg_get_serial_sequence('{table}', "
                                       f"'id'), (SELECT max(id) FROM {table}))"))
    db.session.commit()
    # A live database has planner statistics; freshly bulk-loaded tables have none yet.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")
    return {**made, "cycle_id": cycle.id, "seconds": time.perf_counter() - started}


def _cycle(partnership, version, name, opened_days_ago, closed=False, previous=None):
    from datetime import timedelta

    from audit_app.cycles.models import Cycle
    from audit_app.extensions import db
    from audit_app.timeutil import today_london

    today = today_london()
    cycle = Cycle(partnership_id=partnership.id, questionnaire_version_id=version.id, name=name,
                  status="closed" if closed else "open",
                  open_date=today - timedelta(days=opened_days_ago),
                  due_date=today - timedelta(days=opened_days_ago - 30),
                  previous_cycle_id=getattr(previous, "id", None))
    db.session.add(cycle)
    db.session.flush()
    return cycle


def _fill(cycle, organisations, profile, rng, ids, made, closed, count_it=False):
    """Returns, submissions (a few resubmitted), answers, moderations and actions."""
    from datetime import datetime, time as clock, timedelta, timezone

    from audit_app.cycles.models import AuditReturn
    from audit_app.extensions import db
    from audit_app.questionnaires.conditions import organisation_attributes
    from audit_app.questionnaires.definition import Definition
    from audit_app.returns.models import ActionItem, Submission
    from audit_app.review.models import Moderation

    definition = Definition.of(cycle.questionnaire_version)
    asked = [[(question, question.section.id) for question in
              definition.visible_questions(organisation_attributes(_Attrs(attrs)), {})]
             for _, attrs in PROFILES]
    shares = ({"accepted": 0.97, "withdrawn": 0.03} if closed else STATUS_SHARES)
    statuses = rng.choice(list(shares), size=len(organisations), p=list(shares.values()))
    due = datetime.combine(cycle.due_date, clock(12), tzinfo=timezone.utc)
    ratings = list(RATING_SHARES)
    for start in range(0, len(organisations), CHUNK):
        returns, submissions, answers, moderations, actions = [], [], [], [], []
        for org, kind, status in zip(organisations[start:start + CHUNK],
                                     profile[start:start + CHUNK].tolist(),
                                     statuses[start:start + CHUNK].tolist()):
            return_id = ids["returns"]
            ids["returns"] += 1
            rated = status in ("submitted", "returned", "accepted")
            number = (2 if rng.random() < RESUBMITTED else 1) if rated else 0
            first = due + timedelta(hours=int(rng.integers(-30 * 24, 6 * 24)))
            last = first + timedelta(days=9) if number == 2 else first
            returns.append(dict(
                id=return_id, cycle_id=cycle.id, organisation_id=org["id"], status=status,
                latest_submission_number=number, first_submitted_at=first if rated else None,
                last_submitted_at=last if rated else None,
                accepted_at=last + timedelta(days=3) if status == "accepted" else None))
            for sequence in range(1, number + 1):
                submission_id = ids["submissions"]
                ids["submissions"] += 1
                submissions.append(dict(id=submission_id, return_id=return_id, number=sequence,
                                        submitted_at=first if sequence == 1 else last,
                                        definition_sha256="0" * 64, content={},
                                        content_sha256="0" * 64))
                drawn = rng.choice(4, size=len(asked[kind]), p=list(RATING_SHARES.values()))
                latest = sequence == number
                for (question, section), band in zip(asked[kind], drawn.tolist()):
                    value = _value(question, ratings[band])
                    option = question.option(value)
                    score = option.score if option is not None else None
                    compliant = option.compliant if question.scored else None
                    comment = "Explained for the partnership" if value in ("amber", "red") \
                        else None
                    answers.append((submission_id, section, question.id, value, score,
                                    compliant, comment))
                    if latest and question.scored and value != "na" \
                            and rng.random() < MODERATED:
                        moderations.append(dict(
                            return_id=return_id, question_key=question.id,
                            submission_id=submission_id, self_value=value,
                            moderated_value="amber" if value == "green" else "green",
                            reason="Evidence seen on the visit"))
                made["counted"] += len(asked[kind]) if latest and count_it else 0
            if rated and rng.random() < 0.6:
                actions.append(dict(
                    return_id=return_id, question_key=asked[kind][-1][0].id,
                    description="Review the policy with governors", owner="Headteacher",
                    target_date=cycle.due_date + timedelta(days=int(rng.integers(-90, 120))),
                    status=str(rng.choice(["open", "in_progress", "done"]))))
        for table, rows in ((AuditReturn, returns), (Submission, submissions),
                            (Moderation, moderations), (ActionItem, actions)):
            if rows:
                db.session.execute(table.__table__.insert(), rows)
        _bulk_answers(answers)
        db.session.commit()
        for name, rows in (("returns", returns), ("answers", answers),
                           ("moderations", moderations), ("actions", actions)):
            made[name] += len(rows)


class _Attrs:
    """An organisation's attributes as the conditions read them."""

    def __init__(self, attrs):
        self.__dict__.update(kind="school", **attrs)

    def __getattr__(self, name):
        return None


def _value(question, band: str) -> str:
    if question.type_name == "rating":
        return band
    return {"yes_no": "no", "number": "12", "date": "2025-09-01"}.get(question.type_name,
                                                                     "A written answer")


def _bulk_answers(rows) -> None:
    """PostgreSQL: COPY FROM in text format; SQLite: one executemany in the transaction."""
    from audit_app.extensions import db

    columns = ("submission_id, section_key, question_key, value, score, compliant, comment")
    connection = db.session.connection()
    dbapi = connection.connection.dbapi_connection
    if connection.dialect.name == "postgresql":
        def text(value):
            if value is None:
                return "\\N"
            return ("t" if value else "f") if isinstance(value, bool) else str(value)
        with dbapi.cursor() as cursor:
            with cursor.copy(f"COPY submission_answers ({columns}) FROM STDIN") as copy:
                copy.write("".join("\t".join(map(text, row)) + "\n" for row in rows))
        return
    dbapi.cursor().executemany(
        f"INSERT INTO submission_answers ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


# --- Databases of the benchmark's own ------------------------------------------------------

class OwnDatabase:
    def __init__(self, kind: str, pg_url: str, folder: str):
        self.kind, self.pg_url, self.folder = kind, pg_url, folder
        self.name = None

    def __enter__(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.folder}/reports-benchmark.sqlite3"
        import sqlalchemy as sa
        from sqlalchemy.engine import make_url

        url = make_url(self.pg_url)
        self.name = f"reports_benchmark_{uuid.uuid4().hex[:8]}"
        self.admin = sa.create_engine(url.set(database="postgres"),
                                      isolation_level="AUTOCOMMIT")
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{self.name}"')
        return url.set(database=self.name).render_as_string(hide_password=False)

    def __exit__(self, *exc):
        if self.name:
            with self.admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.admin.dispose()


def _generate_in_child(url, scale, folder, previous, seed):
    app = make_app(url, folder)
    with app.app_context():
        return generate(scale, previous=previous, seed=seed)


def run(kind: str, scale: str, args) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="reports-benchmark-") as folder:
        with OwnDatabase(kind, args.pg_url, folder) as url:
            print(f"\n== {scale} scale on {kind}: generating…", flush=True)
            made = _in_child(_generate_in_child, url, scale, folder, args.previous, args.seed)
            print(f"   {made['returns']:,} returns, {made['answers']:,} answer rows "
                  f"({made['counted']:,} counted), {made['moderations']:,} moderated, "
                  f"{made['actions']:,} actions; generated in {made['seconds']:.1f} s",
                  flush=True)
            results = []
            for step in args.steps:
                result = _in_child(run_step, step, url, made["cycle_id"], folder)
                results.append(result)
                print("   " + _line(result, results[0]), flush=True)
            return results


def _line(result: dict, floor: dict) -> str:
    label = LABELS[result["step"]]
    if "error" in result:
        return f"{label:<42} not measured: {result['error']}"
    ratio = result["seconds"] / floor["seconds"] if floor.get("seconds") else float("nan")
    return (f"{label:<42} {result['seconds']:8.2f} s {ratio:6.1f}× {result['peak_mb']:8.0f} MB"
            f" {result['process_mb']:8.0f} MB  {result['note']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=(*SCALES, "both"), default="partnership")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"),
                        default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get(
        "PG_TEST_URL", "postgresql+psycopg://127.0.0.1:5432/postgres"))
    parser.add_argument("--previous", action="store_true",
                        help="also generate the S175 2024-25 cycle, for year on year")
    parser.add_argument("--steps", default=",".join(DEFAULT_STEPS),
                        help=f"comma-separated, from {', '.join(STEPS)} (floor first)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    args.steps = [step for step in args.steps.split(",") if step]
    unknown = [step for step in args.steps if step not in STEPS]
    if unknown or args.steps[:1] != ["floor"]:
        parser.error(f"steps must start with floor and come from {', '.join(STEPS)}")
    scales = list(SCALES) if args.scale == "both" else [args.scale]
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    print(f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}; columns: seconds, "
          "ratio to the floor, peak MB of the step, peak MB of its process")
    import sqlalchemy as sa

    for scale in scales:
        for kind in kinds:
            try:
                run(kind, scale, args)
            except sa.exc.OperationalError as error:
                print(f"reports_benchmark.py: cannot use the {kind} database: {error.orig}",
                      file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
