"""How register values read on the pages: labels, summary list rows and list rows, built
here so that the templates only lay them out."""
from dataclasses import dataclass

from ..timeutil import format_date

KIND_LABELS = {"school": "School", "agency": "Agency"}
BASIS_LABELS = {
    "s175": "Section 175 (Education Act 2002)",
    "s157": "Section 157 (Education Act 2002)",
    "nmss": "Non-maintained special school regulations",
    "s11": "Section 11 (Children Act 2004)",
    "voluntary": "Voluntary Section 11 self-audit",
}
SHORT_BASIS = {"s175": "S175", "s157": "S157", "nmss": "NMSS", "s11": "S11",
               "voluntary": "Voluntary"}
STATUS_LABELS = {"open": "Open", "closed": "Closed"}


def yes_no(value: bool | None) -> str:
    return "Not recorded" if value is None else "Yes" if value else "No"


def _ages(organisation) -> str:
    low, high = organisation.statutory_low_age, organisation.statutory_high_age
    if low is None and high is None:
        return "Not recorded"
    return f"{low if low is not None else '?'} to {high if high is not None else '?'}"


def _text(value) -> str:
    return "Not recorded" if value in (None, "") else str(value)


def _row(key: str, value: str, action: dict | None = None) -> dict:
    row = {"key": {"text": key}, "value": {"text": value}}
    if action:
        row["actions"] = {"items": [action]}
    return row


def register_rows(organisation) -> list[dict]:
    """The organisation's register attributes, as summary list rows."""
    if organisation.kind == "school":
        rows = [
            ("URN", organisation.urn),
            ("Establishment type", organisation.establishment_type),
            ("Type group", organisation.type_group),
            ("Phase", organisation.phase),
            ("Legal basis", BASIS_LABELS.get(organisation.legal_basis)),
            ("Status in the register", organisation.register_status),
            ("Statutory ages", _ages(organisation)),
            ("Boarders", yes_no(organisation.boarders)),
            ("Nursery classes", yes_no(organisation.nursery)),
            ("Sixth form", yes_no(organisation.sixth_form)),
            ("Gender", organisation.gender),
            ("Religious character", organisation.religious_character),
            ("Trust", organisation.trust),
            ("Pupils", organisation.pupils),
            ("Local authority", " ".join(filter(None, (organisation.la_code,
                                                       organisation.la_name)))),
            ("Town", organisation.town),
            ("Postcode", organisation.postcode),
            ("Website", organisation.website),
            ("UKPRN", organisation.ukprn),
            ("Opened", format_date(organisation.open_date)),
            ("Closed", format_date(organisation.close_date)),
        ]
    else:
        rows = [
            ("Code", organisation.code),
            ("Sector", organisation.sector),
            ("Duty basis", BASIS_LABELS.get(organisation.duty_basis)),
            ("Statutory safeguarding partner", yes_no(organisation.statutory_partner)),
            ("Involvement in the partnership", organisation.partnership_involvement),
        ]
    rows.append(("Status", STATUS_LABELS.get(organisation.status, organisation.status)))
    return [_row(key, _text(value)) for key, value in rows]


def locality_row(locality: str | None, change_href: str | None) -> dict:
    action = ({"href": change_href, "text": "Change", "visuallyHiddenText": "locality"}
              if change_href else None)
    return _row("Locality", locality or "Not assigned", action)


def other_register_rows(organisation) -> list[dict]:
    """Register columns kept as imported (GIAS has many more than the service models)."""
    extra = organisation.extra or {}
    return [_row(column, str(extra[column])) for column in sorted(extra)]


@dataclass
class ListRow:
    id: int
    name: str
    reference: str
    kind: str
    type: str
    phase: str
    basis: str
    locality: str
    status: str
    closed: bool


def list_rows(organisations, localities: dict[int, str | None]) -> list[ListRow]:
    return [ListRow(
        id=organisation.id,
        name=organisation.name,
        reference=organisation.urn or organisation.code or "",
        kind=KIND_LABELS[organisation.kind],
        type=organisation.establishment_type or organisation.sector or "",
        phase=organisation.phase or "",
        basis=SHORT_BASIS.get(organisation.legal_basis or organisation.duty_basis, ""),
        locality=localities.get(organisation.id) or "",
        status=STATUS_LABELS.get(organisation.status, organisation.status),
        closed=organisation.status == "closed",
    ) for organisation in organisations]


def pagination(page, url_for_page) -> dict | None:
    """Parameters for govukPagination, or None when everything fits on one page."""
    if page.pages <= 1:
        return None
    items = []
    for number in page.iter_pages(left_edge=1, left_current=1, right_current=2, right_edge=1):
        if number is None:
            items.append({"ellipsis": True})
        else:
            items.append({"number": number, "href": url_for_page(number),
                          "current": number == page.page})
    return {
        "previous": {"href": url_for_page(page.prev_num)} if page.has_prev else None,
        "next": {"href": url_for_page(page.next_num)} if page.has_next else None,
        "items": items,
    }
