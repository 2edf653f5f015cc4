"""The dashboard's filters from a query string. Anything can arrive in a URL: unknown names
are dropped, values are trimmed and bounded, and a value no organisation has simply matches
nothing (the page then says so)."""
from .analysis import FILTER_COLUMNS

FILTER_LABELS = {"kind": "Kind of organisation", "type_group": "Type of school",
                 "phase": "Phase", "trust": "Trust", "locality": "Locality"}
KIND_WORDS = {"school": "Schools and colleges", "agency": "Agencies"}
MAX_VALUES = 20
MAX_LENGTH = 300


def filters_from_args(args) -> dict[str, list[str]]:
    filters = {}
    for name in FILTER_COLUMNS:
        values = [value.strip()[:MAX_LENGTH] for value in args.getlist(name)[:MAX_VALUES]]
        values = [value for value in dict.fromkeys(values) if value]
        if values:
            filters[name] = values
    return filters


def filter_summary(filters: dict[str, list[str]]) -> list[str]:
    """Plain words for the filters applied, for the page and the reports' covers."""
    return [f"{FILTER_LABELS[name]}: "
            + ", ".join(KIND_WORDS.get(value, value) if name == "kind" else value
                        for value in values)
            for name, values in filters.items()]
