"""Per-request CSP nonces and the security headers every response carries."""
import secrets

from flask import Flask, g, has_request_context, request
from flask_login import current_user

NONCE_KEY = "audit_app.csp_nonce"


def csp_nonce() -> str:
    """The nonce of the current response. It lives on the request, not on ``g``: an
    application context may outlive one request (a worker, a test), and each response must
    have a nonce of its own."""
    if has_request_context():
        if NONCE_KEY not in request.environ:
            request.environ[NONCE_KEY] = secrets.token_urlsafe(18)
        return request.environ[NONCE_KEY]
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        f"style-src 'self' 'nonce-{nonce}'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if request.is_secure or app.config["AUDIT_ENV"] == "production":
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint == "static":
            # Static assets are public and cacheable: asking whether someone is signed in
            # would read their session from the database for every stylesheet and script.
            return response
        if current_user.is_authenticated or request.endpoint in ("auth.sign_in",):
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        return response
