"""What the page's scripts rely on: the section form's own CSRF token lets autosave and the
keep-alive post (and nothing posts without one), and the scripts are built and served."""
import re
from pathlib import Path

import pytest

from tests.returns.helpers import stored

BUILD = Path(__file__).resolve().parents[2] / "audit_app" / "static" / "build"


def test_autosave_and_keep_alive_post_with_the_page_s_csrf_token(csrf_enabled,
                                                                 respondent_client,
                                                                 audit_return):
    url = f"/returns/{audit_return.id}/sections/dsl"
    html = respondent_client.get(url).get_data(as_text=True)
    fields = dict(re.findall(r'<input [^>]*name="(csrf_token|version|base)"[^>]*'
                             r'value="([^"]*)"', html))
    assert set(fields) == {"csrf_token", "version", "base"}
    refused = respondent_client.post(url + "/autosave", data={
        "version": fields["version"], "base": fields["base"], "dsl_in_post": "red"})
    assert refused.status_code == 400 and stored(audit_return) == {}
    saved = respondent_client.post(url + "/autosave", data={**fields, "dsl_in_post": "red"})
    assert saved.status_code == 200 and stored(audit_return) == {"dsl_in_post": ("red", None)}
    assert respondent_client.post("/returns/keep-alive").status_code == 400
    alive = respondent_client.post("/returns/keep-alive",
                                   data={"csrf_token": fields["csrf_token"]})
    assert alive.status_code == 200


def test_the_journey_s_scripts_are_built_and_served(client):
    if not (BUILD / "app.js").exists():
        pytest.skip("assets not built: run `npm ci && npm run build` (make install does)")
    app_js = (BUILD / "app.js").read_text(encoding="utf-8")
    for name in ("conditional-questions.js", "autosave.js", "session-timeout.js"):
        assert f"from './{name}'" in app_js, name
        response = client.get(f"/static/build/{name}")
        assert response.status_code == 200, name
        response.close()
