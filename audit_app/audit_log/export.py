"""The audit log as CSV: one line per record, newest first, read in batches so that a
long log streams without being held in memory."""
import csv
import io
import json
from collections.abc import Iterator

from ..extensions import db
from ..spreadsheet_safety import neutralise
from ..timeutil import to_london
from .search import AuditFilters, search_query

COLUMNS = ("occurred_at_utc", "occurred_at_london", "action", "actor_email", "actor_id",
           "object_type", "object_id", "ip_address", "detail")
BATCH = 500


def _row(event) -> list:
    london = to_london(event.occurred_at)
    values = [event.occurred_at.isoformat(), london.isoformat() if london else "",
              event.action, event.actor_email or "", event.actor_id,
              event.object_type or "", event.object_id or "", event.ip_address or "",
              json.dumps(event.detail or {}, ensure_ascii=False, sort_keys=True)]
    # Every text cell may hold something a person typed (an email address tried at sign-in,
    # a reason): a spreadsheet must never run it as a formula.
    return [neutralise(value) for value in values]


def csv_lines(partnership, filters: AuditFilters) -> Iterator[str]:
    """The header, then one CSV line per matching record."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(COLUMNS)
    yield flush()
    query = search_query(partnership, filters).execution_options(yield_per=BATCH)
    for count, event in enumerate(db.session.scalars(query), start=1):
        writer.writerow(_row(event))
        if count % 100 == 0:
            yield flush()
    yield flush()
