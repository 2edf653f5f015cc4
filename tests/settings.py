"""Settings shared by the suite's applications."""

def settings_for_tests(database_url: str, folder) -> dict:
    """The settings every test application runs with."""
    return {
        "AUDIT_ENV": "test",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "WTF_CSRF_ENABLED": False,
        "OUTBOX_DIR": str(folder / "outbox"),
        "UPLOAD_DIR": str(folder / "uploads"),
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
    }

