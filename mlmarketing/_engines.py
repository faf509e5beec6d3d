"""The engine layer: the aggregation helpers on pandas, Polars, DuckDB, Spark or Parquet files.

A helper that reduces rows to one row per customer, group or period (``rfm_table``,
``summary_from_transactions``, ``media_kpis``, ``long_tail``, ``funnel_report``,
``cohort_retention``, ...) accepts, besides a pandas DataFrame:

- a Polars DataFrame or LazyFrame,
- a DuckDB relation (``duckdb.sql("select ...")``, ``duckdb.read_parquet(...)``),
- a PySpark DataFrame (a local session or a cluster's),
- a path to Parquet files: a file, a folder (every ``*.parquet`` below it) or a glob such as
  ``"data/*.parquet"``, read lazily by DuckDB, so files bigger than memory work.

The work is written once with Narwhals (the compatibility layer that scikit-learn, Altair and
Plotly use) and runs inside that engine: only the reduced table, one row per customer or
group, comes back, as a pandas DataFrame, and the helper's pandas code finishes from there
(scores, ratios, intervals). No engine is imported unless the input needs it: Narwhals looks
at the object it is given.

The rulebook (CONTRIBUTING.md) holds on every engine, with one difference: an engine's columns
have types, so dates must be dates (or timestamps) and amounts numbers there; text dates are
read only from pandas (``mlmarketing.read_table``). Ids are normalised as text after the
reduction; two spellings of one id (``7`` and ``" 7"``) in an engine are refused with the fix,
since merging them would need the rows again.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mlmarketing._errors import DataError
from mlmarketing._validation import check_columns, read_ids

__all__ = ["check_engine_columns", "engine_frame", "kind_of", "to_pandas"]

_ACCEPTED = (
    "a pandas DataFrame, or a Polars DataFrame, a DuckDB relation, a Spark DataFrame, or the path "
    "of Parquet files (a file, a folder or a glob such as 'data/*.parquet')"
)


def _parquet_files(path: str | os.PathLike) -> list[str]:
    text = os.fspath(path)
    if os.path.isdir(text):
        files = sorted(glob.glob(os.path.join(text, "**", "*.parquet"), recursive=True))
    elif glob.has_magic(text):
        files = sorted(glob.glob(text, recursive=True))
    else:
        files = [text] if os.path.isfile(text) else []
    if not files:
        raise DataError(
            f"no Parquet file at {text!r}: pass a Parquet file, a folder holding *.parquet files "
            "or a glob such as 'data/*.parquet' (write test files with "
            "`python -m mlmarketing.simulate big --rows 1000000 --out DIR`), or a DataFrame."
        )
    return files


def engine_frame(data: object, *, name: str = "df") -> Any:
    """None for a pandas DataFrame (the helpers' own path), else a Narwhals LazyFrame on its engine.

    Parameters
    ----------
    data : object
        A pandas or Polars DataFrame (or LazyFrame), a DuckDB relation, a PySpark DataFrame, or
        a path (str or ``pathlib.Path``) to Parquet files, read lazily with DuckDB.
    name : str
        The argument's name, for messages.

    Examples
    --------
    >>> engine_frame(pd.DataFrame({"a": [1]})) is None
    True
    >>> engine_frame(42, name="transactions")
    Traceback (most recent call last):
    ...
    mlmarketing.DataError: transactions must be a pandas DataFrame, or a Polars DataFrame, ...
    """
    if isinstance(data, pd.DataFrame):
        return None
    if isinstance(data, str | os.PathLike):
        import duckdb  # only a path needs it

        files = _parquet_files(data)
        try:
            data = duckdb.read_parquet(files)
        except duckdb.Error as error:
            raise DataError(
                f"{name}: DuckDB could not read the Parquet files at {os.fspath(data)!r} ({error}). "
                "Check that they are Parquet files written by one program, with the same columns."
            ) from None
    import narwhals as nw

    try:
        frame = nw.from_native(data)
    except TypeError:
        raise DataError(
            f"{name} must be {_ACCEPTED}; got {type(data).__module__}.{type(data).__name__}. "
            "Convert it to one of those first (for example with .to_pandas())."
        ) from None
    if isinstance(frame, nw.Series):
        raise DataError(f"{name} must be a table ({_ACCEPTED}), not a single column.")
    return frame.lazy()


def check_engine_columns(frame: Any, columns: str | Sequence[str | None], *,
                         role: str = "column") -> list[str]:
    """:func:`mlmarketing._validation.check_columns` on an engine's frame (same message)."""
    names = [c for c in ([columns] if isinstance(columns, str) else columns) if c is not None]
    schema = frame.collect_schema()
    return check_columns(pd.DataFrame(columns=list(schema.names())), names, role=role)


def kind_of(frame: Any, column: str) -> str:
    """``"date"``, ``"number"``, ``"bool"``, ``"text"`` or ``"other"``: the type of an engine's column."""
    import narwhals as nw

    dtype = frame.collect_schema()[column]
    if dtype == nw.Boolean:
        return "bool"
    if dtype == nw.Date or dtype == nw.Datetime:
        return "date"
    if dtype.is_numeric():
        return "number"
    if dtype == nw.String or dtype == nw.Categorical or dtype == nw.Enum:
        return "text"
    return "other"


_CONVERSIONS = {
    "date": ("dates", "DuckDB: CAST(col AS DATE) or strptime(col, '%d/%m/%Y'); Polars: "
             "pl.col(...).str.to_date('%d/%m/%Y'); Spark: F.to_date(col, 'dd/MM/yyyy')"),
    "number": ("numbers", "DuckDB: CAST(replace(col, ',', '.') AS DOUBLE); Polars: "
               "pl.col(...).str.replace(',', '.').cast(pl.Float64); Spark: "
               "F.regexp_replace(col, ',', '.').cast('double')"),
    "bool": ("yes/no values (booleans)", "DuckDB: col IN ('oui', 'yes', '1'); Polars: "
             "pl.col(...).is_in(['oui', 'yes', '1']); Spark: F.col(...).isin('oui', 'yes', '1')"),
}


def require_kind(frame: Any, column: str, kinds: Sequence[str], *, role: str) -> str:
    """The kind of ``column`` if it is one of ``kinds``; else a DataError with the conversion to write."""
    kind = kind_of(frame, column)
    if kind in kinds:
        return kind
    dtype = frame.collect_schema()[column]
    wanted, how = _CONVERSIONS[kinds[0]]
    raise DataError(
        f"{role} column {column!r} holds {dtype} values in this engine; it must hold {wanted}. "
        f"Convert it in the engine first ({how}), or load the file with mlmarketing.read_table, "
        "which reads text the kit's way."
    )


def to_pandas(frame: Any) -> pd.DataFrame:
    """Run a lazy query and bring its (small) result back as a pandas DataFrame, without pyarrow."""
    native = frame.to_native()
    implementation = frame.implementation
    if implementation.is_duckdb():
        return native.df()
    if implementation.is_polars():
        eager = native.collect() if hasattr(native, "collect") and not hasattr(native, "to_numpy") else native
        return pd.DataFrame({column: eager[column].to_numpy() for column in eager.columns})
    if implementation.is_pyspark() or implementation.is_pyspark_connect():
        # Rows, not toPandas(): that needs pyarrow, or warns and falls back to this.
        rows = native.collect()
        return pd.DataFrame.from_records([tuple(row) for row in rows], columns=native.columns)
    return frame.collect(backend="pandas").to_native()


def scalars(frame: Any, **expressions: Any) -> dict[str, Any]:
    """One pass over ``frame`` computing named aggregate expressions; a dict of Python values."""
    row = to_pandas(frame.select(**expressions))
    return {name: row[name].iloc[0] for name in expressions}


def day_numbers(values: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 of dates that came back from an engine (dates, timestamps, date objects)."""
    stamps = pd.to_datetime(pd.Series(values))
    return stamps.to_numpy().astype("datetime64[D]").astype(np.int64)


def normalised_ids(values: pd.Series, column: str) -> np.ndarray:
    """Ids from an engine as the kit's text (a NumPy text array, one per distinct engine value).

    Whole numbers are written as ``read_ids`` writes them (``7``, ``7.0`` -> ``"7"``), at NumPy
    speed; distinct numbers are distinct texts. Other ids go through ``read_ids``, and two
    spellings of one id are refused with the fix.
    """
    array = values.to_numpy()
    if array.dtype.kind in "iu":
        return array.astype(np.int64).astype(str)
    if array.dtype.kind == "f" and np.isfinite(array).all() and (array == np.round(array)).all():
        return array.astype(np.int64).astype(str)
    texts = read_ids(pd.Series(values.to_numpy(dtype=object), dtype=object), column=column)
    repeated = texts.duplicated(keep=False)
    if repeated.any():
        spellings = sorted({repr(v) for v in values[repeated.to_numpy()].tolist()})[:4]
        raise DataError(
            f"column {column!r} spells one id in several ways ({', '.join(spellings)}): the kit "
            "counts them as one customer, which an engine's aggregation cannot do afterwards. "
            "Normalise the ids in the engine first (trim the spaces, cast them to one type), "
            "or work on a pandas DataFrame."
        )
    return texts.to_numpy(dtype=str)


def _text_order(numbers: np.ndarray) -> np.ndarray | None:
    """The order of whole numbers written as text (``"10"`` before ``"9"``), without writing them:
    a number's digits padded on the right to 18 places, then its length (``"1"`` before
    ``"10"``), negative numbers first (``"-"`` comes before the digits). None beyond 18 digits.

    >>> _text_order(np.array([9, 10, 1, -2, 100])).tolist()
    [3, 2, 1, 4, 0]
    """
    magnitude = np.abs(numbers)
    if len(numbers) and (magnitude.max() >= 10**18 or magnitude.min() < 0):  # min() < 0: int64's lowest
        return None
    digits = np.searchsorted(10 ** np.arange(1, 19, dtype=np.int64), magnitude, side="right") + 1
    padded = magnitude * 10 ** (18 - digits)
    return np.lexsort((digits, padded, numbers >= 0))


def ids_in_text_order(values: pd.Series, column: str) -> tuple[np.ndarray, np.ndarray]:
    """The order that sorts ids from an engine as the kit's text, and the sorted ids (object array).

    Whole numbers are sorted as numbers (an argsort of ten million texts takes 20 s, this 2 s)
    and written once, in order; other ids go through :func:`normalised_ids`.
    """
    array = values.to_numpy()
    whole = array.dtype.kind in "iu" or (
        array.dtype.kind == "f" and np.isfinite(array).all() and (array == np.round(array)).all())
    if whole and (array.dtype.kind != "u" or not len(array) or array.max() < 2**63):
        numbers = array.astype(np.int64)
        order = _text_order(numbers)
        if order is not None:
            return order, np.array(list(map(str, numbers[order].tolist())), dtype=object)
    texts = normalised_ids(values, column)
    order = np.argsort(texts, kind="stable")
    return order, texts[order].astype(object)


def _count(condition: Any) -> Any:
    import narwhals as nw

    # A null condition (a missing value) counts as false, on every engine.
    return nw.when(condition).then(1).otherwise(0).sum()


# ----------------------------------------------------------------------------- customer value


# Rows per pass of a DuckDB aggregation: the state of one pass (a row per customer and day) then
# fits in memory, where a hundred million rows at once would spill to disk.
PART_ROWS = 10_000_000


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _customer_parts(customer: str, rows: int, bounds: tuple[Any, Any] | None) -> list[str]:
    """DuckDB: SQL conditions that split the rows in parts of about PART_ROWS, each customer's rows
    in one part. Whole-number ids are cut in ranges (a range filter is cheap, and Parquet files
    whose row groups hold ranges of customers are then read once in all); other ids by a hash."""
    n_parts = -(-rows // PART_ROWS)
    if n_parts <= 1:
        return ["true"]
    quoted = _quoted(customer)
    if bounds is not None:
        low, span = int(bounds[0]), int(bounds[1]) + 1 - int(bounds[0])
        edges = sorted({low + span * i // n_parts for i in range(n_parts + 1)})
        return [f"{quoted} >= {a} AND {quoted} < {b}" for a, b in zip(edges[:-1], edges[1:], strict=False)]
    return [f"hash({quoted}) % {n_parts} = {i}" for i in range(n_parts)]


def _duckdb_totals(relation: Any, customer: str, date: str, amount: str | None,
                   cut: pd.Timestamp | None, where: str) -> dict[str, np.ndarray]:
    """One part of the per-customer totals, in one SQL query, as NumPy columns (days since 1970).

    The purchases (customer, day) are summed first, then each customer's first and last day,
    number of purchases, total, and the amount of the first purchase (arg_min: the day is unique
    per purchase), in the same pass; with ``cut`` the holdout's number and amount too.
    """
    c, d = _quoted(customer), _quoted(date)
    valid = f"{c} IS NOT NULL AND {d} IS NOT NULL"
    value = "0.0"
    if amount is not None:
        value = f"CAST({_quoted(amount)} AS DOUBLE)"
        valid += f" AND {value} IS NOT NULL AND NOT isnan({value})"
    before = "" if cut is None else f" FILTER (WHERE _d <= DATE '{cut.date()}')"
    days = "date_diff('day', DATE '1970-01-01', {})"  # days as numbers: no dates to convert
    query = (
        f"WITH purchases AS (SELECT {c} AS _c, CAST({d} AS DATE) AS _d, sum({value}) AS _x "
        f"FROM _rows WHERE {valid} AND ({where}) GROUP BY ALL) "
        f"SELECT _c, {days.format(f'min(_d){before}')} AS _first, "
        f"{days.format(f'max(_d){before}')} AS _last, count(*){before} AS _n, "
        f"sum(_x){before} AS _total, arg_min(_x, _d){before} AS _x1"
    )
    if cut is not None:
        after = f" FILTER (WHERE _d > DATE '{cut.date()}')"
        query += f", count(*){after} AS _hn, coalesce(sum(_x){after}, 0.0) AS _hx"
    query += " FROM purchases GROUP BY _c"
    if cut is not None:
        query += f" HAVING count(*){before} > 0"
    return relation.query("_rows", query).fetchnumpy()


def _files_signature(source: object) -> tuple | None:
    """For a path to Parquet files: each file with its size and modification time (None otherwise),
    so that a result computed from them is known to be still theirs."""
    if not isinstance(source, str | os.PathLike):
        return None
    try:
        files = _parquet_files(source)
        return tuple((f, os.stat(f).st_size, os.stat(f).st_mtime_ns) for f in files)
    except (DataError, OSError):
        return None  # engine_frame says what is wrong with the path


# The last per-customer totals computed from Parquet files, with what the warning about left-out
# rows says: rfm_table then summary_from_transactions on the same files (the customer-value
# pipeline) read them once. One entry only, so that memory holds one customer table at most;
# it is used only while the files are unchanged (same names, sizes and modification times).
_LAST_FILES_TOTALS: dict[tuple, tuple] = {}


class CustomerTotals:
    """Per-customer purchase totals computed in an engine, as ``mlmarketing.clv`` reads them.

    ``per_customer()`` gives what ``clv._Purchases.per_customer`` gives (first and last day,
    number of purchase days, total and first-day amount), ``holdout`` the number and amount of
    the purchases after the calibration end, in the same customer order.
    """

    def __init__(self, each: dict[str, np.ndarray], customers: pd.Index, end: pd.Timestamp,
                 holdout: tuple[np.ndarray, np.ndarray] | None) -> None:
        self.each, self.customers, self.end, self.holdout = each, customers, end, holdout

    @property
    def end_day(self) -> int:
        return int(np.datetime64(self.end, "D").astype(np.int64))

    def per_customer(self) -> dict[str, np.ndarray]:
        return self.each


def customer_totals(frame: Any, customer: str, date: str, amount: str | None, end: pd.Timestamp | None,
                    cut: pd.Timestamp | None = None, *, first_amount: bool = True,
                    stacklevel: int = 4, source: object = None) -> CustomerTotals:
    """The reduction behind ``rfm_table`` and ``summary_from_transactions``, pushed down to the engine.

    Rows of one customer on one day are one purchase (their amounts summed); rows without a
    customer, a date or an amount are left out with a DataWarning; negative or infinite
    amounts and dates after ``end`` raise, as on pandas. With ``cut`` the totals describe the
    purchases up to ``cut`` (included) and ``holdout`` those after it. ``first_amount=False``
    skips the amount of the first purchase (RFM does not need it; NaN then; on DuckDB it is
    computed anyway, in the same pass). ``source``, the caller's input: when it is a path to
    Parquet files, totals just computed from the same unchanged files are reused.
    """
    import narwhals as nw

    from mlmarketing._validation import warn_dropped

    signature = _files_signature(source)
    key = None if signature is None else (signature, customer, date, amount, end, cut, PART_ROWS)
    if key is not None and key in _LAST_FILES_TOTALS:
        totals_found, n_dropped, rows, shown_reasons = _LAST_FILES_TOTALS[key]
        warn_dropped(n_dropped, rows, shown_reasons, stacklevel=stacklevel)
        return totals_found
    _LAST_FILES_TOTALS.clear()  # the memory of the previous table is free before this one is made

    check_engine_columns(frame, [customer, date, amount])
    require_kind(frame, date, ["date"], role="date")
    if amount is not None:
        require_kind(frame, amount, ["number"], role="amount")
        value = nw.col(amount).cast(nw.Float64)
        no_amount = value.is_null() | value.is_nan()
    day = nw.col(date).cast(nw.Date)
    valid = ~nw.col(customer).is_null() & ~nw.col(date).is_null()
    checks = {
        "rows": nw.len(),
        "no_customer": _count(nw.col(customer).is_null()),
        "no_date": _count(nw.col(date).is_null()),
    }
    if amount is not None:
        valid = valid & ~no_amount
        checks |= {
            "no_amount": _count(no_amount),
            "negative": _count(value < 0),
            "smallest": nw.when(value < 0).then(value).min(),
            "infinite": _count(value.abs() == float("inf")),
        }
    else:
        # Without amounts every purchase is worth 0 (the revenue columns are 0).
        value = nw.col(date).is_null().cast(nw.Float64) * 0.0
        checks |= {"infinite": nw.len() * 0, "negative": nw.len() * 0}
    checks |= {"dropped": _count(~valid), "last": nw.when(valid).then(day).max()}
    if end is not None:
        checks["late"] = _count(valid & (day > end.date()))
        checks["first_late"] = nw.when(valid & (day > end.date())).then(day).min()
    on_duckdb = frame.implementation.is_duckdb()
    whole_ids = on_duckdb and frame.collect_schema()[customer].is_integer()
    if whole_ids:  # the range of the ids, to cut them in parts
        checks |= {"lowest_id": nw.col(customer).min(), "highest_id": nw.col(customer).max()}
    found = scalars(frame, **checks)
    rows = int(found["rows"])
    reasons = {f"no customer in {customer!r}": found["no_customer"], f"no date in {date!r}": found["no_date"]}
    if amount is not None:
        reasons[f"no amount in {amount!r}"] = found["no_amount"]
    if rows == 0:
        raise DataError("the transactions have no row: check the path or the filter that made them.")
    n_dropped = int(found["dropped"])
    if n_dropped == rows:
        raise DataError(
            f"every transaction lacks a customer, a date or an amount ({', '.join(reasons)}): "
            "check the column names and that the files were read completely."
        )
    if found["infinite"]:
        raise DataError(
            f"column {amount!r} has {int(found['infinite'])} infinite amount(s): fix the export, or "
            "drop those rows in the engine first."
        )
    if found["negative"]:
        raise DataError(
            f"column {amount!r} has {int(found['negative'])} negative amount(s) (such as "
            f"{float(found['smallest']):g}): returns or refunds. Net them against the purchase they "
            f"cancel, or drop them (a filter {amount} >= 0 in the engine) before computing customer value."
        )
    if pd.isna(found["last"]):
        raise DataError(
            f"every transaction lacks a date ({date!r} is empty): check the column names and that "
            "the files were read completely."
        )
    if end is None:
        end = pd.Timestamp(found["last"]).normalize().as_unit("ns")
    elif found["late"]:
        raise DataError(
            f"{int(found['late'])} transaction(s) are dated after the end of the observation "
            f"(as_of = {end.date()}), such as {pd.Timestamp(found['first_late']).date()}. "
            "Pass a later as_of, or drop the transactions after it."
        )
    def totals(part: Any) -> pd.DataFrame:
        clean = part.filter(valid).select(nw.col(customer).alias("_c"), day.alias("_d"), value.alias("_x"))
        later = None
        if cut is not None:
            later = (clean.filter(nw.col("_d") > cut.date()).group_by("_c")
                     .agg(nw.col("_d").n_unique().alias("_hn"), nw.col("_x").sum().alias("_hx")))
            clean = clean.filter(nw.col("_d") <= cut.date())
        if first_amount:
            # A purchase is a distinct (customer, day): counted as distinct days, in one pass per
            # customer; the amount of the first purchase from the rows of each first day.
            per = clean.group_by("_c").agg(
                nw.col("_d").min().alias("_first"), nw.col("_d").max().alias("_last"),
                nw.col("_d").n_unique().alias("_n"), nw.col("_x").sum().alias("_total"))
            starts = per.select(nw.col("_c").alias("_c1"), nw.col("_first").alias("_d1"))
            first = (clean.join(starts, left_on=["_c", "_d"], right_on=["_c1", "_d1"])
                     .group_by("_c").agg(nw.col("_x").sum().alias("_x1")))
            query = per.join(first, on="_c")
        else:  # the purchases (customer, day) first, then per customer: faster without the join
            purchases = clean.group_by("_c", "_d").agg(nw.col("_x").sum())
            query = purchases.group_by("_c").agg(
                nw.col("_d").min().alias("_first"), nw.col("_d").max().alias("_last"),
                nw.len().alias("_n"), nw.col("_x").sum().alias("_total"))
        if later is not None:
            query = query.join(later, on="_c", how="left")
        return to_pandas(query)

    if on_duckdb:
        bounds = (found["lowest_id"], found["highest_id"]) if whole_ids else None
        native = frame.to_native()
        parts = [_duckdb_totals(native, customer, date, amount, cut, where)
                 for where in _customer_parts(customer, rows, bounds)]
        # Column by column, each part's array let go once copied: one customer table in memory.
        columns = {name: np.concatenate([part.pop(name) for part in parts]) for name in list(parts[0])}
        del parts
    else:  # other engines plan their own partitions
        table = totals(frame)
        columns = {name: table.pop(name).to_numpy() for name in list(table.columns)}
        for name in ("_first", "_last"):
            columns[name] = day_numbers(pd.Series(columns[name]))
        for name in ("_hn", "_hx"):  # no purchase after the cut: none (the left join's missing value)
            if name in columns:
                columns[name] = np.nan_to_num(columns[name].astype(float), nan=0.0)
        if not first_amount:
            columns["_x1"] = np.full(len(columns["_c"]), np.nan)
        del table
    shown_reasons = ", ".join(f"{name} ({int(n)})" for name, n in reasons.items() if n)
    warn_dropped(n_dropped, rows, shown_reasons, stacklevel=stacklevel)
    n_customers = len(columns["_c"])
    if not n_customers:
        empty = {k: np.zeros(0) for k in ("code", "first", "last", "n", "total", "first_amount")}
        return CustomerTotals(empty, pd.Index([], dtype=object), end,
                              (np.zeros(0), np.zeros(0)) if cut is not None else None)
    # An engine adds in parallel, in an order that changes from run to run, so the last bits of
    # a sum change too; to a millionth of a currency unit the sums are the same on every run.
    for name in ("_total", "_x1", "_hx"):
        if name in columns:
            columns[name] = np.asarray(columns[name], dtype=float).round(6)
    order, ids = ids_in_text_order(pd.Series(columns.pop("_c")), customer)

    def ordered(name: str, dtype: type) -> np.ndarray:
        return np.asarray(columns.pop(name))[order].astype(dtype, copy=False)

    each = {
        "code": np.arange(n_customers),
        "first": ordered("_first", np.int64),
        "last": ordered("_last", np.int64),
        "n": ordered("_n", np.int64),
        "total": ordered("_total", float),
        "first_amount": ordered("_x1", float),
    }
    later = None
    if cut is not None:
        later = (ordered("_hn", np.int64), ordered("_hx", float))
    found_totals = CustomerTotals(each, pd.Index(ids, dtype=object), end, later)
    if key is not None:
        for array in [*each.values(), *(later or ())]:
            array.setflags(write=False)  # shared by the calls that reuse them: never changed
        _LAST_FILES_TOTALS[key] = (found_totals, n_dropped, rows, shown_reasons)
    return found_totals


# ----------------------------------------------------------------------------- media, products


def media_totals(frame: Any, by: str | Sequence[str] | None, named: dict[str, str]) -> pd.DataFrame:
    """The rows of a media table summed in its engine, per group and pattern of missing values.

    ``named`` maps each role (``spend``, ``clicks``, ...) to its column. Rows whose known values
    are the same columns are summed together, so that every KPI of ``media.media_kpis`` (each
    uses the rows where both of its numbers are known) is the same on the result as on the
    rows. Negative or infinite values, and more clicks than impressions, are refused here, row
    by row, before summing could hide them.
    """
    import narwhals as nw

    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    check_engine_columns(frame, keys, role="group column")
    for role, column in named.items():
        check_engine_columns(frame, column, role=f"{role} column")
        require_kind(frame, column, ["number"], role=role)
    values = {role: nw.col(column).cast(nw.Float64) for role, column in named.items()}
    known = {role: ~(value.is_null() | value.is_nan()) for role, value in values.items()}
    checks = {}
    for role, value in values.items():
        checks[f"negative {role}"] = _count(value < 0)
        checks[f"infinite {role}"] = _count(value.abs() == float("inf"))
    if "clicks" in values:
        checks["too many clicks"] = _count(values["clicks"] > values["impressions"])
    found = scalars(frame, **checks)
    for role, column in named.items():
        for problem in ("negative", "infinite"):
            if found[f"{problem} {role}"]:
                raise DataError(
                    f"column {column!r} ({role}) has {int(found[f'{problem} {role}'])} {problem} value(s): "
                    f"{role} cannot be {problem}. Fix or drop those rows in the engine first."
                )
    if found.get("too many clicks"):
        raise DataError(
            f"{int(found['too many clicks'])} row(s) have more clicks ({named['clicks']!r}) than "
            f"impressions ({named['impressions']!r}). Check that the two columns are not swapped and "
            "come from the same platform."
        )
    flags = [f"_known {role}" for role in named]
    rows = frame.select(*keys, *[known[r].alias(f"_known {r}") for r in named],
                        *[values[r].alias(c) for r, c in named.items()])
    reduced = rows.group_by(*keys, *flags).agg(
        *[nw.when(nw.col(f"_known {r}")).then(nw.col(c)).otherwise(0.0).sum().alias(c)
          for r, c in named.items()])
    table = to_pandas(reduced)
    for role, column in named.items():
        table[column] = table[column].where(table.pop(f"_known {role}").astype(bool))
    return table


def item_counts(frame: Any, item: str, *, name: str = "purchases") -> pd.Series:
    """Rows per product, counted in the engine; the ids as the kit's text (spellings merged)."""
    import narwhals as nw

    check_engine_columns(frame, [item])
    counted = to_pandas(frame.group_by(item).agg(nw.len().alias("_n")))
    missing = counted[item].isna()
    if missing.any():
        raise DataError(
            f"column {item!r} has {int(counted.loc[missing, '_n'].sum())} missing value(s); drop those "
            f"rows (a filter {item} IS NOT NULL in the engine) or fill them in first."
        )
    ids = read_ids(pd.Series(counted[item].to_numpy(dtype=object), dtype=object), column=item)
    sales = pd.Series(counted["_n"].to_numpy(dtype=np.int64), index=pd.Index(ids.to_numpy(dtype=str)))
    return sales.groupby(level=0).sum()


# ----------------------------------------------------------------------------- funnels, cohorts


def funnel_counts(frame: Any, arm: str, labels: dict[str, str]) -> pd.DataFrame:
    """E-mails per arm and combination of funnel steps reached, counted in the engine (column ``_n``).

    A step column is read by the kit's rule, on the engine's types: booleans are yes/no (no
    missing value), dates mean "happened" where present, numbers are 0/1 flags or amounts
    (happened where present and not 0; negative or infinite refused). Text must be converted
    in the engine. Every row that reached a step must have reached the step before, and a
    later step's date cannot be earlier: both are checked row by row here.
    """
    import narwhals as nw

    check_engine_columns(frame, arm, role="arm column")
    check_engine_columns(frame, list(labels.values()), role="step column")
    flags, dates, checks = {}, {}, {"rows": nw.len(), "no arm": _count(nw.col(arm).is_null())}
    kinds = {}
    for label, column in labels.items():
        kind = kinds[label] = require_kind(frame, column, ["bool", "date", "number"], role="step")
        values = nw.col(column)
        checks[f"missing {label}"] = _count(values.is_null())
        if kind == "bool":
            flags[label] = values
        elif kind == "date":
            flags[label], dates[label] = ~values.is_null(), values
        else:
            number = values.cast(nw.Float64)
            present = ~(number.is_null() | number.is_nan())
            checks[f"negative {label}"] = _count(number < 0)
            checks[f"infinite {label}"] = _count(number.abs() == float("inf"))
            checks[f"not 0/1 {label}"] = _count(present & (number != 0) & (number != 1))
            flags[label] = present & (number != 0)
    names = list(labels)
    for before, after in zip(names[:-1], names[1:], strict=True):
        checks[f"skipped {after}"] = _count(flags[after] & ~flags[before])
        if before in dates and after in dates:
            checks[f"backwards {after}"] = _count(dates[after] < dates[before])
    found = scalars(frame, **checks)
    rows = int(found["rows"])
    if found["no arm"]:
        raise DataError(
            f"column {arm!r} has {int(found['no arm'])} missing value(s): every e-mail must belong to "
            "an arm. Drop those rows or fill in the arm in the engine before comparing."
        )
    for label, column in labels.items():
        missing = int(found[f"missing {label}"])
        if missing == rows:
            raise DataError(
                f"column {column!r} has no value at all ({rows} missing): an event column that is empty "
                "on every row is usually the wrong column, not an event that never happened."
            )
        number = kinds[label] == "number"
        if missing and (kinds[label] == "bool" or (number and not found[f"not 0/1 {label}"])):
            raise DataError(
                f"column {column!r} is a yes/no column with {missing} missing value(s): say yes or no on "
                "every row (fill them in the engine, e.g. coalesce(col, false))."
            )
        for problem in ("negative", "infinite"):
            if number and found[f"{problem} {label}"]:
                raise DataError(
                    f"column {column!r} has {int(found[f'{problem} {label}'])} {problem} value(s): an "
                    "amount or count cannot be. Fix or drop those rows in the engine first."
                )
    for before, after in zip(names[:-1], names[1:], strict=True):
        if found[f"skipped {after}"]:
            raise DataError(
                f"{int(found[f'skipped {after}'])} row(s) reached step {after!r} without step {before!r} "
                f"(column {labels[after]!r} is set but {labels[before]!r} is not). A funnel's steps must "
                "be in order: check the step order, or fill the earlier step from the later one first."
            )
        if found.get(f"backwards {after}"):
            raise DataError(
                f"{int(found[f'backwards {after}'])} row(s) have {labels[after]!r} earlier than "
                f"{labels[before]!r}: events out of order. Check the time zones of the two columns."
            )
    reduced = frame.select(nw.col(arm), *[flag.alias(f"_step {label}") for label, flag in flags.items()])
    steps = [f"_step {label}" for label in labels]
    table = to_pandas(reduced.group_by(arm, *steps).agg(nw.len().alias("_n")))
    return table.rename(columns={f"_step {label}": label for label in labels})


def subscription_pairs(frame: Any, start: str, end: str) -> pd.DataFrame:
    """The distinct (start, end) pairs of a subscription table with their accounts (``_n``), from the engine.

    Dates are cut to days (the cohort table's grain); the result is indexed by a label that a
    message can quote ("(12 accounts from 2024-01-05)").
    """
    import narwhals as nw

    check_engine_columns(frame, [start, end], role="date column")
    for column in (start, end):
        require_kind(frame, column, ["date"], role="date")
    pairs = frame.select(nw.col(start).cast(nw.Date), nw.col(end).cast(nw.Date)).group_by(
        start, end, drop_null_keys=False).agg(nw.len().alias("_n"))
    table = to_pandas(pairs)
    for column in (start, end):
        table[column] = pd.to_datetime(table[column]).astype("datetime64[ns]")
    table = table.sort_values([start, end], na_position="last", ignore_index=True)
    table.index = [f"({n} accounts from {s:%Y-%m-%d})" if pd.notna(s) else f"({n} accounts)"
                   for n, s in zip(table["_n"], table[start], strict=True)]
    return table
