"""Give the load test its respondents: one extra person per open, editable return, so that
every simulated respondent works on a return of their own, as in a real cycle.

Run against the load test's own database after `flask demo seed` (never against a real
one): ``python benchmarks/load/prepare.py --count 50 --password P --out users.csv``.
Writes ``email,return_id`` lines; the people are named ``load-respondent-NN@example.org``
so that they cannot be mistaken for the demo's own logins."""
import argparse
import csv
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)

    from audit_app import create_app
    from audit_app.auth.models import User
    from audit_app.auth.passwords import hash_password
    from audit_app.auth.services import add_grant
    from audit_app.cycles.models import AuditReturn, Cycle
    from audit_app.extensions import db
    from audit_app.returns.services import lock_reason

    app = create_app()
    with app.app_context():
        if app.config["AUDIT_ENV"] == "production":
            print("prepare.py: refused in production", file=sys.stderr)
            return 1
        editable = [audit_return for audit_return in AuditReturn.query.join(Cycle)
                    .filter(Cycle.status == "open",
                            AuditReturn.status.in_(("not_started", "in_progress", "returned")))
                    .order_by(AuditReturn.id)
                    if not lock_reason(audit_return)]
        if len(editable) < args.count:
            print(f"prepare.py: only {len(editable)} editable returns for {args.count} "
                  "respondents", file=sys.stderr)
            return 1
        # One hash for all: argon2 is slow on purpose, and these are throw-away people.
        password_hash = hash_password(args.password)
        rows = []
        for number, audit_return in enumerate(editable[:args.count], start=1):
            email = f"load-respondent-{number:02d}@example.org"
            user = User.query.filter_by(email=email).one_or_none()
            if user is None:
                user = User(email=email, name=f"Load respondent {number}",
                            job_title="Designated safeguarding lead")
                db.session.add(user)
                db.session.flush()
            user.password_hash = password_hash
            user.active = True
            add_grant(user, "respondent", audit_return.cycle.partnership,
                      organisation=audit_return.organisation)
            rows.append((email, audit_return.id))
        db.session.commit()
    with open(args.out, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    print(f"respondents={len(rows)} written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
