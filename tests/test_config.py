"""Settings and profiles."""
import pytest

from audit_app import create_app
from audit_app.config import ConfigError, load_config


@pytest.mark.no_db
def test_production_refuses_to_start_without_a_real_secret(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"AUDIT_ENV": "production",
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"})
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(str(tmp_path), {"AUDIT_ENV": "production", "SECRET_KEY": "short"})


@pytest.mark.no_db
def test_production_profile_hardens_cookies(tmp_path):
    config = load_config(str(tmp_path), {"AUDIT_ENV": "production", "SECRET_KEY": "k" * 40})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.no_db
def test_unknown_profile_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="AUDIT_ENV"):
        load_config(str(tmp_path), {"AUDIT_ENV": "staging"})


@pytest.mark.no_db
def test_default_database_is_sqlite_under_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = load_config(str(tmp_path), {})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/audit.sqlite3"
    assert config["AUDIT_ENV"] in ("development", "test")


@pytest.mark.no_db
def test_environment_settings_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("MAX_UPLOAD_MB", "5")
    config = load_config(str(tmp_path), {})
    assert config["SESSION_IDLE_MINUTES"] == 15
    assert config["MAX_CONTENT_LENGTH"] == 6 * 1024 * 1024
