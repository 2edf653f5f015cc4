"""The database becomes unreachable (a TCP proxy between the application and PostgreSQL is
closed; the shared server is never stopped): every page gives the friendly 503 in the
layout, without a traceback; a save says the answers were not saved (autosave gets JSON its
script shows, keeping the answers in the page); the health check says the database is
down. When the proxy opens again, the same application serves and saves again without a
restart. On SQLite too, a database file that cannot be opened gives the same page until it
can."""
import re

import pytest
from sqlalchemy.engine import make_url

from audit_app.returns.models import Answer
from audit_app.site.errors import UNAVAILABLE_TITLE
from tests.faults.conftest import seed_return, sign_in_form
from tests.faults.tcp_proxy import TcpProxy

pytestmark = pytest.mark.no_db
SECTION = "/returns/{id}/sections/dsl"


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


@pytest.fixture
def through_proxy(new_database, make_app, tmp_path):
    """(application reaching its database through the proxy, the proxy, the application
    reaching it directly, what was seeded)."""
    direct_url = new_database("postgresql")
    direct = make_app(direct_url, tmp_path / "direct")
    seeded = seed_return(direct, with_evidence=False)
    url = make_url(direct_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).open()
    proxied = make_app(url.set(host="127.0.0.1", port=proxy.port)
                       .render_as_string(hide_password=False), tmp_path / "proxied",
                       migrate=False)
    yield proxied, proxy, direct, seeded
    proxy.close()


def stored_answers(direct, return_id: int) -> dict:
    with direct.app_context():
        return {row.question_key: row.value
                for row in Answer.query.filter_by(return_id=return_id)}


def assert_unavailable_page(response, *, saved_words: str | None = None):
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert f"<h1 class=\"govuk-heading-l\">{UNAVAILABLE_TITLE}</h1>" in page
    # The layout, with the configured partnership name: the stored one cannot be read.
    assert '<span class="app-header__partnership-name">Stockport Safeguarding Children ' \
           'Partnership</span>' in page and "govuk-footer" in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert "psycopg" not in page and "127.0.0.1" not in page
    if saved_words:
        assert saved_words in page
    return page


def test_the_database_going_away_and_coming_back(through_proxy):
    app, proxy, direct, seeded = through_proxy
    client = app.test_client()
    assert sign_in_form(client, seeded.email).status_code == 302
    url = SECTION.format(id=seeded.return_id)
    form_page = client.get(url).get_data(as_text=True)
    posted = {"version": hidden(form_page, "version"), "base": hidden(form_page, "base"),
              "dsl_deputies": "2", "action": "draft"}
    assert client.get("/healthz").status_code == 200

    proxy.close()
    page = assert_unavailable_page(client.get(url))
    assert "You will be able to use the service later" in page
    assert_unavailable_page(client.get("/"))
    assert_unavailable_page(client.post(url, data=posted),
                            saved_words="Your answers have not been saved.")
    autosave = client.post(f"{url}/autosave", data=posted,
                           headers={"Accept": "application/json"})
    assert autosave.status_code == 503 and autosave.json["status"] == "unavailable"
    assert autosave.json["message"].startswith("Your latest answers have not been saved")
    health = client.get("/healthz")
    assert (health.status_code, health.get_data(as_text=True)) == (503, "database unavailable")
    assert_unavailable_page(client.get("/accessibility"))

    proxy.open()
    assert client.get("/healthz").status_code == 200
    assert client.get(url).status_code == 200, "the same application, still signed in"
    saved = client.post(url, data=posted)
    assert saved.status_code == 302
    assert stored_answers(direct, seeded.return_id)["dsl_deputies"] == "2"


def test_a_save_cut_off_mid_request_keeps_nothing_and_says_so(through_proxy):
    """The proxy closes while the person is signed in and the pool holds live connections:
    the pre-ping finds them dead and the save is refused whole."""
    app, proxy, direct, seeded = through_proxy
    client = app.test_client()
    sign_in_form(client, seeded.email)
    url = SECTION.format(id=seeded.return_id)
    form_page = client.get(url).get_data(as_text=True)
    before = stored_answers(direct, seeded.return_id)
    assert proxy.connections >= 1
    proxy.close()
    response = client.post(url, data={"version": hidden(form_page, "version"),
                                      "base": hidden(form_page, "base"),
                                      "dsl_deputies": "7", "action": "draft"})
    assert_unavailable_page(response, saved_words="Your answers have not been saved.")
    assert stored_answers(direct, seeded.return_id) == before


def test_a_database_that_cannot_be_opened_then_appears(make_app, tmp_path):
    """On either database: SQLite's file in a folder that is not there yet fails to open as
    a lost server fails to connect; once it is there, the same application serves."""
    folder = tmp_path / "not-yet"
    url = f"sqlite:///{folder / 'audit.sqlite3'}"
    app = make_app(url, tmp_path / "app", migrate=False)
    client = app.test_client()
    health = client.get("/healthz")
    assert (health.status_code, health.get_data(as_text=True)) == (503, "database unavailable")
    refused = sign_in_form(client, "dsl@faultshire.example.org")
    assert_unavailable_page(refused, saved_words="You have not been signed in.")

    folder.mkdir()
    seeded = seed_return(make_app(url, tmp_path / "seeding"), with_evidence=False)
    assert client.get("/healthz").status_code == 200
    assert sign_in_form(client, seeded.email).status_code == 302
    assert client.get(SECTION.format(id=seeded.return_id)).status_code == 200
