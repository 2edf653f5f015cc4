from audit_app.organisations.models import Partnership


def test_schema_is_migrated_and_rolled_back(partnership):
    assert Partnership.query.count() == 1


def test_previous_test_left_nothing(app_ctx):
    assert Partnership.query.count() == 0
