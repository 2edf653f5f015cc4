"""Demo partnership commands."""
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo partnership commands.")
