"""Customer value: RFM tables, BG/NBD and Gamma-Gamma models, and customer lifetime value.

Used by ``04-01-customer-value.ipynb``.

- :func:`rfm_table` turns raw transactions into one row per customer with recency, frequency
  and monetary value, 1-5 scores and a named segment (champions, at risk, hibernating, ...);
  :func:`rfm_segment_summary` gives each segment's share of customers and of revenue.
- :func:`summary_from_transactions` gives the inputs of the probabilistic models (repeat
  purchases ``frequency``, ``recency`` and ``age``, the papers' *T*, and the mean repeat spend),
  optionally split into a calibration period and a holdout period.
- :class:`BetaGeo` is the BG/NBD model of purchasing and dropping out (Fader, Hardie and Lee
  2005, "Counting your customers the easy way"); :class:`GammaGamma` the model of spend per
  transaction (Fader, Hardie and Lee 2005, "RFM and CLV"). Both are scikit-learn estimators
  fitted by maximum likelihood with :func:`scipy.optimize.minimize` and analytic gradients,
  their standard errors from the observed information (BG/NBD by ``statsmodels.tools.numdiff``,
  Gamma-Gamma from its exact Hessian, which also finishes its fit by Newton steps). The
  maintained libraries ``pymc-marketing`` (``BetaGeoModel``, ``GammaGammaModel``, Bayesian)
  and ``lifetimes`` (no longer developed) implement the same models; this module gives the
  same estimates with a small dependency footprint and messages written for students.
- :func:`customer_lifetime_value` combines them into a discounted value per customer;
  :func:`holdout_table` and :func:`plot_holdout` draw the classic check of predicted against
  actual purchases in a holdout period.

Choices made visibly, the same on every input (the kit's rulebook, see CONTRIBUTING.md):

- Dates are read with :func:`mlmarketing._validation.read_dates` (ISO, else day first:
  ``"01/02/2024"`` is 1 February); ``as_of`` and ``calibration_end`` with ``read_date``.
- Customer ids are compared as text after normalising (``7``, ``"7"`` and ``"7.0"`` are one
  customer); the tables are indexed by that text.
- A row without a customer, a date or an amount is left out, and a
  :class:`mlmarketing.DataWarning` counts those rows.
- Several rows of one customer on the same day are **one purchase** whose amount is their sum
  (an order split over several lines). Rows that repeat exactly are therefore summed too: if
  your export duplicates rows by mistake, drop them first with ``df.drop_duplicates()``.
- Amounts must be finite numbers. Negative amounts (returns, refunds) raise
  :class:`mlmarketing.DataError` naming the rows: net them against the purchase they cancel,
  or drop them. Zero amounts (free items) are kept as purchases.
- The first purchase of each customer starts their relationship: ``frequency`` counts the
  *repeat* purchases and ``monetary value`` is the mean of the repeat purchases (0 when there
  are none), as in the papers.
- Gamma-Gamma needs a positive mean spend: repeat customers whose mean repeat spend is 0 are
  left out of its fit, with a :class:`mlmarketing.DataWarning` counting them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats
from sklearn.base import BaseEstimator
from statsmodels.tools.numdiff import approx_fprime, approx_hess3
from threadpoolctl import threadpool_limits

from mlmarketing._engines import customer_totals, engine_frame
from mlmarketing._errors import DataError
from mlmarketing._validation import (
    check_columns,
    check_frame,
    check_level,
    check_numeric,
    check_positive_int,
    describe_rows,
    new_axes,
    read_date,
    read_dates,
    read_ids,
    warn_dropped,
)

__all__ = [
    "TIME_UNITS",
    "BetaGeo",
    "GammaGamma",
    "customer_lifetime_value",
    "describe_transactions",
    "compress_summary",
    "holdout_table",
    "plot_holdout",
    "rfm_segment_summary",
    "rfm_table",
    "summary_from_transactions",
]

# Length of one time unit in days.
TIME_UNITS: dict[str, float] = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12}

# Segment names from the recency score R and the frequency score F (the usual RFM grid).
_SEGMENTS: list[tuple[str, str, str]] = [
    # (R scores, F scores, name)
    ("12", "12", "hibernating"),
    ("12", "34", "at risk"),
    ("12", "5", "can't lose them"),
    ("3", "12", "about to sleep"),
    ("3", "3", "need attention"),
    ("34", "45", "loyal customers"),
    ("4", "1", "promising"),
    ("5", "1", "new customers"),
    ("45", "23", "potential loyalists"),
    ("5", "45", "champions"),
]
SEGMENT_ORDER = [
    "champions",
    "loyal customers",
    "potential loyalists",
    "new customers",
    "promising",
    "need attention",
    "about to sleep",
    "at risk",
    "can't lose them",
    "hibernating",
]


# --------------------------------------------------------------------------------------------
# From transactions to one row per customer
# --------------------------------------------------------------------------------------------


def _day_number(stamp: pd.Timestamp) -> int:
    return int(np.datetime64(stamp, "D").astype(np.int64))


def _end_date(value: object, name: str) -> pd.Timestamp:
    return read_date(value, name).normalize()


@dataclass
class _Purchases:
    """Checked purchases, one per customer and day, sorted by customer then day."""

    code: np.ndarray  # position of the customer in `customers`
    day: np.ndarray  # days since 1970-01-01
    amount: np.ndarray
    customers: pd.Index
    end: pd.Timestamp

    @property
    def end_day(self) -> int:
        return _day_number(self.end)

    def select(self, keep: np.ndarray) -> _Purchases:
        return _Purchases(
            self.code[keep], self.day[keep], self.amount[keep], self.customers, self.end
        )

    def per_customer(self) -> dict[str, np.ndarray]:
        """First and last day, number of purchases, total and first amount, per customer."""
        starts = np.flatnonzero(np.r_[True, self.code[1:] != self.code[:-1]])
        ends = np.r_[starts[1:], len(self.code)]
        return {
            "code": self.code[starts],
            "first": self.day[starts],
            "last": self.day[ends - 1],
            "n": ends - starts,
            "total": np.add.reduceat(self.amount, starts),
            "first_amount": self.amount[starts],
        }


def _customer_codes(series: pd.Series, column: str) -> tuple[np.ndarray, pd.Index]:
    """Codes of the customers (-1 when missing) and their ids as normalised, sorted text."""
    # Ids repeat: each distinct value is normalised once; spellings of one id then merge.
    codes, uniques = pd.factorize(series, sort=True, use_na_sentinel=True)
    texts = read_ids(pd.Series(uniques, dtype=object), column=column, allow_missing=True)
    new_codes, customers = pd.factorize(texts, sort=True)
    lookup = np.append(new_codes, -1)
    return lookup[codes], pd.Index(customers, dtype=object)


def _prepare(
    transactions: pd.DataFrame,
    customer: str,
    date: str,
    amount: str | None,
    as_of: object,
    cut: pd.Timestamp | None = None,
    first_amount: bool = True,
) -> _Purchases:
    """Check the transactions and merge the rows of one customer and day into one purchase.

    On an engine (Polars, DuckDB, Spark, Parquet files) the merging and the totals per
    customer run there and come back as per-customer totals, split at ``cut`` when given.
    """
    frame = engine_frame(transactions, name="transactions")
    if frame is not None:
        end = None if as_of is None else _end_date(as_of, "as_of")
        return customer_totals(frame, customer, date, amount, end, cut, first_amount=first_amount,
                               stacklevel=5, source=transactions)
    check_frame(transactions, name="transactions")
    columns = [customer, date] + ([amount] if amount is not None else [])
    check_columns(transactions, columns)
    if amount is not None:
        check_numeric(transactions, [amount], what="amounts")
    end = None if as_of is None else _end_date(as_of, "as_of")
    codes, customers = _customer_codes(transactions[customer], customer)
    dates = read_dates(transactions[date], column=date)
    missing = {
        f"no customer in {customer!r}": codes < 0,
        f"no date in {date!r}": dates.isna().to_numpy(),
    }
    if amount is not None:
        values = pd.to_numeric(transactions[amount]).to_numpy(dtype=float)
        missing[f"no amount in {amount!r}"] = np.isnan(values)
    else:
        values = np.zeros(len(transactions))
    dropped = np.zeros(len(transactions), dtype=bool)
    for flags in missing.values():
        dropped |= flags
    if dropped.all():
        raise DataError(
            f"every transaction lacks a customer, a date or an amount ({', '.join(missing)}): "
            "check the column names and that the file was read completely."
        )
    reasons = ", ".join(f"{name} ({int(flags.sum())})" for name, flags in missing.items() if flags.any())
    warn_dropped(int(dropped.sum()), len(transactions), reasons, stacklevel=4)
    negative = values < 0
    if negative.any():
        raise DataError(
            f"column {amount!r} has {int(negative.sum())} negative amount(s) "
            f"({describe_rows(transactions.index, negative)}, such as {values[negative][0]:g}): "
            f"returns or refunds. Net them against the purchase they cancel, or drop them "
            f"(df[df[{amount!r}] >= 0]) before computing customer value."
        )
    if dropped.any():
        keep = ~dropped
        codes, values = codes[keep], values[keep]
        dates = dates[keep]
    days = dates.to_numpy().astype("datetime64[D]").astype(np.int64)
    if end is None:
        end = dates.max().normalize()
    late = days > _day_number(end)
    if late.any():
        raise DataError(
            f"{int(late.sum())} transaction(s) are dated after the end of the observation "
            f"(as_of = {end.date()}), such as {dates[late].iloc[0].date()} "
            f"({describe_rows(dates.index, late)}). "
            "Pass a later as_of, or drop the transactions after it."
        )
    # Rows of one customer on one day are one purchase (an order split over lines).
    first_day = days.min()
    span = int(days.max() - first_day) + 1
    keys, which = np.unique(codes.astype(np.int64) * span + (days - first_day), return_inverse=True)
    summed = np.bincount(which.ravel(), weights=values, minlength=len(keys))
    return _Purchases(keys // span, keys % span + first_day, summed, customers, end)


def _scores(values: pd.Series, n_scores: int, higher_is_better: bool = True) -> pd.Series:
    """Scores 1..n_scores from the rank, in equal slices; tied customers share the lower score."""
    ranked = values if higher_is_better else -values
    n = len(values)
    if n == 1:
        return pd.Series([(n_scores + 1) // 2], index=values.index)
    whole = ranked.to_numpy()
    if whole.dtype.kind in "iu" and n and int(whole.max()) - int(whole.min()) < 4 * n:
        # Days and counts: the "min" rank (1 + the number of smaller values) from a count of each
        # value, in one pass; the same ranks as a sort, which takes seconds for millions of customers.
        offset = whole.astype(np.int64) - int(whole.min())
        counts = np.bincount(offset)
        rank = (np.cumsum(counts) - counts)[offset] + 1
    else:
        rank = ranked.rank(method="min").to_numpy()
    position = (rank - 1) / (n - 1)  # 0 (worst) .. 1 (best)
    scores = 1 + np.floor(position * n_scores).astype(int)
    return pd.Series(np.minimum(scores, n_scores), index=values.index)


def _segment_codes(r: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Each customer's segment as its position in SEGMENT_ORDER (-1: none), from the r and f scores."""
    # The grid is defined on 1-5 scores: filled once (a later rule wins), then looked up.
    grid = np.full((5, 5), -1)
    for r_scores, f_scores, name in _SEGMENTS:
        for r_score in r_scores:
            grid[int(r_score) - 1, [int(s) - 1 for s in f_scores]] = SEGMENT_ORDER.index(name)
    return grid[r - 1, f - 1]


def rfm_table(
    transactions: pd.DataFrame,
    customer: str,
    date: str,
    amount: str,
    as_of: object = None,
) -> pd.DataFrame:
    """Recency, frequency and monetary value of every customer, with scores and a segment.

    Parameters
    ----------
    transactions : pandas.DataFrame, or a Polars, DuckDB or Spark frame, or Parquet files
        One row per transaction (or order line). Dates as dates or text (ISO, else day first);
        amounts as finite, non-negative numbers. Rows without a customer, a date or an amount
        are left out with a :class:`mlmarketing.DataWarning`.
    customer, date, amount : str
        Names of the customer id, date and amount columns.
    as_of : date-like, optional
        The day the table describes (recency is counted back from it), e.g. ``"2024-12-31"`` or
        ``"31/12/2024"``. Default: the last transaction date. Transactions after it raise
        :class:`mlmarketing.DataError`.

    Returns
    -------
    pandas.DataFrame
        One row per customer (index: the customer id as text), columns ``recency in days``
        (days since the last purchase), ``frequency`` (number of purchase days), ``monetary``
        (total spend), the scores ``r score``, ``f score``, ``m score`` from 1 (worst fifth of
        customers) to 5 (best fifth; tied customers share the lower score), ``rfm code`` (the
        three scores as text) and ``segment``, named from the r and f scores with the usual
        grid (champions, loyal customers, potential loyalists, new customers, promising, need
        attention, about to sleep, at risk, can't lose them, hibernating).

    Examples
    --------
    >>> tx = pd.DataFrame({"client": ["a", "a", "b"],
    ...                    "day": ["05/01/2024", "2024-03-01", "01/02/2024"],
    ...                    "euros": [20.0, 30.0, 15.0]})
    >>> table = rfm_table(tx, "client", "day", "euros")
    >>> table[["recency in days", "frequency", "monetary"]].reset_index()
      client  recency in days  frequency  monetary
    0      a                0          2      50.0
    1      b               29          1      15.0
    """
    purchases = _prepare(transactions, customer, date, amount, as_of, first_amount=False)
    each = purchases.per_customer()
    table = pd.DataFrame(
        {
            "recency in days": (purchases.end_day - each["last"]).astype(int),
            "frequency": each["n"].astype(int),
            "monetary": each["total"].round(2),
        },
        index=pd.Index(purchases.customers[each["code"]], name=customer),
    )
    r = _scores(table["recency in days"], 5, higher_is_better=False)
    f = _scores(table["frequency"], 5)
    table["r score"] = r
    table["f score"] = f
    table["m score"] = _scores(table["monetary"], 5)
    # The 125 codes written once and looked up: text per customer is slow for millions of them.
    which = ((r - 1) * 25 + (f - 1) * 5 + table["m score"] - 1).to_numpy()
    names = [f"{a}{b}{c}" for a in "12345" for b in "12345" for c in "12345"]
    codes = pd.Categorical.from_codes(which, names)
    table["rfm code"] = pd.Series(codes, index=table.index).astype(str)
    segments = _segment_codes(r.to_numpy(), f.to_numpy())
    table["segment"] = pd.Categorical.from_codes(segments, categories=SEGMENT_ORDER)
    return table


def rfm_segment_summary(rfm: pd.DataFrame) -> pd.DataFrame:
    """Size and value of each RFM segment: customers, revenue and their shares.

    Parameters
    ----------
    rfm : pandas.DataFrame
        The output of :func:`rfm_table`.

    Returns
    -------
    pandas.DataFrame
        One row per segment, from the most to the least revenue: ``customers``,
        ``share of customers``, ``revenue``, ``share of revenue``, ``mean recency in days``,
        ``mean frequency``.

    Examples
    --------
    >>> tx = pd.DataFrame({"client": ["a", "a", "b"],
    ...                    "day": ["2024-01-05", "2024-03-01", "2024-02-01"],
    ...                    "euros": [20.0, 30.0, 15.0]})
    >>> int(rfm_segment_summary(rfm_table(tx, "client", "day", "euros"))["customers"].sum())
    2
    """
    check_frame(rfm, name="rfm")
    check_columns(rfm, ["segment", "monetary", "recency in days", "frequency"])
    grouped = rfm.groupby("segment", observed=True)
    table = pd.DataFrame(
        {
            "customers": grouped.size(),
            "revenue": grouped["monetary"].sum().round(2),
            "mean recency in days": grouped["recency in days"].mean(),
            "mean frequency": grouped["frequency"].mean(),
        }
    )
    table.insert(1, "share of customers", table["customers"] / table["customers"].sum())
    table.insert(3, "share of revenue", table["revenue"] / table["revenue"].sum())
    table.index = table.index.astype(str)
    return table.sort_values("revenue", ascending=False)


def describe_transactions(
    transactions: pd.DataFrame,
    customer: str,
    date: str,
    amount: str | None = None,
    *,
    as_of: object = None,
    calibration_end: object = None,
    holdout_share: float = 0.25,
) -> pd.DataFrame:
    """The observation period of a transactions file, and a calibration end derived from it.

    Read as :func:`summary_from_transactions` reads it (rows of one customer on one day are one
    purchase; rows without a customer, a date or an amount are left out with a
    :class:`mlmarketing.DataWarning`), so that a new file needs no date typed by hand.

    Parameters
    ----------
    transactions : pandas.DataFrame, or a Polars, DuckDB or Spark frame, or Parquet files
        One row per transaction.
    customer, date : str
        Names of the customer id and date columns.
    amount : str, optional
        Name of the amount column; without it the revenue columns are 0.
    as_of : date-like, optional
        End of the observation (default: the last transaction date).
    calibration_end : date-like, optional
        End of the calibration period, read like ``as_of`` (``"31/03/2024"`` is 31 March); it
        must fall between the first and the last day. Default: derived with ``holdout_share``.
    holdout_share : float, default 0.25
        Share of the history kept for the holdout when ``calibration_end`` is not given: the
        last day minus this share of the days from the first transaction to the last day.

    Returns
    -------
    pandas.DataFrame
        One row: ``purchases``, ``customers``, ``first day``, ``last day``, ``calibration end``
        (dates as Timestamps), ``revenue`` and ``mean basket`` (revenue per purchase).

    Examples
    --------
    >>> tx = pd.DataFrame({"client": ["a", "a", "b"],
    ...                    "day": ["2024-01-01", "31/12/2024", "01/07/2024"],
    ...                    "euros": [10.0, 20.0, 30.0]})
    >>> period = describe_transactions(tx, "client", "day", "euros")
    >>> str(period["calibration end"].iloc[0].date()), float(period["mean basket"].iloc[0])
    ('2024-10-01', 20.0)
    """
    share = _share(holdout_share, "holdout_share", low=1e-9, high=0.9,
                   meaning="a share of the history between 0 and 0.9, such as 0.25")
    purchases = _prepare(transactions, customer, date, amount, as_of, first_amount=False)
    each = purchases.per_customer()
    first = pd.Timestamp(int(each["first"].min()), unit="D")
    last = purchases.end
    days = (last - first).days
    if days < 2:
        raise DataError(
            f"the transactions cover {days + 1} day(s) (from {first.date()} to {last.date()}): "
            "a customer-value model needs a history long enough to see customers come back."
        )
    if calibration_end is None:
        cut = last - pd.Timedelta(days=max(1, round(share * days)))
    else:
        cut = _end_date(calibration_end, "calibration_end")
        if not first <= cut < last:
            raise DataError(
                f"calibration_end ({cut.date()}) must be on or after the first transaction "
                f"({first.date()}) and before the last day ({last.date()}), so that both periods "
                "hold purchases; leave it None to derive it from the data."
            )
    # On pandas the sum over the purchases themselves, as always (the same last digits).
    revenue = float(purchases.amount.sum() if isinstance(purchases, _Purchases) else each["total"].sum())
    n_purchases = int(each["n"].sum())
    return pd.DataFrame(
        {
            "purchases": [n_purchases],
            "customers": [len(each["code"])],
            "first day": [first],
            "last day": [last],
            "calibration end": [cut],
            "revenue": [revenue],
            "mean basket": [revenue / n_purchases],
        }
    )


def _unit_length(time_unit: str) -> float:
    if not isinstance(time_unit, str) or time_unit not in TIME_UNITS:
        raise DataError(
            f"time_unit must be one of {', '.join(repr(u) for u in TIME_UNITS)}, got {time_unit!r}."
        )
    return TIME_UNITS[time_unit]


def _per_customer(purchases: _Purchases, end_day: int, unit: float) -> pd.DataFrame:
    each = purchases.per_customer()
    frequency = each["n"] - 1
    repeat_spend = np.where(frequency > 0, each["total"] - each["first_amount"], 0.0)
    return pd.DataFrame(
        {
            "frequency": frequency.astype(int),
            "recency": (each["last"] - each["first"]) / unit,
            "age": (end_day - each["first"]) / unit,
            "monetary value": repeat_spend / np.maximum(frequency, 1),
        },
        index=purchases.customers[each["code"]],
    )


def summary_from_transactions(
    transactions: pd.DataFrame,
    customer: str,
    date: str,
    amount: str | None = None,
    *,
    as_of: object = None,
    calibration_end: object = None,
    time_unit: str = "weeks",
) -> pd.DataFrame:
    """Frequency, recency, age and mean spend per customer: the inputs of BG/NBD and Gamma-Gamma.

    Parameters
    ----------
    transactions : pandas.DataFrame, or a Polars, DuckDB or Spark frame, or Parquet files
        One row per transaction. Rows of one customer on one day count as one purchase.
    customer, date : str
        Names of the customer id and date columns.
    amount : str, optional
        Name of the amount column; without it ``monetary value`` is 0.
    as_of : date-like, optional
        End of the observation, e.g. ``"2024-12-31"`` or ``"31/12/2024"`` (default: the last
        transaction date).
    calibration_end : date-like, optional
        If given, the models' columns describe the *calibration* period up to this day
        (included) and three columns describe the holdout period after it, up to ``as_of``.
        Customers whose first purchase is after ``calibration_end`` are not in the table (they
        were not customers yet).
    time_unit : {"weeks", "days", "months"}, default "weeks"
        Unit of ``recency``, ``age`` and ``holdout duration``.

    Returns
    -------
    pandas.DataFrame
        One row per customer (index: the customer id as text): ``frequency`` (repeat
        purchases: all purchases but the first), ``recency`` (time from the first to the last
        purchase), ``age`` (time from the first purchase to the end, the papers' *T*),
        ``monetary value`` (mean amount of the repeat purchases, 0 if none); with
        ``calibration_end`` also ``holdout frequency``, ``holdout monetary value`` (mean
        amount in the holdout, 0 if none) and ``holdout duration``. ``attrs["time_unit"]``
        records the unit.

    Examples
    --------
    >>> tx = pd.DataFrame({"client": ["a", "a", "a", "b"],
    ...                    "day": ["2024-01-01", "15/01/2024", "29/01/2024", "08/01/2024"],
    ...                    "euros": [10.0, 20.0, 40.0, 5.0]})
    >>> summary_from_transactions(tx, "client", "day", "euros").reset_index()
      client  frequency  recency  age  monetary value
    0      a          2      4.0  4.0            30.0
    1      b          0      0.0  3.0             0.0
    """
    unit = _unit_length(time_unit)
    cut = None if calibration_end is None else _end_date(calibration_end, "calibration_end")
    purchases = _prepare(transactions, customer, date, amount, as_of, cut)
    end = purchases.end
    if cut is None:
        table = _per_customer(purchases, purchases.end_day, unit)
    else:
        if cut >= end:
            raise DataError(
                f"calibration_end ({cut.date()}) must be before the end of the observation "
                f"({end.date()}), so that a holdout period remains."
            )
        if isinstance(purchases, _Purchases):
            in_calibration = purchases.day <= _day_number(cut)
            calibration = purchases.select(in_calibration)
            holdout = purchases.select(~in_calibration)
            n_all = len(purchases.customers)
            count = np.bincount(holdout.code, minlength=n_all)
            spend = np.bincount(holdout.code, weights=holdout.amount, minlength=n_all)
            known = np.unique(calibration.code)
        else:  # totals from an engine, already split at the cut
            calibration, (count, spend) = purchases, purchases.holdout
            known = purchases.per_customer()["code"]
        if not len(known):
            raise DataError(
                f"no transaction on or before calibration_end ({cut.date()}): choose a later date."
            )
        table = _per_customer(calibration, _day_number(cut), unit)
        table["holdout frequency"] = count[known].astype(int)
        table["holdout monetary value"] = spend[known] / np.maximum(count[known], 1)
        table["holdout duration"] = (end - cut).days / unit
    table.index.name = customer
    table.attrs["time_unit"] = time_unit
    return table


# --------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------


def _column(summary: pd.DataFrame, name: str, *, what: str = "values") -> np.ndarray:
    check_columns(summary, [name])
    check_numeric(summary, [name], non_negative=True, what=what)
    values = pd.to_numeric(summary[name]).to_numpy(dtype=float)
    missing = np.isnan(values)
    if missing.any():
        raise DataError(
            f"column {name!r} has missing values ({describe_rows(summary.index, missing)}): "
            "drop or fill those customers first."
        )
    return values


def _frequencies(summary: pd.DataFrame, frequency: str) -> np.ndarray:
    x = _column(summary, frequency, what="numbers of repeat purchases")
    fractional = x != np.round(x)
    if fractional.any():
        raise DataError(
            f"column {frequency!r} must hold whole numbers of repeat purchases "
            f"({describe_rows(summary.index, fractional)} are not, such as {x[fractional][0]:g}). "
            "Use the output of summary_from_transactions."
        )
    return x


def _rfm_arrays(
    summary: pd.DataFrame, frequency: str, recency: str, age: str, *, allow_zero_age: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    check_frame(summary, name="summary")
    x = _frequencies(summary, frequency)
    t_x = _column(summary, recency, what="recencies (time since the first purchase)")
    t_age = _column(summary, age, what="ages (time since the first purchase)")
    rows = summary.index
    late = t_age < t_x - 1e-9
    if late.any():
        raise DataError(
            f"some customers have {recency!r} larger than {age!r} ({describe_rows(rows, late)}): "
            "the last purchase cannot be after the end of the observation. Was the summary "
            "computed with the right as_of?"
        )
    stray = (x == 0) & (t_x > 0)
    if stray.any():
        raise DataError(
            f"customers with {frequency!r} = 0 must have {recency!r} = 0 (no repeat purchase); "
            f"{describe_rows(rows, stray)} do not. Use the output of summary_from_transactions."
        )
    same_day = (x > 0) & (t_x == 0)
    if same_day.any():
        raise DataError(
            f"customers with repeat purchases must have {recency!r} > 0 "
            f"({describe_rows(rows, same_day)} do not): purchases on the first day are part of "
            "the first purchase. Use the output of summary_from_transactions."
        )
    if not allow_zero_age and (t_age <= 0).any():
        raise DataError(
            f"column {age!r} must be positive: the age of each customer at the end "
            f"({describe_rows(rows, t_age <= 0)} have 0)."
        )
    return x, t_x, t_age


def _weights(summary: pd.DataFrame, name: str | None) -> np.ndarray | None:
    """The number of customers each row stands for (None: one each): whole numbers, 1 or more."""
    if name is None:
        return None
    w = _column(summary, name, what="numbers of customers")
    odd = (w != np.round(w)) | (w < 1)
    if odd.any():
        raise DataError(
            f"column {name!r} must count the customers each row stands for (whole numbers, 1 or "
            f"more); {describe_rows(summary.index, odd)} do not. Use the output of compress_summary."
        )
    return w


def compress_summary(
    summary: pd.DataFrame,
    columns: Sequence[str] = ("frequency", "recency", "age"),
    *,
    weights: str = "customers",
) -> pd.DataFrame:
    """The distinct rows of a customer summary, with the number of customers each stands for.

    BG/NBD depends on a customer only through (frequency, recency, age), and Gamma-Gamma
    through (frequency, monetary value): fitting on the distinct rows with these counts as
    weights (``BetaGeo(weights="customers")``) gives the same estimates as fitting on every
    customer, in a fraction of the time. Ten million customers bought on a few hundred days
    make a few hundred thousand distinct rows.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per customer, as :func:`summary_from_transactions` returns it.
    columns : sequence of str, default ("frequency", "recency", "age")
        The columns a model reads; use ``("frequency", "monetary value")`` for Gamma-Gamma.
    weights : str, default "customers"
        Name of the count column added.

    Returns
    -------
    pandas.DataFrame
        One row per distinct combination of ``columns`` (sorted), with ``weights``;
        ``attrs`` (the time unit) kept.

    Examples
    --------
    >>> summary = pd.DataFrame({"frequency": [0, 0, 2, 2], "recency": [0.0, 0.0, 3.0, 3.0],
    ...                         "age": [5.0, 5.0, 6.0, 6.0]})
    >>> compress_summary(summary)
       frequency  recency  age  customers
    0          0      0.0  5.0          2
    1          2      3.0  6.0          2
    """
    check_frame(summary, name="summary")
    names = check_columns(summary, list(columns))
    if weights in summary.columns:
        raise DataError(
            f"summary already has a column {weights!r}: pass another name with weights=..."
        )
    table = summary.groupby(names, sort=True).size().rename(weights).reset_index()
    table.attrs = dict(summary.attrs)
    return table


def _maximise(
    neg_log_likelihood, n_params: int, *, with_gradient: bool = False, hessian=None
) -> tuple[np.ndarray, float, bool, np.ndarray]:
    """Minimise over log-parameters; return estimates, max log-likelihood, success, std errors.

    With ``with_gradient`` the function returns (value, gradient in log-parameters). With
    ``hessian`` (a function of the log-parameters giving the Hessian of the function), a few
    Newton steps finish the search where L-BFGS-B stops short (its tolerance leaves about 1e-5
    of relative error in the estimates), and the standard errors use the exact Hessian instead
    of finite differences.
    """
    # One BLAS thread: the problems are tiny (3-4 parameters), and on a busy 2-core machine
    # OpenBLAS threads waiting for a core made a 10 ms Gamma-Gamma fit take 0.3 s.
    with threadpool_limits(limits=1, user_api="blas"):
        return _minimise_log_parameters(neg_log_likelihood, n_params, with_gradient, hessian)


def _minimise_log_parameters(
    neg_log_likelihood, n_params: int, with_gradient: bool, hessian
) -> tuple[np.ndarray, float, bool, np.ndarray]:
    start = np.zeros(n_params)
    result = optimize.minimize(
        neg_log_likelihood,
        start,
        jac=with_gradient,
        method="L-BFGS-B",
        bounds=[(-12, 12)] * n_params,
    )
    best = result
    value_only = (lambda v: neg_log_likelihood(v)[0]) if with_gradient else neg_log_likelihood
    if not result.success:
        polish = optimize.minimize(
            value_only,
            result.x,
            method="Nelder-Mead",
            options={"maxiter": 4000, "xatol": 1e-8, "fatol": 1e-10},
        )
        best = polish if polish.fun <= result.fun else result
    point, value, success = best.x, float(best.fun), bool(best.success)
    if hessian is not None:
        point, value, success = _newton_polish(neg_log_likelihood, hessian, point, value, success)
    estimates = np.exp(point)
    # Standard errors from the observed information, by the delta method on log-parameters.
    with np.errstate(all="ignore"):
        if hessian is not None:
            information = hessian(point)
        elif with_gradient:
            information = approx_fprime(point, lambda v: neg_log_likelihood(v)[1], centered=True)
            information = (information + information.T) / 2
        else:
            information = approx_hess3(point, value_only)
        try:
            covariance = np.linalg.inv(information)
            errors = estimates * np.sqrt(np.clip(np.diag(covariance), 0, None))
        except np.linalg.LinAlgError:
            errors = np.full(n_params, np.nan)
    return estimates, -value, success, errors


def _newton_polish(
    neg_log_likelihood, hessian, point: np.ndarray, value: float, success: bool
) -> tuple[np.ndarray, float, bool]:
    """Newton steps from ``point`` while the function is convex there and keeps going down."""
    for _ in range(8):
        if np.abs(point).max() >= 12:  # at a bound: the maximum is not an interior point
            break
        with np.errstate(all="ignore"):
            _, gradient = neg_log_likelihood(point)
            curvature = hessian(point)
            try:
                np.linalg.cholesky(curvature)  # convex there: Newton's step goes down
                step = -np.linalg.solve(curvature, gradient)
            except np.linalg.LinAlgError:  # not convex there: keep L-BFGS-B's answer
                break
        if not np.isfinite(step).all():
            break
        trial = point + step
        trial_value = neg_log_likelihood(trial)[0]
        if not trial_value <= value + 1e-12 * abs(value):
            break
        point, value = trial, float(trial_value)
        if np.abs(step).max() < 1e-10:
            return point, value, True
    return point, value, success


class _Model(BaseEstimator):
    _param_names: tuple[str, ...] = ()

    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise DataError(
                f"this {type(self).__name__} is not fitted yet: call .fit(summary) first."
            )

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """The fitted parameters with their standard errors and confidence intervals.

        The interval is computed on the log scale (every parameter is positive) and
        transformed back, so it never goes below 0.

        Parameters
        ----------
        level : float, default 0.95
            Confidence level of the interval.

        Returns
        -------
        pandas.DataFrame
            One row per parameter: ``estimate``, ``std error``, ``low``, ``high``.
        """
        level = check_level(level)
        self._check_fitted()
        estimate = pd.Series(self.params_, dtype=float)
        error = pd.Series(self.standard_errors_, dtype=float)
        z = stats.norm.ppf(0.5 + level / 2)
        spread = np.exp(z * error / estimate)
        table = pd.DataFrame(
            {"estimate": estimate, "std error": error, "low": estimate / spread, "high": estimate * spread}
        )
        table.index.name = "parameter"
        return table


class BetaGeo(_Model):
    """The BG/NBD model: customers buy at their own rate until they silently drop out.

    While "alive", a customer makes repeat purchases as a Poisson process of rate
    ``lambda``; after each repeat purchase she drops out with probability ``p``. Across
    customers ``lambda`` follows a gamma distribution (shape ``r``, rate ``alpha``) and ``p`` a
    beta distribution (``a``, ``b``). Fader, Hardie and Lee (2005), "Counting your customers
    the easy way: an alternative to the Pareto/NBD model", *Marketing Science* 24(2).

    A scikit-learn estimator (``clone``, ``get_params`` and ``set_params`` work); it is fitted
    on one row per customer, the output of :func:`summary_from_transactions`, and
    :meth:`summary` gives the parameter table.

    Parameters
    ----------
    frequency, recency, age : str
        Column names in the summary table (the defaults are those of
        :func:`summary_from_transactions`; ``age`` is the papers' *T*).
    weights : str, optional
        Column with the number of customers each row stands for, as in the output of
        :func:`compress_summary`: the likelihood depends on nothing but (frequency, recency,
        age), so ten million customers fit as their few hundred thousand distinct rows, with
        the same estimates. None: one customer per row.

    Attributes
    ----------
    params_ : dict
        Maximum-likelihood estimates of ``r``, ``alpha``, ``a``, ``b`` (``alpha`` in the time
        unit of the summary).
    standard_errors_ : dict
        Their standard errors (inverse observed information).
    log_likelihood_ : float
    converged_ : bool
    n_customers_ : int
    time_unit_ : str or None
        Taken from ``summary.attrs["time_unit"]`` when present.

    Examples
    --------
    >>> from mlmarketing import load_dataset
    >>> summary = summary_from_transactions(load_dataset("cdnow"), "customer_id", "date",
    ...                                     "amount", as_of="1998-06-30",
    ...                                     calibration_end="1997-09-30")
    >>> model = BetaGeo().fit(summary)
    >>> {name: round(value, 3) for name, value in model.params_.items()}
    {'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}
    >>> float(model.probability_alive(summary).loc["0001"].round(3))
    0.727
    >>> model.summary().round(3).columns.tolist()
    ['estimate', 'std error', 'low', 'high']
    """

    _param_names = ("r", "alpha", "a", "b")

    def __init__(
        self, frequency: str = "frequency", recency: str = "recency", age: str = "age",
        weights: str | None = None,
    ) -> None:
        self.frequency = frequency
        self.recency = recency
        self.age = age
        self.weights = weights

    @staticmethod
    def _neg_log_likelihood(
        log_params: np.ndarray,
        x: np.ndarray,
        t_x: np.ndarray,
        age: np.ndarray,
        x_levels: np.ndarray,
        x_index: np.ndarray,
        weights: np.ndarray | None = None,
    ) -> tuple[float, np.ndarray]:
        """Minus the log-likelihood (equation 6 of the paper) and its gradient in log-parameters.

        ``weights``: the number of customers each row stands for (None: one each).
        """
        params = np.exp(log_params)
        r, alpha, a, b = params
        w = np.ones(len(x)) if weights is None else weights
        n = len(x) if weights is None else w.sum()
        # Terms that depend on x only, computed once per distinct x.
        base = special.gammaln(r + x_levels) - special.gammaln(r) + r * np.log(alpha)
        stay = special.betaln(a, b + x_levels) - special.betaln(a, b)
        repeat = x_levels > 0
        b_leave = np.where(repeat, b + x_levels - 1, 1.0)
        leave = np.where(repeat, special.betaln(a + 1, b_leave) - special.betaln(a, b), -np.inf)
        rx = r + x
        log_age = np.log(alpha + age)
        log_recency = np.log(alpha + t_x)
        a1 = stay[x_index] - rx * log_age
        a2 = leave[x_index] - rx * log_recency
        total = np.logaddexp(a1, a2)
        # Customers per distinct x (whole counts without weights, summed as before them).
        by_level = np.bincount(x_index, minlength=len(x_levels)) if weights is None else np.bincount(
            x_index, weights=w, minlength=len(x_levels))
        # Sums over rows with NumPy, not BLAS's dot (`@`): its threads stall on a busy machine.
        value = by_level @ base + (w * total).sum()
        # Share of each customer's likelihood from "still alive" (w1) and "left after x" (w2),
        # times the customers of the row.
        share = np.exp(a1 - total)
        w1, w2 = w * share, w * (1.0 - share)
        w1_level = np.bincount(x_index, weights=w1, minlength=len(x_levels))
        w2_level = np.bincount(x_index, weights=w2, minlength=len(x_levels))
        psi_abx = special.digamma(a + b + x_levels)
        d_r = (
            by_level @ (special.digamma(r + x_levels) - special.digamma(r) + np.log(alpha))
            - (w1 * log_age + w2 * log_recency).sum()
        )
        d_alpha = n * r / alpha - (rx * (w1 / (alpha + age) + w2 / (alpha + t_x))).sum()
        d_a = (
            w1_level @ (special.digamma(a) - psi_abx)
            + w2_level @ np.where(repeat, special.digamma(a + 1) - psi_abx, 0.0)
            - n * (special.digamma(a) - special.digamma(a + b))
        )
        d_b = (
            w1_level @ (special.digamma(b + x_levels) - psi_abx)
            + w2_level @ np.where(repeat, special.digamma(b_leave) - psi_abx, 0.0)
            - n * (special.digamma(b) - special.digamma(a + b))
        )
        gradient = -np.array([d_r, d_alpha, d_a, d_b]) * params
        if not np.isfinite(value) or not np.isfinite(gradient).all():
            return 1e300, np.zeros(4)
        return -float(value), gradient

    def fit(self, summary: pd.DataFrame) -> BetaGeo:
        """Fit the model to one row per customer (``frequency``, ``recency``, ``age``).

        Returns
        -------
        BetaGeo
            ``self``, fitted.
        """
        x, t_x, age = _rfm_arrays(summary, self.frequency, self.recency, self.age)
        w = _weights(summary, self.weights)
        n_customers, n_repeat = (w.sum(), w[x > 0].sum()) if w is not None else (len(x), (x > 0).sum())
        if n_customers < 10 or n_repeat < 2:
            raise DataError(
                f"BetaGeo needs at least 10 customers, some with repeat purchases; got {n_customers:g} "
                f"customer(s), {n_repeat:g} with repeat purchases."
            )
        x_levels, x_index = np.unique(x, return_inverse=True)

        def neg_log_likelihood(log_params: np.ndarray) -> tuple[float, np.ndarray]:
            return self._neg_log_likelihood(log_params, x, t_x, age, x_levels, x_index, w)

        estimates, loglik, converged, errors = _maximise(neg_log_likelihood, 4, with_gradient=True)
        self.params_ = dict(zip(self._param_names, estimates.tolist(), strict=True))
        self.standard_errors_ = dict(zip(self._param_names, errors.tolist(), strict=True))
        self.log_likelihood_ = loglik
        self.converged_ = converged
        self.n_customers_ = int(n_customers)
        self.time_unit_ = summary.attrs.get("time_unit")
        return self

    def _arrays(self, summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self._check_fitted()
        return _rfm_arrays(summary, self.frequency, self.recency, self.age, allow_zero_age=True)

    def probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """Probability that each customer is still active ("alive") at the end of the observation.

        A customer without repeat purchase has probability 1: in the BG/NBD model nobody drops
        out before a first repeat purchase.
        """
        x, t_x, age = self._arrays(summary)
        odds = self._dropout_odds(x, t_x, age)
        return pd.Series(1.0 / (1.0 + odds), index=summary.index, name="probability alive")

    def expected_purchases(self, summary: pd.DataFrame, t: float) -> pd.Series:
        """Expected number of purchases of each customer in the next ``t`` time units.

        The conditional expectation of Fader, Hardie and Lee (2005), equation (10), written with
        Euler's transformation of the hypergeometric function so that it stays finite for
        frequent buyers.
        """
        x, t_x, age = self._arrays(summary)
        return pd.Series(
            self._conditional(x, t_x, age, _positive(t, "t")),
            index=summary.index,
            name="expected purchases",
        )

    def _conditional(self, x: np.ndarray, t_x: np.ndarray, age: np.ndarray, t: float) -> np.ndarray:
        r, alpha, a, b = (self.params_[k] for k in self._param_names)
        z = t / (alpha + age + t)
        # Euler: ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)
        #      = (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), finite for any x.
        hyper = (1 - z) ** (a - 1) * special.hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
        numerator = (a + b + x - 1) / (a - 1) * (1 - hyper)
        return numerator / (1 + self._dropout_odds(x, t_x, age))

    def _dropout_odds(self, x: np.ndarray, t_x: np.ndarray, age: np.ndarray) -> np.ndarray:
        """Odds that a customer has dropped out, given the history (0 without repeat purchase)."""
        r, alpha, a, b = (self.params_[k] for k in self._param_names)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ratio = (
                np.log(a)
                - np.log(np.maximum(b + x - 1, 1e-300))
                + (r + x) * (np.log(alpha + age) - np.log(alpha + t_x))
            )
        odds = np.where(x > 0, np.exp(log_ratio), 0.0)
        return odds

    def expected_purchases_new_customer(self, t: float) -> float:
        """Expected repeat purchases in ``t`` time units of a customer who just bought first."""
        self._check_fitted()
        value = self._conditional(np.zeros(1), np.zeros(1), np.zeros(1), _positive(t, "t"))
        return float(value[0])


class _SpendData:
    """The Gamma-Gamma likelihood of the repeat customers, its gradient and Hessian.

    Each customer adds (Fader and Hardie 2013, equation 4, with px = p·x)
    ``lnΓ(px + q) - lnΓ(px) - lnΓ(q) + q ln γ + (px - 1) ln m + px ln x - (px + q) ln(γ + x m)``.
    The gamma-function terms depend on x only and are computed once per distinct number of
    repeat purchases; what depends on each customer's spend is a logarithm and a few sums.
    Those sums are written ``(a * b).sum()``, not ``a @ b``: above 10,000 values OpenBLAS
    spreads a dot product over threads, whose wake-up costs milliseconds on a busy machine.
    With ``weights`` (the customers each row of a compressed summary stands for) every sum over
    rows is weighted: the same likelihood as on the customers themselves.
    """

    def __init__(self, x: np.ndarray, m: np.ndarray, weights: np.ndarray | None = None) -> None:
        self.x, self.xm, self.w = x, x * m, weights
        self.levels, index = np.unique(x, return_inverse=True)
        self.counts = np.bincount(index, weights=weights).astype(float)
        self.n = float(len(x) if weights is None else weights.sum())
        self.sum_log_m = self._sum(np.log(m))
        self.sum_x_log_xm = self._sum(x * np.log(self.xm))

    def _sum(self, values: np.ndarray) -> float:
        """Sum over the rows, each counted for its customers."""
        return float(values.sum() if self.w is None else (self.w * values).sum())

    def _parts(self, log_params: np.ndarray):
        p, q, gamma = np.exp(log_params)
        px = p * self.levels
        spread = gamma + self.xm
        return p, q, gamma, px, spread

    def neg_log_likelihood(self, log_params: np.ndarray) -> tuple[float, np.ndarray]:
        """Minus the log-likelihood and its gradient in log-parameters."""
        p, q, gamma, px, spread = self._parts(log_params)
        log_spread = np.log(spread)
        sum_log, sum_x_log = self._sum(log_spread), self._sum(self.x * log_spread)
        c, n = self.counts, self.n
        value = (
            c @ (special.gammaln(px + q) - special.gammaln(px))
            - n * special.gammaln(q)
            + n * q * np.log(gamma)
            + p * self.sum_x_log_xm
            - self.sum_log_m
            - p * sum_x_log
            - q * sum_log
        )
        psi_pxq = special.digamma(px + q)
        inverse = 1.0 / spread
        d_p = c @ (self.levels * (psi_pxq - special.digamma(px))) + self.sum_x_log_xm - sum_x_log
        d_q = c @ psi_pxq - n * special.digamma(q) + n * np.log(gamma) - sum_log
        d_gamma = n * q / gamma - p * self._sum(self.x * inverse) - q * self._sum(inverse)
        gradient = -np.array([d_p * p, d_q * q, d_gamma * gamma])
        if not np.isfinite(value) or not np.isfinite(gradient).all():
            return 1e300, np.zeros(3)
        return -float(value), gradient

    def hessian(self, log_params: np.ndarray) -> np.ndarray:
        """Hessian of minus the log-likelihood in log-parameters."""
        p, q, gamma, px, spread = self._parts(log_params)
        c, n, levels = self.counts, self.n, self.levels
        inverse = 1.0 / spread
        squared = inverse * inverse
        tri_pxq, tri_px = special.polygamma(1, px + q), special.polygamma(1, px)
        psi_pxq = special.digamma(px + q)
        # Second derivatives of the log-likelihood in (p, q, gamma) ...
        h_pp = c @ (levels**2 * (tri_pxq - tri_px))
        h_pq = c @ (levels * tri_pxq)
        h_pg = -self._sum(self.x * inverse)
        h_qq = c @ tri_pxq - n * special.polygamma(1, q)
        h_qg = n / gamma - self._sum(inverse)
        h_gg = -n * q / gamma**2 + p * self._sum(self.x * squared) + q * self._sum(squared)
        second = np.array([[h_pp, h_pq, h_pg], [h_pq, h_qq, h_qg], [h_pg, h_qg, h_gg]])
        # ... and the first, for the change to log-parameters: d²/du² = θ² d²/dθ² + θ d/dθ.
        log_spread = np.log(spread)
        first = np.array([
            c @ (levels * (psi_pxq - special.digamma(px))) + self.sum_x_log_xm
            - self._sum(self.x * log_spread),
            c @ psi_pxq - n * special.digamma(q) + n * np.log(gamma) - self._sum(log_spread),
            n * q / gamma - p * self._sum(self.x * inverse) - q * self._sum(inverse),
        ])
        theta = np.array([p, q, gamma])
        return -(np.outer(theta, theta) * second + np.diag(theta * first))


class GammaGamma(_Model):
    """The Gamma-Gamma model of the amount spent per transaction.

    Each transaction of a customer is gamma distributed (shape ``p``, rate ``nu``) around her
    own mean ``p / nu``; across customers ``nu`` follows a gamma distribution (shape ``q``, rate
    ``gamma``). Fitted on the customers with at least one repeat purchase (``frequency`` > 0)
    from their number of repeat purchases and mean repeat spend; the others are ignored in the
    fit and get the population mean in :meth:`expected_spend`. Fader, Hardie and Lee (2005),
    "RFM and CLV: using iso-value curves for customer base analysis", *Journal of Marketing
    Research* 42(4); Fader and Hardie (2013), "The Gamma-Gamma model of monetary value".

    The model needs a positive mean spend: repeat customers whose mean repeat spend is 0 (free
    items only) are left out of the fit, and a :class:`mlmarketing.DataWarning` counts them;
    :meth:`expected_spend` still gives them the model's expected spend (the population mean,
    pulled towards their 0). Negative mean spends are refused.

    The model assumes that how much a customer spends per purchase does not depend on how
    often she buys: check that the correlation between ``frequency`` and ``monetary value`` is
    small.

    Parameters
    ----------
    frequency, monetary_value : str
        Column names in the summary table (the defaults are those of
        :func:`summary_from_transactions`).
    weights : str, optional
        Column with the number of customers each row stands for (the output of
        ``compress_summary(summary, ["frequency", "monetary value"])``); None: one per row.

    Attributes
    ----------
    params_ : dict
        ``p``, ``q`` and ``gamma``.
    standard_errors_, log_likelihood_, converged_, n_customers_
        As in :class:`BetaGeo`; ``n_customers_`` counts the repeat customers used.
    mean_spend_ : float
        Mean spend per transaction in the population, ``p * gamma / (q - 1)``.

    Examples
    --------
    >>> summary = pd.DataFrame({"frequency": [1, 2, 3, 1, 5, 2, 0],
    ...                         "monetary value": [20.0, 35.0, 30.0, 12.0, 60.0, 25.0, 0.0]})
    >>> model = GammaGamma().fit(summary)
    >>> model.n_customers_
    6
    """

    _param_names = ("p", "q", "gamma")

    def __init__(
        self, frequency: str = "frequency", monetary_value: str = "monetary value",
        weights: str | None = None,
    ) -> None:
        self.frequency = frequency
        self.monetary_value = monetary_value
        self.weights = weights

    def _arrays(self, summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        check_frame(summary, name="summary")
        x = _frequencies(summary, self.frequency)
        m = _column(summary, self.monetary_value, what="mean spends")
        return x, m

    def fit(self, summary: pd.DataFrame) -> GammaGamma:
        """Fit to the customers with ``frequency`` > 0 and a positive mean repeat spend.

        One-time buyers carry no repeat spend; repeat customers with a mean repeat spend of 0
        are left out with a :class:`mlmarketing.DataWarning`.

        Returns
        -------
        GammaGamma
            ``self``, fitted.
        """
        x, m = self._arrays(summary)
        w = _weights(summary, self.weights)
        w = np.ones(len(x)) if w is None else w
        repeat = x > 0
        free = repeat & (m <= 0)
        if free.any():
            warn_dropped(
                int(w[free].sum()),
                int(w[repeat].sum()),
                f"repeat customers of the Gamma-Gamma fit have {self.monetary_value!r} = 0 (such as "
                f"{summary.index[free][0]!r}), and the model needs a positive mean spend",
            )
        used = repeat & ~free
        if w[used].sum() < 5:
            raise DataError(
                "GammaGamma needs at least 5 customers with repeat purchases and a positive mean "
                f"spend; got {int(w[used].sum())}."
            )
        x, m = x[used], m[used]
        data = _SpendData(x, m, None if self.weights is None else w[used])
        estimates, loglik, converged, errors = _maximise(
            data.neg_log_likelihood, 3, with_gradient=True, hessian=data.hessian
        )
        self.params_ = dict(zip(self._param_names, estimates.tolist(), strict=True))
        self.standard_errors_ = dict(zip(self._param_names, errors.tolist(), strict=True))
        self.log_likelihood_ = loglik
        self.converged_ = converged
        self.n_customers_ = int(w[used].sum())
        p, q, gamma = estimates
        self.mean_spend_ = float(p * gamma / (q - 1)) if q > 1 else float("inf")
        return self

    def expected_spend(self, summary: pd.DataFrame) -> pd.Series:
        """Expected spend per future transaction of each customer.

        A weighted mean of the population mean and the customer's own mean repeat spend; the
        more repeat purchases, the more weight on her own mean. Customers without repeat
        purchase get the population mean :attr:`mean_spend_`.
        """
        self._check_fitted()
        x, m = self._arrays(summary)
        p, q, gamma = (self.params_[k] for k in self._param_names)
        if q <= 1:
            raise DataError(
                f"the fitted q is {q:.3f} <= 1: the mean spend is infinite under this model, so no "
                "expected spend can be given. Look for extreme amounts in the data."
            )
        weight = p * x / (p * x + q - 1)
        value = (1 - weight) * self.mean_spend_ + weight * np.where(x > 0, m, 0.0)
        return pd.Series(value, index=summary.index, name="expected spend")


def _positive(value: float, name: str) -> float:
    if (
        not isinstance(value, int | float | np.integer | np.floating)
        or not value > 0
        or math.isinf(value)
    ):
        raise DataError(f"{name} must be a positive number of time units, got {value!r}.")
    return float(value)


def _share(value: object, name: str, *, low: float, high: float, meaning: str) -> float:
    """A number in [low, high) or (low, high], as ``meaning`` says, for rates and margins."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.integer | np.floating)
        or not math.isfinite(value)
        or not low <= value <= high
    ):
        raise DataError(f"{name} must be {meaning}, got {value!r}.")
    return float(value)


# --------------------------------------------------------------------------------------------
# Lifetime value and the holdout check
# --------------------------------------------------------------------------------------------


def customer_lifetime_value(
    purchase_model: BetaGeo,
    spend_model: GammaGamma,
    summary: pd.DataFrame,
    *,
    months: int = 12,
    monthly_discount_rate: float = 0.01,
    margin: float = 1.0,
    time_unit: str | None = None,
) -> pd.DataFrame:
    """Discounted value of each customer's future purchases over the next ``months``.

    The expected purchases of each month (from ``purchase_model``) times the expected spend per
    purchase (from ``spend_model``) times ``margin``, discounted at ``monthly_discount_rate``
    and summed: value = sum over months i of margin x spend x purchases in month i / (1 + d)^i.

    Parameters
    ----------
    purchase_model : BetaGeo
        Fitted on a summary in ``time_unit``.
    spend_model : GammaGamma
        Fitted.
    summary : pandas.DataFrame
        One row per customer, with the columns both models use.
    months : int, default 12
        Horizon.
    monthly_discount_rate : float, default 0.01
        Cost of money per month (0.01 is about 12.7 % a year).
    margin : float, default 1.0
        Share of revenue that is profit (1.0 gives the value in revenue).
    time_unit : {"weeks", "days", "months"}, optional
        Unit of the summary; default the one recorded when ``purchase_model`` was fitted,
        else weeks.

    Returns
    -------
    pandas.DataFrame
        One row per customer: ``expected purchases`` over the horizon, ``expected spend`` per
        purchase and ``clv`` (discounted, in the currency of the amounts).

    Examples
    --------
    >>> from mlmarketing import load_dataset
    >>> summary = summary_from_transactions(load_dataset("cdnow"), "customer_id", "date",
    ...                                     "amount", as_of="1998-06-30")
    >>> clv = customer_lifetime_value(BetaGeo().fit(summary), GammaGamma().fit(summary), summary)
    >>> clv.columns.tolist()
    ['expected purchases', 'expected spend', 'clv']
    """
    months = check_positive_int(months, "months")
    monthly_discount_rate = _share(
        monthly_discount_rate, "monthly_discount_rate", low=0.0, high=0.999,
        meaning="a rate per month between 0 and 1, such as 0.01 for 1 %",
    )
    margin = _share(margin, "margin", low=1e-12, high=1.0, meaning="a share between 0 and 1, such as 0.3")
    models = ((purchase_model, BetaGeo, "purchase_model"), (spend_model, GammaGamma, "spend_model"))
    for model, kind, name in models:
        if not isinstance(model, kind):
            raise DataError(
                f"{name} must be a fitted {kind.__name__}, got {type(model).__name__}: "
                f"pass {kind.__name__}().fit(summary)."
            )
    purchase_model._check_fitted()
    unit = time_unit or purchase_model.time_unit_ or "weeks"
    per_month = TIME_UNITS["months"] / _unit_length(unit)
    x, t_x, age = purchase_model._arrays(summary)
    spend = spend_model.expected_spend(summary).to_numpy()
    value = np.zeros(len(x))
    before = np.zeros(len(x))
    for i in range(1, months + 1):
        cumulative = purchase_model._conditional(x, t_x, age, i * per_month)
        value += (cumulative - before) / (1 + monthly_discount_rate) ** i
        before = cumulative
    return pd.DataFrame(
        {"expected purchases": before, "expected spend": spend, "clv": margin * spend * value},
        index=summary.index,
    )


def holdout_table(
    summary: pd.DataFrame,
    predictions: Mapping[str, Sequence[float] | np.ndarray | pd.Series],
    *,
    max_frequency: int = 7,
) -> pd.DataFrame:
    """Mean actual and predicted holdout purchases, by number of repeat purchases in calibration.

    Parameters
    ----------
    summary : pandas.DataFrame
        The output of :func:`summary_from_transactions` with ``calibration_end``.
    predictions : dict
        Name of a method -> its predicted holdout purchases, one per customer (a Series indexed
        by customer is aligned on the summary; anything else is taken in the summary's order).
    max_frequency : int, default 7
        Customers with more calibration purchases are grouped in the last row ("7+").

    Returns
    -------
    pandas.DataFrame
        One row per calibration frequency: ``customers``, ``actual`` and one column per method.

    Examples
    --------
    >>> summary = pd.DataFrame({"frequency": [0, 0, 1, 3], "holdout frequency": [0, 1, 1, 2]})
    >>> holdout_table(summary, {"naive": [0, 0, 1, 3]}, max_frequency=2).to_dict("list")
    {'customers': [2, 1, 1], 'actual': [0.5, 1.0, 2.0], 'naive': [0.0, 1.0, 3.0]}
    """
    check_frame(summary, name="summary")
    max_frequency = check_positive_int(max_frequency, "max_frequency")
    frequency = _frequencies(summary, "frequency")
    actual = _column(summary, "holdout frequency", what="holdout purchases")
    if not isinstance(predictions, Mapping) or not predictions:
        raise DataError(
            "predictions must be a dict of method name -> predicted holdout purchases, such as "
            "{'BG/NBD': model.expected_purchases(summary, horizon)}."
        )
    group = np.where(frequency >= max_frequency, max_frequency, frequency).astype(int)
    table = pd.DataFrame({"actual": actual})
    for name, values in predictions.items():
        if isinstance(values, pd.Series) and values.index.equals(summary.index):
            pass
        elif isinstance(values, pd.Series) and set(values.index) == set(summary.index):
            values = values.reindex(summary.index)
        column = pd.DataFrame({name: np.asarray(values).ravel()}).infer_objects()
        if len(column) != len(summary):
            raise DataError(
                f"predictions {name!r} have {len(column)} value(s) for {len(summary)} customers: "
                "give one prediction per row of the summary, in the same order."
            )
        check_numeric(column, [name], what="predictions")
        table[name] = column[name].to_numpy(dtype=float)
    grouped = table.groupby(group)
    out = grouped.mean()
    out.insert(0, "customers", grouped.size())
    labels = [str(k) if k < max_frequency else f"{max_frequency}+" for k in out.index]
    out.index = pd.Index(labels, name="calibration purchases")
    return out


def plot_holdout(table: pd.DataFrame, *, ax=None):
    """The classic chart: mean holdout purchases, actual and predicted, by calibration purchases.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`holdout_table`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_frame(table, name="table")
    check_columns(table, ["actual"])
    ax = new_axes(ax)
    positions = np.arange(len(table))
    ax.plot(positions, table["actual"], color="black", linewidth=2.5, marker="o", label="actual")
    for name in table.columns:
        if name in ("actual", "customers"):
            continue
        ax.plot(positions, table[name], marker=".", linestyle="--", label=name)
    ax.set_xticks(positions, table.index)
    ax.set_xlabel("repeat purchases in the calibration period")
    ax.set_ylabel("mean purchases in the holdout period")
    ax.set_title("Predicted versus actual purchases in the holdout")
    ax.legend()
    return ax
