"""Organisation register commands."""
from flask.cli import AppGroup

orgs_cli = AppGroup("orgs", help="Organisation register commands.")
