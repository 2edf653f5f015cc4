"""Questionnaire definition commands."""
from flask.cli import AppGroup

questionnaires_cli = AppGroup("questionnaires", help="Questionnaire definition commands.")
