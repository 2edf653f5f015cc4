"""Audit cycles, their coverage, the life of a return, invitations and reminders."""
