"""Customer value: RFM tables, BG/NBD and Gamma-Gamma models, and customer lifetime value.

Used by ``04-01-customer-value.ipynb``.

- :func:`rfm_table` turns raw transactions into one row per customer with recency, frequency
  and monetary value, 1-5 scores and a named segment (champions, at risk, hibernating, ...);
  :func:`rfm_segment_summary` gives each segment's share of customers and of revenue.
- :func:`summary_from_transactions` gives the inputs of the probabilistic models (repeat
  purchases ``frequency``, ``recency`` and age ``T``, mean repeat spend), optionally split into a
  calibration period and a holdout period.
- :class:`BetaGeo` is the BG/NBD model of purchasing and dropping out (Fader, Hardie and Lee
  2005, "Counting your customers the easy way"); :class:`GammaGamma` the model of spend per
  transaction (Fader, Hardie and Lee 2005, "RFM and CLV"). Both are fitted by maximum likelihood
  with :func:`scipy.optimize.minimize`; no maintained library implements them.
- :func:`customer_lifetime_value` combines them into a discounted value per customer;
  :func:`holdout_table` and :func:`plot_holdout` draw the classic check of predicted against
  actual purchases in a holdout period.

Choices made visibly, the same on every input:

- Several rows of one customer on the same day are **one purchase** whose amount is their sum
  (an order split over several lines). Rows that repeat exactly are therefore summed too: if
  your export duplicates rows by mistake, drop them first with ``df.drop_duplicates()``.
- Negative amounts (returns, refunds) raise :class:`mlmarketing.DataError`: net them against
  the purchase they cancel, or drop them. Zero amounts (free items) are kept as purchases.
- The first purchase of each customer starts their relationship: ``frequency`` counts the
  *repeat* purchases and ``monetary_value`` is the mean of the repeat purchases (0 when there
  are none), as in the papers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

from mlmarketing._errors import DataError
from mlmarketing._validation import check_columns, check_frame, check_numeric

__all__ = [
    "TIME_UNITS",
    "BetaGeo",
    "GammaGamma",
    "customer_lifetime_value",
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


def _to_dates(series: pd.Series, column: str) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        dates = series
    else:
        try:
            dates = pd.to_datetime(series, format="ISO8601")
        except (ValueError, TypeError):
            dates = pd.to_datetime(series, errors="coerce", dayfirst=True, format="mixed")
        bad = series[dates.isna() & series.notna()]
        if len(bad):
            raise DataError(
                f"column {column!r} must hold dates but holds {bad.iloc[0]!r}. Write dates as "
                "2024-03-31 or 31/03/2024, or read the file with mlmarketing.read_table(path)."
            )
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    return dates


def _as_timestamp(value: object, name: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise DataError(f"{name} must be a date such as '2024-12-31', got {value!r}.")
    return stamp.normalize()


def _day_number(stamp: pd.Timestamp) -> int:
    return int(np.datetime64(stamp, "D").astype(np.int64))


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


def _prepare(
    transactions: pd.DataFrame,
    customer: str,
    date: str,
    amount: str | None,
    as_of: object,
) -> _Purchases:
    """Check the transactions and merge the rows of one customer and day into one purchase."""
    check_frame(transactions, name="transactions")
    columns = [customer, date] + ([amount] if amount is not None else [])
    check_columns(transactions, columns)
    for column in columns:
        missing = int(transactions[column].isna().sum())
        if missing:
            raise DataError(
                f"column {column!r} has {missing} missing value(s). Every transaction needs a "
                "customer, a date and an amount: drop or fill those rows first."
            )
    dates = _to_dates(transactions[date], date)
    if amount is not None:
        check_numeric(transactions, [amount])
        values = pd.to_numeric(transactions[amount]).to_numpy(dtype=float)
        negative = values < 0
        if negative.any():
            raise DataError(
                f"column {amount!r} has {int(negative.sum())} negative amount(s), such as "
                f"{values[negative][0]!r}: returns or refunds. Net them against the purchase they "
                f"cancel, or drop them (df[df[{amount!r}] >= 0]) before computing customer value."
            )
    else:
        values = np.zeros(len(transactions))
    days = dates.to_numpy().astype("datetime64[D]").astype(np.int64)
    end = dates.max().normalize() if as_of is None else _as_timestamp(as_of, "as_of")
    late = days > _day_number(end)
    if late.any():
        raise DataError(
            f"{int(late.sum())} transaction(s) are dated after the end of the observation "
            f"(as_of = {end.date()}), such as {dates[late].iloc[0].date()}. "
            "Pass a later as_of, or drop the transactions after it."
        )
    codes, customers = pd.factorize(transactions[customer], sort=True)
    # Rows of one customer on one day are one purchase (an order split over lines).
    first_day = days.min()
    span = int(days.max() - first_day) + 1
    keys, which = np.unique(codes.astype(np.int64) * span + (days - first_day), return_inverse=True)
    summed = np.bincount(which.ravel(), weights=values, minlength=len(keys))
    return _Purchases(keys // span, keys % span + first_day, summed, pd.Index(customers), end)


def _scores(values: pd.Series, n_scores: int, higher_is_better: bool = True) -> pd.Series:
    """Scores 1..n_scores from the rank, in equal slices; tied customers share the lower score."""
    ranked = values if higher_is_better else -values
    n = len(values)
    if n == 1:
        return pd.Series([(n_scores + 1) // 2], index=values.index)
    position = (ranked.rank(method="min").to_numpy() - 1) / (n - 1)  # 0 (worst) .. 1 (best)
    scores = 1 + np.floor(position * n_scores).astype(int)
    return pd.Series(np.minimum(scores, n_scores), index=values.index)


def _segment_names(r: np.ndarray, f: np.ndarray) -> np.ndarray:
    # The grid is defined on 1-5 scores.
    names = np.full(len(r), "other", dtype=object)
    for r_scores, f_scores, name in _SEGMENTS:
        hit = np.isin(r, [int(s) for s in r_scores]) & np.isin(f, [int(s) for s in f_scores])
        names[hit] = name
    return names


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
    transactions : pandas.DataFrame
        One row per transaction (or order line).
    customer, date, amount : str
        Names of the customer id, date and amount columns.
    as_of : date-like, optional
        The day the table describes (recency is counted back from it). Default: the last
        transaction date. Transactions after it raise :class:`mlmarketing.DataError`.

    Returns
    -------
    pandas.DataFrame
        One row per customer (index: the customer id), columns ``recency_days`` (days since
        the last purchase), ``frequency`` (number of purchase days), ``monetary`` (total spend),
        the scores ``R``, ``F``, ``M`` from 1 (worst fifth of customers) to 5 (best fifth;
        tied customers share the lower score), ``RFM`` (the three scores as text) and
        ``segment``, named from R and F with the usual grid (champions, loyal customers,
        potential loyalists, new customers, promising, need attention, about to sleep,
        at risk, can't lose them, hibernating).

    Examples
    --------
    >>> tx = pd.DataFrame({"client": ["a", "a", "b"],
    ...                    "day": ["2024-01-05", "2024-03-01", "2024-02-01"],
    ...                    "euros": [20.0, 30.0, 15.0]})
    >>> table = rfm_table(tx, "client", "day", "euros")
    >>> table[["recency_days", "frequency", "monetary"]].reset_index()
      client  recency_days  frequency  monetary
    0      a             0          2      50.0
    1      b            29          1      15.0
    """
    purchases = _prepare(transactions, customer, date, amount, as_of)
    each = purchases.per_customer()
    table = pd.DataFrame(
        {
            "recency_days": (purchases.end_day - each["last"]).astype(int),
            "frequency": each["n"].astype(int),
            "monetary": each["total"].round(2),
        },
        index=pd.Index(purchases.customers[each["code"]], name=customer),
    )
    table["R"] = _scores(table["recency_days"], 5, higher_is_better=False)
    table["F"] = _scores(table["frequency"], 5)
    table["M"] = _scores(table["monetary"], 5)
    table["RFM"] = table["R"].astype(str) + table["F"].astype(str) + table["M"].astype(str)
    segments = _segment_names(table["R"].to_numpy(), table["F"].to_numpy())
    table["segment"] = pd.Categorical(segments, categories=SEGMENT_ORDER)
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
        ``share_of_customers``, ``revenue``, ``share_of_revenue``, ``mean_recency_days``,
        ``mean_frequency``.

    Examples
    --------
    >>> tx = pd.DataFrame({"client": ["a", "a", "b"],
    ...                    "day": ["2024-01-05", "2024-03-01", "2024-02-01"],
    ...                    "euros": [20.0, 30.0, 15.0]})
    >>> rfm_segment_summary(rfm_table(tx, "client", "day", "euros"))["customers"].sum()
    np.int64(2)
    """
    check_frame(rfm, name="rfm")
    check_columns(rfm, ["segment", "monetary", "recency_days", "frequency"])
    grouped = rfm.groupby("segment", observed=True)
    table = pd.DataFrame(
        {
            "customers": grouped.size(),
            "revenue": grouped["monetary"].sum().round(2),
            "mean_recency_days": grouped["recency_days"].mean(),
            "mean_frequency": grouped["frequency"].mean(),
        }
    )
    table.insert(1, "share_of_customers", table["customers"] / table["customers"].sum())
    table.insert(3, "share_of_revenue", table["revenue"] / table["revenue"].sum())
    table.index = table.index.astype(str)
    return table.sort_values("revenue", ascending=False)


def _unit_length(time_unit: str) -> float:
    if time_unit not in TIME_UNITS:
        raise DataError(f"time_unit must be one of {', '.join(TIME_UNITS)}, got {time_unit!r}.")
    return TIME_UNITS[time_unit]


def _per_customer(purchases: _Purchases, end_day: int, unit: float) -> pd.DataFrame:
    each = purchases.per_customer()
    frequency = each["n"] - 1
    repeat_spend = np.where(frequency > 0, each["total"] - each["first_amount"], 0.0)
    return pd.DataFrame(
        {
            "frequency": frequency.astype(int),
            "recency": (each["last"] - each["first"]) / unit,
            "T": (end_day - each["first"]) / unit,
            "monetary_value": repeat_spend / np.maximum(frequency, 1),
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
    transactions : pandas.DataFrame
        One row per transaction. Rows of one customer on one day count as one purchase.
    customer, date : str
        Names of the customer id and date columns.
    amount : str, optional
        Name of the amount column; without it ``monetary_value`` is 0.
    as_of : date-like, optional
        End of the observation (default: the last transaction date).
    calibration_end : date-like, optional
        If given, the models' columns describe the *calibration* period up to this day
        (included) and three columns describe the holdout period after it, up to ``as_of``.
        Customers whose first purchase is after ``calibration_end`` are left out.
    time_unit : {"weeks", "days", "months"}, default "weeks"
        Unit of ``recency``, ``T`` and ``duration_holdout``.

    Returns
    -------
    pandas.DataFrame
        One row per customer (index: the customer id): ``frequency`` (repeat purchases: all
        purchases but the first), ``recency`` (time from the first to the last purchase),
        ``T`` (time from the first purchase to the end), ``monetary_value`` (mean amount of
        the repeat purchases, 0 if none); with ``calibration_end`` also
        ``frequency_holdout``, ``monetary_value_holdout`` (mean amount in the holdout, 0 if
        none) and ``duration_holdout``. ``attrs["time_unit"]`` records the unit.

    Examples
    --------
    >>> tx = pd.DataFrame({"client": ["a", "a", "a", "b"],
    ...                    "day": ["2024-01-01", "2024-01-15", "2024-01-29", "2024-01-08"],
    ...                    "euros": [10.0, 20.0, 40.0, 5.0]})
    >>> summary_from_transactions(tx, "client", "day", "euros").reset_index()
      client  frequency  recency    T  monetary_value
    0      a          2      4.0  4.0            30.0
    1      b          0      0.0  3.0             0.0
    """
    unit = _unit_length(time_unit)
    purchases = _prepare(transactions, customer, date, amount, as_of)
    end = purchases.end
    if calibration_end is None:
        table = _per_customer(purchases, purchases.end_day, unit)
    else:
        cut = _as_timestamp(calibration_end, "calibration_end")
        if cut >= end:
            raise DataError(
                f"calibration_end ({cut.date()}) must be before the end of the observation "
                f"({end.date()}), so that a holdout period remains."
            )
        in_calibration = purchases.day <= _day_number(cut)
        if not in_calibration.any():
            raise DataError(
                f"no transaction on or before calibration_end ({cut.date()}): choose a later date."
            )
        calibration = purchases.select(in_calibration)
        table = _per_customer(calibration, _day_number(cut), unit)
        holdout = purchases.select(~in_calibration)
        n_all = len(purchases.customers)
        count = np.bincount(holdout.code, minlength=n_all)
        spend = np.bincount(holdout.code, weights=holdout.amount, minlength=n_all)
        known = np.unique(calibration.code)
        table["frequency_holdout"] = count[known].astype(int)
        table["monetary_value_holdout"] = spend[known] / np.maximum(count[known], 1)
        table["duration_holdout"] = (end - cut).days / unit
    table.index.name = customer
    table.attrs["time_unit"] = time_unit
    return table


# --------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------


def _column(summary: pd.DataFrame, name: str) -> np.ndarray:
    check_columns(summary, [name])
    check_numeric(summary, [name])
    values = pd.to_numeric(summary[name]).to_numpy(dtype=float)
    if np.isnan(values).any():
        raise DataError(f"column {name!r} has missing values: drop or fill those customers first.")
    return values


def _rfm_arrays(
    summary: pd.DataFrame, frequency: str, recency: str, T: str, *, allow_zero_age: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    check_frame(summary, name="summary")
    x, t_x, age = (_column(summary, c) for c in (frequency, recency, T))
    if (x < 0).any() or (x != np.round(x)).any():
        raise DataError(f"column {frequency!r} must hold whole numbers of repeat purchases >= 0.")
    if (t_x < 0).any():
        raise DataError(
            f"column {recency!r} has negative values: recency is time since the first purchase."
        )
    if (age < t_x - 1e-9).any():
        raise DataError(
            f"some customers have {recency!r} larger than {T!r}: the last purchase cannot be after "
            "the end of the observation. Was the summary computed with the right as_of?"
        )
    if ((x == 0) & (t_x > 0)).any():
        raise DataError(
            f"customers with {frequency!r} = 0 must have {recency!r} = 0 (no repeat purchase). "
            "Use the output of summary_from_transactions."
        )
    if ((x > 0) & (t_x == 0)).any():
        raise DataError(
            f"customers with repeat purchases must have {recency!r} > 0: purchases on the first "
            "day are part of the first purchase. Use the output of summary_from_transactions."
        )
    if not allow_zero_age and (age <= 0).any():
        raise DataError(f"column {T!r} must be positive: the age of each customer at the end.")
    return x, t_x, age


def _numerical_hessian(function, point: np.ndarray, step: float = 1e-4) -> np.ndarray:
    k = len(point)
    hessian = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            total = 0.0
            for si, sj, sign in ((1, 1, 1), (1, -1, -1), (-1, 1, -1), (-1, -1, 1)):
                shifted = point.copy()
                shifted[i] += si * step
                shifted[j] += sj * step
                total += sign * function(shifted)
            hessian[i, j] = hessian[j, i] = total / (4 * step * step)
    return hessian


def _hessian_from_gradient(gradient, point: np.ndarray, step: float = 1e-5) -> np.ndarray:
    k = len(point)
    columns = []
    for i in range(k):
        shift = np.zeros(k)
        shift[i] = step
        columns.append((gradient(point + shift) - gradient(point - shift)) / (2 * step))
    hessian = np.column_stack(columns)
    return (hessian + hessian.T) / 2


def _maximise(
    neg_log_likelihood, n_params: int, *, with_gradient: bool = False
) -> tuple[np.ndarray, float, bool, np.ndarray]:
    """Minimise over log-parameters; return estimates, max log-likelihood, success, std errors.

    With ``with_gradient`` the function returns (value, gradient in log-parameters).
    """
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
    estimates = np.exp(best.x)
    # Standard errors from the observed information, by the delta method on log-parameters.
    with np.errstate(all="ignore"):
        if with_gradient:
            hessian = _hessian_from_gradient(lambda v: neg_log_likelihood(v)[1], best.x)
        else:
            hessian = _numerical_hessian(value_only, best.x)
        try:
            covariance = np.linalg.inv(hessian)
            errors = estimates * np.sqrt(np.clip(np.diag(covariance), 0, None))
        except np.linalg.LinAlgError:
            errors = np.full(n_params, np.nan)
    return estimates, -float(best.fun), bool(best.success), errors


class _Fitted:
    _param_names: tuple[str, ...] = ()

    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise DataError(
                f"this {type(self).__name__} is not fitted yet: call .fit(summary) first."
            )

    def parameter_table(self) -> pd.DataFrame:
        """The fitted parameters with their standard errors, as a small table."""
        self._check_fitted()
        return pd.DataFrame(
            {"estimate": pd.Series(self.params_), "std_error": pd.Series(self.standard_errors_)}
        )


class BetaGeo(_Fitted):
    """The BG/NBD model: customers buy at their own rate until they silently drop out.

    While "alive", a customer makes repeat purchases as a Poisson process of rate
    ``lambda``; after each repeat purchase she drops out with probability ``p``. Across
    customers ``lambda`` follows a gamma distribution (shape ``r``, rate ``alpha``) and ``p`` a
    beta distribution (``a``, ``b``). Fader, Hardie and Lee (2005), "Counting your customers
    the easy way: an alternative to the Pareto/NBD model", *Marketing Science* 24(2).

    Parameters
    ----------
    frequency, recency, T : str
        Column names in the summary table (the defaults are those of
        :func:`summary_from_transactions`).

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
    """

    _param_names = ("r", "alpha", "a", "b")

    def __init__(
        self, frequency: str = "frequency", recency: str = "recency", T: str = "T"
    ) -> None:
        self.frequency = frequency
        self.recency = recency
        self.T = T

    @staticmethod
    def _neg_log_likelihood(
        log_params: np.ndarray,
        x: np.ndarray,
        t_x: np.ndarray,
        age: np.ndarray,
        x_levels: np.ndarray,
        x_index: np.ndarray,
    ) -> tuple[float, np.ndarray]:
        """Minus the log-likelihood (equation 6 of the paper) and its gradient in log-parameters."""
        params = np.exp(log_params)
        r, alpha, a, b = params
        n = len(x)
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
        value = np.bincount(x_index, minlength=len(x_levels)) @ base + total.sum()
        # Share of each customer's likelihood from "still alive" (w1) and "left after x" (w2).
        w1 = np.exp(a1 - total)
        w2 = 1.0 - w1
        by_level = np.bincount(x_index, minlength=len(x_levels))
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
        """Fit the model to one row per customer (``frequency``, ``recency``, ``T``).

        Returns
        -------
        BetaGeo
            ``self``, fitted.
        """
        x, t_x, age = _rfm_arrays(summary, self.frequency, self.recency, self.T)
        if len(x) < 10 or (x > 0).sum() < 2:
            raise DataError(
                f"BetaGeo needs at least 10 customers, some with repeat purchases; got {len(x)} "
                f"customer(s), {int((x > 0).sum())} with repeat purchases."
            )
        x_levels, x_index = np.unique(x, return_inverse=True)

        def neg_log_likelihood(log_params: np.ndarray) -> tuple[float, np.ndarray]:
            return self._neg_log_likelihood(log_params, x, t_x, age, x_levels, x_index)

        estimates, loglik, converged, errors = _maximise(neg_log_likelihood, 4, with_gradient=True)
        self.params_ = dict(zip(self._param_names, estimates.tolist(), strict=True))
        self.standard_errors_ = dict(zip(self._param_names, errors.tolist(), strict=True))
        self.log_likelihood_ = loglik
        self.converged_ = converged
        self.n_customers_ = len(x)
        self.time_unit_ = summary.attrs.get("time_unit")
        return self

    def _arrays(self, summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self._check_fitted()
        return _rfm_arrays(summary, self.frequency, self.recency, self.T, allow_zero_age=True)

    def probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """Probability that each customer is still active ("alive") at the end of the observation.

        A customer without repeat purchase has probability 1: in the BG/NBD model nobody drops
        out before a first repeat purchase.
        """
        x, t_x, age = self._arrays(summary)
        odds = self._dropout_odds(x, t_x, age)
        return pd.Series(1.0 / (1.0 + odds), index=summary.index, name="probability_alive")

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
            name="expected_purchases",
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


class GammaGamma(_Fitted):
    """The Gamma-Gamma model of the amount spent per transaction.

    Each transaction of a customer is gamma distributed (shape ``p``, rate ``nu``) around her
    own mean ``p / nu``; across customers ``nu`` follows a gamma distribution (shape ``q``, rate
    ``gamma``). Fitted on the customers with at least one repeat purchase (``frequency`` > 0)
    from their number of repeat purchases and mean repeat spend; the others are ignored in the
    fit and get the population mean in :meth:`expected_spend`. Fader, Hardie and Lee (2005),
    "RFM and CLV: using iso-value curves for customer base analysis", *Journal of Marketing
    Research* 42(4); Fader and Hardie (2013), "The Gamma-Gamma model of monetary value".

    The model assumes that how much a customer spends per purchase does not depend on how
    often she buys: check that the correlation between ``frequency`` and ``monetary_value`` is
    small.

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
    ...                         "monetary_value": [20.0, 35.0, 30.0, 12.0, 60.0, 25.0, 0.0]})
    >>> model = GammaGamma().fit(summary)
    >>> model.n_customers_
    6
    """

    _param_names = ("p", "q", "gamma")

    def __init__(
        self, frequency: str = "frequency", monetary_value: str = "monetary_value"
    ) -> None:
        self.frequency = frequency
        self.monetary_value = monetary_value

    def _arrays(self, summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        check_frame(summary, name="summary")
        x = _column(summary, self.frequency)
        m = _column(summary, self.monetary_value)
        if (x < 0).any() or (x != np.round(x)).any():
            raise DataError(
                f"column {self.frequency!r} must hold whole numbers of repeat purchases >= 0."
            )
        bad = (x > 0) & (m <= 0)
        if bad.any():
            raise DataError(
                f"{int(bad.sum())} customer(s) with repeat purchases have "
                f"{self.monetary_value!r} <= 0 (such as {summary.index[bad][0]!r}). "
                "The Gamma-Gamma model needs a positive mean "
                f"spend: drop them (summary[summary[{self.monetary_value!r}] > 0])."
            )
        return x, m

    def fit(self, summary: pd.DataFrame) -> GammaGamma:
        """Fit to the customers with ``frequency`` > 0 (one-time buyers carry no repeat spend).

        Returns
        -------
        GammaGamma
            ``self``, fitted.
        """
        x, m = self._arrays(summary)
        repeat = x > 0
        if repeat.sum() < 5:
            raise DataError(
                "GammaGamma needs at least 5 customers with repeat purchases; "
                f"got {int(repeat.sum())}."
            )
        x, m = x[repeat], m[repeat]
        log_m, log_x = np.log(m), np.log(x)

        def neg_log_likelihood(log_params: np.ndarray) -> float:
            p, q, gamma = np.exp(log_params)
            px = p * x
            value = -(
                special.gammaln(px + q)
                - special.gammaln(px)
                - special.gammaln(q)
                + q * np.log(gamma)
                + (px - 1) * log_m
                + px * log_x
                - (px + q) * np.log(gamma + x * m)
            ).sum()
            return float(value) if np.isfinite(value) else 1e300

        estimates, loglik, converged, errors = _maximise(neg_log_likelihood, 3)
        self.params_ = dict(zip(self._param_names, estimates.tolist(), strict=True))
        self.standard_errors_ = dict(zip(self._param_names, errors.tolist(), strict=True))
        self.log_likelihood_ = loglik
        self.converged_ = converged
        self.n_customers_ = int(repeat.sum())
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
        return pd.Series(value, index=summary.index, name="expected_spend")


def _positive(value: float, name: str) -> float:
    if (
        not isinstance(value, int | float | np.integer | np.floating)
        or not value > 0
        or math.isinf(value)
    ):
        raise DataError(f"{name} must be a positive number of time units, got {value!r}.")
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
        One row per customer: ``expected_purchases`` over the horizon, ``expected_spend`` per
        purchase and ``clv`` (discounted, in the currency of the amounts).

    Examples
    --------
    >>> from mlmarketing import load_dataset
    >>> summary = summary_from_transactions(load_dataset("cdnow"), "customer_id", "date",
    ...                                     "amount", as_of="1998-06-30")
    >>> clv = customer_lifetime_value(BetaGeo().fit(summary), GammaGamma().fit(summary), summary)
    >>> clv.columns.tolist()
    ['expected_purchases', 'expected_spend', 'clv']
    """
    if not isinstance(months, int | np.integer) or months < 1:
        raise DataError(f"months must be a whole number >= 1, got {months!r}.")
    if not 0 <= monthly_discount_rate < 1:
        raise DataError(
            f"monthly_discount_rate must be between 0 and 1, got {monthly_discount_rate!r}."
        )
    if not 0 < margin <= 1:
        raise DataError(f"margin must be a share between 0 and 1, got {margin!r}.")
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
        {"expected_purchases": before, "expected_spend": spend, "clv": margin * spend * value},
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
        Name of a method -> its predicted holdout purchases, one per customer (same order).
    max_frequency : int, default 7
        Customers with more calibration purchases are grouped in the last row ("7+").

    Returns
    -------
    pandas.DataFrame
        One row per calibration frequency: ``customers``, ``actual`` and one column per method.

    Examples
    --------
    >>> summary = pd.DataFrame({"frequency": [0, 0, 1, 3], "frequency_holdout": [0, 1, 1, 2]})
    >>> holdout_table(summary, {"naive": [0, 0, 1, 3]}, max_frequency=2).to_dict("list")
    {'customers': [2, 1, 1], 'actual': [0.5, 1.0, 2.0], 'naive': [0.0, 1.0, 3.0]}
    """
    check_frame(summary, name="summary")
    check_columns(summary, ["frequency", "frequency_holdout"])
    frequency = summary["frequency"].to_numpy()
    group = np.where(frequency >= max_frequency, max_frequency, frequency).astype(int)
    table = pd.DataFrame({"actual": summary["frequency_holdout"].to_numpy(dtype=float)})
    for name, values in predictions.items():
        values = np.asarray(values, dtype=float)
        if values.shape != (len(summary),):
            raise DataError(
                f"predictions {name!r} have {values.size} value(s) for {len(summary)} customers: "
                "give one prediction per row of the summary, in the same order."
            )
        table[name] = values
    grouped = table.groupby(group)
    out = grouped.mean()
    out.insert(0, "customers", grouped.size())
    labels = [str(k) if k < max_frequency else f"{max_frequency}+" for k in out.index]
    out.index = pd.Index(labels, name="calibration purchases")
    return out


def plot_holdout(table: pd.DataFrame, ax=None):
    """The classic chart: mean holdout purchases, actual and predicted, by calibration purchases.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`holdout_table`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    check_frame(table, name="table")
    check_columns(table, ["actual"])
    if ax is None:
        _, ax = plt.subplots()
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
