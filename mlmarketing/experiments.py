"""A/B tests of marketing campaigns, and what an adaptive (bandit) campaign would have earned.

Used by ``04-02-campaign-ab-test.ipynb``. The statistics come from statsmodels and scipy;
this module only puts them in tables a marketer can read:

- the funnel per arm: :func:`funnel_report` (counts and Wilson intervals at every step) and
  :func:`campaign_return` (revenue and profit per e-mail sent);
- is the winner real? :func:`compare_arms` / :func:`compare_counts` (every arm against the
  control, Holm-corrected) and :func:`overall_test` / :func:`chi_square_test`;
- how many e-mails does a test need? :func:`sample_size`, :func:`sample_size_table`,
  :func:`power_curve`;
- rates by group (send hour, segment x creative): :func:`rate_table`; response times:
  :func:`time_to_event`;
- reinforcement learning: :func:`simulate_bandit` (fixed split, epsilon-greedy, Thompson
  sampling, sending in waves) and :func:`summarise_bandit`;
- plots: :func:`plot_funnel`, :func:`plot_arms`, :func:`plot_power_curve`, :func:`plot_bandit`.

An "arm" is one version being tested (a creative, a subject line, a send time).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    power_proportions_2indep,
    proportion_confint,
    proportions_ztest,
    samplesize_proportions_2indep_onetail,
)
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from mlmarketing._errors import DataError
from mlmarketing._validation import check_columns, check_frame, check_numeric

__all__ = [
    "POLICIES",
    "campaign_return",
    "chi_square_test",
    "compare_arms",
    "compare_counts",
    "funnel_report",
    "overall_test",
    "plot_arms",
    "plot_bandit",
    "plot_funnel",
    "plot_power_curve",
    "power_curve",
    "rate_table",
    "sample_size",
    "sample_size_table",
    "simulate_bandit",
    "summarise_bandit",
    "time_to_event",
]

POLICIES = ("fixed split", "epsilon-greedy", "thompson sampling")
_POLICY_ALIASES = {
    "fixed": "fixed split",
    "fixed split": "fixed split",
    "ab": "fixed split",
    "epsilon": "epsilon-greedy",
    "epsilon-greedy": "epsilon-greedy",
    "epsilon greedy": "epsilon-greedy",
    "thompson": "thompson sampling",
    "thompson sampling": "thompson sampling",
}


# --------------------------------------------------------------------------- input checks


def _happened(df: pd.DataFrame, column: str) -> pd.Series:
    """Whether the event of ``column`` happened, as booleans.

    A yes/no column (booleans or 0/1) is used as it is, with missing values meaning "no";
    a number column (an amount, a count) means "happened" where it is neither missing nor 0;
    any other column (a time stamp, a text) means "happened" where it is not missing.
    """
    series = df[column]
    if pd.api.types.is_bool_dtype(series):
        return series.fillna(False).astype(bool)
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_datetime64_any_dtype(series):
        values = series.dropna()
        if values.isin([0, 1]).all():
            return series.fillna(0).astype(bool)
        # An amount or a count: the event happened where there is a non-zero value.
        return series.notna() & (series != 0)
    if series.dtype == object or isinstance(series.dtype, pd.CategoricalDtype | pd.StringDtype):
        text = series.dropna().astype(str).str.strip().str.lower()
        yes_no = {"yes", "no", "oui", "non", "true", "false", "1", "0"}
        if len(text) and text.isin(yes_no).all():
            return series.astype(str).str.strip().str.lower().isin({"yes", "oui", "true", "1"})
    return series.notna()


def _check_arm_column(df: pd.DataFrame, arm: str) -> None:
    if df[arm].isna().any():
        n = int(df[arm].isna().sum())
        raise DataError(
            f"column {arm!r} has {n} missing value(s): every e-mail must belong to an arm. "
            "Drop those rows or fill in the arm before comparing."
        )


def _arm_order(series: pd.Series) -> list:
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.dropna())
        return [c for c in series.cat.categories if c in present]
    return sorted(series.dropna().unique(), key=str)


def _check_confidence(confidence: float, name: str = "confidence") -> None:
    if not (isinstance(confidence, int | float) and 0 < confidence < 1):
        raise DataError(
            f"{name} must be a number between 0 and 1 (for example 0.95), got {confidence!r}."
        )


def _check_rate(value: float, name: str) -> float:
    if not isinstance(value, int | float | np.floating | np.integer) or not 0 < float(value) < 1:
        raise DataError(
            f"{name} must be a rate strictly between 0 and 1 (3 % is 0.03), got {value!r}."
        )
    return float(value)


def _wilson(successes, trials, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    low, high = proportion_confint(
        np.asarray(successes), np.asarray(trials), alpha=1 - confidence, method="wilson"
    )
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


# --------------------------------------------------------------------------- the funnel


def _steps_dict(steps: Sequence[str] | Mapping[str, str]) -> dict[str, str]:
    if isinstance(steps, str):
        steps = [steps]
    if isinstance(steps, Mapping):
        out = {str(label): column for label, column in steps.items()}
    else:
        out = {str(column): column for column in steps}
    if not out:
        raise DataError(
            "steps is empty: pass the funnel's columns in order, e.g. ['opened_at', 'clicked_at']."
        )
    return out


def funnel_report(
    df: pd.DataFrame,
    arm: str,
    steps: Sequence[str] | Mapping[str, str],
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Counts and rates at every step of a funnel (sent → delivered → opened → ...), per arm.

    Each row of ``df`` is one e-mail sent. A step column can be yes/no (booleans or 0/1) or a
    time stamp / amount that is missing (an amount: missing or 0) where the step did not happen.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per e-mail (or visitor) sent.
    arm : str
        Column naming the arm (creative) of each row.
    steps : list of str, or dict {label: column}
        The funnel's steps in order, after "sent". Every row that reached a step must have
        reached the step before; if not, :class:`~mlmarketing.DataError` says how many rows
        break the order. (Some e-mail tools miss opens when images are blocked: if a click
        without an open is real in your data, fill the open from the click first.)
    confidence : float, default 0.95
        Level of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        One row per arm and step (``"sent"`` first): ``count``, ``rate`` (share of e-mails
        sent), ``rate low`` / ``rate high`` (Wilson interval) and ``rate of previous step``.

    Examples
    --------
    >>> df = pd.DataFrame({"creative": ["A", "A", "B", "B"], "opened": [1, 0, 1, 1],
    ...                    "clicked": [1, 0, 0, 1]})
    >>> funnel_report(df, "creative", ["opened", "clicked"])[["creative", "step", "count"]]
      creative     step  count
    0        A     sent      2
    1        A   opened      1
    2        A  clicked      1
    3        B     sent      2
    4        B   opened      2
    5        B  clicked      1
    """
    check_frame(df)
    labels = _steps_dict(steps)
    check_columns(df, arm, role="arm column")
    check_columns(df, list(labels.values()), role="step column")
    _check_confidence(confidence)
    _check_arm_column(df, arm)
    happened = pd.DataFrame({label: _happened(df, column) for label, column in labels.items()})
    _check_order(df, labels, happened)
    rows = []
    for value in _arm_order(df[arm]):
        mask = (df[arm] == value).to_numpy()
        sent = int(mask.sum())
        previous = sent
        rows.append({arm: value, "step": "sent", "count": sent, "previous": sent})
        for label in labels:
            count = int(happened.loc[mask, label].sum())
            rows.append({arm: value, "step": label, "count": count, "previous": previous})
            previous = count
        for row in rows[-len(labels) - 1 :]:
            row["sent"] = sent
    table = pd.DataFrame(rows)
    table["rate"] = table["count"] / table["sent"]
    table["rate low"], table["rate high"] = _wilson(table["count"], table["sent"], confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["rate of previous step"] = np.where(
            table["previous"] > 0, table["count"] / table["previous"].clip(lower=1), np.nan
        )
    return table[[arm, "step", "count", "rate", "rate low", "rate high", "rate of previous step"]]


def _check_order(df: pd.DataFrame, labels: dict[str, str], happened: pd.DataFrame) -> None:
    names = list(labels)
    for before, after in zip(names[:-1], names[1:], strict=True):
        skipped = happened[after] & ~happened[before]
        if skipped.any():
            raise DataError(
                f"{int(skipped.sum())} row(s) reached step {after!r} without step {before!r} "
                f"(column {labels[after]!r} is set but {labels[before]!r} is not). "
                "A funnel's steps must be in order: check the step order, or, if your tool "
                "misses opens, fill the "
                f"earlier step from the later one before calling (e.g. df[{labels[before]!r}] = "
                f"df[{labels[before]!r}].fillna(df[{labels[after]!r}]))."
            )
        first, second = df[labels[before]], df[labels[after]]
        if pd.api.types.is_datetime64_any_dtype(first) and pd.api.types.is_datetime64_any_dtype(
            second
        ):
            backwards = (second < first).fillna(False)
            if backwards.any():
                raise DataError(
                    f"{int(backwards.sum())} row(s) have {labels[after]!r} earlier than "
                    f"{labels[before]!r} (for example row {backwards.idxmax()!r}): events out of "
                    "order. Check the time zones of the two columns or fix those rows."
                )


def campaign_return(
    df: pd.DataFrame,
    arm: str,
    revenue: str,
    *,
    cost_per_email: float = 0.0,
) -> pd.DataFrame:
    """Revenue, cost and profit per arm, in total and per e-mail sent.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per e-mail sent.
    arm : str
        Column naming the arm (creative) of each row.
    revenue : str
        Column of revenue in euros (missing or 0 where there was no sale).
    cost_per_email : float, default 0.0
        Cost of sending one e-mail (euros), counted for every row.

    Returns
    -------
    pandas.DataFrame
        Indexed by arm: ``emails``, ``sales``, ``revenue (€)``, ``revenue per email (€)``,
        ``cost (€)``, ``profit (€)``, ``profit per email (€)``.

    Examples
    --------
    >>> df = pd.DataFrame({"creative": ["A", "A", "B"], "amount": [100.0, None, 50.0]})
    >>> campaign_return(df, "creative", "amount", cost_per_email=1.0)["profit (€)"].tolist()
    [98.0, 49.0]
    """
    check_frame(df)
    check_columns(df, arm, role="arm column")
    check_columns(df, revenue, role="revenue column")
    check_numeric(df, [revenue])
    _check_arm_column(df, arm)
    if not isinstance(cost_per_email, int | float) or cost_per_email < 0:
        raise DataError(
            f"cost_per_email must be a number of euros, 0 or more; got {cost_per_email!r}."
        )
    amounts = pd.to_numeric(df[revenue])
    if (amounts < 0).any():
        raise DataError(
            f"column {revenue!r} has {int((amounts < 0).sum())} negative amount(s): refunds "
            "should be handled before computing a campaign's return."
        )
    frame = pd.DataFrame({"arm": df[arm].to_numpy(), "amount": amounts.fillna(0.0).to_numpy()})
    grouped = frame.groupby("arm", observed=True, sort=False)["amount"]
    table = pd.DataFrame(
        {
            "emails": grouped.size(),
            "sales": grouped.apply(lambda a: int((a > 0).sum())),
            "revenue (€)": grouped.sum(),
        }
    ).reindex(_arm_order(df[arm]))
    table.index.name = arm
    table["revenue per email (€)"] = table["revenue (€)"] / table["emails"]
    table["cost (€)"] = table["emails"] * float(cost_per_email)
    table["profit (€)"] = table["revenue (€)"] - table["cost (€)"]
    table["profit per email (€)"] = table["profit (€)"] / table["emails"]
    return table


# --------------------------------------------------------------------------- is it real?


def _as_counts(successes, trials) -> tuple[pd.Series, pd.Series]:
    s = successes.copy() if isinstance(successes, pd.Series) else pd.Series(successes)
    n = trials.copy() if isinstance(trials, pd.Series) else pd.Series(trials)
    if set(s.index) != set(n.index):
        raise DataError(
            f"successes and trials name different arms ({list(s.index)} against {list(n.index)}): "
            "give both for the same arms."
        )
    n = n.reindex(s.index)
    if len(s) < 2:
        raise DataError(f"there are {len(s)} arm(s); a comparison needs at least two arms.")
    for name, values in (("successes", s), ("trials", n)):
        numbers = pd.to_numeric(values, errors="coerce")
        if numbers.isna().any() or (numbers != np.round(numbers)).any():
            bad = values[numbers.isna() | (numbers != np.round(numbers))].index[0]
            raise DataError(f"{name} of arm {bad!r} is {values[bad]!r}; it must be a whole number.")
    s, n = s.astype(int), n.astype(int)
    if (n <= 0).any():
        raise DataError(
            f"arm {n.index[(n <= 0).to_numpy()][0]!r} has no e-mail (0 trials): drop that arm or "
            "check the arm names."
        )
    if (s < 0).any():
        raise DataError(
            f"arm {s.index[(s < 0).to_numpy()][0]!r} has a negative number of successes."
        )
    if (s > n).any():
        bad = s.index[(s > n).to_numpy()][0]
        raise DataError(
            f"arm {bad!r} has {s[bad]} successes out of {n[bad]} trials: successes cannot exceed "
            "trials. Check that both count the same e-mails."
        )
    return s, n


def compare_counts(
    successes: Mapping | pd.Series,
    trials: Mapping | pd.Series,
    *,
    control=None,
    confidence: float = 0.95,
    correction: str = "holm",
) -> pd.DataFrame:
    """Every arm against the control: rates, intervals, lifts, p-values, corrected p-values.

    Each arm is compared with the control by a two-sided z-test of two proportions
    (``statsmodels.stats.proportion.proportions_ztest``); the p-values are corrected for the
    number of comparisons (Holm by default, ``statsmodels.stats.multitest.multipletests``).
    Rates get Wilson intervals; the difference with the control gets a Newcomb interval
    (``confint_proportions_2indep``), which behaves well with few successes.

    Parameters
    ----------
    successes, trials : dict or pandas.Series
        Number of successes (clicks, sales) and of trials (e-mails sent) per arm.
    control : arm name, optional
        The reference arm; default the first one.
    confidence : float, default 0.95
        Level of the intervals; ``1 - confidence`` is the significance level.
    correction : str, default "holm"
        Any method of ``multipletests`` ("holm", "bonferroni", "fdr_bh", ...).

    Returns
    -------
    pandas.DataFrame
        Indexed by arm: ``n``, ``successes``, ``rate``, ``rate low``, ``rate high``,
        ``diff vs control`` (in rate points), ``diff low``, ``diff high``, ``relative lift``,
        ``p-value``, ``p-value (<correction>)`` and ``significant``. The control's comparison
        columns are empty. When an arm and the control both have no success (or only
        successes), their p-value is 1: there is no difference to see.

    Examples
    --------
    >>> table = compare_counts({"A": 6, "B": 10}, {"A": 200, "B": 200})
    >>> table[["rate", "diff vs control"]].round(3)
       rate  diff vs control
    A  0.03              NaN
    B  0.05             0.02
    """
    s, n = _as_counts(successes, trials)
    _check_confidence(confidence)
    arms = list(s.index)
    if control is None:
        control = arms[0]
    if control not in arms:
        raise DataError(f"control {control!r} is not one of the arms {arms}: pass one of them.")
    table = pd.DataFrame({"n": n, "successes": s})
    table.index.name = s.index.name
    table["rate"] = s / n
    table["rate low"], table["rate high"] = _wilson(s, n, confidence)
    others = [a for a in arms if a != control]
    s0, n0 = int(s[control]), int(n[control])
    diffs, lows, highs, pvalues = [], [], [], []
    for a in others:
        s1, n1 = int(s[a]), int(n[a])
        low, high = confint_proportions_2indep(
            s1, n1, s0, n0, compare="diff", method="newcomb", alpha=1 - confidence
        )
        diffs.append(s1 / n1 - s0 / n0)
        lows.append(float(low))
        highs.append(float(high))
        if s1 + s0 in (0, n1 + n0):
            pvalues.append(1.0)
        else:
            pvalues.append(float(proportions_ztest([s1, s0], [n1, n0])[1]))
    try:
        _, adjusted, _, _ = multipletests(pvalues, alpha=1 - confidence, method=correction)
    except ValueError as error:
        raise DataError(
            f"correction {correction!r} is not a method of statsmodels' multipletests: use "
            "'holm', 'bonferroni' or 'fdr_bh'."
        ) from error
    table["diff vs control"] = pd.Series(diffs, index=others, dtype=float)
    table["diff low"] = pd.Series(lows, index=others, dtype=float)
    table["diff high"] = pd.Series(highs, index=others, dtype=float)
    rate0 = s0 / n0
    table["relative lift"] = table["diff vs control"] / rate0 if rate0 > 0 else np.nan
    table["p-value"] = pd.Series(pvalues, index=others, dtype=float)
    table[f"p-value ({correction})"] = pd.Series(adjusted, index=others, dtype=float)
    table["significant"] = table[f"p-value ({correction})"] < 1 - confidence
    return table


def _arm_counts(df: pd.DataFrame, arm: str, outcome: str) -> tuple[pd.Series, pd.Series]:
    check_frame(df)
    check_columns(df, arm, role="arm column")
    check_columns(df, outcome, role="outcome column")
    _check_arm_column(df, arm)
    hit = _happened(df, outcome).to_numpy()
    order = _arm_order(df[arm])
    frame = pd.DataFrame({"arm": df[arm].to_numpy(), "hit": hit})
    grouped = frame.groupby("arm", observed=True)["hit"]
    successes = grouped.sum().reindex(order).astype(int)
    trials = grouped.size().reindex(order).astype(int)
    successes.index.name = trials.index.name = arm
    return successes, trials


def compare_arms(
    df: pd.DataFrame,
    arm: str,
    outcome: str,
    *,
    control=None,
    confidence: float = 0.95,
    correction: str = "holm",
) -> pd.DataFrame:
    """Compare every arm with the control on a yes/no outcome, from one row per e-mail.

    Counts the successes per arm and calls :func:`compare_counts` (z-tests, Holm correction,
    Wilson and Newcomb intervals).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per e-mail sent.
    arm : str
        Column naming the arm of each row.
    outcome : str
        The success: a yes/no column, or a time stamp / amount missing (or 0) where it
        did not happen.
    control : arm name, optional
        The reference arm; default the first arm (in category order, else sorted).
    confidence : float, default 0.95
        Level of the intervals.
    correction : str, default "holm"
        Multiple-comparison correction (see :func:`compare_counts`).

    Returns
    -------
    pandas.DataFrame
        See :func:`compare_counts`.

    Examples
    --------
    >>> df = pd.DataFrame({"creative": ["A"] * 100 + ["B"] * 100,
    ...                    "clicked": [1] * 3 + [0] * 97 + [1] * 9 + [0] * 91})
    >>> compare_arms(df, "creative", "clicked")["successes"].tolist()
    [3, 9]
    """
    successes, trials = _arm_counts(df, arm, outcome)
    return compare_counts(
        successes, trials, control=control, confidence=confidence, correction=correction
    )


def chi_square_test(successes: Mapping | pd.Series, trials: Mapping | pd.Series) -> pd.Series:
    """Overall test that all arms share one rate (chi-square test of the arms x outcome table).

    Uses ``scipy.stats.chi2_contingency``. The result also gives the smallest expected count:
    below 5 the chi-square approximation is rough, and the p-value should be read with care.

    Returns
    -------
    pandas.Series
        ``chi-square``, ``degrees of freedom``, ``p-value``, ``smallest expected count``.

    Examples
    --------
    >>> float(chi_square_test({"A": 10, "B": 30}, {"A": 200, "B": 200})["degrees of freedom"])
    1.0
    """
    s, n = _as_counts(successes, trials)
    if s.sum() == 0 or s.sum() == n.sum():
        what = "no success" if s.sum() == 0 else "only successes"
        raise DataError(f"every arm has {what}: there is no difference to test.")
    table = np.column_stack([s.to_numpy(), (n - s).to_numpy()])
    chi2, p_value, dof, expected = chi2_contingency(table, correction=False)
    return pd.Series(
        {
            "chi-square": float(chi2),
            "degrees of freedom": float(dof),
            "p-value": float(p_value),
            "smallest expected count": float(expected.min()),
        }
    )


def overall_test(df: pd.DataFrame, arm: str, outcome: str) -> pd.Series:
    """Chi-square test that every arm has the same rate of ``outcome``, from one row per e-mail.

    Examples
    --------
    >>> df = pd.DataFrame({"arm": list("AABB"), "won": [1, 0, 1, 1]})
    >>> round(float(overall_test(df, "arm", "won")["p-value"]), 3)
    0.248
    """
    successes, trials = _arm_counts(df, arm, outcome)
    return chi_square_test(successes, trials)


def rate_table(
    df: pd.DataFrame,
    by: str | Sequence[str],
    outcome: str,
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The rate of ``outcome`` per group (send hour, weekday, segment x creative), with intervals.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per e-mail.
    by : str or list of str
        Grouping column(s).
    outcome : str
        A yes/no column, or a time stamp / amount missing (or 0) where it did not happen.
    confidence : float, default 0.95
        Level of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``n``, ``successes``, ``rate``, ``rate low``, ``rate high``.

    Examples
    --------
    >>> df = pd.DataFrame({"hour": [9, 9, 14, 14], "opened": [1, 1, 0, 1]})
    >>> rate_table(df, "hour", "opened")["rate"].tolist()
    [1.0, 0.5]
    """
    check_frame(df)
    keys = check_columns(df, by, role="group column")
    check_columns(df, outcome, role="outcome column")
    _check_confidence(confidence)
    hit = _happened(df, outcome).astype(int)
    grouped = hit.groupby([df[k] for k in keys], observed=True)
    table = pd.DataFrame({"n": grouped.size(), "successes": grouped.sum()})
    table["rate"] = table["successes"] / table["n"]
    table["rate low"], table["rate high"] = _wilson(table["successes"], table["n"], confidence)
    return table


def time_to_event(
    df: pd.DataFrame,
    start: str,
    events: Sequence[str] | Mapping[str, str],
    *,
    by: str | None = None,
    unit: str = "hours",
) -> pd.DataFrame:
    """Time from ``start`` (the send) to each event, one row per event that happened.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per e-mail, with date-time columns.
    start : str
        Column of the start time (the send).
    events : list of str, or dict {label: column}
        Date-time columns of the events (missing where the event did not happen).
    by : str, optional
        A column to keep beside each time (for example the creative).
    unit : {"minutes", "hours", "days"}, default "hours"

    Returns
    -------
    pandas.DataFrame
        Columns ``step``, ``by`` (if given) and the time in ``unit``.

    Examples
    --------
    >>> df = pd.DataFrame({"sent": pd.to_datetime(["2019-06-03 09:00", "2019-06-03 10:00"]),
    ...                    "opened": pd.to_datetime(["2019-06-03 11:30", None])})
    >>> time_to_event(df, "sent", ["opened"])
         step  hours
    0  opened    2.5
    """
    check_frame(df)
    labels = _steps_dict(events)
    check_columns(df, start, role="start column")
    check_columns(df, list(labels.values()), role="event column")
    if by is not None:
        check_columns(df, by, role="group column")
    seconds = {"minutes": 60.0, "hours": 3600.0, "days": 86400.0}
    if unit not in seconds:
        raise DataError(f"unit must be 'minutes', 'hours' or 'days', got {unit!r}.")
    for column in [start, *labels.values()]:
        if not pd.api.types.is_datetime64_any_dtype(df[column]):
            raise DataError(
                f"column {column!r} must hold dates and times; convert it with "
                f"pd.to_datetime(df[{column!r}]) first."
            )
    parts = []
    for label, column in labels.items():
        delay = (df[column] - df[start]).dt.total_seconds() / seconds[unit]
        if (delay < 0).any():
            raise DataError(
                f"{int((delay < 0).sum())} row(s) have {column!r} before {start!r}: events out of "
                "order. Check the time zones or fix those rows."
            )
        keep = delay.notna()
        part = {"step": label}
        if by is not None:
            part[by] = df.loc[keep, by].to_numpy()
        part[unit] = delay[keep].to_numpy()
        parts.append(pd.DataFrame(part))
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- power


def sample_size(
    baseline_rate: float,
    min_detectable_effect: float,
    alpha: float = 0.05,
    power: float = 0.8,
    *,
    ratio: float = 1.0,
    alternative: str = "two-sided",
    n_comparisons: int = 1,
) -> int:
    """E-mails needed per arm to detect a lift from ``baseline_rate`` with the given power.

    Uses ``statsmodels.stats.proportion.samplesize_proportions_2indep_onetail`` (normal
    approximation of the z-test of two proportions, with the variance of each arm's own rate)
    and rounds up. With ``n_comparisons`` challengers against one control, ``alpha`` is
    divided by their number (Bonferroni), which is what keeps a Holm-corrected test at its power.

    Parameters
    ----------
    baseline_rate : float
        The control's rate, strictly between 0 and 1 (2.91 % is 0.0291).
    min_detectable_effect : float
        The smallest absolute lift worth detecting, in rate points (one point is 0.01).
    alpha : float, default 0.05
        Significance level (false-alarm risk).
    power : float, default 0.8
        Chance of detecting the lift if it is real.
    ratio : float, default 1.0
        E-mails of the challenger per e-mail of the control.
    alternative : {"two-sided", "larger"}, default "two-sided"
    n_comparisons : int, default 1

    Returns
    -------
    int
        E-mails for the control arm (the challenger gets ``ratio`` times as many).

    Examples
    --------
    >>> sample_size(0.0291, 0.01)
    5170
    """
    p0 = _check_rate(baseline_rate, "baseline_rate")
    if not isinstance(min_detectable_effect, int | float) or min_detectable_effect == 0:
        raise DataError(
            "min_detectable_effect must be a non-zero lift in rate points (one point is 0.01), "
            f"got {min_detectable_effect!r}."
        )
    _check_rate(p0 + min_detectable_effect, "baseline_rate + min_detectable_effect")
    _check_rate(alpha, "alpha")
    _check_rate(power, "power")
    if alternative not in ("two-sided", "larger"):
        raise DataError(f"alternative must be 'two-sided' or 'larger', got {alternative!r}.")
    if not isinstance(n_comparisons, int) or n_comparisons < 1:
        raise DataError(f"n_comparisons must be a whole number, 1 or more, got {n_comparisons!r}.")
    if not isinstance(ratio, int | float) or ratio <= 0:
        raise DataError(f"ratio must be a positive number, got {ratio!r}.")
    if alternative == "larger" and min_detectable_effect < 0:
        raise DataError("a one-sided ('larger') test needs a positive min_detectable_effect.")
    n = samplesize_proportions_2indep_onetail(
        diff=float(min_detectable_effect),
        prop2=p0,
        power=float(power),
        ratio=float(ratio),
        alpha=float(alpha) / n_comparisons,
        value=0,
        alternative=alternative,
    )
    return int(np.ceil(n))


def sample_size_table(
    baseline_rate: float,
    effects: Sequence[float],
    alpha: float = 0.05,
    power: float = 0.8,
    *,
    n_arms: int = 2,
) -> pd.DataFrame:
    """E-mails needed per arm and in total for several lifts (see :func:`sample_size`).

    With ``n_arms`` arms (one control), the ``n_arms - 1`` comparisons share ``alpha``.

    Examples
    --------
    >>> sample_size_table(0.0291, [0.01, 0.02])["emails per arm"].tolist()
    [5170, 1474]
    """
    if not isinstance(n_arms, int) or n_arms < 2:
        raise DataError(f"n_arms must be a whole number, 2 or more, got {n_arms!r}.")
    effects = list(effects)
    if not effects:
        raise DataError("effects is empty: give at least one lift, e.g. [0.005, 0.01].")
    rows = []
    for effect in effects:
        n = sample_size(baseline_rate, effect, alpha, power, n_comparisons=n_arms - 1)
        rows.append(
            {
                "baseline rate": baseline_rate,
                "lift (points)": effect,
                "target rate": baseline_rate + effect,
                "relative lift": effect / baseline_rate,
                "emails per arm": n,
                "total emails": n * n_arms,
            }
        )
    return pd.DataFrame(rows)


def power_curve(
    baseline_rate: float,
    min_detectable_effect: float,
    n_per_arm: Sequence[int] | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Power of a two-arm test as a function of the e-mails per arm.

    Uses ``statsmodels.stats.proportion.power_proportions_2indep`` (two-sided), the same
    approximation as :func:`sample_size`, so the curve crosses 0.8 at ``sample_size(...)``.

    Parameters
    ----------
    baseline_rate, min_detectable_effect, alpha
        As in :func:`sample_size`.
    n_per_arm : list of int, optional
        E-mails per arm; default 40 values from 100 to 2.5 times the size needed for 80 %.

    Returns
    -------
    pandas.DataFrame
        Columns ``emails per arm`` and ``power``.

    Examples
    --------
    >>> power_curve(0.0291, 0.01, [200, 5170])["power"].round(2).tolist()
    [0.09, 0.8]
    """
    p0 = _check_rate(baseline_rate, "baseline_rate")
    _check_rate(alpha, "alpha")
    needed = sample_size(p0, min_detectable_effect, alpha, 0.8)
    if n_per_arm is None:
        n = np.unique(np.linspace(100, max(2.5 * needed, 200), 40).round().astype(int))
    else:
        n = np.asarray(list(n_per_arm), dtype=float)
        if n.size == 0 or (n <= 0).any():
            raise DataError("n_per_arm must be a list of positive numbers of e-mails.")
    result = power_proportions_2indep(
        float(min_detectable_effect), p0, n, ratio=1, alpha=float(alpha), alternative="two-sided"
    )
    return pd.DataFrame(
        {"emails per arm": n.astype(int), "power": np.asarray(result.power, dtype=float)}
    )


# --------------------------------------------------------------------------- bandits


def _policy_names(policy: str | Sequence[str]) -> list[str]:
    names = [policy] if isinstance(policy, str) else list(policy)
    out = []
    for name in names:
        key = str(name).strip().lower()
        if key not in _POLICY_ALIASES:
            raise DataError(f"unknown policy {name!r}: use one of {', '.join(POLICIES)}.")
        out.append(_POLICY_ALIASES[key])
    if not out:
        raise DataError(f"no policy given: use one or more of {', '.join(POLICIES)}.")
    return out


def _rates_array(rates) -> tuple[list, np.ndarray]:
    series = rates.copy() if isinstance(rates, pd.Series) else pd.Series(rates)
    if len(series) < 2:
        raise DataError(f"rates has {len(series)} arm(s); a bandit needs at least two arms.")
    values = pd.to_numeric(series, errors="coerce")
    bad = values.isna() | (values <= 0) | (values >= 1)
    if bad.any():
        arm = series.index[bad.to_numpy()][0]
        raise DataError(
            f"the rate of arm {arm!r} is {series[arm]!r}; every rate must be "
            "strictly between 0 and 1."
        )
    return list(series.index), values.to_numpy(dtype=float)


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise DataError(f"{name} must be a whole number, 1 or more; got {value!r}.")
    return int(value)


def simulate_bandit(
    rates: Mapping | pd.Series,
    n_emails: int = 10_000,
    policy: str | Sequence[str] = "thompson sampling",
    *,
    wave_size: int = 1000,
    n_campaigns: int = 200,
    epsilon: float = 0.1,
    n_draws: int = 100,
    random_state: int | None = None,
) -> pd.DataFrame:
    """Replay a campaign sent in waves, with a fixed split or a bandit policy, many times.

    Each campaign sends ``n_emails`` e-mails in waves of ``wave_size``; an e-mail of arm ``k``
    converts with probability ``rates[k]`` (the true rates, known in a simulation). After each
    wave the policy sees the conversions so far and splits the next wave:

    - ``"fixed split"``: the classic A/B test, the same share for every arm all along;
    - ``"epsilon-greedy"``: a share ``epsilon`` spread evenly (exploration), the rest to the arm
      with the best observed rate so far (exploitation);
    - ``"thompson sampling"``: each arm gets the share of the wave equal to the posterior
      probability that it is the best (Beta(1 + conversions, 1 + failures) per arm, estimated
      from ``n_draws`` draws): arms that are probably worse fade out on their own.

    All campaigns of a policy are simulated at once with NumPy arrays (one loop over waves).

    Parameters
    ----------
    rates : dict or pandas.Series
        True conversion rate per arm, each strictly between 0 and 1.
    n_emails : int, default 10,000
        E-mails per campaign.
    policy : str or list of str, default "thompson sampling"
        One or several of ``POLICIES`` ("fixed", "epsilon", "thompson" also accepted).
    wave_size : int, default 1000
        E-mails per wave (the last wave may be smaller).
    n_campaigns : int, default 200
        Number of simulated campaigns per policy.
    epsilon : float, default 0.1
        Exploration share of epsilon-greedy.
    n_draws : int, default 100
        Posterior draws per wave for Thompson sampling.
    random_state : int, optional
        Seed; the same seed gives the same results.

    Returns
    -------
    pandas.DataFrame
        One row per policy, campaign and wave: ``policy``, ``campaign``, ``wave``,
        ``emails`` (sent so far), ``conversions`` (in the wave), ``total conversions`` (so far),
        ``emails to best arm`` (so far) and ``regret`` (so far): the conversions expected to be
        lost against sending every e-mail to the truly best arm.

    Examples
    --------
    >>> runs = simulate_bandit({"A": 0.01, "B": 0.02}, n_emails=2000, policy=["fixed", "thompson"],
    ...                        n_campaigns=10, random_state=0)
    >>> runs.groupby("policy")["wave"].max().tolist()
    [2, 2]
    """
    arms, p = _rates_array(rates)
    names = _policy_names(policy)
    n_emails = _positive_int(n_emails, "n_emails")
    wave_size = _positive_int(wave_size, "wave_size")
    n_campaigns = _positive_int(n_campaigns, "n_campaigns")
    n_draws = _positive_int(n_draws, "n_draws")
    if not isinstance(epsilon, int | float) or not 0 <= epsilon <= 1:
        raise DataError(
            f"epsilon must be a share between 0 and 1 (for example 0.1), got {epsilon!r}."
        )
    seeds = np.random.SeedSequence(random_state).spawn(len(names))
    frames = [
        _run_policy(
            name,
            p,
            n_emails,
            wave_size,
            n_campaigns,
            float(epsilon),
            n_draws,
            np.random.default_rng(seed),
        )
        for name, seed in zip(names, seeds, strict=True)
    ]
    return pd.concat(frames, ignore_index=True)


def _run_policy(
    policy: str,
    p: np.ndarray,
    n_emails: int,
    wave_size: int,
    n_campaigns: int,
    epsilon: float,
    n_draws: int,
    gen: np.random.Generator,
) -> pd.DataFrame:
    k = len(p)
    best = int(np.argmax(p))
    gap = p.max() - p
    sends = np.zeros((n_campaigns, k), dtype=np.int64)
    wins = np.zeros((n_campaigns, k), dtype=np.int64)
    sizes = [wave_size] * (n_emails // wave_size) + (
        [n_emails % wave_size] if n_emails % wave_size else []
    )
    n_waves = len(sizes)
    conversions = np.zeros((n_waves, n_campaigns), dtype=np.int64)
    to_best = np.zeros((n_waves, n_campaigns), dtype=np.int64)
    regret = np.zeros((n_waves, n_campaigns))
    for w, size in enumerate(sizes):
        if policy == "fixed split":
            # An exact even split; the remainder goes to arms drawn at random.
            allocation = np.full((n_campaigns, k), size // k, dtype=np.int64)
            extra = np.argsort(gen.random((n_campaigns, k)), axis=1) < size % k
            allocation += extra
        else:
            if policy == "epsilon-greedy":
                observed = wins / np.maximum(sends, 1)
                # Random tie-breaking among equal observed rates (e.g. all zero at the start).
                leader = np.argmax(observed + gen.random((n_campaigns, k)) * 1e-9, axis=1)
                shares = np.full((n_campaigns, k), epsilon / k)
                shares[np.arange(n_campaigns), leader] += 1 - epsilon
            else:
                draws = gen.beta(
                    1 + wins[:, None, :],
                    1 + sends[:, None, :] - wins[:, None, :],
                    size=(n_campaigns, n_draws, k),
                )
                winner = draws.argmax(axis=2)
                shares = (winner[:, :, None] == np.arange(k)).mean(axis=1)
            allocation = gen.multinomial(size, shares)
        won = gen.binomial(allocation, p)
        sends += allocation
        wins += won
        conversions[w] = won.sum(axis=1)
        to_best[w] = sends[:, best]
        regret[w] = sends @ gap
    emails = np.cumsum(sizes)
    return pd.DataFrame(
        {
            "policy": policy,
            "campaign": np.tile(np.arange(n_campaigns), n_waves),
            "wave": np.repeat(np.arange(1, n_waves + 1), n_campaigns),
            "emails": np.repeat(emails, n_campaigns),
            "conversions": conversions.ravel(),
            "total conversions": conversions.cumsum(axis=0).ravel(),
            "emails to best arm": to_best.ravel(),
            "regret": regret.ravel(),
        }
    )


def summarise_bandit(
    results: pd.DataFrame,
    *,
    baseline: str = "fixed split",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Final conversions and regret per policy, and each policy's gain over the baseline.

    Takes the last wave of every campaign of :func:`simulate_bandit`. The interval of the
    difference in mean regret with the ``baseline`` policy is Welch's t interval
    (``statsmodels.stats.weightstats.CompareMeans``).

    Returns
    -------
    pandas.DataFrame
        Indexed by policy: ``campaigns``, ``mean conversions``, ``mean regret``,
        ``share to best arm``, ``regret vs baseline`` (negative = fewer conversions lost than
        the baseline), ``diff low`` and ``diff high``.

    Examples
    --------
    >>> runs = simulate_bandit({"A": 0.01, "B": 0.03}, 5000, ["fixed", "thompson"],
    ...                        n_campaigns=50, random_state=1)
    >>> bool(summarise_bandit(runs).loc["thompson sampling", "diff high"] < 0)
    True
    """
    check_frame(results, name="results")
    check_columns(
        results,
        [
            "policy",
            "campaign",
            "wave",
            "emails",
            "total conversions",
            "emails to best arm",
            "regret",
        ],
        role="results column",
    )
    _check_confidence(confidence)
    last = results.loc[results.groupby(["policy", "campaign"])["wave"].idxmax()]
    if baseline not in set(last["policy"]):
        raise DataError(
            f"baseline policy {baseline!r} is not in the results (policies: "
            f"{sorted(set(last['policy']))}); simulate it too or pick another baseline."
        )
    base = last.loc[last["policy"] == baseline, "regret"].to_numpy(dtype=float)
    rows = {}
    for name, group in last.groupby("policy", sort=False):
        regret = group["regret"].to_numpy(dtype=float)
        row = {
            "campaigns": len(group),
            "mean conversions": group["total conversions"].mean(),
            "mean regret": regret.mean(),
            "share to best arm": (group["emails to best arm"] / group["emails"]).mean(),
            "regret vs baseline": regret.mean() - base.mean(),
        }
        if name == baseline or len(regret) < 2 or len(base) < 2:
            row["diff low"] = row["diff high"] = np.nan
        else:
            compare = CompareMeans(DescrStatsW(regret), DescrStatsW(base))
            low, high = compare.tconfint_diff(alpha=1 - confidence, usevar="unequal")
            row["diff low"], row["diff high"] = float(low), float(high)
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "policy"
    return table


# --------------------------------------------------------------------------- plots


def _axes(ax):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    return ax


def plot_funnel(report: pd.DataFrame, ax=None):
    """Bar chart of a :func:`funnel_report`: share of e-mails reaching each step, per arm.

    The rate axis is logarithmic so that 1 % and 90 % fit on one chart; bars carry their
    Wilson intervals.

    Examples
    --------
    >>> df = pd.DataFrame({"arm": list("AABB"), "opened": [1, 0, 1, 1]})
    >>> plot_funnel(funnel_report(df, "arm", ["opened"])).get_ylabel()
    'share of e-mails sent'
    """
    check_frame(report, name="report")
    arm = report.columns[0]
    check_columns(report, ["step", "rate", "rate low", "rate high"], role="report column")
    ax = _axes(ax)
    steps = [s for s in pd.unique(report["step"]) if s != "sent"]
    arms = list(pd.unique(report[arm]))
    width = 0.8 / max(len(arms), 1)
    x = np.arange(len(steps))
    for i, value in enumerate(arms):
        part = (
            report[(report[arm] == value) & (report["step"] != "sent")].set_index("step").loc[steps]
        )
        rate = part["rate"].to_numpy()
        yerr = np.vstack([rate - part["rate low"].to_numpy(), part["rate high"].to_numpy() - rate])
        ax.bar(
            x + (i - (len(arms) - 1) / 2) * width,
            np.maximum(rate, 1e-4),
            width,
            yerr=yerr,
            capsize=2,
            label=str(value),
        )
    ax.set_yscale("log")
    ax.set_xticks(x, steps)
    ax.set_ylabel("share of e-mails sent")
    ax.set_title("Funnel per arm (95 % intervals)")
    ax.legend(title=str(arm), fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def plot_arms(comparison: pd.DataFrame, ax=None, *, truth: Mapping | None = None):
    """Each arm's rate with its interval (a :func:`compare_arms` table), optionally the truth.

    Examples
    --------
    >>> plot_arms(compare_counts({"A": 6, "B": 10}, {"A": 200, "B": 200})).get_xlabel()
    'rate'
    """
    check_frame(comparison, name="comparison")
    check_columns(comparison, ["rate", "rate low", "rate high"], role="comparison column")
    ax = _axes(ax)
    y = np.arange(len(comparison))[::-1]
    rate = comparison["rate"].to_numpy()
    xerr = np.vstack(
        [rate - comparison["rate low"].to_numpy(), comparison["rate high"].to_numpy() - rate]
    )
    ax.errorbar(rate, y, xerr=xerr, fmt="o", capsize=4, label="observed (95 % interval)")
    ax.axvline(
        rate[0], color="grey", linestyle="--", linewidth=1, label=f"control ({comparison.index[0]})"
    )
    if truth is not None:
        true = [truth.get(a, np.nan) for a in comparison.index]
        ax.plot(true, y, "x", color="black", markersize=9, label="true rate")
    ax.set_yticks(y, [str(a) for a in comparison.index])
    ax.set_xlabel("rate")
    ax.legend(fontsize="small")
    return ax


def plot_power_curve(curve: pd.DataFrame, ax=None, *, target_power: float = 0.8):
    """Line of a :func:`power_curve`, with the target power and the e-mails it takes.

    Examples
    --------
    >>> plot_power_curve(power_curve(0.03, 0.01)).get_ylabel()
    'power'
    """
    check_frame(curve, name="curve")
    check_columns(curve, ["emails per arm", "power"], role="curve column")
    ax = _axes(ax)
    ax.plot(curve["emails per arm"], curve["power"], marker=".")
    ax.axhline(target_power, color="grey", linestyle="--", linewidth=1)
    reached = curve[curve["power"] >= target_power]
    if len(reached):
        ax.axvline(reached["emails per arm"].iloc[0], color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("e-mails per arm")
    ax.set_ylabel("power")
    ax.set_ylim(0, 1)
    return ax


def plot_bandit(results: pd.DataFrame, metric: str = "regret", ax=None):
    """Mean of ``metric`` per wave for each policy, with the band of 90 % of campaigns.

    Examples
    --------
    >>> runs = simulate_bandit({"A": 0.01, "B": 0.02}, 3000, "fixed", n_campaigns=5, random_state=0)
    >>> plot_bandit(runs).get_ylabel()
    'regret'
    """
    check_frame(results, name="results")
    check_columns(results, ["policy", "emails", metric], role="results column")
    ax = _axes(ax)
    for name, group in results.groupby("policy", sort=False):
        stats = group.groupby("emails")[metric]
        mean = stats.mean()
        (line,) = ax.plot(mean.index, mean.to_numpy(), label=str(name))
        ax.fill_between(
            mean.index,
            stats.quantile(0.05).to_numpy(),
            stats.quantile(0.95).to_numpy(),
            color=line.get_color(),
            alpha=0.15,
        )
    ax.set_xlabel("e-mails sent")
    ax.set_ylabel(metric)
    ax.legend(fontsize="small")
    return ax
