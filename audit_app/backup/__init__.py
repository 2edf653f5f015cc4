"""Backups of the database and the evidence files, and restoring them (``flask backup``)."""
