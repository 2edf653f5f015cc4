"""The one error of backups and restores: its message is the command's one-line reason."""


class BackupError(Exception):
    """The backup or restore cannot go ahead (or did not complete); the message says why."""
