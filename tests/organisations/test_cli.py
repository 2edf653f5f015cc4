"""`flask orgs import-gias` and `flask orgs import-agencies`: output contract and exits."""
import pytest

from audit_app.audit_log.models import AuditEvent
from audit_app.organisations.models import Membership, Organisation, Partnership

from .helpers import data_path

SUMMARY_FIELDS = ("created", "updated", "closed", "skipped", "rejected")


def last_line(result):
    return result.output.rstrip("\n").splitlines()[-1]


def test_import_gias_prints_rows_then_the_summary_last(runner, partnership):
    result = runner.invoke(args=["orgs", "import-gias", data_path("gias_rules.csv")])
    assert result.exit_code == 0, result.output
    lines = result.output.rstrip("\n").splitlines()
    assert lines[-1] == "created=8 updated=0 closed=0 skipped=3 rejected=4"
    assert lines[:-1] == [
        "line 8: skipped: URN 900007: closed and not in the register",
        "line 9: skipped: URN 900008: status is 'Proposed to open'; only open schools are "
        "imported",
        "line 10: skipped: URN 900009: establishment type 'Welsh establishment' is not "
        "covered by section 175 or 157",
        "line 11: rejected: URN 900001: already appears on line 2",
        "line 12: rejected: URN 900010: NumberOfPupils 'lots' is not a whole number",
        "line 13: rejected: URN 'ABC123' is not a number",
        "line 14: rejected: URN is empty",
    ]
    assert Organisation.query.count() == 8


def test_import_gias_twice_changes_nothing(runner, partnership):
    runner.invoke(args=["orgs", "import-gias", data_path("gias_stockport_sample.csv")])
    again = runner.invoke(args=["orgs", "import-gias", data_path("gias_stockport_sample.csv")])
    assert again.output == "created=0 updated=0 closed=0 skipped=0 rejected=0\n"


def test_la_code_option(runner, partnership):
    result = runner.invoke(args=["orgs", "import-gias", data_path("gias_rules.csv"),
                                 "--la-code", "357"])
    # URN problems are found whatever the local authority; other rows are only counted.
    assert result.output.splitlines() == [
        "line 11: rejected: URN 900001: already appears on line 2",
        "line 13: rejected: URN 'ABC123' is not a number",
        "line 14: rejected: URN is empty",
        "skipped 11 row(s) of other local authorities (--la-code 357)",
        "created=1 updated=0 closed=0 skipped=11 rejected=3",
    ]


def test_import_gias_closes_schools(runner, partnership):
    runner.invoke(args=["orgs", "import-gias", data_path("gias_rules.csv")])
    result = runner.invoke(args=["orgs", "import-gias", data_path("gias_later.csv")])
    assert result.output.splitlines() == [
        "line 2: closed: URN 900001 Oak Tree Primary School",
        "line 4: skipped: URN 900099: closed and not in the register",
        "created=0 updated=1 closed=1 skipped=1 rejected=0",
    ]


def test_import_agencies_prints_the_same_summary(runner, partnership):
    result = runner.invoke(args=["orgs", "import-agencies", data_path("agencies_stockport.csv")])
    assert result.exit_code == 0
    assert result.output == "created=17 updated=0 closed=0 skipped=0 rejected=0\n"
    bad = runner.invoke(args=["orgs", "import-agencies", data_path("agencies_bad_rows.csv")])
    assert bad.exit_code == 0
    assert "line 3: rejected: Stockport Youth Club: duty_basis 'statutory' must be s11 or " \
           "voluntary" in bad.output
    # Cafcass (now a statutory partner) changed; Stockport Homes is as it was.
    assert last_line(bad) == "created=0 updated=1 closed=0 skipped=0 rejected=5"


def _refused(result, message):
    assert result.exit_code == 1
    assert result.output.count("\n") == 1, result.output
    assert message in result.output


@pytest.mark.parametrize("command,name,message", [
    ("import-gias", "gias_missing_columns.csv",
     "gias_missing_columns.csv: The file is missing the required column(s): "
     "TypeOfEstablishment (name), LA (code)"),
    ("import-gias", "agencies_stockport.csv", "missing the required column(s): URN, "
                                              "EstablishmentName"),
    ("import-agencies", "gias_stockport_sample.csv",
     "missing the required column(s): name, sector, duty_basis"),
])
def test_a_wrong_header_is_refused_in_one_line_and_writes_nothing(runner, partnership,
                                                                   command, name, message):
    _refused(runner.invoke(args=["orgs", command, data_path(name)]), message)
    assert Organisation.query.count() == 0
    assert AuditEvent.query.filter_by(action="organisations.imported").count() == 0


@pytest.mark.parametrize("content,message", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text CSV file"),
    (b"URN,\x81\x8d\n", "neither UTF-8 nor Windows-1252"),
    (b"", "The file is empty"),
])
def test_a_file_that_is_not_csv_text_is_refused(runner, partnership, tmp_path, content,
                                                message):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    for command in ("import-gias", "import-agencies"):
        _refused(runner.invoke(args=["orgs", command, str(path)]), message)
    assert Organisation.query.count() == 0


def test_a_file_that_cannot_be_read_is_refused(runner, partnership, tmp_path):
    _refused(runner.invoke(args=["orgs", "import-gias", str(tmp_path / "absent.csv")]),
             "absent.csv: cannot read the file (No such file or directory)")


def test_a_bad_la_code_is_refused(runner, partnership):
    _refused(runner.invoke(args=["orgs", "import-gias", data_path("gias_rules.csv"),
                                 "--la-code", "Stockport"]),
             "--la-code 'Stockport' is not a local authority number, like 356")
    assert Organisation.query.count() == 0


def test_partnership_option_chooses_the_partnership(runner, partnership):
    other = Partnership(slug="salford", name="Salford Safeguarding Children Partnership")
    from audit_app.extensions import db

    db.session.add(other)
    db.session.commit()
    result = runner.invoke(args=["orgs", "import-agencies", data_path("agencies_stockport.csv"),
                                 "--partnership", "Salford Safeguarding Children Partnership"])
    assert result.exit_code == 0, result.output
    assert Membership.query.filter_by(partnership_id=other.id).count() == 17
    assert Membership.query.filter_by(partnership_id=partnership.id).count() == 0
    _refused(runner.invoke(args=["orgs", "import-gias", data_path("gias_rules.csv"),
                                 "--partnership", "wigan"]),
             "No partnership is called 'wigan'; known partnerships: salford, testshire")


def test_the_first_import_creates_the_configured_partnership(runner, app):
    result = runner.invoke(args=["orgs", "import-agencies", data_path("agencies_stockport.csv")])
    assert result.exit_code == 0
    partnership = Partnership.query.one()
    assert partnership.name == app.config["PARTNERSHIP_NAME"]


def test_a_refused_first_import_creates_no_partnership(runner):
    _refused(runner.invoke(args=["orgs", "import-gias", data_path("gias_missing_columns.csv")]),
             "missing the required column(s)")
    assert Partnership.query.count() == 0


def test_the_import_is_one_transaction(runner, partnership, tmp_path):
    """A file that turns out to be broken half way through writes nothing at all."""
    good = data_path("gias_rules.csv")
    with open(good, "rb") as handle:
        content = handle.read()
    path = tmp_path / "broken.csv"
    path.write_bytes(content + b'"' + b"x" * 200_000 + b'"\r\n')
    _refused(runner.invoke(args=["orgs", "import-gias", str(path)]), "not valid CSV")
    assert Organisation.query.count() == 0
