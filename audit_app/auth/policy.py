"""The one place that decides who may do what. Every view asks here: routes declare a rule
with ``@access(...)`` and check objects with ``authorize(action, obj)``."""
from functools import wraps

from flask import abort, g, request, session
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ..extensions import db, login_manager
from .models import Grant

# Route rules. ``public`` pages need nothing; role rules need a grant of that role in the
# current partnership (an admin passes every staff rule).
ROUTE_RULES = ("public", "signed_in", "admin", "staff", "reviewer", "qa", "respondent")
STAFF_ROLES = ("admin", "reviewer", "qa")


def access(rule: str):
    """Declare and enforce a view's access rule. The route access map test reads it."""
    if rule not in ROUTE_RULES:
        raise ValueError(f"unknown access rule {rule!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            _enforce_route_rule(rule)
            return view(*args, **kwargs)

        wrapped.access_rule = rule
        return wrapped

    return decorator


def _enforce_route_rule(rule: str) -> None:
    if rule == "public":
        return
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if rule == "signed_in":
        return
    roles = roles_in(current_user, current_partnership())
    allowed = {
        "admin": {"admin"},
        "staff": set(STAFF_ROLES),
        "reviewer": {"admin", "reviewer"},
        "qa": {"admin", "qa", "reviewer"},
        "respondent": {"respondent"},
    }[rule]
    if not roles & allowed:
        deny(f"route:{rule}")


def second_factor_step(user, session_record) -> str | None:
    """What a signed-in session still needs before it may reach anything but the
    two-factor pages and sign-out: "verify" (a code), "enrol" (staff who have not set up
    two-factor sign-in yet), or None. Staff are people holding a staff grant anywhere."""
    if session_record.second_factor_at is not None:
        return None
    if user.totp_enrolled_at is not None:
        return "verify"
    staff = db.session.query(Grant.id).filter(
        Grant.user_id == user.id, Grant.role.in_(STAFF_ROLES)).first()
    return "enrol" if staff is not None else None


def deny(reason: str, status: int = 403):
    """Refuse, and record the refusal in the audit log."""
    from ..audit_log.services import record

    record("access.denied", detail={"reason": reason, "path": request.path,
                                    "method": request.method})
    db.session.commit()
    abort(status)


def grants_of(user, partnership=None) -> list[Grant]:
    """The user's grants (in one partnership, or in all), read once per request with their
    partnerships: every page asks several times."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cache = g.setdefault("_grant_cache", {})
    if user.id not in cache:
        cache[user.id] = Grant.query.filter_by(user_id=user.id).options(
            joinedload(Grant.partnership)).order_by(Grant.id).all()
    if partnership is None:
        return cache[user.id]
    return [grant for grant in cache[user.id] if grant.partnership_id == partnership.id]


def forget_cached_grants() -> None:
    g.pop("_grant_cache", None)


def roles_in(user, partnership) -> set[str]:
    if partnership is None:
        return set()
    return {grant.role for grant in grants_of(user, partnership)}


def partnerships_of(user) -> list:
    """The partnerships in which the user holds any grant, by name."""
    found = {grant.partnership_id: grant.partnership for grant in grants_of(user)}
    return sorted(found.values(), key=lambda partnership: (partnership.name, partnership.id))


def current_partnership():
    """The partnership the signed-in person is working in (chosen, else their only one)."""
    if "partnership" in g:
        return g.partnership
    chosen = None
    if current_user.is_authenticated:
        available = partnerships_of(current_user)
        wanted = session.get("partnership_id")
        chosen = next((p for p in available if p.id == wanted), None)
        if chosen is None and available:
            chosen = available[0]
    g.partnership = chosen
    return chosen


def organisation_ids_for(user, partnership) -> set[int]:
    """Organisations the user responds for in the partnership."""
    return {grant.organisation_id for grant in grants_of(user, partnership)
            if grant.role == "respondent" and grant.organisation_id is not None}


def reviewer_assigned(user, partnership, audit_return) -> bool:
    """Whether one of the user's reviewer grants covers the return: a grant for its cycle,
    for its questionnaire (every cycle of it), or with neither (every return)."""
    return reviewer_covers_cycle(user, partnership, audit_return.cycle)


def reviewer_covers_cycle(user, partnership, cycle) -> bool:
    for grant in grants_of(user, partnership):
        if grant.role != "reviewer":
            continue
        if grant.cycle_id is None and grant.questionnaire_key is None:
            return True
        if grant.cycle_id is not None and grant.cycle_id == cycle.id:
            return True
        if grant.cycle_id is None and \
                grant.questionnaire_key == cycle.questionnaire_version.questionnaire_key:
            return True
    return False


def _is_member(organisation, partnership) -> bool:
    return any(m.partnership_id == partnership.id and m.active
               for m in organisation.memberships)


def can(user, action: str, obj=None) -> bool:
    """Whether ``user`` may do ``action`` to ``obj`` in the current partnership."""
    partnership = current_partnership()
    if partnership is None or not getattr(user, "is_authenticated", False):
        return False
    roles = roles_in(user, partnership)
    if action in ("organisations.manage", "people.manage", "questionnaires.manage"):
        return "admin" in roles
    if action in ("organisations.list", "questionnaires.view"):
        return bool(roles & set(STAFF_ROLES))
    if action == "organisation.view":
        if not _is_member(obj, partnership):
            return False
        if roles & set(STAFF_ROLES):
            return True
        return obj.id in organisation_ids_for(user, partnership)
    if action == "organisation.edit":
        return "admin" in roles and _is_member(obj, partnership)
    if action == "organisation.manage_people":
        if not _is_member(obj, partnership):
            return False
        return "admin" in roles or obj.id in organisation_ids_for(user, partnership)
    if action == "user.manage":
        # Admins manage people who hold grants in their partnership (or none yet).
        if "admin" not in roles:
            return False
        other = {g_.partnership_id for g_ in obj.grants}
        return not other or partnership.id in other
    # --- Cycles and returns (issue 4) -------------------------------------------------
    if action == "cycles.manage":
        return "admin" in roles
    if action == "cycle.manage":
        # obj: a Cycle. Admins manage their own partnership's cycles only.
        return "admin" in roles and obj.partnership_id == partnership.id
    if action == "return.edit":
        # obj: an AuditReturn. The organisation's respondents work on their own.
        if obj.cycle.partnership_id != partnership.id:
            return False
        return obj.organisation_id in organisation_ids_for(user, partnership)
    # --- end of cycles and returns ----------------------------------------------------
    # --- Review (issue 5) ---------------------------------------------------------------
    if action in ("return.view", "return.review"):
        # obj: an AuditReturn. Admins see and review every return of the partnership, QA
        # members see them all; a reviewer sees and reviews only the returns assigned to
        # them; the organisation's respondents see their own.
        if obj.cycle.partnership_id != partnership.id:
            return False
        if "admin" in roles or reviewer_assigned(user, partnership, obj):
            return True
        if action == "return.review":
            return False
        if "qa" in roles:
            return True
        return obj.organisation_id in organisation_ids_for(user, partnership)
    # --- end of review ------------------------------------------------------------------
    # --- Reports (issue 6) --------------------------------------------------------------
    if action == "reports.view":
        # obj: a Cycle. Admins and QA members see every cycle of their partnership; a
        # reviewer sees the cycles their assignment covers.
        if obj.partnership_id != partnership.id:
            return False
        if roles & {"admin", "qa"}:
            return True
        return "reviewer" in roles and reviewer_covers_cycle(user, partnership, obj)
    # --- end of reports -----------------------------------------------------------------
    raise ValueError(f"unknown action {action!r}")


def may(action: str, obj=None) -> bool:
    """For templates: whether the signed-in person may do ``action`` (links and buttons);
    the routes still decide with ``authorize``."""
    return can(current_user, action, obj)


def authorize(action: str, obj=None, *, status: int = 403) -> None:
    """Abort (and log the denial) unless the current user may do ``action`` to ``obj``.
    Use ``status=404`` where even the existence of the object must not be disclosed."""
    if not can(current_user, action, obj):
        deny(f"{action}:{getattr(obj, 'id', '')}", status)


def authorized_or_404(model, object_id: int, action: str, *, status: int = 404):
    """The ``model`` row with this id if the current user may do ``action`` to it. A missing
    row is a 404; a refusal is ``status`` (404 by default, so that ids of other people's
    objects disclose nothing) and is audited like every denial."""
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    authorize(action, obj, status=status)
    return obj
