"""Tests of the safeguarding self-audit platform."""
