"""Time to churn: when do subscribers leave, and what goes with staying longer?

Survival analysis for subscription businesses, used by ``03-02-cloud-services-churn.ipynb``.
Most subscribers have not left yet when the data are extracted (they are *censored*): a
plain "churned yet?" share or classifier treats them as loyal although they simply have
had less time to leave. The helpers below use every account correctly:

- :func:`tenure_table` turns signup and end dates into a duration and an event flag;
- :func:`cohort_retention` is the monthly (or quarterly) cohort table SaaS boards look at;
- :func:`kaplan_meier`, :func:`median_lifetime` and :func:`logrank_test` describe and
  compare survival curves (statsmodels ``SurvfuncRight`` and ``survdiff``);
- :class:`CoxModel` and :func:`cox_model` fit a Cox proportional-hazards model (Efron or
  Breslow ties, the estimates of lifelines and statsmodels ``PHReg``) and give hazard ratios;
  :func:`proportional_hazards_check` tests its main assumption;
- :func:`expected_lifetime` turns the model into the probability of leaving soon, the
  expected remaining lifetime and the remaining revenue of each account;
- :func:`plot_survival`, :func:`plot_cohort_retention` and :func:`plot_hazard_ratios` draw them.

Durations can be in any unit (the course uses months); every argument named ``within``
or ``horizon`` is in the same unit.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter
from scipy import stats
from scipy.integrate import trapezoid
from sklearn.base import BaseEstimator
from statsmodels.duration.survfunc import SurvfuncRight, survdiff
from threadpoolctl import threadpool_limits

from mlmarketing._engines import engine_frame, subscription_pairs
from mlmarketing._errors import DataError, DataWarning
from mlmarketing._validation import (
    OTHER_LEVEL,
    category_limit,
    check_columns,
    check_frame,
    check_level,
    check_numeric,
    describe_rows,
    group_rare_levels,
    is_yes_no,
    level_label,
    looks_like_id,
    new_axes,
    read_date,
    read_dates,
    read_yes_no,
)

__all__ = [
    "DAYS_PER_MONTH",
    "CoxModel",
    "cohort_retention",
    "concordance_index",
    "cox_model",
    "expected_lifetime",
    "extraction_date",
    "kaplan_meier",
    "logrank_test",
    "median_lifetime",
    "plot_cohort_retention",
    "plot_hazard_ratios",
    "plot_survival",
    "proportional_hazards_check",
    "snapshot",
    "tenure_table",
]

DAYS_PER_MONTH = 30.4375  # average length of a month (365.25 / 12)
_DAYS_PER_UNIT = {"months": DAYS_PER_MONTH, "weeks": 7.0, "days": 1.0}
_NOT_A_MODEL = "pass a fitted CoxModel, e.g. CoxModel(covariates).fit(df, duration, event)."
# Text that is a number written the French way ("70,35", "1 234,5 €"): refused, never a category.
_NUMBER_TEXT = re.compile(r"^[+-]?\d[\d .\u00a0\u202f]*([.,]\d+)?\s*(€|eur|%)?$", re.IGNORECASE)


# ----------------------------------------------------------------------------- inputs


def _durations(df: pd.DataFrame, duration: str) -> np.ndarray:
    # Zero is a real duration (an account opened on the extraction day), as in lifelines.
    check_numeric(df, [duration], non_negative=True, what="durations")
    values = df[duration].to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(values)
    if missing.any():
        raise DataError(
            f"column {duration!r} has {int(missing.sum())} missing duration(s) "
            f"({describe_rows(df.index, missing)}). Drop those rows or rebuild the durations from "
            "the dates with tenure_table()."
        )
    return values


def _yes_no(series: pd.Series, column: str, *, allow_missing: bool = False) -> np.ndarray:
    """read_yes_no's answers as 1.0/0.0 (NaN where missing), each distinct value read once."""
    # read_yes_no writes every value as text: on 200,000 rows that is seconds per column.
    missing = series.isna()
    if missing.all() or (missing.any() and not allow_missing):
        read_yes_no(series, column=column, allow_missing=allow_missing)  # raises its message
    codes, uniques = pd.factorize(series.astype(object) if isinstance(
        series.dtype, pd.CategoricalDtype) else series)
    answers = read_yes_no(pd.Series(np.asarray(uniques, dtype=object), name=series.name), column=column)
    return np.append(answers.to_numpy(dtype=float), np.nan)[codes]


def _is_yes_no(series: pd.Series) -> bool:
    present = series.dropna()
    if pd.api.types.is_float_dtype(present) or len(present) == 0:
        return False  # a float column is a number, even when it only holds 0.0 and 1.0
    if pd.api.types.is_numeric_dtype(present) and not pd.api.types.is_bool_dtype(present):
        return bool(np.isin(present.to_numpy(), [0, 1]).all())
    return is_yes_no(pd.Series(present.astype(object).unique()))


def _events(df: pd.DataFrame, event: str) -> np.ndarray:
    # 1 = left, 0 = still subscribed (censored); yes/no, oui/non, vrai/faux, 1/0 all read alike.
    return _yes_no(df[event], event).astype(int)


def _survival_input(
    df: object, duration: str, event: str, by: str | None = None
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    frame = check_frame(df)
    check_columns(frame, duration, role="duration column")
    check_columns(frame, event, role="event column")
    if by is not None:
        check_columns(frame, by, role="group column")
        missing = frame[by].isna()
        if missing.any():
            raise DataError(
                f"group column {by!r} has {int(missing.sum())} missing value(s) "
                f"({describe_rows(frame.index, missing)}); fill them (for example with 'unknown') "
                "or drop those rows."
            )
    return frame, _durations(frame, duration), _events(frame, event)


def _check_time_unit(time_unit: object) -> float:
    if time_unit not in _DAYS_PER_UNIT:
        raise DataError(f"time_unit must be 'months', 'weeks' or 'days', got {time_unit!r}.")
    return _DAYS_PER_UNIT[time_unit]


def _subscription_dates(
    frame: pd.DataFrame, start: str, end: str, as_of: object, day_first: bool | None
) -> tuple[pd.Series, pd.Series, pd.Timestamp]:
    check_columns(frame, [start, end], role="date column")
    cutoff = read_date(as_of, "as_of", day_first=day_first)
    begin = read_dates(frame[start], column=start, day_first=day_first)
    finish = read_dates(frame[end], column=end, day_first=day_first)
    if begin.isna().any():
        raise DataError(
            f"column {start!r} has {int(begin.isna().sum())} missing start date(s) "
            f"({describe_rows(frame.index, begin.isna())}). Without a start the tenure is unknown: "
            "fill them from another source or drop those rows."
        )
    if (begin > cutoff).any():
        raise DataError(
            f"column {start!r} has start dates after the extraction date {cutoff.date()} "
            f"({describe_rows(frame.index, begin > cutoff)}). Check as_of, or drop those rows."
        )
    if (finish > cutoff).any():
        raise DataError(
            f"column {end!r} has end dates after the extraction date {cutoff.date()} "
            f"({describe_rows(frame.index, finish > cutoff)}). A future end is a notice of "
            "cancellation: pass a later as_of, or blank those end dates to count the customers as "
            "still subscribed."
        )
    if (finish < begin).any():
        raise DataError(
            f"column {end!r} has end dates before the start date "
            f"({describe_rows(frame.index, finish < begin)}). Fix the dates (were start and end "
            "swapped?), or drop those rows."
        )
    return begin, finish, cutoff


# ----------------------------------------------------------------------------- tenure


def tenure_table(
    df: pd.DataFrame,
    start: str,
    end: str,
    as_of: object,
    *,
    time_unit: str = "months",
    duration_name: str | None = None,
    event_name: str = "churned",
    day_first: bool | None = None,
) -> pd.DataFrame:
    """Add each customer's tenure and whether they left, from start and end dates.

    A customer without an end date is still subscribed at ``as_of`` (the extraction date):
    their tenure runs until ``as_of`` and their event is 0 (*censored*). A customer with an
    end date left: tenure runs until the end date and the event is 1. An account that ends
    on the day it started has a tenure of 0, a real row (as in lifelines).

    Dates are read with the library's one rule (:func:`mlmarketing._validation.read_dates`):
    ISO first, ``01/12/2024`` day first (1 December), month first only when a value such as
    ``12/31/2024`` shows it; ``as_of`` is read the same way.

    Parameters
    ----------
    df : DataFrame
        One row per subscription. Not modified.
    start, end : str
        Columns with the start date and the end date (empty while still subscribed).
    as_of : date-like
        Extraction date, e.g. ``"2024-12-31"`` or ``"31/12/2024"``. An end date after it, or a
        start date after it, raises.
    time_unit : {"months", "weeks", "days"}, default "months"
        Unit of the tenure (a month is 30.4375 days).
    duration_name : str, optional
        Name of the tenure column (default ``"tenure in <time_unit>"``).
    event_name : str, default "churned"
        Name of the 0/1 event column (replaced if it already exists).
    day_first : bool or None, default None
        Force the order of ``dd/mm`` dates (None: the rule above).

    Returns
    -------
    DataFrame
        A copy of ``df`` with the two columns added.

    Raises
    ------
    DataError
        A value that is not a date, missing start dates, an end before the start date, an end
        or start after ``as_of``.

    Examples
    --------
    >>> subs = pd.DataFrame({"start": ["01/01/2024", "2024-03-01"], "end": ["01/02/2024", None]})
    >>> table = tenure_table(subs, "start", "end", as_of="31/12/2024", time_unit="days")
    >>> table[["tenure in days", "churned"]]
       tenure in days  churned
    0            31.0        1
    1           305.0        0

    Used in ``03-02-cloud-services-churn.ipynb``.
    """
    frame = check_frame(df)
    days_per = _check_time_unit(time_unit)
    begin, finish, cutoff = _subscription_dates(frame, start, end, as_of, day_first)
    stop = finish.fillna(cutoff)
    out = frame.copy()
    name = duration_name or f"tenure in {time_unit}"
    out[name] = ((stop - begin).dt.days / days_per).round(6)
    out[event_name] = finish.notna().astype(int).to_numpy()
    return out


def extraction_date(df: pd.DataFrame, start: str, end: str, *, day_first: bool | None = None) -> pd.Timestamp:
    """The latest start or end date of a subscription export: its extraction date by default.

    An export rarely says on which day it was taken; the last date it holds is the closest
    date known to be covered (an account opened or closed that day). Dates are read as in
    :func:`tenure_table`.

    Examples
    --------
    >>> subs = pd.DataFrame({"start": ["01/01/2024", "15/03/2024"], "end": ["02/04/2024", None]})
    >>> extraction_date(subs, "start", "end")
    Timestamp('2024-04-02 00:00:00')

    Used in ``03-02-cloud-services-churn.ipynb``.
    """
    frame = check_frame(df)
    check_columns(frame, [start, end], role="date column")
    begin = read_dates(frame[start], column=start, day_first=day_first)
    finish = read_dates(frame[end], column=end, day_first=day_first)
    latest = pd.concat([begin, finish]).max()
    if pd.isna(latest):
        raise DataError(f"columns {start!r} and {end!r} hold no date: pass the extraction date yourself.")
    return pd.Timestamp(latest)


def snapshot(
    df: pd.DataFrame,
    start: str,
    end: str,
    when: object,
    *,
    within: float | None = None,
    time_unit: str = "months",
    duration_name: str | None = None,
    event_name: str = "churned",
    outcome_name: str = "left within",
    day_first: bool | None = None,
) -> pd.DataFrame:
    """The export as it looked on an earlier date ``when``, and what happened next.

    Keeps the subscriptions started on or before ``when``; an end date after ``when`` is not
    known yet on that day, so the tenure and the event are those of :func:`tenure_table` with
    ``as_of=when``. With ``within``, a 0/1 column ``outcome_name`` says whether each account
    still subscribed on ``when`` left in the ``within`` units that followed (for accounts that
    had already left it is missing). This is how a classifier is trained on a fixed window
    (features on one day, "left in the next 3 months" as the label), and how a call list is
    back-tested on what really happened.

    Examples
    --------
    >>> subs = pd.DataFrame({"start": ["2024-01-01", "2024-01-01", "2024-03-01", "2024-06-01"],
    ...                      "end": ["2024-02-01", "2024-05-01", None, None]})
    >>> past = snapshot(subs, "start", "end", "2024-04-01", within=3)
    >>> past[["churned", "left within"]]
       churned  left within
    0        1          NaN
    1        0          1.0
    2        0          0.0

    Used in ``03-02-cloud-services-churn.ipynb``.
    """
    frame = check_frame(df)
    days_per = _check_time_unit(time_unit)
    check_columns(frame, [start, end], role="date column")
    cutoff = read_date(when, "when", day_first=day_first)
    begin = read_dates(frame[start], column=start, day_first=day_first)
    finish = read_dates(frame[end], column=end, day_first=day_first)
    started = (begin <= cutoff).to_numpy()
    if not started.any():
        raise DataError(f"no subscription had started on {cutoff.date()}: choose a later date.")
    past = frame.loc[started].copy()
    past[start], past[end] = begin[started], finish[started].where(finish[started] <= cutoff)
    out = tenure_table(past, start, end, cutoff, time_unit=time_unit, duration_name=duration_name,
                       event_name=event_name)
    out[start], out[end] = frame.loc[started, start], frame.loc[started, end]
    if within is not None:
        if isinstance(within, bool) or not isinstance(within, int | float | np.number) or not (
            np.isfinite(within) and within > 0
        ):
            raise DataError(f"within must be a positive number of time units, got {within!r}.")
        limit = cutoff + pd.Timedelta(days=float(within) * days_per)
        ended = finish[started]
        left = (ended > cutoff) & (ended <= limit)
        out[outcome_name] = left.astype(float).where(out[event_name].to_numpy() == 0).to_numpy()
    return out


# ----------------------------------------------------------------------------- cohorts


_COHORT_FREQ = {"MS": ("M", 1), "QS": ("Q", 3)}


def cohort_retention(
    df: pd.DataFrame,
    start: str,
    end: str,
    as_of: object,
    *,
    freq: str = "MS",
    max_periods: int | None = None,
    day_first: bool | None = None,
) -> pd.DataFrame:
    """The cohort retention table: share of each signup cohort still subscribed k periods later.

    A cohort is the customers who started in the same month (``freq="MS"``) or quarter
    (``"QS"``). Customer *i* counts as retained at period *k* if they had not left on the date
    ``start_i + k`` periods. A cell is shown only when every customer of the cohort has been
    observed that long at ``as_of``; otherwise it is left empty (NaN), so that no cell mixes
    customers who could have left with customers who could not yet. Dates are read as in
    :func:`tenure_table`.

    Parameters
    ----------
    df : DataFrame, or a Polars, DuckDB or Spark frame, or Parquet files
        One row per subscription. Not modified. An engine's frame is reduced there to its
        distinct (start, end) days with their accounts; its date columns must be dates.
    start, end : str
        Start and end date columns (end empty while subscribed).
    as_of : date-like
        Extraction date.
    freq : {"MS", "QS"}, default "MS"
        Cohorts and periods by month or by quarter (pandas offset aliases: month start,
        quarter start).
    max_periods : int, optional
        Keep periods 0..max_periods only.
    day_first : bool or None, default None
        Force the order of ``dd/mm`` dates.

    Returns
    -------
    DataFrame
        Index ``cohort`` (for example ``"2023-01"`` or ``"2023Q1"``), a first column
        ``accounts`` (cohort size), then one column per period 0, 1, 2, ... with the share
        (0-1) still subscribed.

    Examples
    --------
    >>> subs = pd.DataFrame({"start": ["2024-01-05", "20/01/2024", "2024-02-10"],
    ...                      "end": ["2024-02-10", None, None]})
    >>> table = cohort_retention(subs, "start", "end", as_of="30/04/2024")
    >>> table.columns.tolist()
    ['accounts', 0, 1, 2, 3]
    >>> table.loc["2024-01"].tolist()
    [2.0, 1.0, 1.0, 0.5, 0.5]
    >>> table.loc["2024-02"].tolist()  # not yet observed 3 months after signup
    [1.0, 1.0, 1.0, 1.0, nan]

    Used in ``03-02-cloud-services-churn.ipynb``.
    """
    engine = engine_frame(df)
    if engine is not None:  # Polars, DuckDB, Spark, Parquet: the distinct (start, end) days, counted there
        df = subscription_pairs(engine, start, end)
    frame = check_frame(df)
    # Accounts each row stands for: one on pandas, a count from an engine.
    weights = pd.Series(1.0, index=frame.index) if engine is None else frame.pop("_n").astype(float)
    if freq not in _COHORT_FREQ:
        raise DataError(
            f"freq must be 'MS' (cohorts by month) or 'QS' (by quarter), pandas offset aliases; "
            f"got {freq!r}."
        )
    period, step = _COHORT_FREQ[freq]
    if max_periods is not None and (
        isinstance(max_periods, bool) or not isinstance(max_periods, int | np.integer) or max_periods < 0
    ):
        raise DataError(f"max_periods must be a whole number 0 or more, got {max_periods!r}.")
    begin, finish, cutoff = _subscription_dates(frame, start, end, as_of, day_first)
    cohort = begin.dt.to_period(period).astype(str)
    longest = int((cutoff.year - begin.min().year) * 12 + cutoff.month - begin.min().month) // step
    if max_periods is not None:
        longest = min(longest, int(max_periods))
    columns = {}
    for k in range(longest + 1):
        when = begin + pd.DateOffset(months=k * step)
        observed = when <= cutoff
        retained = (finish.isna() | (finish > when)).astype(float)
        parts = pd.DataFrame({"cohort": cohort, "r": retained * weights, "w": weights, "o": observed})
        grouped = parts.groupby("cohort", sort=True)
        columns[k] = (grouped["r"].sum() / grouped["w"].sum()).where(grouped["o"].all())
    out = pd.DataFrame(columns)
    out.insert(0, "accounts", weights.groupby(cohort).sum().reindex(out.index).astype(int))
    out.index.name = "cohort"
    out.columns.name = None
    return out.dropna(axis=1, how="all")


# ----------------------------------------------------------------------------- Kaplan-Meier


def _groups(frame: pd.DataFrame, by: str | None) -> list[tuple[object, np.ndarray]]:
    if by is None:
        return [("all", np.ones(len(frame), dtype=bool))]
    values = frame[by]
    levels = values.cat.categories if isinstance(values.dtype, pd.CategoricalDtype) else None
    levels = [v for v in (levels if levels is not None else sorted(values.unique(), key=str))]
    return [(level, np.asarray(values == level)) for level in levels if (values == level).any()]


def kaplan_meier(
    df: pd.DataFrame, duration: str, event: str, by: str | None = None, *, level: float = 0.95
) -> pd.DataFrame:
    """Kaplan-Meier survival curves (overall or by group) as a tidy table.

    The estimate uses statsmodels ``SurvfuncRight``; the pointwise confidence interval is
    computed on the log(-log) scale from its Greenwood standard error, so it stays in [0, 1].
    A duration of 0 is a real row (an account that left, or was extracted, on its first day),
    as in lifelines: a departure at 0 makes the curve drop at time 0.

    Parameters
    ----------
    df : DataFrame
        One row per customer. Not modified.
    duration : str
        Column with the time observed (tenure): finite numbers, 0 or more.
    event : str
        Column saying whether the customer left: 1/0, yes/no, oui/non, vrai/faux
        (0 = still subscribed, *censored*).
    by : str, optional
        Group column (plan, billing cycle...): one curve per value.
    level : float, default 0.95
        Confidence level of the band.

    Returns
    -------
    DataFrame
        Columns ``group``, ``time``, ``at risk``, ``churned``, ``survival``, ``low``,
        ``high``; one row per time where someone left, after a first row at time 0
        (survival 1) for each group. ``attrs["level"]`` holds the level, for the plots.

    Examples
    --------
    >>> toy = pd.DataFrame({"months": [2, 3, 3, 5, 8], "left": ["Oui", "Oui", "Non", "Oui", "Non"]})
    >>> kaplan_meier(toy, "months", "left")[["time", "at risk", "churned", "survival"]]
       time  at risk  churned  survival
    0   0.0        5        0       1.0
    1   2.0        5        1       0.8
    2   3.0        4        1       0.6
    3   5.0        2        1       0.3

    Used in ``03-02-cloud-services-churn.ipynb``.
    """
    level = check_level(level)
    frame, time, status = _survival_input(df, duration, event, by)
    z = stats.norm.ppf(0.5 + level / 2)
    parts = []
    for group, mask in _groups(frame, by):
        fit = SurvfuncRight(time[mask], status[mask])
        surv = np.asarray(fit.surv_prob, float)
        se = np.asarray(fit.surv_prob_se, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_surv = np.log(surv)
            half = z * se / (surv * np.abs(log_surv))
            low = np.exp(-np.exp(np.log(-log_surv) + half))
            high = np.exp(-np.exp(np.log(-log_surv) - half))
        # Survival 1 (nobody left yet) or 0 (everybody left): the band collapses to the point.
        low = np.where(np.isfinite(low), low, surv)
        high = np.where(np.isfinite(high), high, surv)
        part = pd.DataFrame(
            {
                "group": group,
                "time": np.concatenate([[0.0], np.asarray(fit.surv_times, float)]),
                "at risk": np.concatenate([[int(mask.sum())], np.asarray(fit.n_risk, int)]),
                "churned": np.concatenate([[0], np.asarray(fit.n_events, int)]),
                "survival": np.concatenate([[1.0], surv]),
                "low": np.concatenate([[1.0], low]),
                "high": np.concatenate([[1.0], high]),
            }
        )
        keep = (part["churned"] > 0) | (np.arange(len(part)) == 0)
        parts.append(part[keep])
    out = pd.concat(parts, ignore_index=True)
    out.attrs["level"] = level
    return out


def median_lifetime(
    df: pd.DataFrame, duration: str, event: str, by: str | None = None, *, level: float = 0.95
) -> pd.DataFrame:
    """Median lifetime (time by which half the customers left), with its confidence interval.

    The median is NaN ("not reached") while more than half of the group is still subscribed
    at the longest tenure observed; so is an interval bound that the data cannot reach.
    Durations and events are read as in :func:`kaplan_meier`.

    Returns
    -------
    DataFrame
        Columns ``group``, ``accounts``, ``churned``, ``median``, ``low``, ``high``.

    Examples
    --------
    >>> toy = pd.DataFrame({"months": [2, 3, 3, 5, 8], "left": [1, 1, 0, 1, 0]})
    >>> median_lifetime(toy, "months", "left")[["group", "accounts", "churned", "median"]]
      group  accounts  churned  median
    0   all         5        3     5.0

    Used in ``03-02-cloud-services-churn.ipynb``.
    """
    level = check_level(level)
    frame, time, status = _survival_input(df, duration, event, by)
    rows = []
    for group, mask in _groups(frame, by):
        fit = SurvfuncRight(time[mask], status[mask])
        with np.errstate(divide="ignore", invalid="ignore"):
            low, high = fit.quantile_ci(0.5, alpha=1 - level)
        rows.append(
            {
                "group": group,
                "accounts": int(mask.sum()),
                "churned": int(status[mask].sum()),
                "median": float(fit.quantile(0.5)),
                "low": _finite(low),
                "high": _finite(high),
            }
        )
    out = pd.DataFrame(rows)
    out.attrs["level"] = level
    return out


def _finite(value: object) -> float:
    number = np.nan if value is None else float(value)
    return number if np.isfinite(number) else np.nan


def logrank_test(df: pd.DataFrame, duration: str, event: str, by: str) -> pd.DataFrame:
    """Log-rank test: do the survival curves of the groups in ``by`` differ?

    Uses statsmodels ``survdiff``. A small p-value says the curves are unlikely to differ
    only by chance; it says nothing about why (other differences between the groups).

    Returns
    -------
    DataFrame
        One row named after ``by``: ``statistic`` (chi-squared), ``degrees of freedom``
        (groups − 1), ``p-value``.

    Examples
    --------
    >>> toy = pd.DataFrame({"months": [1, 2, 3, 4, 10, 12, 14, 16],
    ...                     "left": [1, 1, 1, 1, 1, 0, 1, 0], "plan": list("aaaabbbb")})
    >>> round(float(logrank_test(toy, "months", "left", "plan")["p-value"].iloc[0]), 3)
    0.007

    Used in ``03-02-cloud-services-churn.ipynb``.
    """
    frame, time, status = _survival_input(df, duration, event, by)
    groups = frame[by].astype(str).to_numpy()
    n_groups = len(np.unique(groups))
    if n_groups < 2:
        raise DataError(
            f"group column {by!r} has a single value; the test compares 2 groups or more."
        )
    statistic, p_value = survdiff(time, status, groups)
    return pd.DataFrame(
        {"statistic": [float(statistic)], "degrees of freedom": [n_groups - 1],
         "p-value": [float(p_value)]},
        index=pd.Index([by], name="test by"),
    )


# ----------------------------------------------------------------------------- Cox model


def concordance_index(time: Sequence[float], risk: Sequence[float], event: Sequence[int]) -> float:
    """Harrell's concordance index (C): how well a risk score orders the departures.

    Of the pairs of customers whose order of departure is known (the first one left, and the
    other was still there: a later time, or censored at the same time), the share where the
    one who left first had the higher risk; equal risks count one half. 0.5 is chance, 1 a
    perfect order. Same definition as lifelines and R's ``survival::concordance``.

    >>> concordance_index([1, 2, 3, 4], [4, 3, 2, 1], [1, 1, 1, 0])
    1.0
    """
    t = np.asarray(time, float)
    r = np.asarray(risk, float)
    e = np.asarray(event, int)
    # Ranks of the risks (1..k), for a Fenwick tree counting the risks of those still there.
    ranks = np.unique(r, return_inverse=True)[1] + 1
    size = int(ranks.max()) + 1 if len(ranks) else 1
    tree = np.zeros(size + 1, dtype=np.int64)

    def add(i: int) -> None:
        while i <= size:
            tree[i] += 1
            i += i & -i

    def below(i: int) -> int:  # how many inserted ranks are < i
        i -= 1
        total = 0
        while i > 0:
            total += tree[i]
            i -= i & -i
        return int(total)

    order = np.lexsort((e, -t))  # latest first; at equal times the censored come first
    concordant = tied = comparable = 0.0
    inserted = 0
    position = 0
    n = len(t)
    while position < n:
        same = position
        while same < n and t[order[same]] == t[order[position]]:
            same += 1
        block = order[position:same]
        censored = [i for i in block if e[i] == 0]
        for i in censored:  # censored at the same time are still there when the others leave
            add(int(ranks[i]))
            inserted += 1
        for i in block:
            if e[i] == 1:
                lower = below(int(ranks[i]))
                equal = below(int(ranks[i]) + 1) - lower
                comparable += inserted
                concordant += lower
                tied += equal
        for i in block:
            if e[i] == 1:
                add(int(ranks[i]))
                inserted += 1
        position = same
    if comparable == 0:
        return float("nan")
    return float((concordant + 0.5 * tied) / comparable)


class _RiskSets:
    """Rows sorted by duration and grouped by the event time whose risk sets they enter.

    A row belongs to the risk set of every event time up to its own duration, so its *bin* is
    the index of the last event time at or before its duration: the sums over risk sets are
    reverse cumulative sums over bins. Rows that end before the first event are in no risk
    set and are left out, as in statsmodels and lifelines.
    """

    def __init__(self, time: np.ndarray, status: np.ndarray, ties: str) -> None:
        order = np.argsort(time, kind="stable")
        sorted_time, sorted_status = time[order], status[order]
        self.event_times = np.unique(sorted_time[sorted_status == 1])
        bins = np.searchsorted(self.event_times, sorted_time, side="right") - 1
        inside = bins >= 0
        self.rows, self.bins = order[inside], bins[inside]
        k = len(self.event_times)
        self.starts = np.searchsorted(self.bins, np.arange(k))  # every bin holds its own events
        self.events = np.flatnonzero(sorted_status[inside] == 1)
        self.group = self.bins[self.events]
        self.event_starts = np.searchsorted(self.group, np.arange(k))
        self.n_tied = np.diff(np.append(self.event_starts, len(self.events)))
        # Efron: the j-th of d tied departures removes j/d of the tied accounts' weight from
        # the risk set; Breslow keeps them all (fraction 0).
        rank = np.arange(len(self.events)) - self.event_starts[self.group]
        self.fraction = (rank / self.n_tied[self.group] if ties == "efron"
                         else np.zeros(len(self.events)))

    def risk_sums(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` (rows in sorted order) over the risk set of each event time."""
        per_bin = np.add.reduceat(values, self.starts, axis=0)
        return np.cumsum(per_bin[::-1], axis=0)[::-1]

    def tied_sums(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` (one per departure, in sorted order) over each event time."""
        return np.add.reduceat(values, self.event_starts, axis=0)


def _partial_likelihood(
    sets: _RiskSets, x: np.ndarray, x_events: np.ndarray, beta: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """Log partial likelihood (Efron or Breslow), its gradient and the information matrix.

    Vectorised over the tied departures as lifelines' ``_get_efron_values_batch`` is: with
    S0, S1 the risk-set sums of w = exp(x·beta) and w·x, T0, T1 those of the d departures at
    one time, and c = 0, 1/d, ..., (d-1)/d, each departure adds -log(S0 - c T0) to the log
    likelihood. The risk-set sums of w·x·xᵀ are never formed: summed over event times they
    are one weighted cross-product of the rows.
    """
    eta = x @ beta
    top = eta.max()  # weights relative to the largest: no overflow
    w = np.exp(eta - top)
    group, c = sets.group, sets.fraction
    w_events = w[sets.events]
    s0 = sets.risk_sums(w)
    t0 = sets.tied_sums(w_events)
    denominator = s0[group] - c * t0[group]
    loglik = float(eta[sets.events].sum() - np.log(denominator).sum() - len(denominator) * top)
    inverse = 1.0 / denominator
    squared = inverse * inverse
    a, b = sets.tied_sums(inverse), sets.tied_sums(c * inverse)
    q0, q1, q2 = (sets.tied_sums(squared), sets.tied_sums(c * squared),
                  sets.tied_sums(c * c * squared))
    # Each row's weight in sum over event times of (S1 - c T1) / (S0 - c T0): a row is in
    # the risk sets of the event times up to its bin, and a departure leaves a share of its own.
    v = w * np.cumsum(a)[sets.bins]
    v[sets.events] -= w_events * b[group]
    gradient = x_events - x.T @ v
    wx = x * w[:, None]
    s1 = sets.risk_sums(wx)
    t1 = sets.tied_sums(wx[sets.events])
    information = x.T @ (x * v[:, None])
    information -= (s1.T @ (s1 * q0[:, None]) - s1.T @ (t1 * q1[:, None])
                    - t1.T @ (s1 * q1[:, None]) + t1.T @ (t1 * q2[:, None]))
    return loglik, gradient, information


def _collinear_terms(information: np.ndarray) -> list[int]:
    """Positions of the terms that earlier terms determine within every risk set (greedy, in
    order: of two identical terms the second is the one listed).

    The information matrix is a sum of weighted covariances of the risk sets; its null space
    does not depend on the coefficients, so checking it at 0 finds every collinear term.
    """
    scale = np.sqrt(np.clip(np.diag(information), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        correlation = information / np.outer(scale, scale)
    if (scale > 0).all() and np.linalg.eigvalsh(correlation)[0] > 1e-10:
        return []
    kept: list[int] = []
    collinear = []
    for j in range(len(scale)):
        if scale[j] <= 0:  # no variation among the accounts at risk
            collinear.append(j)
            continue
        r = correlation[kept, j]
        # 1 - R² of term j on the terms kept so far (a well-conditioned system by construction).
        unexplained = 1 - r @ np.linalg.solve(correlation[np.ix_(kept, kept)], r) if kept else 1.0
        (collinear if unexplained < 1e-9 else kept).append(j)
    return collinear


class CoxResults:
    """Estimates of a fitted Cox model, with the names of statsmodels' ``PHRegResults``.

    Fitted by Newton-Raphson on the partial likelihood (Efron or Breslow ties), from zero,
    halving a step that would lower the likelihood, until the largest change of a coefficient
    is below 1e-9. The same estimates, standard errors and log-likelihood as lifelines'
    ``CoxPHFitter`` and statsmodels' ``PHReg`` (to 1e-6 or better), in a fraction of the time:
    statsmodels prepares its risk sets with a Python loop over the rows, which took seconds on
    200,000 accounts.

    Attributes
    ----------
    params, bse, tvalues, pvalues : ndarray
        Coefficients (log hazard ratios), standard errors, z statistics, two-sided p-values.
    llf : float
        Log partial likelihood at the estimates.
    n_iterations : int
    converged : bool

    Examples
    --------
    >>> toy = pd.DataFrame({"months": [2, 3, 4, 6, 9, 12, 15, 20], "left": [1, 1, 1, 0, 1, 1, 0, 0],
    ...                     "tickets": [5, 3, 4, 1, 2, 2, 0, 1]})
    >>> result = CoxModel(["tickets"]).fit(toy, "months", "left").result_
    >>> result.conf_int(level=0.95).shape
    (1, 2)
    """

    def __init__(
        self, sets: _RiskSets, x: np.ndarray, n_rows: int, shift: float, params: np.ndarray,
        information: np.ndarray, llf: float, n_iterations: int, converged: bool,
    ) -> None:
        self._sets, self._x, self._shift, self._n_rows = sets, x, shift, n_rows
        self.params = params
        try:
            self._cov = np.linalg.inv(information)
        except np.linalg.LinAlgError:  # a coefficient gone to infinity: variance unknown
            self._cov = np.linalg.pinv(information)
        self.bse = np.sqrt(np.clip(np.diag(self._cov), 0, None))
        with np.errstate(divide="ignore", invalid="ignore"):
            self.tvalues = params / self.bse
        self.pvalues = 2 * stats.norm.sf(np.abs(self.tvalues))
        self.llf = llf
        self.n_iterations = n_iterations
        self.converged = converged

    def cov_params(self) -> np.ndarray:
        """Covariance matrix of the coefficients (inverse of the information matrix)."""
        return self._cov

    def conf_int(self, level: float = 0.95) -> np.ndarray:
        """Wald interval of each coefficient at ``level`` (the kit's name; statsmodels takes
        ``alpha = 1 - level``): rows × (low, high)."""
        half = stats.norm.ppf(0.5 + check_level(level) / 2) * self.bse
        return np.column_stack([self.params - half, self.params + half])

    @property
    def schoenfeld_residuals(self) -> np.ndarray:
        """Each departure's covariates minus the risk-weighted mean of its risk set (rows in
        the order of the fit; NaN for accounts that did not leave), as statsmodels gives them."""
        sets, x = self._sets, self._x
        w = np.exp(x @ self.params - (x @ self.params).max())
        means = sets.risk_sums(x * w[:, None]) / sets.risk_sums(w)[:, None]
        residuals = np.full((self._n_rows, x.shape[1]), np.nan)
        residuals[sets.rows[sets.events]] = x[sets.events] - means[sets.group]
        return residuals

    @property
    def baseline_cumulative_hazard(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """``[(event times, cumulative hazard just before each, baseline survival)]``: the
        Breslow (Nelson-Aalen) estimate at covariates 0, in statsmodels' layout."""
        sets = self._sets
        eta = self._x @ self.params
        top = eta.max()
        # exp(x·beta) of the covariates as given, computed relative to the largest.
        s0 = sets.risk_sums(np.exp(eta - top))
        hazard = sets.n_tied / s0 * np.exp(-(top + self._shift))
        before = np.cumsum(hazard) - hazard
        return [(sets.event_times, before, np.exp(-before))]


def _fit_cox(
    time: np.ndarray, status: np.ndarray, design: np.ndarray, terms: Sequence[str], ties: str
) -> tuple[CoxResults, list[int]]:
    """The fit on the terms that are not collinear, and the positions of those terms."""
    # One BLAS thread: the products are thin (rows x terms), and on a 2-core machine shared
    # with a notebook kernel, threads waiting for a core cost more than they save (0.2 s
    # instead of 0.4-0.8 s on 200,000 accounts under load).
    with threadpool_limits(limits=1, user_api="blas"):
        return _newton_raphson(time, status, design, terms, ties)


def _newton_raphson(
    time: np.ndarray, status: np.ndarray, design: np.ndarray, terms: Sequence[str], ties: str
) -> tuple[CoxResults, list[int]]:
    sets = _RiskSets(time, status, ties)
    means = design.mean(axis=0)
    # Centred covariates: the same model (a shift cancels in every risk set) and no loss of
    # precision in the information matrix when a covariate is far from 0 (seats, revenue).
    x = design[sets.rows] - means
    x_events = x[sets.events].sum(axis=0)
    beta = np.zeros(x.shape[1])
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        loglik, gradient, information = _partial_likelihood(sets, x, x_events, beta)
        collinear = _collinear_terms(information)
        kept = [j for j in range(len(terms)) if j not in collinear]
        if not kept:
            raise DataError(
                "no covariate varies among the accounts still there at the departure times: "
                "the model has nothing to compare."
            )
        if collinear:  # at 0 the quantities of the other terms are sub-blocks
            x, x_events, means, beta = x[:, kept], x_events[kept], means[kept], beta[kept]
            gradient, information = gradient[kept], information[np.ix_(kept, kept)]
            terms = [terms[j] for j in kept]
        converged, iteration = False, 0
        while iteration < 50:
            iteration += 1
            try:
                step = np.linalg.solve(information, gradient)
            except np.linalg.LinAlgError:
                step = np.linalg.lstsq(information, gradient, rcond=None)[0]
            for _ in range(30):  # halve a step that overshoots
                trial = beta + step
                new = _partial_likelihood(sets, x, x_events, trial)
                if new[0] >= loglik - 1e-12 * abs(loglik):
                    break
                step = step / 2
            gain = new[0] - loglik
            beta, (loglik, gradient, information) = trial, new
            largest = np.max(np.abs(step))
            if largest < 1e-9:
                converged = True
                break
            if largest > 1e-3 and abs(gain) <= 1e-15 * abs(loglik):
                break  # full steps that no longer raise the likelihood: a coefficient runs to infinity
    if not converged:
        j = int(np.argmax(np.abs(step)))
        warnings.warn(
            f"the Cox model did not converge: the coefficient of {terms[j]!r} keeps growing "
            f"({beta[j]:.3g} after {iteration} iterations). That term separates the "
            "accounts that left from the others (for example only accounts that left have it): "
            "its hazard ratio and interval are not meaningful. Drop it or group its levels.",
            DataWarning,
            stacklevel=4,
        )
    result = CoxResults(sets, x, len(time), float(means @ beta), beta, information, loglik,
                        iteration, converged)
    return result, kept


class CoxModel(BaseEstimator):
    """Cox proportional-hazards model with readable terms (the estimates of lifelines' and
    statsmodels' Cox models, see :class:`CoxResults`).

    The hazard is the monthly risk of leaving among those still subscribed. The model says
    that each covariate multiplies it by a constant factor, the *hazard ratio*: 0.5 halves
    the risk of leaving in any month, 1.2 raises it by 20 %. A scikit-learn estimator:
    ``get_params``, ``set_params`` and ``sklearn.base.clone`` work, and ``fit`` never
    changes the arguments given here.

    The covariates are read with the library's rules:

    - numbers enter per unit (inf refused with the rows named; numbers written as text, such
      as decimal commas ``"70,35"``, refused with the conversion to write, never made a category);
    - yes/no columns (oui/non, vrai/faux, 1/0...) enter as 0/1 (yes = 1);
    - text or categorical columns get one term per level against a reference level. A column
      with more levels than :func:`mlmarketing._validation.category_limit` of the rows
      (``min(50, max(2, 5 % of the rows))``) keeps its most frequent levels and groups the
      others into ``"other"``, reported in ``preparation_`` and :meth:`summary`;
    - an identifier (``account_id``, a customer number) is refused: it cannot explain churn.

    Parameters
    ----------
    covariates : sequence of str
        Columns to explain the hazard.
    reference : mapping, optional
        Reference level of a categorical column, e.g. ``{"billing_cycle": "monthly"}``
        (default: the first category, or the first value in sorted order).
    ties : {"efron", "breslow"}, default "efron"
        How tied durations are handled: Efron, as lifelines and R, or Breslow (faster).
    dropna : bool, default False
        Rows with a missing covariate raise a :class:`DataError` unless ``dropna=True``, in
        which case they are left out of the fit and counted (``n_dropped_``, :meth:`summary`).
    level : float, default 0.95
        Confidence level of the intervals.

    Attributes
    ----------
    hazard_ratios_ : DataFrame
        Columns ``term``, ``coefficient`` (log hazard ratio), ``hazard ratio``, ``low``,
        ``high`` (confidence interval of the hazard ratio), ``p-value``.
    preparation_ : DataFrame
        How each covariate was read (``covariate``, ``read as``, ``levels grouped into other``).
    result_ : CoxResults
        ``params``, ``bse``, ``pvalues``, ``llf``, ``cov_params()``, ``schoenfeld_residuals``,
        ``baseline_cumulative_hazard``, named as statsmodels' ``PHRegResults`` names them, and
        ``conf_int(level)``.
    terms_ : list of str
    collinear_terms_ : list of str
        Terms left out because the others determine them among the accounts at risk (the
        same split written in two columns), said with a :class:`DataWarning`.
    n_dropped_ : int

    Examples
    --------
    >>> toy = pd.DataFrame({"months": [2, 3, 4, 6, 9, 12, 15, 20], "left": [1, 1, 1, 0, 1, 1, 0, 0],
    ...                     "tickets": [5, 3, 4, 1, 2, 2, 0, 1]})
    >>> model = CoxModel(["tickets"]).fit(toy, "months", "left")
    >>> model.hazard_ratios_["term"].tolist()
    ['tickets']
    >>> round(model.summary().loc["concordance index (Harrell's C)", "value"], 3)
    0.935

    Used in ``03-02-cloud-services-churn.ipynb``.
    """

    def __init__(
        self,
        covariates: Sequence[str] = (),
        *,
        reference: Mapping[str, object] | None = None,
        ties: str = "efron",
        dropna: bool = False,
        level: float = 0.95,
    ) -> None:
        self.covariates = covariates
        self.reference = reference
        self.ties = ties
        self.dropna = dropna
        self.level = level

    def _covariate_list(self) -> list[str]:
        names = self.covariates
        return [names] if isinstance(names, str) else list(names)

    # How each covariate is read: numbers, yes/no as 0/1, or levels against a reference.
    def _prepare(self, frame: pd.DataFrame, duration: str) -> None:
        reference = dict(self.reference or {})
        self.levels_, self.yes_no_, self.kept_levels_ = {}, [], {}
        rows = []
        for column in self._covariates:
            series = frame[column]
            # looks_like_id counts distinct values before it looks at the dtype; a float column
            # is an id only by its name, so only the name is shown to it (same answer, no count).
            probe = series.iloc[:0] if pd.api.types.is_float_dtype(series) else series
            if looks_like_id(probe, column):
                raise DataError(
                    f"covariate {column!r} is an identifier (named like one, or unique per row): it "
                    "cannot explain churn and is never used as a predictor. Drop it from the covariates."
                )
            if _is_yes_no(series):
                if column in reference:
                    raise DataError(f"reference was given for {column!r}, a yes/no column (yes = 1).")
                self.yes_no_.append(column)
                rows.append((column, "yes/no as 1/0", 0))
                continue
            numeric = pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series)
            present = series.dropna()
            if not numeric and not isinstance(series.dtype, pd.CategoricalDtype) and len(present) and (
                present.astype(str).str.strip().str.match(_NUMBER_TEXT.pattern, case=False).all()
            ):
                check_numeric(frame, [column])  # numbers written as text: refused with the fix
            if numeric:
                if column in reference:
                    raise DataError(f"reference was given for {column!r}, which holds numbers.")
                check_numeric(frame, [column])
                rows.append((column, "number", 0))
                continue
            grouped, n_grouped = group_rare_levels(series, max_levels=category_limit(len(frame)))
            observed = grouped.dropna()
            if isinstance(series.dtype, pd.CategoricalDtype) and not n_grouped:
                values = [str(v) for v in series.cat.categories if (observed == v).any()]
            else:
                values = sorted(observed.astype(str).unique())
            if n_grouped:
                self.kept_levels_[column] = [v for v in values if v != OTHER_LEVEL]
            if column in reference:
                ref = str(reference[column])
                if ref not in values:
                    raise DataError(
                        f"reference level {reference[column]!r} is not a value of column {column!r}"
                        f"{' once rare levels are grouped' if n_grouped else ''}; its values are "
                        f"{values[:10]}{' ...' if len(values) > 10 else ''}."
                    )
                values = [ref] + [v for v in values if v != ref]
            if len(values) < 2:
                raise DataError(
                    f"covariate {column!r} has a single value ({values[0]!r}); it cannot explain "
                    "differences. Drop it from the covariates."
                )
            self.levels_[column] = values
            rows.append((column, f"{len(values)} levels against {values[0]!r}", n_grouped))
        self.preparation_ = pd.DataFrame(
            rows, columns=["covariate", "read as", "levels grouped into other"]
        )

    def _design(self, frame: pd.DataFrame) -> pd.DataFrame:
        parts = {}
        for column in self._covariates:
            series = frame[column]
            if column in self.levels_:
                text = series.astype(object).where(series.notna())
                text = text.map(lambda v: v if pd.isna(v) else str(v))
                if column in self.kept_levels_:
                    text = text.where(text.isna() | text.isin(self.kept_levels_[column]), OTHER_LEVEL)
                known = self.levels_[column]
                unseen = text.notna() & ~text.isin(known)
                if unseen.any():
                    raise DataError(
                        f"column {column!r} holds {text[unseen].iloc[0]!r}, a value the model "
                        f"was not fitted with ({known}). Recode it or refit the model."
                    )
                for value in known[1:]:
                    parts[f"{column} = {value}"] = (text == value).astype(float).where(text.notna())
            elif column in self.yes_no_:
                parts[column] = _yes_no(series, column, allow_missing=True)
            else:
                check_numeric(frame, [column])
                parts[column] = series.to_numpy(dtype="float64", na_value=np.nan)
        for term in getattr(self, "collinear_terms_", []):
            del parts[term]
        return pd.DataFrame(parts, index=frame.index)

    def fit(self, df: pd.DataFrame, duration: str, event: str) -> CoxModel:
        """Fit the model on ``df`` (not modified); return self.

        ``duration`` holds finite tenures, 0 or more; ``event`` says whether each customer
        left (1/0, yes/no, oui/non, vrai/faux).
        """
        covariates = self._covariate_list()
        if not covariates:
            raise DataError("covariates is empty: name at least one column that may explain churn.")
        if self.ties not in ("efron", "breslow"):
            raise DataError(f"ties must be 'efron' or 'breslow', got {self.ties!r}.")
        level = check_level(self.level)
        frame = check_frame(df, min_rows=2)
        check_columns(frame, [duration], role="duration column")
        check_columns(frame, [event], role="event column")
        check_columns(frame, covariates, role="covariate")
        for column in covariates:
            if column in (duration, event):
                raise DataError(
                    f"{column!r} is the duration or event column; it cannot also be a covariate."
                )
        self._covariates = covariates
        missing = frame[covariates].isna()
        if missing.any().any() and not self.dropna:
            column = missing.sum().idxmax()
            raise DataError(
                f"covariate {column!r} has {int(missing[column].sum())} missing value(s) "
                f"({describe_rows(frame.index, missing[column])}). Fill them (for example with the "
                "median and a 0/1 'was missing' column), or pass dropna=True to leave those rows "
                "out of the model."
            )
        keep = ~missing.any(axis=1).to_numpy()
        self.n_dropped_ = int((~keep).sum())
        self.n_rows_ = len(frame)
        frame = frame.loc[keep]
        time = _durations(frame, duration)
        status = _events(frame, event)
        if status.sum() == 0:
            raise DataError(
                f"column {event!r} has no event (nobody left): the model cannot learn what makes "
                "customers leave."
            )
        self._prepare(frame, duration)
        self.collinear_terms_ = []
        design = self._design(frame)
        values = design.to_numpy()
        constant = [c for c, low, high in zip(design.columns, values.min(axis=0), values.max(axis=0),
                                              strict=True) if low == high]
        if constant:
            raise DataError(
                f"covariate {constant[0]!r} takes a single value in the rows used; drop it."
            )
        terms = list(design.columns)
        self.result_, kept = _fit_cox(time, status, values.astype(float), terms, self.ties)
        self.terms_ = [terms[j] for j in kept]
        self.collinear_terms_ = [term for term in terms if term not in self.terms_]
        if self.collinear_terms_:
            names = ", ".join(repr(term) for term in self.collinear_terms_)
            warnings.warn(
                f"{names} left out of the model: among the accounts at risk the other terms "
                "already determine it (collinear, e.g. 'no internet' in two columns), so its "
                "effect cannot be told apart from theirs. Drop or recode a covariate to choose "
                "which term stays.",
                DataWarning,
                stacklevel=2,
            )
            values = values[:, kept]
        params = np.asarray(self.result_.params, float)
        ci = np.asarray(self.result_.conf_int(level), float)
        with np.errstate(over="ignore"):  # a coefficient run to infinity is warned about above
            ratios, low, high = np.exp(params), np.exp(ci[:, 0]), np.exp(ci[:, 1])
        self.hazard_ratios_ = pd.DataFrame(
            {
                "term": self.terms_,
                "coefficient": params,
                "hazard ratio": ratios,
                "low": low,
                "high": high,
                "p-value": np.asarray(self.result_.pvalues, float),
            }
        )
        self.hazard_ratios_.attrs["level"] = level
        self._time, self._status, self._design_fit = time, status, values
        self._concordance = None
        self._baseline()
        return self

    def _baseline(self) -> None:
        # The Breslow cumulative hazard comes just *before* each event time (statsmodels'
        # layout); shifted by one it is the value *at* each event time (the last is dropped).
        times, before, _ = self.result_.baseline_cumulative_hazard[0]
        self._h0_times = np.asarray(times, float)[:-1]
        self._h0 = np.asarray(before, float)[1:]
        # Beyond the longest tenure observed the baseline is extended by a Weibull fitted
        # to it (a straight line of log H0 against log time): a visible, documented choice.
        ok = (self._h0 > 0) & (self._h0_times > 0)
        if ok.sum() >= 2:
            slope, intercept = np.polyfit(np.log(self._h0_times[ok]), np.log(self._h0[ok]), 1)
        else:
            slope = 1.0
            intercept = np.log(max(self._h0[-1], 1e-12) / max(self._h0_times[-1], 1e-12))
        self.tail_shape_ = float(slope)
        self._tail_intercept = float(intercept)

    def _check_fitted(self) -> None:
        if not hasattr(self, "result_"):
            raise DataError("the model is not fitted yet: call .fit(df, duration, event) first.")

    def concordance_index(self) -> float:
        """Harrell's C of the fitted model on the rows it was fitted on (see :func:`concordance_index`)."""
        self._check_fitted()
        if self._concordance is None:
            risk = self._design_fit @ np.asarray(self.result_.params, float)
            self._concordance = concordance_index(self._time, risk, self._status)
        return self._concordance

    def summary(self) -> pd.DataFrame:
        """The fit in one labelled table: rows used and left out, events, ties, log-likelihood,
        Harrell's concordance index; the terms are in ``hazard_ratios_``."""
        self._check_fitted()
        grouped = int(self.preparation_["levels grouped into other"].sum())
        rows = {
            "accounts used": len(self._time),
            "rows left out (missing covariate)": self.n_dropped_,
            "departures (events)": int(self._status.sum()),
            "terms": len(self.terms_),
            "levels grouped into other": grouped,
            "terms left out (collinear)": len(self.collinear_terms_),
            "ties": self.ties,
            "confidence level": level_label(self.level),
            "log-likelihood": float(self.result_.llf),
            "concordance index (Harrell's C)": self.concordance_index(),
        }
        return pd.DataFrame({"value": pd.Series(rows, dtype=object)}).rename_axis("quantity")

    def baseline_cumulative_hazard(self, times: np.ndarray) -> np.ndarray:
        """Baseline cumulative hazard H0 at ``times`` (Weibull-extended beyond the data)."""
        self._check_fitted()
        t = np.asarray(times, float)
        idx = np.searchsorted(self._h0_times, t, side="right") - 1
        inside = np.where(idx >= 0, self._h0[np.clip(idx, 0, None)], 0.0)
        last = self._h0_times[-1]
        tail = np.exp(self._tail_intercept) * np.maximum(t, 1e-12) ** self.tail_shape_
        at_last = np.exp(self._tail_intercept) * last**self.tail_shape_
        # The tail continues from the last estimated value, with the Weibull's growth.
        return np.where(t > last, self._h0[-1] + (tail - at_last).clip(0), inside)

    def relative_risk(self, df: pd.DataFrame) -> pd.Series:
        """exp(linear predictor) of each row: how many times the baseline hazard (NaN if a
        covariate is missing)."""
        self._check_fitted()
        frame = check_frame(df)
        check_columns(frame, self._covariates, role="covariate")
        design = self._design(frame)
        return pd.Series(np.exp(design.to_numpy() @ self.result_.params), index=frame.index)

    def survival_function(self, df: pd.DataFrame, times: Sequence[float]) -> pd.DataFrame:
        """Probability that each customer (row) is still subscribed at each of ``times``
        (measured from their start): rows of ``df`` × one column per time."""
        risk = self.relative_risk(df).to_numpy()
        t = np.asarray(times, float)
        surv = np.exp(-np.outer(risk, self.baseline_cumulative_hazard(t)))
        return pd.DataFrame(surv, index=df.index, columns=list(t))


def cox_model(
    df: pd.DataFrame,
    duration: str,
    event: str,
    covariates: Sequence[str],
    *,
    reference: Mapping[str, object] | None = None,
    ties: str = "efron",
    dropna: bool = False,
    level: float = 0.95,
) -> pd.DataFrame:
    """Hazard ratios of a Cox proportional-hazards model, with confidence intervals.

    Shortcut for ``CoxModel(covariates, ...).fit(df, duration, event).hazard_ratios_``; use
    :class:`CoxModel` to predict from the model and for its :meth:`CoxModel.summary`. The
    covariates are read as :class:`CoxModel` says (ids refused, rare levels grouped).

    Returns
    -------
    DataFrame
        ``term``, ``coefficient`` (log hazard ratio), ``hazard ratio``, ``low``, ``high``,
        ``p-value``. A hazard ratio of 0.5 halves the risk of leaving in any month.

    Examples
    --------
    >>> toy = pd.DataFrame({"months": [2, 3, 4, 6, 9, 12, 15, 20], "left": [1, 1, 1, 0, 1, 1, 0, 0],
    ...                     "billing": ["monthly", "annual"] * 4})
    >>> cox_model(toy, "months", "left", ["billing"], reference={"billing": "monthly"})["term"][0]
    'billing = annual'

    Used in ``03-02-cloud-services-churn.ipynb``.
    """
    model = CoxModel(covariates, reference=reference, ties=ties, dropna=dropna, level=level)
    return model.fit(df, duration, event).hazard_ratios_


def proportional_hazards_check(model: CoxModel) -> pd.DataFrame:
    """Test the proportional-hazards assumption of a fitted model, term by term.

    The Grambsch-Therneau test as R's ``cox.zph`` (before survival 3.0) and lifelines'
    ``proportional_hazard_test`` compute it: the *scaled* Schoenfeld residuals of each term
    (the residuals times the number of events and the model's covariance) against
    the log of the event time, with a chi-squared statistic on 1 degree of freedom that uses
    the model's overall variance (an approximation). If a hazard ratio drifts with tenure, the
    residuals trend. A small p-value flags a term whose effect changes over time: split the
    model by period, stratify on that variable, or add an interaction with time. Departures at
    time 0 (no log) are left out of the test. Without tied times the result equals lifelines';
    with ties the residuals are statsmodels' (Breslow-style), so it differs slightly.

    Returns
    -------
    DataFrame
        ``term``, ``correlation`` (scaled residuals with log time), ``statistic``,
        ``p-value``, ``proportional`` (p-value ≥ 0.05).

    Examples
    --------
    >>> toy = pd.DataFrame({"months": [2, 3, 4, 6, 9, 12, 15, 20], "left": [1, 1, 1, 0, 1, 1, 0, 0],
    ...                     "tickets": [5, 3, 4, 1, 2, 2, 0, 1]})
    >>> model = CoxModel(["tickets"]).fit(toy, "months", "left")
    >>> proportional_hazards_check(model).columns.tolist()
    ['term', 'correlation', 'statistic', 'p-value', 'proportional']
    """
    if not isinstance(model, CoxModel):
        raise DataError(_NOT_A_MODEL)
    model._check_fitted()
    residuals = np.asarray(model.result_.schoenfeld_residuals, float)
    events = (model._status == 1) & np.isfinite(residuals).all(axis=1)
    n_events = int(events.sum())
    variance = np.atleast_2d(np.asarray(model.result_.cov_params(), float))
    scaled = n_events * residuals[events] @ variance + np.asarray(model.result_.params, float)
    usable = model._time[events] > 0
    g = np.log(model._time[events][usable])
    g = g - g.mean() if len(g) else g
    scaled = scaled[usable]
    rows = []
    for j, term in enumerate(model.terms_):
        r = scaled[:, j]
        if len(r) < 3 or np.ptp(r) == 0 or np.ptp(g) == 0:
            corr = statistic = p = np.nan
        else:
            corr = float(np.corrcoef(g, r)[0, 1])
            statistic = float((g @ r) ** 2 / (n_events * variance[j, j] * (g @ g)))
            p = float(stats.chi2.sf(statistic, 1))
        rows.append({"term": term, "correlation": corr, "statistic": statistic, "p-value": p})
    out = pd.DataFrame(rows)
    out["proportional"] = out["p-value"].fillna(1.0) >= 0.05
    return out


def expected_lifetime(
    model: CoxModel,
    df: pd.DataFrame,
    tenure: str,
    *,
    value: str | None = None,
    within: float = 3.0,
    horizon: float = 36.0,
    steps_per_unit: int = 4,
) -> pd.DataFrame:
    """For customers still subscribed: risk of leaving soon, expected remaining lifetime and value.

    For a customer with tenure *a* and survival curve S(t) from the model, the chance of
    still being there at *a + t* given they are there now is S(a + t) / S(a). From it:

    - ``churn probability``: probability of leaving within ``within`` units (e.g. 3 months);
    - ``expected remaining``: expected time still subscribed over the next ``horizon`` units
      (a restricted mean: the area under the conditional survival curve up to ``horizon``);
    - ``remaining value``: ``expected remaining`` × the customer's ``value`` per unit (e.g.
      monthly revenue), if ``value`` is given. Not discounted.

    Beyond the longest tenure in the data, the baseline hazard is extended by a Weibull
    fitted to it (see :class:`CoxModel`). Rows with a missing covariate get NaN.

    Parameters
    ----------
    model : CoxModel
        A fitted model.
    df : DataFrame
        Customers to score (usually those still subscribed), with the model's covariates and
        their current tenure. Not modified.
    tenure : str
        Column with the current tenure (finite, 0 or more), in the unit of the model's durations.
    value : str, optional
        Column with the value per unit of time (monthly revenue): finite numbers.
    within, horizon : float
        Windows, in the unit of the durations.
    steps_per_unit : int, default 4
        Resolution of the numerical integration (trapezoids).

    Returns
    -------
    DataFrame
        Same index as ``df``: ``tenure``, ``churn probability``, ``expected remaining`` and,
        with ``value``, ``value per unit`` and ``remaining value``.

    Examples
    --------
    >>> toy = pd.DataFrame({"months": [2, 3, 4, 6, 9, 12, 15, 20], "left": [1, 1, 1, 0, 1, 1, 0, 0],
    ...                     "tickets": [5, 3, 4, 1, 2, 2, 0, 1]})
    >>> model = CoxModel(["tickets"]).fit(toy, "months", "left")
    >>> expected_lifetime(model, toy, "months", within=3, horizon=12).columns.tolist()
    ['tenure', 'churn probability', 'expected remaining']

    Used in ``03-02-cloud-services-churn.ipynb``.
    """
    if not isinstance(model, CoxModel):
        raise DataError(_NOT_A_MODEL)
    model._check_fitted()
    frame = check_frame(df)
    check_columns(frame, tenure, role="tenure column")
    for name, number in (("within", within), ("horizon", horizon)):
        if isinstance(number, bool) or not isinstance(number, int | float | np.number) or not (
            np.isfinite(number) and number > 0
        ):
            raise DataError(f"{name} must be a positive number of time units, got {number!r}.")
    check_numeric(frame, [tenure], non_negative=True, what="tenures")
    age = frame[tenure].to_numpy(dtype="float64", na_value=np.nan)
    if np.isnan(age).any():
        raise DataError(
            f"column {tenure!r} has missing tenures ({describe_rows(frame.index, np.isnan(age))}): "
            "fill them with tenure_table() or drop those rows."
        )
    if value is not None:
        check_columns(frame, value, role="value column")
        check_numeric(frame, [value], what="values")
    risk = model.relative_risk(frame).to_numpy()
    grid = np.linspace(0.0, horizon, int(np.ceil(horizon * steps_per_unit)) + 1)
    h_now = model.baseline_cumulative_hazard(age)
    h_grid = model.baseline_cumulative_hazard(age[:, None] + grid[None, :])
    conditional = np.exp(-(h_grid - h_now[:, None]) * risk[:, None])
    h_within = model.baseline_cumulative_hazard(age + within)
    out = pd.DataFrame(
        {
            "tenure": age,
            "churn probability": 1 - np.exp(-(h_within - h_now) * risk),
            "expected remaining": trapezoid(conditional, grid, axis=1),
        },
        index=frame.index,
    )
    if value is not None:
        out["value per unit"] = frame[value].to_numpy(dtype="float64", na_value=np.nan)
        out["remaining value"] = out["expected remaining"] * out["value per unit"]
    return out


# ----------------------------------------------------------------------------- plots


def plot_survival(km: pd.DataFrame, *, bands: bool = True, ax=None, title: str | None = None):
    """Draw Kaplan-Meier curves from :func:`kaplan_meier`'s table, one step line per group.

    The bands are the table's confidence intervals; the legend says their level (from the
    table). Draws on ``ax``, or on a new figure when it is None; returns the matplotlib Axes.

    Examples
    --------
    >>> toy = pd.DataFrame({"months": [2, 3, 3, 5, 8], "left": [1, 1, 0, 1, 0]})
    >>> plot_survival(kaplan_meier(toy, "months", "left")).get_ylabel()
    'share still subscribed'
    """
    check_frame(km, name="km")
    check_columns(km, ["group", "time", "survival", "low", "high"], role="column")
    ax = new_axes(ax)
    level = km.attrs.get("level", 0.95)
    for group, part in km.groupby("group", sort=False, observed=True):
        (line,) = ax.step(part["time"], part["survival"], where="post", label=str(group))
        if bands:
            ax.fill_between(
                part["time"], part["low"], part["high"], step="post",
                alpha=0.2, color=line.get_color(), linewidth=0,
            )
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("tenure")
    ax.set_ylabel("share still subscribed")
    if km["group"].nunique() > 1:
        ax.legend(title=f"bands: {level_label(level)} interval" if bands else None)
    if title:
        ax.set_title(title)
    return ax


def plot_cohort_retention(retention: pd.DataFrame, *, ax=None, title: str | None = None):
    """Heatmap of :func:`cohort_retention`'s table (shares shown as percentages).

    Draws on ``ax``, or on a new figure when it is None; returns the matplotlib Axes.

    Examples
    --------
    >>> subs = pd.DataFrame({"start": ["2024-01-05", "2024-02-10"], "end": ["2024-02-10", None]})
    >>> plot_cohort_retention(cohort_retention(subs, "start", "end", "2024-04-30")).get_xlabel()
    'periods since signup'
    """
    import seaborn as sns

    check_frame(retention, name="retention")
    shares = retention.drop(columns=["accounts"], errors="ignore").astype(float)
    ax = new_axes(ax)
    annotate = shares.size <= 200
    sns.heatmap(
        100 * shares, ax=ax, cmap="YlGnBu", vmin=0, vmax=100, annot=annotate, fmt=".0f",
        cbar_kws={"label": "% still subscribed"}, annot_kws={"fontsize": 7},
    )
    ax.set_xlabel("periods since signup")
    ax.set_ylabel("signup cohort")
    if title:
        ax.set_title(title)
    return ax


def plot_hazard_ratios(
    table: pd.DataFrame,
    *,
    truth: Mapping[str, float] | None = None,
    ax=None,
    title: str | None = None,
):
    """Forest plot of hazard ratios with their intervals (log scale), from :func:`cox_model`.

    ``truth`` (term → true hazard ratio), if given, is drawn as red crosses. The legend says
    the level of the intervals (from the table). Draws on ``ax``, or on a new figure when it
    is None; returns the matplotlib Axes.

    Examples
    --------
    >>> table = pd.DataFrame({"term": ["annual"], "hazard ratio": [0.5], "low": [0.4],
    ...                       "high": [0.6]})
    >>> plot_hazard_ratios(table).get_xscale()
    'log'
    """
    check_frame(table, name="table")
    check_columns(table, ["term", "hazard ratio", "low", "high"], role="column")
    ax = new_axes(ax)
    level = table.attrs.get("level", 0.95)
    y = np.arange(len(table))[::-1]
    hr = table["hazard ratio"].to_numpy(float)
    err = np.vstack([hr - table["low"].to_numpy(float), table["high"].to_numpy(float) - hr])
    ax.errorbar(hr, y, xerr=err, fmt="o", capsize=3, label=f"estimate ({level_label(level)} interval)")
    if truth is not None:
        known = [(yy, truth[t]) for yy, t in zip(y, table["term"], strict=True) if t in truth]
        if known:
            ax.plot([k[1] for k in known], [k[0] for k in known], "x", color="red", markersize=8,
                    label="planted truth")
        ax.legend(loc="best")
    ax.axvline(1.0, color="grey", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    # Plain numbers on the log axis (0.4, 1, 2), never "4×10⁻¹": a ratio reads as a ratio.
    plain = FuncFormatter(lambda x, _: f"{x:.2g}")
    ax.xaxis.set_major_formatter(plain)
    ax.xaxis.set_minor_formatter(plain)
    ax.tick_params(axis="x", which="minor", labelsize=8)
    ax.set_yticks(y)
    ax.set_yticklabels(table["term"])
    ax.set_xlabel("hazard ratio (< 1: goes with staying longer)")
    if title:
        ax.set_title(title)
    return ax
