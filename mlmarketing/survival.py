"""Time to churn: when do subscribers leave, and what keeps them longer?

Survival analysis for subscription businesses, used by ``03-02-cloud-services-churn.ipynb``.
Most subscribers have not left yet when the data are extracted (they are *censored*): a
plain "churned yet?" share or classifier treats them as loyal although they simply have
had less time to leave. The helpers below use every account correctly:

- :func:`tenure_table` turns signup and end dates into a duration and an event flag;
- :func:`cohort_retention` is the monthly (or quarterly) cohort table SaaS boards look at;
- :func:`kaplan_meier`, :func:`median_lifetime` and :func:`logrank_test` describe and
  compare survival curves (statsmodels ``SurvfuncRight`` and ``survdiff``);
- :class:`CoxModel` and :func:`cox_model` fit a Cox proportional-hazards model
  (statsmodels ``PHReg``) and give hazard ratios; :func:`proportional_hazards_check`
  tests its main assumption;
- :func:`expected_lifetime` turns the model into the probability of leaving soon, the
  expected remaining lifetime and the remaining revenue of each account;
- :func:`plot_survival`, :func:`plot_cohort_retention` and :func:`plot_hazard_ratios` draw them.

Durations can be in any unit (the course uses months); every argument named ``within``
or ``horizon`` is in the same unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from mlmarketing._errors import DataError
from mlmarketing._validation import as_binary, check_columns, check_frame, check_numeric

__all__ = [
    "DAYS_PER_MONTH",
    "CoxModel",
    "cohort_retention",
    "cox_model",
    "expected_lifetime",
    "kaplan_meier",
    "logrank_test",
    "median_lifetime",
    "plot_cohort_retention",
    "plot_hazard_ratios",
    "plot_survival",
    "proportional_hazards_check",
    "tenure_table",
]

DAYS_PER_MONTH = 30.4375  # average length of a month (365.25 / 12)
_NOT_A_MODEL = "pass a fitted CoxModel, e.g. CoxModel(covariates).fit(df, duration, event)."


# ----------------------------------------------------------------------------- inputs


def _dates(df: pd.DataFrame, column: str) -> pd.Series:
    series = df[column]
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.astype("datetime64[ns]")
    converted = pd.to_datetime(series, errors="coerce")
    bad = series[converted.isna() & series.notna()]
    if len(bad):
        raise DataError(
            f"column {column!r} must hold dates but holds {bad.iloc[0]!r}. Read the file with "
            "mlmarketing.read_table(path) or convert it with pd.to_datetime(..., dayfirst=True)."
        )
    return converted.astype("datetime64[ns]")


def _timestamp(value: object, name: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as error:
        raise DataError(f"{name} must be a date such as '2024-12-31', got {value!r}.") from error
    if pd.isna(stamp):
        raise DataError(f"{name} must be a date such as '2024-12-31', got {value!r}.")
    return stamp


def _rows(index: pd.Index, mask: np.ndarray) -> str:
    labels = list(index[np.asarray(mask)][:3])
    more = ", ..." if int(np.sum(mask)) > 3 else ""
    return ", ".join(repr(x) for x in labels) + more


def _durations(df: pd.DataFrame, duration: str) -> np.ndarray:
    check_numeric(df, [duration])
    values = pd.to_numeric(df[duration]).astype(float)
    if values.isna().any():
        raise DataError(
            f"column {duration!r} has {int(values.isna().sum())} missing duration(s) (rows "
            f"{_rows(df.index, values.isna())}). Drop those rows or rebuild the durations from "
            "the dates with tenure_table()."
        )
    if (values <= 0).any():
        bad = values <= 0
        raise DataError(
            f"column {duration!r} has {int(bad.sum())} duration(s) that are zero or negative (rows "
            f"{_rows(df.index, bad)}). A subscription must last some time: check that the end "
            "date is after the start date, or drop those rows."
        )
    return values.to_numpy()


def _events(df: pd.DataFrame, event: str) -> np.ndarray:
    series = df[event]
    if series.isna().any():
        raise DataError(
            f"column {event!r} has {int(series.isna().sum())} missing value(s): every row must say "
            "whether the customer left (1) or is still subscribed (0)."
        )
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        values = pd.to_numeric(series).astype(float)
        if not values.isin([0.0, 1.0]).all():
            raise DataError(
                f"column {event!r} must be 0/1 (1 = left, 0 = still subscribed, i.e. censored) "
                f"but holds {values[~values.isin([0.0, 1.0])].iloc[0]!r}."
            )
        return values.to_numpy().astype(int)
    return as_binary(series, column=event).to_numpy()


def _survival_input(
    df: object, duration: str, event: str, by: str | None = None
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    frame = check_frame(df)
    check_columns(frame, duration, role="duration column")
    check_columns(frame, event, role="event column")
    if by is not None:
        check_columns(frame, by, role="group column")
        if frame[by].isna().any():
            raise DataError(
                f"group column {by!r} has {int(frame[by].isna().sum())} missing value(s); "
                "fill them (for example with 'unknown') or drop those rows."
            )
    return frame, _durations(frame, duration), _events(frame, event)


# ----------------------------------------------------------------------------- tenure


def tenure_table(
    df: pd.DataFrame,
    start: str,
    end: str,
    as_of: object,
    *,
    unit: str = "months",
    duration_name: str | None = None,
    event_name: str = "churned",
) -> pd.DataFrame:
    """Add each customer's tenure and whether they left, from start and end dates.

    A customer without an end date is still subscribed at ``as_of`` (the extraction date):
    their tenure runs until ``as_of`` and their event is 0 (*censored*). A customer with an
    end date left: tenure runs until the end date and the event is 1.

    Parameters
    ----------
    df : DataFrame
        One row per subscription. Not modified.
    start, end : str
        Columns with the start date and the end date (empty while still subscribed).
    as_of : date-like
        Extraction date. An end date after it, or a start date after it, raises.
    unit : {"months", "days", "weeks"}, default "months"
        Unit of the tenure (a month is 30.4375 days).
    duration_name : str, optional
        Name of the tenure column (default ``"tenure_<unit>"``).
    event_name : str, default "churned"
        Name of the 0/1 event column (replaced if it already exists).

    Returns
    -------
    DataFrame
        A copy of ``df`` with the two columns added.

    Raises
    ------
    DataError
        Missing start dates, end before (or on) the start date, end or start after ``as_of``.

    Examples
    --------
    >>> subs = pd.DataFrame({"start": ["2024-01-01", "2024-03-01"], "end": ["2024-02-01", None]})
    >>> table = tenure_table(subs, "start", "end", as_of="2024-12-31", unit="days")
    >>> table[["tenure_days", "churned"]]
       tenure_days  churned
    0         31.0        1
    1        305.0        0

    Used in ``03-02-cloud-services-churn.ipynb``.
    """
    frame = check_frame(df)
    check_columns(frame, [start, end], role="date column")
    days_per = {"months": DAYS_PER_MONTH, "days": 1.0, "weeks": 7.0}
    if unit not in days_per:
        raise DataError(f"unit must be 'months', 'weeks' or 'days', got {unit!r}.")
    cutoff = _timestamp(as_of, "as_of")
    begin = _dates(frame, start)
    finish = _dates(frame, end)
    if begin.isna().any():
        raise DataError(
            f"column {start!r} has {int(begin.isna().sum())} missing start date(s) (rows "
            f"{_rows(frame.index, begin.isna())}). Without a start the tenure is unknown: fill "
            "them from another source or drop those rows."
        )
    if (begin > cutoff).any():
        raise DataError(
            f"column {start!r} has start dates after the extraction date {cutoff.date()} (rows "
            f"{_rows(frame.index, begin > cutoff)}). Check as_of, or drop those rows."
        )
    if (finish > cutoff).any():
        raise DataError(
            f"column {end!r} has end dates after the extraction date {cutoff.date()} (rows "
            f"{_rows(frame.index, finish > cutoff)}). A future end is a notice of cancellation: "
            "pass a later as_of, or blank those end dates to count the customers as still "
            "subscribed."
        )
    if (finish <= begin).any():
        bad = finish <= begin
        raise DataError(
            f"column {end!r} has end dates on or before the start date (rows "
            f"{_rows(frame.index, bad)}). Fix the dates; same-day cancellations can be given "
            "an end one day after the start, or dropped."
        )
    stop = finish.fillna(cutoff)
    out = frame.copy()
    name = duration_name or f"tenure_{unit}"
    out[name] = ((stop - begin).dt.days / days_per[unit]).round(6)
    out[event_name] = finish.notna().astype(int).to_numpy()
    return out


# ----------------------------------------------------------------------------- cohorts


def cohort_retention(
    df: pd.DataFrame,
    start: str,
    end: str,
    as_of: object,
    *,
    freq: str = "M",
    max_periods: int | None = None,
) -> pd.DataFrame:
    """The cohort retention table: share of each signup cohort still subscribed k periods later.

    A cohort is the customers who started in the same month (``freq="M"``) or quarter
    (``"Q"``). Customer *i* counts as retained at period *k* if they had not left on the date
    ``start_i + k`` periods. A cell is shown only when every customer of the cohort has been
    observed that long at ``as_of``; otherwise it is left empty (NaN), so that no cell mixes
    customers who could have left with customers who could not yet.

    Parameters
    ----------
    df : DataFrame
        One row per subscription. Not modified.
    start, end : str
        Start and end date columns (end empty while subscribed).
    as_of : date-like
        Extraction date.
    freq : {"M", "Q"}, default "M"
        Cohorts and periods by month or by quarter.
    max_periods : int, optional
        Keep periods 0..max_periods only.

    Returns
    -------
    DataFrame
        Index ``cohort`` (for example ``"2023-01"`` or ``"2023Q1"``), a first column
        ``accounts`` (cohort size), then one column per period 0, 1, 2, ... with the share
        (0-1) still subscribed.

    Examples
    --------
    >>> subs = pd.DataFrame({"start": ["2024-01-05", "2024-01-20", "2024-02-10"],
    ...                      "end": ["2024-02-10", None, None]})
    >>> table = cohort_retention(subs, "start", "end", as_of="2024-04-30")
    >>> table.columns.tolist()
    ['accounts', 0, 1, 2, 3]
    >>> table.loc["2024-01"].tolist()
    [2.0, 1.0, 1.0, 0.5, 0.5]
    >>> table.loc["2024-02"].tolist()  # not yet observed 3 months after signup
    [1.0, 1.0, 1.0, 1.0, nan]

    Used in ``03-02-cloud-services-churn.ipynb``.
    """
    table = tenure_table(df, start, end, as_of, unit="days", duration_name="_days", event_name="_e")
    step = {"M": 1, "Q": 3}.get(freq)
    if step is None:
        raise DataError(f"freq must be 'M' (months) or 'Q' (quarters), got {freq!r}.")
    if max_periods is not None and (not isinstance(max_periods, int) or max_periods < 0):
        raise DataError(f"max_periods must be a whole number 0 or more, got {max_periods!r}.")
    cutoff = _timestamp(as_of, "as_of")
    begin = _dates(table, start)
    finish = _dates(table, end)
    cohort = begin.dt.to_period(freq).astype(str)
    longest = int((cutoff.year - begin.min().year) * 12 + cutoff.month - begin.min().month) // step
    if max_periods is not None:
        longest = min(longest, max_periods)
    columns = {}
    for k in range(longest + 1):
        when = begin + pd.DateOffset(months=k * step)
        observed = when <= cutoff
        retained = (finish.isna() | (finish > when)).astype(float)
        frame = pd.DataFrame({"cohort": cohort, "r": retained, "o": observed})
        grouped = frame.groupby("cohort", sort=True)
        share = grouped["r"].mean().where(grouped["o"].all())
        columns[k] = share
    out = pd.DataFrame(columns)
    out.insert(0, "accounts", cohort.value_counts().reindex(out.index).astype(int))
    out.index.name = "cohort"
    out.columns.name = None
    return out.dropna(axis=1, how="all")


# ----------------------------------------------------------------------------- Kaplan-Meier


def _groups(frame: pd.DataFrame, by: str | None) -> list[tuple[object, np.ndarray]]:
    if by is None:
        return [("all", np.ones(len(frame), dtype=bool))]
    values = frame[by]
    levels = values.cat.categories if isinstance(values.dtype, pd.CategoricalDtype) else None
    levels = [v for v in (levels if levels is not None else sorted(values.unique()))]
    return [(level, np.asarray(values == level)) for level in levels if (values == level).any()]


def kaplan_meier(
    df: pd.DataFrame, duration: str, event: str, by: str | None = None, *, alpha: float = 0.05
) -> pd.DataFrame:
    """Kaplan-Meier survival curves (overall or by group) as a tidy table.

    The estimate uses statsmodels ``SurvfuncRight``; the pointwise confidence interval is
    computed on the log(-log) scale from its Greenwood standard error, so it stays in [0, 1].

    Parameters
    ----------
    df : DataFrame
        One row per customer. Not modified.
    duration : str
        Column with the time observed (tenure), strictly positive.
    event : str
        Column with 1 if the customer left, 0 if still subscribed (censored).
    by : str, optional
        Group column (plan, billing cycle...): one curve per value.
    alpha : float, default 0.05
        1 − confidence level of the band.

    Returns
    -------
    DataFrame
        Columns ``group``, ``time``, ``at_risk``, ``churned``, ``survival``, ``ci_low``,
        ``ci_high``; one row per time where someone left, plus a first row at time 0
        (survival 1) for each group.

    Examples
    --------
    >>> toy = pd.DataFrame({"months": [2, 3, 3, 5, 8], "left": [1, 1, 0, 1, 0]})
    >>> kaplan_meier(toy, "months", "left")[["time", "at_risk", "churned", "survival"]]
       time  at_risk  churned  survival
    0   0.0        5        0       1.0
    1   2.0        5        1       0.8
    2   3.0        4        1       0.6
    3   5.0        2        1       0.3

    Used in ``03-02-cloud-services-churn.ipynb``.
    """
    frame, time, status = _survival_input(df, duration, event, by)
    if not 0 < alpha < 1:
        raise DataError(f"alpha must be between 0 and 1, got {alpha!r}.")
    z = stats.norm.ppf(1 - alpha / 2)
    parts = []
    for level, mask in _groups(frame, by):
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
                "group": level,
                "time": np.concatenate([[0.0], np.asarray(fit.surv_times, float)]),
                "at_risk": np.concatenate([[int(mask.sum())], np.asarray(fit.n_risk, int)]),
                "churned": np.concatenate([[0], np.asarray(fit.n_events, int)]),
                "survival": np.concatenate([[1.0], surv]),
                "ci_low": np.concatenate([[1.0], low]),
                "ci_high": np.concatenate([[1.0], high]),
            }
        )
        parts.append(part[(part["churned"] > 0) | (part["time"] == 0)])
    return pd.concat(parts, ignore_index=True)


def median_lifetime(
    df: pd.DataFrame, duration: str, event: str, by: str | None = None, *, alpha: float = 0.05
) -> pd.DataFrame:
    """Median lifetime (time by which half the customers left), with its confidence interval.

    The median is NaN ("not reached") while more than half of the group is still subscribed
    at the longest tenure observed; so is an interval bound that the data cannot reach.

    Returns
    -------
    DataFrame
        Columns ``group``, ``accounts``, ``churned``, ``median``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> toy = pd.DataFrame({"months": [2, 3, 3, 5, 8], "left": [1, 1, 0, 1, 0]})
    >>> median_lifetime(toy, "months", "left")[["group", "accounts", "churned", "median"]]
      group  accounts  churned  median
    0   all         5        3     5.0

    Used in ``03-02-cloud-services-churn.ipynb``.
    """
    frame, time, status = _survival_input(df, duration, event, by)
    rows = []
    for level, mask in _groups(frame, by):
        fit = SurvfuncRight(time[mask], status[mask])
        with np.errstate(divide="ignore", invalid="ignore"):
            low, high = fit.quantile_ci(0.5, alpha=alpha)
        rows.append(
            {
                "group": level,
                "accounts": int(mask.sum()),
                "churned": int(status[mask].sum()),
                "median": float(fit.quantile(0.5)),
                "ci_low": _finite(low),
                "ci_high": _finite(high),
            }
        )
    return pd.DataFrame(rows)


def _finite(value: object) -> float:
    number = np.nan if value is None else float(value)
    return number if np.isfinite(number) else np.nan


def logrank_test(df: pd.DataFrame, duration: str, event: str, by: str) -> pd.Series:
    """Log-rank test: do the survival curves of the groups in ``by`` differ?

    Uses statsmodels ``survdiff``. A small p-value says the curves are unlikely to differ
    only by chance; it says nothing about why (other differences between the groups).

    Returns
    -------
    Series
        ``statistic`` (chi-squared), ``df`` (groups − 1), ``p_value``.

    Examples
    --------
    >>> toy = pd.DataFrame({"months": [1, 2, 3, 4, 10, 12, 14, 16],
    ...                     "left": [1, 1, 1, 1, 1, 0, 1, 0], "plan": list("aaaabbbb")})
    >>> round(float(logrank_test(toy, "months", "left", "plan")["p_value"]), 3)
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
    return pd.Series({"statistic": float(statistic), "df": n_groups - 1, "p_value": float(p_value)})


# ----------------------------------------------------------------------------- Cox model


class CoxModel:
    """Cox proportional-hazards model (statsmodels ``PHReg``) with readable terms.

    The hazard is the monthly risk of leaving among those still subscribed. The model says
    that each covariate multiplies it by a constant factor, the *hazard ratio*: 0.5 halves
    the risk of leaving in any month, 1.2 raises it by 20 %.

    Parameters
    ----------
    covariates : sequence of str
        Columns to explain the hazard. Numbers (and 0/1 or True/False) enter per unit; text
        or categorical columns get one term per level against a reference level.
    reference : mapping, optional
        Reference level of a categorical column, e.g. ``{"billing_cycle": "monthly"}``
        (default: the first category, or the first value in sorted order).
    ties : {"efron", "breslow"}, default "breslow"
        How tied durations are handled (Breslow is faster on large tables).
    dropna : bool, default False
        Rows with a missing covariate raise a :class:`DataError` unless ``dropna=True``, in
        which case they are left out of the fit (``n_dropped_`` says how many).
    alpha : float, default 0.05
        1 − confidence level of the intervals.

    Attributes
    ----------
    hazard_ratios_ : DataFrame
        Columns ``term``, ``coef`` (log hazard ratio), ``hazard_ratio``, ``hr_low``, ``hr_high``
        (confidence interval), ``p_value``.
    result_ : statsmodels ``PHRegResults``
    terms_ : list of str
    n_dropped_ : int

    Examples
    --------
    >>> toy = pd.DataFrame({"months": [2, 3, 4, 6, 9, 12, 15, 20], "left": [1, 1, 1, 0, 1, 1, 0, 0],
    ...                     "tickets": [5, 3, 4, 1, 2, 2, 0, 1]})
    >>> model = CoxModel(["tickets"]).fit(toy, "months", "left")
    >>> model.hazard_ratios_["term"].tolist()
    ['tickets']

    Used in ``03-02-cloud-services-churn.ipynb``.
    """

    def __init__(
        self,
        covariates: Sequence[str],
        *,
        reference: Mapping[str, object] | None = None,
        ties: str = "breslow",
        dropna: bool = False,
        alpha: float = 0.05,
    ) -> None:
        self.covariates = covariates
        self.reference = reference
        self.ties = ties
        self.dropna = dropna
        self.alpha = alpha

    # The design matrix: numbers as they are, categories as 0/1 columns against a reference.
    def _levels(self, frame: pd.DataFrame) -> dict[str, list]:
        levels = {}
        reference = dict(self.reference or {})
        for column in self.covariates:
            series = frame[column]
            if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
                if column in reference:
                    raise DataError(f"reference was given for {column!r}, which holds numbers.")
                continue
            observed = series.dropna()
            if isinstance(series.dtype, pd.CategoricalDtype):
                values = [v for v in series.cat.categories if (observed == v).any()]
            else:
                values = sorted(observed.astype(str).unique())
            if column in reference:
                ref = reference[column]
                if ref not in values:
                    raise DataError(
                        f"reference level {ref!r} is not a value of column {column!r}; "
                        f"its values are {values}."
                    )
                values = [ref] + [v for v in values if v != ref]
            if len(values) < 2:
                raise DataError(
                    f"covariate {column!r} has a single value ({values[0]!r}); it cannot explain "
                    "differences. Drop it from the covariates."
                )
            levels[column] = values
        return levels

    def _design(self, frame: pd.DataFrame) -> pd.DataFrame:
        parts = {}
        for column in self.covariates:
            series = frame[column]
            if column in self.levels_:
                text = series.astype(object).where(series.notna())
                text = text.map(lambda v: v if pd.isna(v) else str(v))
                known = [str(v) for v in self.levels_[column]]
                unseen = text.notna() & ~text.isin(known)
                if unseen.any():
                    raise DataError(
                        f"column {column!r} holds {text[unseen].iloc[0]!r}, a value the model "
                        f"was not fitted with ({known}). Recode it or refit the model."
                    )
                for level in known[1:]:
                    parts[f"{column} = {level}"] = (text == level).astype(float).where(text.notna())
            else:
                parts[column] = pd.to_numeric(series).astype(float)
        return pd.DataFrame(parts, index=frame.index)

    def fit(self, df: pd.DataFrame, duration: str, event: str) -> CoxModel:
        """Fit the model on ``df`` (not modified); return self."""
        names = self.covariates
        covariates = [names] if isinstance(names, str) else list(names)
        self.covariates = covariates
        if not covariates:
            raise DataError("covariates is empty: name at least one column that may explain churn.")
        if self.ties not in ("efron", "breslow"):
            raise DataError(f"ties must be 'efron' or 'breslow', got {self.ties!r}.")
        frame = check_frame(df, min_rows=2)
        check_columns(frame, covariates, role="covariate")
        for column in covariates:
            if column in (duration, event):
                raise DataError(
                    f"{column!r} is the duration or event column; it cannot also be a covariate."
                )
        missing = frame[covariates].isna()
        if missing.any().any() and not self.dropna:
            column = missing.sum().idxmax()
            raise DataError(
                f"covariate {column!r} has {int(missing[column].sum())} missing value(s). Fill "
                "them (for example with the median and a 0/1 'was missing' column), or pass "
                "dropna=True to leave those rows out of the model."
            )
        keep = ~missing.any(axis=1).to_numpy()
        self.n_dropped_ = int((~keep).sum())
        frame = frame.loc[keep]
        time = _durations(frame, duration)
        status = _events(frame, event)
        if status.sum() == 0:
            raise DataError(
                f"column {event!r} has no event (nobody left): the model cannot learn what makes "
                "customers leave."
            )
        numeric = [
            c for c in covariates
            if not (
                isinstance(frame[c].dtype, pd.CategoricalDtype)
                or pd.api.types.is_object_dtype(frame[c])
                or pd.api.types.is_string_dtype(frame[c])
            )
        ]
        check_numeric(frame, numeric)
        self.levels_ = self._levels(frame)
        design = self._design(frame)
        constant = [c for c in design.columns if design[c].nunique() < 2]
        if constant:
            raise DataError(
                f"covariate {constant[0]!r} takes a single value in the rows used; drop it."
            )
        self.terms_ = list(design.columns)
        self.result_ = PHReg(time, design.to_numpy(), status=status, ties=self.ties).fit()
        params = np.asarray(self.result_.params, float)
        ci = np.asarray(self.result_.conf_int(alpha=self.alpha), float)
        self.hazard_ratios_ = pd.DataFrame(
            {
                "term": self.terms_,
                "coef": params,
                "hazard_ratio": np.exp(params),
                "hr_low": np.exp(ci[:, 0]),
                "hr_high": np.exp(ci[:, 1]),
                "p_value": np.asarray(self.result_.pvalues, float),
            }
        )
        self._time, self._status, self._design_fit = time, status, design.to_numpy()
        self._baseline()
        return self

    def _baseline(self) -> None:
        # statsmodels gives the Breslow cumulative hazard just *before* each event time;
        # shifted by one it is the value *at* each event time (the last time is dropped).
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
        check_columns(frame, self.covariates, role="covariate")
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
    dropna: bool = False,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Hazard ratios of a Cox proportional-hazards model, with confidence intervals.

    Shortcut for ``CoxModel(covariates, ...).fit(df, duration, event).hazard_ratios_``; use
    :class:`CoxModel` to predict from the model as well.

    Returns
    -------
    DataFrame
        ``term``, ``coef`` (log hazard ratio), ``hazard_ratio``, ``hr_low``, ``hr_high``,
        ``p_value``. A hazard ratio of 0.5 halves the risk of leaving in any month.

    Examples
    --------
    >>> toy = pd.DataFrame({"months": [2, 3, 4, 6, 9, 12, 15, 20], "left": [1, 1, 1, 0, 1, 1, 0, 0],
    ...                     "billing": ["monthly", "annual"] * 4})
    >>> cox_model(toy, "months", "left", ["billing"], reference={"billing": "monthly"})["term"][0]
    'billing = annual'

    Used in ``03-02-cloud-services-churn.ipynb``.
    """
    model = CoxModel(covariates, reference=reference, dropna=dropna, alpha=alpha)
    return model.fit(df, duration, event).hazard_ratios_


def proportional_hazards_check(model: CoxModel) -> pd.DataFrame:
    """Test the proportional-hazards assumption of a fitted model, term by term.

    For each term, the correlation between its Schoenfeld residuals (statsmodels) and the
    log of the event time, with its p-value: if a hazard ratio drifts with tenure, the
    residuals trend and the correlation is far from 0. A small p-value flags a term whose
    effect changes over time: split the model by period, stratify on that variable, or add
    an interaction with time.

    Returns
    -------
    DataFrame
        ``term``, ``correlation``, ``p_value``, ``proportional`` (p-value ≥ 0.05).

    Examples
    --------
    >>> toy = pd.DataFrame({"months": [2, 3, 4, 6, 9, 12, 15, 20], "left": [1, 1, 1, 0, 1, 1, 0, 0],
    ...                     "tickets": [5, 3, 4, 1, 2, 2, 0, 1]})
    >>> model = CoxModel(["tickets"]).fit(toy, "months", "left")
    >>> proportional_hazards_check(model).columns.tolist()
    ['term', 'correlation', 'p_value', 'proportional']
    """
    if not isinstance(model, CoxModel):
        raise DataError(_NOT_A_MODEL)
    model._check_fitted()
    residuals = np.asarray(model.result_.schoenfeld_residuals, float)
    events = (model._status == 1) & np.isfinite(residuals).all(axis=1)
    log_time = np.log(model._time[events])
    rows = []
    for j, term in enumerate(model.terms_):
        r = residuals[events, j]
        if np.ptp(r) == 0 or len(r) < 3:
            corr, p = np.nan, np.nan
        else:
            corr, p = stats.pearsonr(log_time, r)
        rows.append({"term": term, "correlation": float(corr), "p_value": float(p)})
    out = pd.DataFrame(rows)
    out["proportional"] = out["p_value"].fillna(1.0) >= 0.05
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

    - ``p_churn_within``: probability of leaving within ``within`` units (e.g. 3 months);
    - ``expected_remaining``: expected time still subscribed over the next ``horizon`` units
      (a restricted mean: the area under the conditional survival curve up to ``horizon``);
    - ``remaining_value``: ``expected_remaining`` × the customer's ``value`` per unit (e.g.
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
        Column with the current tenure, in the unit of the model's durations.
    value : str, optional
        Column with the value per unit of time (monthly revenue).
    within, horizon : float
        Windows, in the unit of the durations.
    steps_per_unit : int, default 4
        Resolution of the numerical integration.

    Returns
    -------
    DataFrame
        Same index as ``df``: ``tenure``, ``p_churn_within``, ``expected_remaining`` and, with
        ``value``, ``value_per_unit`` and ``remaining_value``.

    Examples
    --------
    >>> toy = pd.DataFrame({"months": [2, 3, 4, 6, 9, 12, 15, 20], "left": [1, 1, 1, 0, 1, 1, 0, 0],
    ...                     "tickets": [5, 3, 4, 1, 2, 2, 0, 1]})
    >>> model = CoxModel(["tickets"]).fit(toy, "months", "left")
    >>> expected_lifetime(model, toy, "months", within=3, horizon=12).columns.tolist()
    ['tenure', 'p_churn_within', 'expected_remaining']

    Used in ``03-02-cloud-services-churn.ipynb``.
    """
    if not isinstance(model, CoxModel):
        raise DataError(_NOT_A_MODEL)
    model._check_fitted()
    frame = check_frame(df)
    check_columns(frame, tenure, role="tenure column")
    check_numeric(frame, [tenure])
    if not (within > 0 and horizon > 0):
        raise DataError(f"within and horizon must be positive, got {within!r} and {horizon!r}.")
    age = pd.to_numeric(frame[tenure]).astype(float)
    if age.isna().any() or (age < 0).any():
        bad = age.isna() | (age < 0)
        raise DataError(
            f"column {tenure!r} has missing or negative tenures (rows {_rows(frame.index, bad)})."
        )
    risk = model.relative_risk(frame).to_numpy()
    a = age.to_numpy()
    grid = np.linspace(0.0, horizon, int(np.ceil(horizon * steps_per_unit)) + 1)
    h_now = model.baseline_cumulative_hazard(a)
    h_grid = model.baseline_cumulative_hazard(a[:, None] + grid[None, :])
    conditional = np.exp(-(h_grid - h_now[:, None]) * risk[:, None])
    h_within = model.baseline_cumulative_hazard(a + within)
    out = pd.DataFrame(
        {
            "tenure": a,
            "p_churn_within": 1 - np.exp(-(h_within - h_now) * risk),
            "expected_remaining": np.trapezoid(conditional, grid, axis=1),
        },
        index=frame.index,
    )
    if value is not None:
        check_columns(frame, value, role="value column")
        check_numeric(frame, [value])
        out["value_per_unit"] = pd.to_numeric(frame[value]).astype(float).to_numpy()
        out["remaining_value"] = out["expected_remaining"] * out["value_per_unit"]
    return out


# ----------------------------------------------------------------------------- plots


def plot_survival(km: pd.DataFrame, *, bands: bool = True, ax=None, title: str | None = None):
    """Draw Kaplan-Meier curves from :func:`kaplan_meier`'s table, one step line per group.

    Returns the matplotlib Axes.

    Examples
    --------
    >>> toy = pd.DataFrame({"months": [2, 3, 3, 5, 8], "left": [1, 1, 0, 1, 0]})
    >>> plot_survival(kaplan_meier(toy, "months", "left")).get_ylabel()
    'share still subscribed'
    """
    import matplotlib.pyplot as plt

    check_frame(km, name="km")
    check_columns(km, ["group", "time", "survival", "ci_low", "ci_high"], role="column")
    ax = ax if ax is not None else plt.gca()
    for level, part in km.groupby("group", sort=False, observed=True):
        (line,) = ax.step(part["time"], part["survival"], where="post", label=str(level))
        if bands:
            ax.fill_between(
                part["time"], part["ci_low"], part["ci_high"], step="post",
                alpha=0.2, color=line.get_color(), linewidth=0,
            )
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("tenure")
    ax.set_ylabel("share still subscribed")
    if km["group"].nunique() > 1:
        ax.legend(title=None)
    if title:
        ax.set_title(title)
    return ax


def plot_cohort_retention(retention: pd.DataFrame, *, ax=None, title: str | None = None):
    """Heatmap of :func:`cohort_retention`'s table (shares shown as percentages).

    Returns the matplotlib Axes.

    Examples
    --------
    >>> subs = pd.DataFrame({"start": ["2024-01-05", "2024-02-10"], "end": ["2024-02-10", None]})
    >>> plot_cohort_retention(cohort_retention(subs, "start", "end", "2024-04-30")).get_xlabel()
    'periods since signup'
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    check_frame(retention, name="retention")
    shares = retention.drop(columns=["accounts"], errors="ignore").astype(float)
    ax = ax if ax is not None else plt.gca()
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

    ``truth`` (term → true hazard ratio), if given, is drawn as red crosses.
    Returns the matplotlib Axes.

    Examples
    --------
    >>> table = pd.DataFrame({"term": ["annual"], "hazard_ratio": [0.5], "hr_low": [0.4],
    ...                       "hr_high": [0.6]})
    >>> plot_hazard_ratios(table).get_xscale()
    'log'
    """
    import matplotlib.pyplot as plt

    check_frame(table, name="table")
    check_columns(table, ["term", "hazard_ratio", "hr_low", "hr_high"], role="column")
    ax = ax if ax is not None else plt.gca()
    y = np.arange(len(table))[::-1]
    hr = table["hazard_ratio"].to_numpy(float)
    err = np.vstack([hr - table["hr_low"].to_numpy(float), table["hr_high"].to_numpy(float) - hr])
    ax.errorbar(hr, y, xerr=err, fmt="o", capsize=3, label="estimate (95 % interval)")
    if truth is not None:
        known = [(yy, truth[t]) for yy, t in zip(y, table["term"], strict=True) if t in truth]
        if known:
            ax.plot([k[1] for k in known], [k[0] for k in known], "x", color="red", markersize=8,
                    label="planted truth")
        ax.legend(loc="best")
    ax.axvline(1.0, color="grey", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ax.set_yticks(y)
    ax.set_yticklabels(table["term"])
    ax.set_xlabel("hazard ratio (< 1 keeps customers longer)")
    if title:
        ax.set_title(title)
    return ax
