"""``flask retention purge``: evidence and personal data of long-closed cycles go, the
figures stay; a dry run changes nothing; bad input changes nothing."""
import json
import os

import pytest
import sqlalchemy as sa

from audit_app.audit_log.models import AuditEvent
from audit_app.cycles.models import AuditReturn, ReturnEvent
from audit_app.extensions import db
from audit_app.returns.models import (ActionItem, Answer, Approval, Evidence, Submission,
                                      SubmissionAnswer)
from audit_app.returns.submission_content import content_sha256
from audit_app.review.models import Moderation, QueryMessage, ReviewQuery
from audit_app.timeutil import utcnow
from tests.fixtures import add_school
from tests.retention.conftest import (COMMENT, COUNTERSIGNATURE, FILE_NAME, MODERATION_REASON,
                                      NOTE, OWNER, QUERY, REFERENCE, closed_cycle)
from tests.returns.submission_builders import UNICODE_NAME
from tests.review.review_builders import RATED

# The rest of the last line: nothing in these tests is old enough for the other periods.
NOTHING_ELSE = " sessions=0 sent_emails=0 accounts=0 audit_events=0"
PERSONAL = (COMMENT, OWNER, NOTE, QUERY, MODERATION_REASON, COUNTERSIGNATURE, FILE_NAME,
            REFERENCE, UNICODE_NAME)


def purge(runner, *args):
    return runner.invoke(args=["retention", "purge", *args])


def stored_text(audit_return) -> str:
    """Everything stored about the return that people wrote or that names them."""
    db.session.expire_all()
    rid = audit_return.id
    submissions = Submission.query.filter_by(return_id=rid).all()
    parts = [json.dumps([s.content for s in submissions], ensure_ascii=False)]
    parts += [a.comment or "" for a in Answer.query.filter_by(return_id=rid)]
    parts += [a.comment or "" for s in submissions
              for a in SubmissionAnswer.query.filter_by(submission_id=s.id)]
    parts += [a.approver_name for a in Approval.query.filter_by(return_id=rid)]
    parts += [f"{a.owner} {a.progress_note}" for a in ActionItem.query.filter_by(return_id=rid)]
    parts += [m.reason for m in Moderation.query.filter_by(return_id=rid)]
    parts += [m.body for m in db.session.scalars(
        sa.select(QueryMessage).join(ReviewQuery).where(ReviewQuery.return_id == rid))]
    parts += [f"{e.reason} {json.dumps(e.detail)}"
              for e in ReturnEvent.query.filter_by(return_id=rid)]
    parts += [f"{e.reference} {e.original_name}" for e in Evidence.query.filter_by(return_id=rid)]
    parts.append(db.session.get(AuditReturn, rid).countersigned_name or "")
    return "\n".join(parts)


def figures(audit_return) -> dict:
    """What year-on-year reports read."""
    db.session.expire_all()
    submission = Submission.query.filter_by(return_id=audit_return.id).one()
    answers = {a.question_key: (a.value, a.score, a.compliant)
               for a in SubmissionAnswer.query.filter_by(submission_id=submission.id)}
    content_answers = {q["id"]: (q["value"], q["answer"], q["score"])
                       for section in submission.content["sections"]
                       for q in section["questions"]}
    returned = db.session.get(AuditReturn, audit_return.id)
    return {
        "status": returned.status, "accepted_at": returned.accepted_at,
        "submitted_at": returned.last_submitted_at, "answers": answers,
        "draft": {a.question_key: a.value for a in Answer.query.filter_by(
            return_id=audit_return.id)},
        "content_answers": content_answers,
        "moderated": {m.question_key: m.moderated_value for m in Moderation.query.filter_by(
            return_id=audit_return.id)},
        "actions": [(a.description, a.status, a.target_date) for a in ActionItem.query.filter_by(
            return_id=audit_return.id)],
        "approvals": [(a.approver_role, a.approved_on) for a in Approval.query.filter_by(
            return_id=audit_return.id)],
    }


def test_the_purge_removes_evidence_and_personal_data_and_keeps_the_figures(runner,
                                                                            old_cycle):
    before = stored_text(old_cycle.audit_return)
    assert all(text in before for text in PERSONAL), "the builder stores every kind"
    kept = figures(old_cycle.audit_return)
    assert kept["moderated"] == {RATED: "red"}

    result = purge(runner, "--older-than", "5")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith(f"{old_cycle.cycle.id} S175 2018-19 closed=")
    assert "purged returns=1 evidence_files=1 evidence_references=1 submissions=1" in lines[0]
    assert lines[-1] == "cycles=1 returns=1 evidence_files=1" + NOTHING_ELSE

    after = stored_text(old_cycle.audit_return)
    assert [text for text in PERSONAL if text in after] == []
    assert figures(old_cycle.audit_return) == kept
    assert not os.path.exists(old_cycle.file_path)
    assert Evidence.query.filter_by(return_id=old_cycle.audit_return.id).count() == 0
    submission = Submission.query.filter_by(return_id=old_cycle.audit_return.id).one()
    assert submission.content["personal_data_removed"] is True
    assert submission.content_sha256 == content_sha256(submission.content)
    event = AuditEvent.query.filter_by(action="retention.purged").one()
    assert (event.object_type, event.object_id) == ("Cycle", str(old_cycle.cycle.id))
    assert event.detail["evidence_files"] == 1


def test_a_dry_run_says_what_it_would_do_and_changes_nothing(runner, old_cycle):
    before = stored_text(old_cycle.audit_return)
    result = purge(runner, "--older-than", "5", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would purge returns=1 evidence_files=1" in result.output
    assert result.output.strip().splitlines()[-1] == \
        "cycles=1 returns=1 evidence_files=1" + NOTHING_ELSE
    assert stored_text(old_cycle.audit_return) == before
    assert os.path.exists(old_cycle.file_path)
    assert AuditEvent.query.filter_by(action="retention.purged").count() == 0


def test_recent_and_open_cycles_are_left_alone(runner, partnership, people_of, old_cycle):
    recent = closed_cycle(partnership, add_school(partnership, urn="100777", name="New School"),
                          people_of["submitter"], people_of["reviewer"], closed_years_ago=2,
                          name="S175 2023-24")
    open_cycle = closed_cycle(partnership,
                              add_school(partnership, urn="100778", name="Open School"),
                              people_of["submitter"], people_of["reviewer"],
                              closed_years_ago=9, name="S175 still open")
    open_cycle.cycle.status = "open"
    db.session.commit()
    untouched = {c.audit_return.id: stored_text(c.audit_return) for c in (recent, open_cycle)}
    result = purge(runner, "--older-than", "3")
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == \
        "cycles=1 returns=1 evidence_files=1" + NOTHING_ELSE
    for item in (recent, open_cycle):
        assert stored_text(item.audit_return) == untouched[item.audit_return.id]
        assert os.path.exists(item.file_path)


def test_without_the_option_the_partnerships_period_applies(runner, partnership, old_cycle):
    # No setting: the default of 6 years, which the 7-year-old cycle has passed.
    assert "cycles=1 " in purge(runner, "--dry-run").output
    partnership.settings = {"retention_years": 8}
    db.session.commit()
    result = purge(runner, "--dry-run")
    assert result.exit_code == 0 and result.output.strip() == \
        "cycles=0 returns=0 evidence_files=0" + NOTHING_ELSE
    partnership.settings = {"retention_years": 7}
    db.session.commit()
    assert purge(runner, "--dry-run").output.strip().endswith(
        "cycles=1 returns=1 evidence_files=1" + NOTHING_ELSE)
    # The option wins over the setting.
    assert purge(runner, "--older-than", "10", "--dry-run").output.strip() == \
        "cycles=0 returns=0 evidence_files=0" + NOTHING_ELSE


def test_only_the_chosen_partnership_is_purged(runner, old_cycle):
    from audit_app.organisations.models import Partnership

    db.session.add(Partnership(slug="elsewhere", name="Elsewhere Partnership"))
    db.session.commit()
    result = purge(runner, "--older-than", "1", "--partnership", "elsewhere")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "cycles=0 returns=0 evidence_files=0" + NOTHING_ELSE
    assert os.path.exists(old_cycle.file_path)
    assert purge(runner, "--older-than", "1").exit_code != 0, \
        "with two partnerships, the command asks which"


@pytest.mark.parametrize("value, message", [
    ("-1", "--older-than must be 0 or more years (not -1)"),
    ("six", "--older-than must be a whole number of years, like 6 (not 'six')"),
    ("1.5", "--older-than must be a whole number of years, like 6 (not '1.5')"),
    ("", "--older-than must be a whole number of years, like 6 (not '')"),
])
def test_bad_input_exits_with_one_line_and_changes_nothing(runner, old_cycle, value, message):
    before = stored_text(old_cycle.audit_return)
    result = purge(runner, "--older-than", value)
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == [f"Error: {message}"]
    assert stored_text(old_cycle.audit_return) == before
    assert os.path.exists(old_cycle.file_path)


def test_a_bad_partnership_setting_exits_with_one_line(runner, partnership, old_cycle):
    partnership.settings = {"retention_years": "forever"}
    db.session.commit()
    result = purge(runner)
    assert result.exit_code != 0
    assert result.output.strip() == ("Error: The partnership's retention_years setting must "
                                     "be a whole number of years, like 6 (not 'forever')")
    assert os.path.exists(old_cycle.file_path)


def test_files_are_deleted_only_after_the_commit(runner, old_cycle, monkeypatch):
    before = stored_text(old_cycle.audit_return)

    def refuse():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(db.session, "commit", refuse)
    result = purge(runner, "--older-than", "5")
    monkeypatch.undo()
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == [
        "Error: The purge could not be saved, so nothing was changed: the database went away"]
    assert os.path.exists(old_cycle.file_path)
    assert stored_text(old_cycle.audit_return) == before


def test_the_cutoff_counts_calendar_years():
    from datetime import datetime, timezone

    from audit_app.retention.services import years_before

    leap = datetime(2028, 2, 29, 12, tzinfo=timezone.utc)
    assert years_before(leap, 1) == datetime(2027, 2, 28, 12, tzinfo=timezone.utc)
    assert years_before(utcnow().replace(month=6, day=1), 6).year == utcnow().year - 6


def test_a_purged_return_still_shows_and_prints(app, runner, old_cycle, make_user,
                                                partnership, sign_in):
    from flask import url_for

    assert purge(runner, "--older-than", "5").exit_code == 0
    client = sign_in(app.test_client(), make_user("admin", partnership))
    rid = old_cycle.audit_return.id
    with app.test_request_context():
        urls = [url_for("review.review_return", return_id=rid),
                url_for("review.return_history", return_id=rid),
                url_for("submission.submission_pdf_download", return_id=rid, number=1)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.mimetype == "application/pdf":
            assert response.get_data().startswith(b"%PDF"), url
            continue
        html = response.get_data(as_text=True)
        assert not [text for text in (COMMENT, OWNER, QUERY, MODERATION_REASON) if text in html]
