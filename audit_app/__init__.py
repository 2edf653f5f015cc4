"""The safeguarding self-audit platform."""
import os

from flask import Flask

from .config import load_config


def create_app(config: dict | None = None) -> Flask:
    """Application factory. ``config`` overrides settings (tests pass theirs here)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(load_config(app.instance_path, config))
    os.makedirs(app.instance_path, exist_ok=True)

    from . import setup

    setup.register_logging(app)
    setup.register_proxy(app)
    setup.register_extensions(app)
    setup.register_templates(app)
    setup.register_blueprints(app)
    setup.register_cli(app)
    setup.register_security(app)
    setup.register_error_pages(app)
    return app
