"""Retention: evidence files and personal data of long-closed audit cycles are removed,
and the figures that year-on-year reports need are kept."""
