"""Spot-check samples: a reproducible random sample of a cycle's accepted returns, for
visits. The same cycle, percentage and seed always draw the same returns."""
import math
import random

import sqlalchemy as sa

from ..audit_log.services import record
from ..cycles.models import AuditReturn, Cycle
from ..extensions import db
from ..organisations.models import Organisation
from .models import SpotCheckSample
from .services import ReviewError

MAX_SEED_LENGTH = 64


def _percentage(value) -> int:
    text = str(value if value is not None else "").strip().rstrip("%").strip()
    if not text:
        raise ReviewError("Enter the percentage of accepted returns to sample")
    if not text.isdigit() or not 1 <= int(text) <= 100:
        raise ReviewError("The percentage must be a whole number between 1 and 100")
    return int(text)


def _seed(value) -> str:
    text = (value or "").strip()
    if not text:
        raise ReviewError("Enter a seed, for example the date of the draw")
    if len(text) > MAX_SEED_LENGTH:
        raise ReviewError(f"The seed must be {MAX_SEED_LENGTH} characters or fewer")
    return text


def draw_ids(return_ids: list[int], percentage: int, seed: str) -> list[int]:
    """At least one return when there is any; the ids sorted so the order of the rows in
    the database never changes the draw."""
    population = sorted(return_ids)
    if not population:
        return []
    size = max(1, math.ceil(len(population) * percentage / 100))
    return sorted(random.Random(f"{seed}").sample(population, size))


def draw_sample(cycle: Cycle, percentage, seed, actor) -> SpotCheckSample:
    percentage, seed = _percentage(percentage), _seed(seed)
    accepted = [item.id for item in AuditReturn.query.filter_by(cycle_id=cycle.id,
                                                                status="accepted")]
    if not accepted:
        raise ReviewError("This cycle has no accepted returns to sample yet")
    sample = SpotCheckSample(cycle_id=cycle.id, percentage=percentage, seed=seed,
                             return_ids=draw_ids(accepted, percentage, seed),
                             created_by_id=actor.id)
    db.session.add(sample)
    db.session.flush()
    record("review.spot_check_drawn", obj=cycle, actor=actor, partnership=cycle.partnership,
           detail={"sample_id": sample.id, "percentage": percentage, "seed": seed,
                   "returns": sample.return_ids})
    return sample


def samples_for(cycles: dict[int, str]) -> list[dict]:
    """The samples of these cycles (id: name), newest first, each with the names of the
    organisations drawn."""
    if not cycles:
        return []
    samples = SpotCheckSample.query.filter(SpotCheckSample.cycle_id.in_(list(cycles))) \
        .order_by(SpotCheckSample.created_at.desc(), SpotCheckSample.id.desc()).all()
    drawn = {return_id for sample in samples for return_id in sample.return_ids}
    names = dict(db.session.execute(
        sa.select(AuditReturn.id, Organisation.name)
        .join(Organisation, Organisation.id == AuditReturn.organisation_id)
        .where(AuditReturn.id.in_(drawn))).all()) if drawn else {}
    return [{"cycle_name": cycles[sample.cycle_id], "percentage": sample.percentage,
             "seed": sample.seed, "created_at": sample.created_at,
             "returns": [(return_id, names.get(return_id, f"Return {return_id}"))
                         for return_id in sample.return_ids]}
            for sample in samples]
