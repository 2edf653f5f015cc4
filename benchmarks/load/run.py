"""Run the load test from nothing and report it (benchmarks/README.md).

1. make a PostgreSQL database of its own on the server at LOAD_PG_URL;
2. migrate it, load the questionnaires, seed the demo, add one respondent per open return
   (prepare.py), and gather the planner's statistics (ANALYZE);
3. serve it with gunicorn (2 workers, 4 threads) on 127.0.0.1;
4. run locust headless (locustfile.py): 50 users, a 30-second ramp, 5 minutes 30 seconds in
   all, statistics as CSV in benchmarks/load/results/<time>/;
5. stop gunicorn, drop the database (also when something fails), and print p50 and p95 per
   endpoint (over the whole run, and at full load once every user has started), the error
   rate, and the targets (judged at full load) met or missed.

    .venv/bin/python benchmarks/load/run.py [--users 50] [--ramp 30] [--run-time 5m30s]
                                            [--pg-url URL] [--keep-database]
Exit status: 0 when the run completed (whatever the figures), 1 when it could not run.
"""
import argparse
import csv
import datetime as dt
import math
import os
import secrets
import signal
import socket
import subprocess  # nosec B404: runs this project's own commands, without a shell
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BIN = Path(sys.executable).parent
DEFAULT_PG_URL = "postgresql+psycopg://127.0.0.1:5432/postgres"
SAVE = "POST /returns/[id]/sections/[section]/autosave"
# Targets of the issue: section save p95 < 100 ms, page GET p95 < 50 ms, no errors.
SAVE_P95_MS = 100
PAGE_P95_MS = 50
# The last users to start sign in just after the ramp ends: full load starts a little later.
SETTLE_SECONDS = 10


def _arguments(argv):
    parser = argparse.ArgumentParser(description="Run the load test.")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--ramp", type=int, default=30, help="seconds to start every user")
    parser.add_argument("--run-time", default="5m30s", help="including the ramp")
    parser.add_argument("--pg-url", default=os.environ.get("LOAD_PG_URL", DEFAULT_PG_URL),
                        help="a PostgreSQL server URL; the run makes and drops its own database")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--out", type=Path)
    return parser.parse_args(argv)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Database:
    """A database of the run's own on the server, dropped afterwards."""

    def __init__(self, server_url: str):
        import sqlalchemy as sa
        from sqlalchemy.engine import make_url

        self.name = f"audit_load_{secrets.token_hex(5)}"
        server = make_url(server_url)
        self.engine = sa.create_engine(server.set(database="postgres"),
                                       isolation_level="AUTOCOMMIT")
        self.url = server.set(database=self.name).render_as_string(hide_password=False)

    def create(self):
        with self.engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{self.name}"')

    def analyse(self):
        """Planner statistics for what the seed just loaded. A server left to itself gathers
        them (autovacuum) within a minute or so of a bulk load; one with autovacuum off
        never does, and would then plan every query for empty tables."""
        import sqlalchemy as sa

        engine = sa.create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")
        finally:
            engine.dispose()

    def drop(self):
        with self.engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.engine.dispose()


def _step(title: str, command: list, env: dict, log: Path) -> str:
    print(f"--- {title}", flush=True)
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True,  # nosec B603
                          text=True, check=False)
    log.write_text(done.stdout + done.stderr, encoding="utf-8")
    if done.returncode:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise RuntimeError(f"{title} failed (exit {done.returncode}), see {log}:\n{tail}")
    return done.stdout


def _wait_until_up(url: str, server: subprocess.Popen, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped while starting")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # nosec B310: our own
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer {url} within {seconds} seconds")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def run(args) -> int:
    out = args.out or HERE / "results" / dt.datetime.now(dt.timezone.utc).strftime(
        "%Y%m%dT%H%M%SZ")
    out.mkdir(parents=True, exist_ok=True)
    password, staff_password = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
    database = Database(args.pg_url)
    port = _free_port()
    env = {**os.environ, "AUDIT_ENV": "development", "DATABASE_URL": database.url,
           "SECRET_KEY": secrets.token_urlsafe(48), "OUTBOX_DIR": str(out / "outbox"),
           "UPLOAD_DIR": str(out / "uploads"), "BASE_URL": f"http://127.0.0.1:{port}",
           "PYTHONUNBUFFERED": "1"}
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    print(f"Load test: {args.users} users, {args.ramp} s ramp, {args.run_time} in all; "
          f"database {database.name}; results in {out}", flush=True)
    print(f"Machine: {os.cpu_count()} CPUs, load average before "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    try:
        database.create()
    except Exception as error:  # the driver's own error type: say why and stop
        print(f"FAILED: cannot create a database on {args.pg_url}: "
              f"{str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    server = None
    try:
        _step("migrate", [*flask, "db", "upgrade"], env, out / "migrate.log")
        _step("load the questionnaires", [*flask, "questionnaires", "load"], env,
              out / "questionnaires.log")
        seed = _step("seed the demo", [*flask, "demo", "seed", "--password", staff_password],
                     env, out / "seed.log")
        (out / "totp.txt").write_text(
            "".join(line + "\n" for line in seed.splitlines() if line.startswith("TOTP ")),
            encoding="utf-8")
        _step("add the respondents", [str(BIN / "python"), str(HERE / "prepare.py"),
                                      "--count", str(args.users), "--password", password,
                                      "--out", str(out / "respondents.csv")],
              env, out / "prepare.log")
        print("--- gather planner statistics (ANALYZE)", flush=True)
        database.analyse()
        print(f"--- gunicorn: {args.workers} workers, {args.threads} threads, "
              f"127.0.0.1:{port}", flush=True)
        with open(out / "gunicorn.log", "w", encoding="utf-8") as log:
            server = subprocess.Popen(  # nosec B603
                [str(BIN / "gunicorn"), "--workers", str(args.workers), "--threads",
                 str(args.threads), "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        print(f"--- locust (about {args.run_time})", flush=True)
        locust_env = {**env, "LOAD_RESPONDENTS": str(out / "respondents.csv"),
                      "LOAD_PASSWORD": password, "LOAD_STAFF_PASSWORD": staff_password,
                      "LOAD_TOTP": str(out / "totp.txt"),
                      "LOAD_SAMPLES": str(out / "samples.csv")}
        done = subprocess.run(  # nosec B603
            [str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless",
             "--host", f"http://127.0.0.1:{port}", "--users", str(args.users),
             "--spawn-rate", f"{args.users / args.ramp:.3f}", "--run-time", args.run_time,
             "--stop-timeout", "20", "--csv", str(out / "locust"), "--only-summary",
             "--loglevel", "WARNING", "--exit-code-on-error", "0"],
            cwd=ROOT, env=locust_env, capture_output=True, text=True, check=False)
        (out / "locust.log").write_text(done.stdout + done.stderr, encoding="utf-8")
        for line in (done.stdout + done.stderr).splitlines():
            if line.startswith(("SKIP", "ERROR")):
                print(line, flush=True)
        if done.returncode:
            raise RuntimeError(f"locust failed (exit {done.returncode}), see {out}/locust.log")
    except RuntimeError as error:
        print(f"FAILED: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        if server is not None:
            _stop(server)
        if args.keep_database:
            print(f"Database kept: {database.url}")
        else:
            database.drop()
    print(f"Load average after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\n".join(summary(out / "samples.csv", args.users)))
    return 0


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of a sorted list."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def read_samples(path: Path) -> tuple[list[tuple], float | None]:
    """(time, name, ms, failed) per request, and when every user had started."""
    samples, ramped = [], None
    with open(path, encoding="utf-8") as handle:
        for row in csv.reader(handle):
            if len(row) == 5:
                ramped = float(row[0])
            elif len(row) == 4:
                samples.append((float(row[0]), row[1], float(row[2]), row[3] == "1"))
    return samples, ramped


def table(samples: list[tuple]) -> list[str]:
    lines = [f"  {'endpoint':<60} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7}"]
    by_name: dict = {}
    for _at, name, ms, failed in samples:
        by_name.setdefault(name, []).append((ms, failed))
    for name in sorted(by_name) + ["all"]:
        rows = [row for rows in by_name.values() for row in rows] if name == "all" \
            else by_name[name]
        ordered = sorted(ms for ms, _failed in rows)
        errors = sum(failed for _ms, failed in rows)
        lines.append(f"  {name:<60} {len(rows):>8} {errors:>6} "
                     f"{percentile(ordered, 0.5):>7.0f} {percentile(ordered, 0.95):>7.0f}")
    return lines


def summary(samples_path: Path, users: int) -> list[str]:
    """p50 and p95 per endpoint over the whole run and at full load, the error rate, and
    each target (judged at full load, as the targets are stated at 50 users) met or missed."""
    samples, ramped = read_samples(samples_path)
    if not samples:
        return ["No requests were made."]
    # Full load: requests started once the last user had started, and had time to sign in.
    steady = [sample for sample in samples if ramped is not None
              and sample[0] - sample[2] / 1000 >= ramped + SETTLE_SECONDS]
    failures = sum(sample[3] for sample in samples)
    lines = ["Whole run (the ramp included, when every user signs in):", *table(samples)]
    if steady:
        lines += [f"At full load ({users} users, from {SETTLE_SECONDS} s after the last "
                  "started):", *table(steady)]
    lines.append(f"Error rate: {failures / len(samples):.2%} ({failures} of {len(samples)} "
                 "requests, whole run)")
    judged = steady or samples
    saves = sorted(ms for _at, name, ms, _failed in judged if name == SAVE)
    pages: dict = {}
    for _at, name, ms, _failed in judged:
        if name.startswith("GET ") and "/download/" not in name:
            pages.setdefault(name, []).append(ms)
    worst = max(pages, key=lambda name: percentile(sorted(pages[name]), 0.95), default=None)
    lines.append(_verdict("section save p95", percentile(saves, 0.95) if saves else None,
                          SAVE_P95_MS))
    lines.append(_verdict(f"page GET p95 (worst: {worst or '-'})",
                          percentile(sorted(pages[worst]), 0.95) if worst else None,
                          PAGE_P95_MS))
    lines.append(f"{'met   ' if failures == 0 else 'MISSED'} no errors: {failures}")
    return lines


def _verdict(what: str, value, limit: int) -> str:
    if value is None:
        return f"MISSED {what}: no such requests"
    return f"{'met   ' if value < limit else 'MISSED'} {what}: {value:.0f} ms (target < {limit} ms)"


def main(argv=None) -> int:
    return run(_arguments(argv))


if __name__ == "__main__":
    sys.exit(main())
