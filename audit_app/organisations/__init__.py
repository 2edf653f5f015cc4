"""Partnerships and the register of schools and agencies, with its GIAS and CSV imports."""
