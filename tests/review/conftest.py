"""Fixtures for the reviewer tests."""
import pytest

from tests.review.review_builders import make_submitter, submitted_return


@pytest.fixture
def request_ctx(app):
    """Submitting and returning queue emails with links, which need a request context."""
    with app.test_request_context():
        yield


@pytest.fixture
def submitter(make_user, partnership, school):
    return make_submitter(make_user, partnership, school)


@pytest.fixture
def reviewer(make_user, partnership):
    return make_user("reviewer", partnership, name="Sam Reviewer")


@pytest.fixture
def admin(make_user, partnership):
    return make_user("admin", partnership, name="Ada Admin")


@pytest.fixture
def submitted(partnership, school, submitter, request_ctx):
    return submitted_return(partnership, school, submitter)
