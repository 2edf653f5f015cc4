"""Which partnership a command works in: named by ``--partnership``, else the only one, else
the one configured by ``PARTNERSHIP_NAME`` (created on first use)."""
import re

import click
from flask import current_app

from ..extensions import db
from .models import Partnership

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class PartnershipLookupError(LookupError):
    """No single partnership answers to what was asked; the message is one line."""


def slugify(name: str) -> str:
    """'Stockport Safeguarding Children Partnership' -> 'stockport-safeguarding-children-partnership'."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:80].strip("-")
    return slug or "partnership"


def _comparable(text: str) -> str:
    return " ".join(text.split()).casefold()


def resolve_partnership(value: str | None = None) -> Partnership:
    """The partnership named by ``value`` (slug or name, case and spacing ignored), or the
    only partnership when ``value`` is empty. With no partnership at all, the configured one
    is created (added to the session; the caller's commit keeps it)."""
    wanted = (value or "").strip()
    partnerships = Partnership.query.order_by(Partnership.name).all()
    if not partnerships:
        return _create_configured(wanted)
    if not wanted:
        if len(partnerships) == 1:
            return partnerships[0]
        raise PartnershipLookupError(
            f"There are {len(partnerships)} partnerships ({_slugs(partnerships)}): choose one "
            "with --partnership")
    key = _comparable(wanted)
    for partnership in partnerships:
        if partnership.slug.casefold() == key:
            return partnership
    named = [p for p in partnerships if _comparable(p.name) == key]
    if len(named) == 1:
        return named[0]
    if named:
        raise PartnershipLookupError(
            f"Several partnerships are called {wanted!r} ({_slugs(named)}): use the slug")
    raise PartnershipLookupError(
        f"No partnership is called {wanted!r}; known partnerships: {_slugs(partnerships)}")


def _slugs(partnerships) -> str:
    return ", ".join(p.slug for p in partnerships)


def _create_configured(wanted: str) -> Partnership:
    from ..audit_log.services import record

    name = " ".join(current_app.config["PARTNERSHIP_NAME"].split())
    slug = slugify(name)
    if wanted and _comparable(wanted) not in (_comparable(name), slug):
        raise PartnershipLookupError(
            f"No partnership is called {wanted!r}; there is none yet: leave out --partnership "
            f"to create {name!r} (the PARTNERSHIP_NAME setting)")
    colour = current_app.config.get("BRAND_COLOUR") or ""
    partnership = Partnership(slug=slug, name=name)
    if HEX_COLOUR.fullmatch(colour):
        partnership.brand_colour = colour
    db.session.add(partnership)
    db.session.flush()
    record("partnership.created", obj=partnership, partnership=partnership,
           detail={"name": name, "slug": slug, "from": "PARTNERSHIP_NAME"})
    return partnership


def partnership_option(command):
    """The ``--partnership`` option every command takes."""
    return click.option(
        "--partnership", "partnership_ref", default=None, metavar="SLUG_OR_NAME",
        help="The partnership to work in (default: the only one).")(command)


def cli_partnership(value: str | None) -> Partnership:
    """``resolve_partnership`` for commands: a lookup problem becomes a one-line error and
    a non-zero exit."""
    try:
        return resolve_partnership(value)
    except PartnershipLookupError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
