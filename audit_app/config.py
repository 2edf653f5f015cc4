"""Settings from the environment. ``AUDIT_ENV`` picks the profile."""
import os
from datetime import timedelta

PLACEHOLDER_SECRET = "development-only-not-secret"


class ConfigError(RuntimeError):
    """The configuration cannot run safely."""


def _env_int(name, default):
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the settings dict: defaults, then the environment, then ``overrides``."""
    overrides = dict(overrides or {})
    env = overrides.get("AUDIT_ENV") or os.environ.get("AUDIT_ENV", "development")
    if env not in ("development", "test", "production"):
        raise ConfigError(f"AUDIT_ENV must be development, test or production, not {env!r}")
    sqlite_path = os.path.join(instance_path, "audit.sqlite3")
    config = {
        "AUDIT_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", PLACEHOLDER_SECRET),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", f"sqlite:///{sqlite_path}"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PARTNERSHIP_NAME": os.environ.get("PARTNERSHIP_NAME", "Stockport Safeguarding Children Partnership"),
        "BRAND_COLOUR": os.environ.get("BRAND_COLOUR", "#005ea5"),
        "SERVICE_NAME": os.environ.get("SERVICE_NAME", "Safeguarding self-audit"),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        "SESSION_IDLE_MINUTES": _env_int("SESSION_IDLE_MINUTES", 30),
        "SESSION_ABSOLUTE_HOURS": _env_int("SESSION_ABSOLUTE_HOURS", 12),
        "INVITE_TOKEN_DAYS": _env_int("INVITE_TOKEN_DAYS", 14),
        "RESET_TOKEN_HOURS": _env_int("RESET_TOKEN_HOURS", 2),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _env_int("MAIL_PORT", 25),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "safeguarding-audit@example.org"),
        "OUTBOX_DIR": os.environ.get("OUTBOX_DIR", os.path.join(instance_path, "outbox")),
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR", os.path.join(instance_path, "uploads")),
        "MAX_UPLOAD_MB": _env_int("MAX_UPLOAD_MB", 10),
        "QUESTIONNAIRE_DIR": os.environ.get(
            "QUESTIONNAIRE_DIR",
            os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                         "questionnaires")),
        "PDF_FONT_DIR": os.environ.get(
            "PDF_FONT_DIR",
            os.path.join(os.path.dirname(os.path.abspath(__file__)), "static", "build", "fonts")),
        "PROXY_FIX_HOPS": _env_int("PROXY_FIX_HOPS", 0),
        # Throttling: counters live in memory (one process) or in Redis (several).
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", "audit"),
        "SIGN_IN_ACCOUNT_LIMIT": os.environ.get("SIGN_IN_ACCOUNT_LIMIT", "5 per 15 minutes"),
        # Schools and NHS trusts share one outgoing address: much higher than per account.
        "SIGN_IN_ADDRESS_LIMIT": os.environ.get("SIGN_IN_ADDRESS_LIMIT", "100 per 15 minutes"),
        "TWO_FACTOR_LIMIT": os.environ.get("TWO_FACTOR_LIMIT", "5 per 15 minutes"),
        "PASSWORD_RESET_LIMIT": os.environ.get("PASSWORD_RESET_LIMIT", "5 per 15 minutes"),
        # The dashboard shows the figures it has (saying when they were worked out) while a
        # change is read in the background; off, every view after a change waits for it.
        "REPORTS_REFRESH_IN_BACKGROUND": _env_bool("REPORTS_REFRESH_IN_BACKGROUND", True),
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "SESSION_COOKIE_NAME": "audit_session",
        "PREFERRED_URL_SCHEME": "http",
        "TRUSTED_HOSTS": None,
        # A file whose presence holds a section save just before its commit, so that tests
        # can kill a worker at that moment. Refused below outside the test profile.
        "TEST_PAUSE_IN_SAVE_FILE": os.environ.get("TEST_PAUSE_IN_SAVE_FILE", ""),
    }
    if env == "production":
        config.update(SESSION_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https")
    if env == "test":
        # Tests read the figures right after changing the data, in a transaction that a
        # background thread cannot see; tests of the background refresh turn it on.
        config.update(TESTING=True, REPORTS_REFRESH_IN_BACKGROUND=False)
    config.update(overrides)
    config["MAX_CONTENT_LENGTH"] = (config["MAX_UPLOAD_MB"] + 1) * 1024 * 1024
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=config["SESSION_ABSOLUTE_HOURS"])
    if config.get("TEST_PAUSE_IN_SAVE_FILE") and config["AUDIT_ENV"] != "test":
        raise ConfigError("TEST_PAUSE_IN_SAVE_FILE is for the test suite only: unset it")
    if config["AUDIT_ENV"] == "production":
        secret = config.get("SECRET_KEY") or ""
        if secret == PLACEHOLDER_SECRET or len(secret) < 32:
            raise ConfigError(
                "SECRET_KEY must be set to a random value of at least 32 characters in "
                "production")
    return config
