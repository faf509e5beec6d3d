"""Input checks shared by the helpers, so that every bad input gets the same kind of message.

Each check raises :class:`mlmarketing.DataError` naming the column or value at fault and
saying what to do. Helpers call them at their boundary, then work on a copy of the data.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from mlmarketing._errors import DataError

_YES = {"yes", "y", "true", "t", "1", "oui", "o", "vrai", "si", "sí"}
_NO = {"no", "n", "false", "f", "0", "non", "faux"}


def check_frame(df: object, *, name: str = "df", min_rows: int = 1) -> pd.DataFrame:
    """Check that ``df`` is a DataFrame with at least ``min_rows`` rows and return it.

    >>> check_frame(pd.DataFrame({"a": [1]})).shape
    (1, 1)
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError(
            f"{name} must be a pandas DataFrame, got {type(df).__name__}. "
            "Load your file with mlmarketing.read_table(path) first."
        )
    if len(df) < min_rows:
        raise DataError(
            f"{name} has {len(df)} row(s); at least {min_rows} are needed. "
            "Check that the file was read completely and that filters did not remove every row."
        )
    return df


def _suggest(missing: str, available: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(missing), [str(c) for c in available], n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def check_columns(df: pd.DataFrame, columns: str | Sequence[str], *, role: str = "column") -> list[str]:
    """Check that every name in ``columns`` is a column of ``df``; return them as a list.

    >>> check_columns(pd.DataFrame({"age": [30]}), "age")
    ['age']
    """
    names = [columns] if isinstance(columns, str) else list(columns)
    for column in names:
        if column not in df.columns:
            shown = ", ".join(repr(c) for c in list(df.columns)[:15])
            more = ", ..." if df.shape[1] > 15 else ""
            raise DataError(
                f"{role} {column!r} is not a column of the table.{_suggest(column, df.columns)} "
                f"The columns are: {shown}{more}. Pass the name of your own column."
            )
    return names


def check_numeric(df: pd.DataFrame, columns: Sequence[str]) -> None:
    """Check that the columns hold numbers (missing values allowed).

    >>> check_numeric(pd.DataFrame({"spend": [1.5, None]}), ["spend"])
    """
    for column in columns:
        series = df[column]
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            continue
        values = series.dropna()
        converted = pd.to_numeric(values, errors="coerce")
        bad = values[converted.isna()]
        example = f" such as {bad.iloc[0]!r}" if len(bad) else ""
        raise DataError(
            f"column {column!r} must hold numbers but holds text{example}. "
            "If the file uses decimal commas or thousands separators, read it with "
            "mlmarketing.read_table(path), which converts them; otherwise fix or drop the column."
        )


def as_binary(series: pd.Series, *, column: str | None = None) -> pd.Series:
    """Return a 0/1 integer Series from a Yes/No, True/False, Oui/Non or 1/0 column.

    Missing values are not allowed: a target must be known for every row.

    >>> as_binary(pd.Series(["Yes", "No", "yes"])).tolist()
    [1, 0, 1]
    """
    name = column if column is not None else series.name
    if series.isna().any():
        n = int(series.isna().sum())
        raise DataError(
            f"column {name!r} has {n} missing value(s); drop those rows or fill them before "
            "using it as a yes/no target."
        )
    if pd.api.types.is_bool_dtype(series):
        out = series.astype(int)
    else:
        written = series.astype(str).str.strip()
        text = written.str.lower().str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
        unknown = ~text.isin(_YES | _NO)
        if unknown.any():
            raise DataError(
                f"column {name!r} must be a yes/no target (Yes/No, True/False, Oui/Non or 1/0) "
                f"but holds {written[unknown].iloc[0]!r}. Recode it, for example with "
                "df[col].map({...}), before scoring."
            )
        out = text.isin(_YES).astype(int)
    if out.nunique() < 2:
        only = "1 (yes)" if out.iloc[0] == 1 else "0 (no)"
        raise DataError(
            f"column {name!r} has a single class: every row is {only}. A model needs customers "
            "of both kinds; check the filter or the target column."
        )
    return pd.Series(np.asarray(out), index=series.index, name=series.name)
