"""The layout's context: names and navigation, whatever state the request is in."""
from sqlalchemy.exc import OperationalError

from audit_app.site import navigation
from audit_app.site.errors import specific_error_detail


def test_outside_a_request_the_layout_has_names_and_no_navigation(app_ctx, partnership):
    # Emails are rendered from the command line.
    context = navigation.inject_layout()
    assert context["partnership_name"] == partnership.name
    assert context["service_name"] == app_ctx.config["SERVICE_NAME"]
    assert context["navigation_items"] == []


def test_an_item_whose_page_does_not_exist_is_left_out(app, partnership, make_user,
                                                       sign_in, monkeypatch):
    monkeypatch.setattr(navigation, "NAVIGATION", navigation.NAVIGATION + (
        ("Board papers", "reports.not_written_yet", None, "reports"),))
    client = app.test_client()
    sign_in(client, make_user("admin", partnership))
    html = client.get("/dashboard").get_data(as_text=True)
    assert ">Home" in html
    assert "Board papers" not in html


def test_a_database_failure_falls_back_to_the_configured_name(app, partnership, monkeypatch):
    def broken(signed_in):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(navigation, "layout_partnership", broken)
    with app.test_request_context("/help"):
        context = navigation.inject_layout()
    assert context["partnership"] is None
    assert context["partnership_name"] == app.config["PARTNERSHIP_NAME"]
    assert context["navigation_items"] == []


def test_werkzeugs_stock_descriptions_are_dropped_and_specific_ones_kept():
    from werkzeug.exceptions import Forbidden, NotFound

    assert specific_error_detail(NotFound.description) is None
    assert specific_error_detail(Forbidden.description) is None
    assert specific_error_detail(None) is None
    assert specific_error_detail("That return has been withdrawn") == \
        "That return has been withdrawn"
