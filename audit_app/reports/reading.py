"""Reading the answers of the latest submissions as fast as the database allows.

PostgreSQL streams them with ``COPY ... TO STDOUT`` (CSV) into pyarrow, which reads strings
straight into dictionary (categorical) columns; other databases go through one DB-API cursor.
Either way it is one query with no per-row ORM objects: reports stay a small multiple of the
raw read (see benchmarks/README.md for the measured ratios)."""
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import sqlalchemy as sa

from ..extensions import db

COLUMNS = ("return_id", "question_id", "value", "moderated_value")


def answer_rows_sql(cycle_id: int, statuses) -> str:
    """The one query. Values are inlined (COPY takes no parameters), so only an integer id
    and the module's own status words are ever placed in it."""
    status_list = ", ".join(f"'{status}'" for status in statuses if status.isidentifier())
    return (
        "SELECT r.id, a.question_key, a.value, m.moderated_value "  # nosec B608  # see above
        "FROM submission_answers a "
        "JOIN submissions s ON s.id = a.submission_id "
        "JOIN returns r ON r.id = s.return_id AND s.number = r.latest_submission_number "
        # A moderation stands while the answer it moderated is unchanged: after a
        # resubmission that changed the answer, the new self-rating counts until the
        # reviewer moderates again.
        "LEFT JOIN moderations m ON m.return_id = r.id AND m.question_key = a.question_key "
        "AND (m.self_value = a.value OR (m.self_value IS NULL AND a.value IS NULL)) "
        f"WHERE r.cycle_id = {int(cycle_id)} AND r.status IN ({status_list}) "
        "ORDER BY r.id, a.id")


def read_answer_rows(cycle_id: int, statuses) -> dict:
    """Columns: return ids (int64 array) and categoricals of question ids, self values and
    moderated values (missing where there is none)."""
    sql = answer_rows_sql(cycle_id, statuses)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        return _read_by_copy(connection, sql)
    return _read_by_cursor(connection, sql)


def _read_by_copy(connection, sql: str) -> dict:
    buffer = io.BytesIO()
    with connection.connection.dbapi_connection.cursor() as cursor:
        with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
            for chunk in copy:
                buffer.write(chunk)
    if buffer.tell() == 0:
        return _empty()
    buffer.seek(0)
    text = pa.dictionary(pa.int32(), pa.string())
    table = pa_csv.read_csv(
        buffer,
        read_options=pa_csv.ReadOptions(column_names=list(COLUMNS)),
        convert_options=pa_csv.ConvertOptions(
            column_types={"return_id": pa.int64(), "question_id": text, "value": text,
                          "moderated_value": text},
            strings_can_be_null=True, quoted_strings_can_be_null=False))
    return {name: _column(table.column(name)) for name in COLUMNS}


def _column(chunked):
    if pa.types.is_integer(chunked.type):
        return chunked.to_numpy()
    return chunked.to_pandas().array if chunked.num_chunks else pd.Categorical([])


def _read_by_cursor(connection, sql: str) -> dict:
    rows = connection.exec_driver_sql(sql).cursor.fetchall() \
        if hasattr(connection, "exec_driver_sql") else connection.execute(sa.text(sql)).all()
    if not rows:
        return _empty()
    # One pass in C into a 2-D object array, then a hash factorisation per text column:
    # zip(*rows) and pd.Categorical of Python strings each cost more than the read itself.
    table = np.array(rows, dtype=object)
    del rows
    return {"return_id": table[:, 0].astype("int64"),
            "question_id": _categorical(table[:, 1]),
            "value": _categorical(table[:, 2]),
            "moderated_value": _categorical(table[:, 3])}


def _categorical(values: np.ndarray) -> pd.Categorical:
    codes, uniques = pd.factorize(values, sort=True)
    return pd.Categorical.from_codes(codes, categories=pd.Index(uniques))


def _empty() -> dict:
    return {"return_id": np.array([], dtype="int64"), "question_id": pd.Categorical([]),
            "value": pd.Categorical([]), "moderated_value": pd.Categorical([])}
