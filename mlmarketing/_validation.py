"""The library's rulebook: one reader per kind of value, used by every module.

Each reader raises :class:`mlmarketing.DataError` naming the column or value at fault and
saying what to do; none of them modifies the data it is given. The rules, written down in
CONTRIBUTING.md ("The rulebook"):

- **dates** (:func:`read_dates`, :func:`read_date`): ISO first; ``dd/mm/yyyy`` read day first
  (the French convention) unless a value such as ``12/31/2024`` shows the column is written
  month first, which is then said with a :class:`DataWarning`; ``day_first`` forces either order.
- **yes/no** (:func:`read_yes_no`, :func:`as_binary`): yes/no, oui/non, vrai/faux, true/false,
  1/0, y/n, in any case and with spaces; anything else is refused.
- **numbers** (:func:`check_numeric`): inf and -inf refused with the rows named; decimal-comma or
  thousands-separated text refused with the fix; negative values refused where impossible.
- **ids** (:func:`read_ids`, :func:`looks_like_id`): compared as text after normalising, so
  ``7``, ``"7"`` and ``"7.0"`` are one customer; an id is never a predictor.
- **categories** (:func:`category_limit`, :func:`group_rare_levels`): at most
  ``min(50, max(2, 5 % of the rows))`` levels; the rarer ones become ``"other"``.
- **dropped rows** (:func:`warn_dropped`): always counted and reported.
"""

from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mlmarketing._errors import DataError, DataWarning

YES_WORDS = frozenset({"yes", "y", "oui", "vrai", "true", "1"})
NO_WORDS = frozenset({"no", "n", "non", "faux", "false", "0"})
_VOCABULARY = "yes/no, oui/non, vrai/faux, true/false, 1/0 or y/n"

# A category may have at most this many levels, and at most this share of the rows.
MAX_LEVELS = 50
MAX_LEVEL_SHARE = 0.05
OTHER_LEVEL = "other"

_ID_TOKENS = frozenset({"id", "ids", "identifiant", "identifier", "uuid", "guid"})
_ID_ENTITIES = frozenset({
    "customer", "client", "user", "account", "compte", "order", "commande", "member", "membre",
    "subscriber", "abonne", "abonné", "product", "produit", "item", "article", "transaction",
    "contract", "contrat",
})
_ID_SUFFIXES = frozenset({"no", "num", "number", "numero", "numéro", "code", "key", "ref", "reference"})


def _name_tokens(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name)
    return [t for t in re.split(r"[^0-9A-Za-zÀ-ÿ]+", spaced.lower()) if t]


# ----------------------------------------------------------------------------- frames, columns


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


def shown(value: object) -> str:
    """A value as a message quotes it: ``'70,35'``, ``45000`` (never ``np.int64(45000)``).

    >>> shown(np.int64(7)), shown("7")
    ('7', "'7'")
    """
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def describe_rows(index: pd.Index, mask: Any, *, limit: int = 3) -> str:
    """The labels of the rows where ``mask`` is true, for a message: ``"rows 4, 9 and 2 more"``.

    >>> describe_rows(pd.RangeIndex(5), [False, True, False, True, True], limit=2)
    'rows 1, 3 and 1 more'
    """
    flags = np.asarray(mask, dtype=bool)
    labels = list(index[flags][:limit])
    extra = int(flags.sum()) - len(labels)
    word = "row" if len(labels) == 1 and extra == 0 else "rows"
    shown = ", ".join(str(label) for label in labels)
    return f"{word} {shown}" + (f" and {extra} more" if extra > 0 else "")


# ----------------------------------------------------------------------------- numbers

_DECIMAL_COMMA = re.compile(
    r"^[+-]?(\d{1,3}([ .\u00a0\u202f]\d{3})+|\d+)(,\d+)?\s*(€|eur|%)?$", re.IGNORECASE
)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([,\u00a0\u202f ]\d{3})+(\.\d+)?\s*(€|\$|%)?$")


def is_number_text(text: str) -> bool:
    """Whether ``text`` is a number written with decimal commas or thousands separators.

    >>> is_number_text("1 234,50"), is_number_text("1,234.5"), is_number_text("Paris")
    (True, True, False)
    """
    written = str(text).strip()
    return bool(_DECIMAL_COMMA.match(written) or _THOUSANDS.match(written))


def _number_text_hint(column: str, values: pd.Series) -> str:
    texts = values.astype(str).str.strip()
    plain = texts.str.fullmatch(r"[+-]?\d+(\.\d+)?")
    commas = texts.str.contains(",")
    if commas.any() and texts.map(lambda t: bool(_DECIMAL_COMMA.match(t))).all():
        return (
            f"It is written with decimal commas (French style). Read the file with "
            f"mlmarketing.read_table(path), which converts them, or convert the column with "
            f"df[{column!r}] = pd.to_numeric(df[{column!r}].str.replace('.', '', regex=False)"
            f".str.replace(',', '.', regex=False))."
        )
    if commas.any() and (plain | texts.map(lambda t: bool(_THOUSANDS.match(t)))).all():
        return (
            f"It is written with thousands separators. Read the file with mlmarketing.read_table(path), "
            f"or convert the column with df[{column!r}] = pd.to_numeric(df[{column!r}]"
            f".str.replace(',', '', regex=False))."
        )
    if plain.all():
        return (
            f"The numbers are stored as text: convert them with "
            f"df[{column!r}] = pd.to_numeric(df[{column!r}])."
        )
    return (
        "If the file uses decimal commas or thousands separators, read it with "
        "mlmarketing.read_table(path), which converts them; otherwise fix or drop the column."
    )


def check_numeric(
    df: pd.DataFrame,
    columns: Sequence[str],
    *,
    non_negative: bool = False,
    what: str = "values",
) -> None:
    """Check that the columns hold finite numbers (missing values allowed).

    Infinite values are refused with the rows named; text is refused with the conversion to
    write (decimal commas, thousands separators, numbers stored as text). With
    ``non_negative=True`` negative values are refused too (``what`` names them in the message:
    durations, counts, demand...).

    >>> check_numeric(pd.DataFrame({"spend": [1.5, None]}), ["spend"])
    >>> check_numeric(pd.DataFrame({"spend": ["70,35"]}), ["spend"])
    Traceback (most recent call last):
    ...
    mlmarketing.DataError: column 'spend' must hold numbers but holds text such as '70,35'. ...
    """
    for column in columns:
        series = df[column]
        if pd.api.types.is_bool_dtype(series):
            continue
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            values = series.dropna()
            example = f" such as {values.iloc[0]!r}" if len(values) else ""
            kind = "dates" if pd.api.types.is_datetime64_any_dtype(series) else "text"
            hint = _number_text_hint(column, values) if kind == "text" and len(values) else (
                "Pass a column of numbers."
            )
            raise DataError(f"column {column!r} must hold numbers but holds {kind}{example}. {hint}")
        numbers = series.to_numpy(dtype="float64", na_value=np.nan)
        infinite = np.isinf(numbers)
        if infinite.any():
            raise DataError(
                f"column {column!r} holds infinite values ({describe_rows(series.index, infinite)}), "
                "often the result of a division by zero. Replace them with a real value or drop those "
                "rows, e.g. df = df[np.isfinite(df[col])]."
            )
        if non_negative:
            negative = numbers < 0
            if negative.any():
                raise DataError(
                    f"column {column!r} holds negative {what} ({describe_rows(series.index, negative)}, "
                    f"such as {numbers[negative][0]:g}), which cannot be negative. "
                    "Correct or drop those rows."
                )


def check_number(
    value: object, name: str, *, minimum: float | None = None, allow_inf: bool = False
) -> float:
    """Check one numeric argument (a cost, a budget, a rate) and return it as a float.

    Text, booleans, NaN and (unless ``allow_inf``) infinity are refused; so is a value below
    ``minimum`` when one is given.

    >>> check_number(12.5, "offer_cost", minimum=0)
    12.5
    """
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise DataError(f"{name} must be a number such as 10 or 12.5, got {shown(value)}.")
    number = float(value)
    if np.isnan(number) or (np.isinf(number) and not allow_inf):
        raise DataError(f"{name} must be a finite number, got {shown(value)}.")
    if minimum is not None and number < minimum:
        raise DataError(f"{name} must be at least {minimum:g}, got {number:g}.")
    return number


def check_positive_int(value: object, name: str, *, minimum: int = 1) -> int:
    """Check that ``value`` is a whole number of at least ``minimum`` and return it as an int.

    >>> check_positive_int(3, "horizon")
    3
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise DataError(f"{name} must be a whole number of at least {minimum}, got {value!r}.")
    return int(value)


def check_level(level: object, name: str = "level") -> float:
    """Check a confidence level, a probability such as 0.95 for 95 %, and return it as a float.

    >>> check_level(0.9)
    0.9
    """
    if isinstance(level, bool) or not isinstance(level, float | int) or not 0 < level < 1:
        raise DataError(f"{name} must be a probability such as 0.95 (for 95 %), got {level!r}.")
    return float(level)


def level_label(level: float) -> str:
    """The level as a plot label writes it: ``"95 %"``.

    >>> level_label(0.9), level_label(0.975)
    ('90 %', '97.5 %')
    """
    return f"{100 * level:g} %"


# ----------------------------------------------------------------------------- dates

_DMY = re.compile(
    r"^(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})"
    r"(?:[ T](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?$"
)
_YMD = re.compile(
    r"^(?P<year>\d{4})(?P<sep>[/.])(?P<b>\d{1,2})(?P=sep)(?P<a>\d{1,2})"
    r"(?:[ T](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?$"
)


def _holds(name: str) -> str:
    return f"{name} hold" if name == "the dates" else f"{name} holds"


def _not_a_date(column: str, value: object) -> DataError:
    return DataError(
        f"{_holds(column)} {value!r}, which is not a date. Write dates as 2024-03-31 (ISO) or "
        "31/03/2024 (day first), or read the file with mlmarketing.read_table(path)."
    )


def _strip_timezone(dates: pd.Series) -> pd.Series:
    # The wall-clock time of the export is kept: its day is the customer's day.
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    if dates.dtype == "datetime64[ns]":
        return dates
    return dates.astype("datetime64[ns]")


def read_dates(
    series: pd.Series,
    *,
    column: str | None = None,
    day_first: bool | None = None,
) -> pd.Series:
    """Read a column of dates the one way the whole library reads them.

    Dates already stored as dates are kept (a time zone is converted to UTC and dropped).
    Text is read as ISO (``2024-03-31``, ``2024-03-31 14:05``) first; ``31/03/2024``,
    ``31.03.2024`` or ``31-03-24`` are read **day first**, the French convention, unless a value
    such as ``12/31/2024`` shows that the column is written month first: then the whole column is
    read month first and a :class:`DataWarning` says so. ``day_first=True`` or ``False`` forces
    the order. Missing values stay missing (``NaT``); a value that is not a date raises
    :class:`DataError` naming it.

    Parameters
    ----------
    series : Series
        The column to read.
    column : str, optional
        Its name in messages (default: the Series name).
    day_first : bool or None, default None
        None reads day first unless the column shows month first; True or False forces it.

    Returns
    -------
    Series of ``datetime64[ns]``, with the index of ``series``.

    Examples
    --------
    >>> read_dates(pd.Series(["01/02/2024", "2024-02-01"])).dt.strftime("%d %B").tolist()
    ['01 February', '01 February']
    """
    label = column if column is not None else series.name
    name = "the dates" if label is None else f"column {label!r}"
    if pd.api.types.is_datetime64_any_dtype(series):
        return _strip_timezone(series)
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        present = series.dropna()
        if len(present) == 0:
            return pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
        raise DataError(
            f"{name} must hold dates, not numbers such as {shown(present.iloc[0])}. If they are Excel "
            "day numbers, read the file with mlmarketing.read_table(path); otherwise pass the date column."
        )
    # Dates repeat: each distinct value is read once.
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable cells: lists or dicts from a JSON export
        odd = series[series.map(lambda v: isinstance(v, list | dict | set))]
        raise DataError(
            f"{name} must hold dates but holds {type(odd.iloc[0]).__name__}s such as {odd.iloc[0]!r}. "
            "Flatten the column to one date per row first."
        ) from None
    values = pd.Series(uniques, dtype=object)
    blank = values.map(lambda v: isinstance(v, str) and v.strip() == "")
    if values.map(lambda v: isinstance(v, pd.Timestamp | np.datetime64) or hasattr(v, "year")).all():
        parsed = pd.to_datetime(values.map(
            lambda v: pd.Timestamp(v).tz_localize(None) if pd.Timestamp(v).tzinfo else pd.Timestamp(v)
        ))
    else:
        parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
        texts = values[~blank].astype(str).str.strip()
        if len(texts):
            parsed[texts.index] = _parse_unique_dates(texts, name, day_first).to_numpy()
    # One slot more for the missing values (code -1 takes the last one).
    lookup = np.append(parsed.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))
    return pd.Series(lookup[codes], index=series.index, name=series.name)


def _parse_unique_dates(texts: pd.Series, name: str, day_first: bool | None) -> pd.Series:
    result = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[ns]")
    # Only text shaped like an ISO date goes to pandas' ISO reader ("-1" would overflow there).
    shaped = texts[texts.str.match(r"^\d{4}-\d{1,2}-\d{1,2}([ T].*)?$")]
    if len(shaped):
        try:
            iso = pd.to_datetime(shaped, format="ISO8601", errors="coerce")
        except (ValueError, TypeError):  # several UTC offsets in one column
            iso = pd.to_datetime(shaped, format="ISO8601", errors="coerce", utc=True)
        if not pd.api.types.is_datetime64_any_dtype(iso):
            iso = pd.to_datetime(shaped, format="ISO8601", errors="coerce", utc=True)
        result[shaped.index] = _strip_timezone(iso).to_numpy()
    rest = texts[result.isna()]
    if rest.empty:
        return result
    parts = []
    for text in rest:
        match = _DMY.match(text) or _YMD.match(text)
        if match is None:
            raise _not_a_date(name, text)
        parts.append(match.groupdict() | {"text": text})
    fields = pd.DataFrame(parts, index=rest.index)
    a, b = fields["a"].astype(int), fields["b"].astype(int)
    # Year-first text (2024/03/31) always has the month in the middle.
    year_first = fields["text"].str.match(r"^\d{4}")
    impossible = (a > 12) & (b > 12) & ~year_first
    if impossible.any():
        raise _not_a_date(name, fields.loc[impossible, "text"].iloc[0])
    if day_first is None:
        month_first_only = ((b > 12) & ~year_first).any()
        day_first_only = ((a > 12) & ~year_first).any()
        if month_first_only and day_first_only:
            first = fields.loc[(b > 12) & ~year_first, "text"].iloc[0]
            other = fields.loc[(a > 12) & ~year_first, "text"].iloc[0]
            raise DataError(
                f"{name} mixes day-first dates such as {other!r} with month-first dates such as "
                f"{first!r}: the order of the others cannot be known. Write the dates as 2024-03-31 (ISO)."
            )
        day_first = not month_first_only
        if month_first_only:
            example = fields.loc[(b > 12) & ~year_first, "text"].iloc[0]
            warnings.warn(
                f"{name} is read month first (mm/dd/yyyy) because of values such as {example!r}; "
                "pass day_first=True if it is not.",
                DataWarning,
                stacklevel=4,
            )
    day = np.where(year_first | day_first, a, b)
    month = np.where(year_first | day_first, b, a)
    year = fields["year"].astype(int).to_numpy()
    year = np.where(year < 100, np.where(year < 69, 2000 + year, 1900 + year), year)
    frame = pd.DataFrame({
        "year": year, "month": month, "day": day,
        "hour": pd.to_numeric(fields["hour"]).fillna(0).astype(int).to_numpy(),
        "minute": pd.to_numeric(fields["minute"]).fillna(0).astype(int).to_numpy(),
        "second": pd.to_numeric(fields["second"]).fillna(0).astype(int).to_numpy(),
    }, index=rest.index)
    stamps = pd.to_datetime(frame, errors="coerce")
    if stamps.isna().any():
        bad = fields.loc[stamps.isna(), "text"].iloc[0]
        order = "day first" if day_first else "month first"
        raise DataError(
            f"{_holds(name)} {bad!r}, which is not a date when read {order}. Correct that value, or "
            "write the dates as 2024-03-31 (ISO)."
        )
    result[rest.index] = stamps.astype("datetime64[ns]")
    return result


def read_date(value: object, name: str, *, day_first: bool | None = None) -> pd.Timestamp:
    """Read one date argument (``as_of``, ``cut``, ``calibration_end``...) as :func:`read_dates` does.

    ``"01/12/2024"`` is 1 December 2024; ``"12/31/2024"`` is read month first, with a warning.

    >>> read_date("01/12/2024", "as_of")
    Timestamp('2024-12-01 00:00:00')
    """
    if isinstance(value, str | pd.Timestamp | np.datetime64) or hasattr(value, "year"):
        try:
            stamps = read_dates(pd.Series([value], dtype=object), column=name, day_first=day_first)
        except DataError as error:
            message = str(error).replace(f"column {name!r} holds", f"{name} is")
            message = message.replace(", or read the file with mlmarketing.read_table(path)", "")
            raise DataError(message) from None
        if pd.notna(stamps.iloc[0]):
            return pd.Timestamp(stamps.iloc[0])
    raise DataError(
        f"{name} must be a date such as '2024-12-31' or '31/12/2024', got {value!r}."
    )


# ----------------------------------------------------------------------------- yes/no


def _yes_no_text(series: pd.Series) -> pd.Series:
    """The values as lower-case text, each distinct value written once (columns repeat a lot)."""
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists): written one by one, and refused by the caller
        codes, uniques = np.arange(len(series)), series.to_numpy(dtype=object)
    text = pd.Series(uniques, dtype=object).astype(str).str.strip().str.lower()
    text = text.str.replace(r"^([01])\.0+$", r"\1", regex=True)
    lookup = np.append(text.to_numpy(dtype=object), None)
    return pd.Series(lookup[codes], index=series.index, dtype=object)


def is_yes_no(series: pd.Series) -> bool:
    """Whether every present value of ``series`` is in the yes/no vocabulary.

    >>> is_yes_no(pd.Series(["Vrai", " faux ", None])), is_yes_no(pd.Series([3, 1]))
    (True, False)
    """
    present = series.dropna()
    if len(present) == 0:
        return False
    if pd.api.types.is_bool_dtype(present):
        return True
    return bool(_yes_no_text(present).isin(YES_WORDS | NO_WORDS).all())


def read_yes_no(series: pd.Series, *, column: str | None = None, allow_missing: bool = False) -> pd.Series:
    """Read a yes/no column with the library's one vocabulary.

    Yes: ``yes, y, oui, vrai, true, 1``; no: ``no, n, non, faux, false, 0``; in any case, with
    spaces around, and ``1.0``/``0.0`` too; booleans are kept. Anything else raises
    :class:`DataError` naming the values. A column with no value at all is an error; other
    missing values are an error unless ``allow_missing`` (then they stay missing).

    Returns
    -------
    Series of pandas' nullable ``boolean`` dtype, with the index of ``series``.

    Examples
    --------
    >>> read_yes_no(pd.Series(["Oui", "NON", " vrai", "0"])).tolist()
    [True, False, True, False]
    """
    name = column if column is not None else series.name
    missing = series.isna()
    if missing.all():
        raise DataError(
            f"column {name!r} has no value at all ({len(series)} missing): check that it is the right "
            "column and that the file was read completely."
        )
    if missing.any() and not allow_missing:
        raise DataError(
            f"column {name!r} has {int(missing.sum())} missing value(s) "
            f"({describe_rows(series.index, missing)}); "
            "drop those rows or fill them before using it as a yes/no column."
        )
    present = series[~missing]
    if pd.api.types.is_bool_dtype(present):
        values = present.astype(bool)
    else:
        text = _yes_no_text(present)
        unknown = ~text.isin(YES_WORDS | NO_WORDS)
        if unknown.any():
            shown = ", ".join(repr(v) for v in pd.unique(present[unknown].astype(str))[:5])
            raise DataError(
                f"column {name!r} must be yes/no ({_VOCABULARY}) but holds {shown}. Recode those "
                f"values, for example df[{name!r}] = df[{name!r}].map({{'Maybe': 'no', ...}}), or pass "
                "the right column."
            )
        values = text.isin(YES_WORDS)
    out = pd.Series(pd.NA, index=series.index, dtype="boolean", name=series.name)
    out[present.index] = values.to_numpy()
    return out


def as_binary(series: pd.Series, *, column: str | None = None) -> pd.Series:
    """Return a 0/1 integer Series from a yes/no target (see :func:`read_yes_no`).

    Missing values are not allowed, and both classes must be present: a target must be known
    for every row and a model needs customers of both kinds.

    >>> as_binary(pd.Series(["Yes", "No", "yes"])).tolist()
    [1, 0, 1]
    """
    name = column if column is not None else series.name
    out = read_yes_no(series, column=name).astype(int)
    if out.nunique() < 2:
        only = "1 (yes)" if out.iloc[0] == 1 else "0 (no)"
        raise DataError(
            f"column {name!r} has a single class: every row is {only}. A model needs customers "
            "of both kinds; check the filter or the target column."
        )
    return pd.Series(out.to_numpy(dtype=int), index=series.index, name=series.name)


# ----------------------------------------------------------------------------- ids


def read_ids(series: pd.Series, *, column: str | None = None, allow_missing: bool = False) -> pd.Series:
    """Ids as normalised text, so that ``7``, ``7.0``, ``"7"``, ``" 7 "`` and ``"7.0"`` are one id.

    Missing ids are refused (a row must belong to someone) unless ``allow_missing``.

    >>> read_ids(pd.Series([7, "7", "7.0", " A12 "], dtype=object)).tolist()
    ['7', '7', '7', 'A12']
    """
    name = column if column is not None else series.name
    missing = series.isna()
    if missing.any() and not allow_missing:
        raise DataError(
            f"column {name!r} has {int(missing.sum())} missing id(s) "
            f"({describe_rows(series.index, missing)}): "
            "every row must belong to a customer or product. Drop those rows or fill in the id."
        )
    # Ids repeat (one per purchase): each distinct value is normalised once.
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values = pd.Series(uniques, dtype=object)
    if pd.api.types.is_float_dtype(series) and not (values == np.floor(values.astype(float))).all():
        normalised = values.map(lambda v: repr(float(v)))
    else:
        def one(value: object) -> object:
            if isinstance(value, bool | np.bool_):
                return str(int(value))
            if isinstance(value, int | np.integer):
                return str(int(value))
            if isinstance(value, float | np.floating):
                return str(int(value)) if float(value).is_integer() else repr(float(value))
            written = str(value).strip()
            if written[-2:] == ".0" or ".0" in written:
                written = re.sub(r"^([+-]?\d+)\.0+$", r"\1", written)
            return written

        if len(values) and pd.api.types.infer_dtype(values, skipna=False) == "string":
            normalised = values.str.strip()
            dotted = normalised.str.contains(".", regex=False)
            if dotted.any():
                normalised[dotted] = normalised[dotted].str.replace(r"^([+-]?\d+)\.0+$", r"\1", regex=True)
        else:
            normalised = values.map(one)
    lookup = np.append(normalised.to_numpy(dtype=object), None)
    text = pd.Series(lookup[codes], index=series.index)
    return pd.Series(text.to_numpy(dtype=object), index=series.index, name=series.name, dtype=object)


def looks_like_id(series: pd.Series, name: object = None) -> bool:
    """Whether a column is an identifier, which must never be a predictor or a segmentation feature.

    A column is an id when its name says so (``id``, ``customerID``, ``client_no``, ``code``...),
    or when it holds whole numbers or text that are unique per row (at least 20 rows).

    >>> looks_like_id(pd.Series(range(100)), "numero_client"), looks_like_id(pd.Series([1.5, 2.5]), "spend")
    (True, False)
    """
    tokens = _name_tokens(str(series.name if name is None else name))
    if _ID_TOKENS.intersection(tokens):
        return True
    # "customer_number", "client no" (entity then suffix) and "numero_client" (French order),
    # but not "number_customer_service_calls", a count.
    for first, second in zip(tokens, tokens[1:], strict=False):
        if first in _ID_ENTITIES and second in _ID_SUFFIXES:
            return True
        if first in _ID_SUFFIXES - {"number"} and second in _ID_ENTITIES:
            return True
    present = series.dropna()
    if len(present) < 20 or len(present) < len(series):
        return False
    # Only whole numbers and short text can be ids by their values alone (checked before counting).
    if pd.api.types.is_bool_dtype(present) or pd.api.types.is_float_dtype(present):
        return False
    if pd.api.types.is_datetime64_any_dtype(present):
        return False
    if pd.api.types.is_integer_dtype(present):
        # Whole numbers unique per row: a count can be too in a tiny table, rarely in 100 rows.
        return len(present) >= 100 and present.nunique() == len(series)
    if present.nunique() < len(series):
        return False
    # Text unique per row: an id, unless it is free text (long, with spaces).
    text = present.astype(str)
    return bool(text.str.len().median() < 40 and not text.str.contains(r"\s\S+\s").any())


# ----------------------------------------------------------------------------- categories


def category_limit(n_rows: int) -> int:
    """The most levels a category may keep for ``n_rows`` rows: ``min(50, max(2, 5 % of the rows))``.

    >>> category_limit(20_000), category_limit(200)
    (50, 10)
    """
    return int(min(MAX_LEVELS, max(2, MAX_LEVEL_SHARE * n_rows)))


def group_rare_levels(series: pd.Series, *, max_levels: int | None = None) -> tuple[pd.Series, int]:
    """Keep the most frequent levels of a category and group the others into ``"other"``.

    At most ``max_levels`` levels remain (default :func:`category_limit` of the rows), the last
    of them ``"other"``. Returns the new Series (text, missing values kept) and the number of
    levels grouped (0 when nothing changed), for the caller's preparation table.

    >>> grouped, n = group_rare_levels(pd.Series(list("aaabbc")), max_levels=2)
    >>> grouped.tolist(), n
    (['a', 'a', 'a', 'other', 'other', 'other'], 2)
    """
    limit = category_limit(len(series)) if max_levels is None else int(max_levels)
    counts = series.dropna().astype(str).value_counts(sort=False)
    counts = counts.sort_values(ascending=False, kind="stable")
    if len(counts) <= limit:
        return series, 0
    keep = set(counts.index[: max(limit - 1, 1)])
    text = series.astype(object).where(series.isna(), series.astype(str))
    grouped = text.where(text.isna() | text.isin(keep), OTHER_LEVEL)
    return grouped, int(len(counts) - len(keep))


# ----------------------------------------------------------------------------- dropped rows


def warn_dropped(
    n_dropped: int, n_total: int, reason: str, *, what: str = "rows", stacklevel: int = 3
) -> None:
    """Say, with a :class:`DataWarning`, that rows (or ``what``) were left out, and why.

    Silent when none were.

    >>> warn_dropped(0, 10, "no date")
    """
    if n_dropped:
        warnings.warn(
            f"{n_dropped:,} of {n_total:,} {what} left out: {reason}.", DataWarning, stacklevel=stacklevel
        )


def new_axes(ax: Any = None) -> Any:
    """The Axes to draw on: ``ax`` itself, or the Axes of a new figure when it is None."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax
