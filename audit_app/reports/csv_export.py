"""The long answers frame as CSV, with its codebook beside it (DESIGN §6). Written through
pyarrow, which streams millions of rows in a second or two; text is neutralised per category
(each distinct string once), so formula injection costs nothing per row and numbers stay
numbers."""
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from ..spreadsheet_safety import neutralise


def codebook_path(path) -> Path:
    """PATH with a ``-codebook`` suffix before its extension: ``out.csv`` → ``out-codebook.csv``."""
    path = Path(path)
    return path.with_name(f"{path.stem}-codebook{path.suffix or '.csv'}")


def write_csv(report, path) -> tuple[Path, Path]:
    """Write the answers at PATH and the codebook at PATH-codebook; returns both paths."""
    path = Path(path)
    write_frame_csv(report.answers, path)
    book = codebook_path(path)
    write_frame_csv(report.codebook, book)
    return path, book


def write_frame_csv(frame: pd.DataFrame, target) -> None:
    """Any frame as CSV (a path or a binary file object), header first, text neutralised."""
    pa_csv.write_csv(safe_table(frame), target,
                     write_options=pa_csv.WriteOptions(include_header=True))


def safe_table(frame: pd.DataFrame) -> pa.Table:
    columns = {}
    for name in frame.columns:
        columns[str(name)] = _safe_column(frame[name])
    return pa.table(columns) if columns else pa.table({})


def _safe_column(series: pd.Series) -> pa.Array:
    if isinstance(series.dtype, pd.CategoricalDtype):
        # The dictionary may repeat a string after neutralising; CSV only sees the text.
        return _text_by_code(series.cat.codes.to_numpy(),
                             [neutralise(str(value)) for value in series.cat.categories])
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        values = [None if _missing(value) else neutralise(str(value)) for value in series]
        return pa.array(values, type=pa.string())
    if isinstance(series.dtype, pd.BooleanDtype):
        return pa.array(series.to_numpy(dtype=object, na_value=None), type=pa.bool_())
    if pd.api.types.is_float_dtype(series.dtype):
        values = series.to_numpy(dtype="float64")
        return pa.array(values, mask=np.isnan(values))
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return _moments(series)
    return pa.Array.from_pandas(series)


def _moments(series: pd.Series) -> pa.Array:
    """UTC times as ISO 8601 text, each distinct moment formatted once: a return's times
    repeat on every one of its answers, and formatting zoned timestamps row by row costs
    more than all the other columns together."""
    codes, moments = pd.factorize(series)
    return _text_by_code(codes, [moment.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
                                 for moment in moments])


def _text_by_code(codes: np.ndarray, texts: list[str]) -> pa.Array:
    """A text column from integer codes into ``texts`` (-1: empty), each text made once."""
    return pa.DictionaryArray.from_arrays(
        pa.array(codes, mask=codes < 0, type=pa.int32()),
        pa.array(texts, type=pa.string())).cast(pa.string())


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA \
        or value is pd.NaT
