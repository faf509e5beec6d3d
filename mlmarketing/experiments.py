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

An "arm" is one version being tested (a creative, a subject line, a send time); arm labels
such as 1 and "1" are one arm.

Every column that says whether an event happened (a funnel step, an outcome) is read with one
rule, using the library's readers (:mod:`mlmarketing._validation`):

- booleans and yes/no text (``yes``/``no``, ``oui``/``non``, ``vrai``/``faux``, ``1``/``0``...)
  and numbers that are all 0 or 1 are yes/no; a missing value there is refused (fill it, e.g.
  ``df[col].fillna(False)`` if missing means no);
- dates and times, or date text (ISO, or ``dd/mm/yyyy`` read day first), mean "happened" where
  present;
- other numbers are amounts or counts and mean "happened" where present and not 0; negative
  values, inf and decimal-comma text are refused with the fix;
- anything else, and a column with no value at all, raises :class:`~mlmarketing.DataError`
  naming the values (an empty column is not "0 successes").
"""

from __future__ import annotations

import re
import warnings
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

from mlmarketing._engines import engine_frame, funnel_counts
from mlmarketing._errors import DataError, DataWarning
from mlmarketing._validation import (
    MAX_LEVELS,
    NO_WORDS,
    YES_WORDS,
    check_columns,
    check_frame,
    check_level,
    check_numeric,
    check_positive_int,
    describe_rows,
    group_rare_levels,
    is_yes_no,
    level_label,
    looks_like_id,
    new_axes,
    read_date,
    read_dates,
    read_ids,
    read_yes_no,
    shown,
    warn_dropped,
)

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
    "posterior_rates",
    "power_curve",
    "probability_best",
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
_TIME_UNITS = {"minutes": 60.0, "hours": 3600.0, "days": 86400.0, "weeks": 604800.0}
# Text that can only be a number written the French way or with separators ("70,35", "1 200").
_NUMBER_TEXT = re.compile(r"^[+-]?[\d\s.,\u00a0\u202f]*\d[\d\s.,\u00a0\u202f]*\s*(€|eur|%)?$", re.IGNORECASE)


# --------------------------------------------------------------------------- input checks


def _read_event(
    df: pd.DataFrame, column: str, *, day_first: bool | None = None
) -> tuple[np.ndarray, pd.Series | None]:
    """Whether the event of ``column`` happened on each row, and the column's dates if it holds dates.

    The one rule of the module (see the module docstring): booleans and yes/no text (the
    library's vocabulary, :func:`~mlmarketing._validation.read_yes_no`) and numbers that are all
    0 or 1 are yes/no, and a missing value there is refused; dates (or date text, read with
    :func:`~mlmarketing._validation.read_dates`) mean "happened" where present; other numbers are
    amounts or counts and mean "happened" where present and not 0 (negative values and inf are
    refused). Anything else, and a column with no value at all, raises :class:`DataError`.
    """
    series = df[column]
    if series.isna().all():
        raise DataError(
            f"column {column!r} has no value at all ({len(series)} missing): an event column that is "
            "empty on every row is usually the wrong column or a file read incompletely, not an event "
            "that never happened. Check the column name; if the event really never happened, pass a "
            "column of 0 (or False) instead."
        )
    if pd.api.types.is_datetime64_any_dtype(series):
        dates = _dates(series, column)
        return dates.notna().to_numpy(dtype=bool), dates
    if series.dtype == bool:  # NumPy booleans cannot be missing
        return series.to_numpy(), None
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        check_numeric(df, [column], non_negative=True, what="amounts or counts")
        numbers = series.to_numpy(dtype="float64", na_value=np.nan)
        present = ~np.isnan(numbers)
        if np.isin(numbers[present], (0.0, 1.0)).all() and not present.all():
            read_yes_no(series, column=column)  # 0/1 with gaps: refused, naming the rows
        return present & (numbers != 0), None
    if pd.api.types.is_bool_dtype(series) or is_yes_no(series):
        return read_yes_no(series, column=column).to_numpy(dtype=bool), None
    try:
        dates = _dates(series, column, day_first)
    except DataError as error:
        raise _not_an_event(df, column, error) from None
    return dates.notna().to_numpy(dtype=bool), dates


def _dates(series: pd.Series, column: str, day_first: bool | None = None) -> pd.Series:
    """The column as dates, read by :func:`read_dates`."""
    return read_dates(series, column=column, day_first=day_first)


def _not_an_event(df: pd.DataFrame, column: str, date_error: DataError) -> DataError:
    series = df[column]
    texts = pd.Series(pd.unique(series.dropna().astype(str).str.strip()), dtype=object)
    if len(texts) and texts.map(lambda t: bool(_NUMBER_TEXT.match(t))).all():
        try:  # amounts written as text: the shared check says how to convert them
            check_numeric(df, [column], non_negative=True, what="amounts or counts")
        except DataError as error:
            return error
    yes_no = texts.str.lower().str.replace(r"^([01])\.0+$", r"\1", regex=True).isin(
        YES_WORDS | NO_WORDS
    )

    def is_date(text: str) -> bool:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                read_date(text, column)
        except DataError:
            return False
        return True

    bad = [t for t in texts[~yes_no].head(1000) if not is_date(t)]
    if not bad:  # every value is a date on its own: the column mixes two date orders
        return date_error
    named = ", ".join(repr(t) for t in bad[:5]) + (", ..." if len(bad) > 5 else "")
    return DataError(
        f"column {column!r} must say whether the event happened on each row: yes/no (yes/no, "
        "oui/non, vrai/faux, true/false, 1/0), a date or time (empty where it did not happen), or "
        f"an amount or count (empty or 0 where it did not happen). It holds {named}, which is none "
        f"of these. Recode those values, e.g. df[{column!r}] = df[{column!r}].replace("
        f"{{{bad[0]!r}: 'non'}}), or pass the right column."
    )


def _read_arms(df: pd.DataFrame, arm: str) -> tuple[pd.Series, list]:
    """The arm of every row and the arms in order; labels such as 1 and "1" are one arm (as text)."""
    series = df[arm]
    missing = series.isna()
    if missing.any():
        raise DataError(
            f"column {arm!r} has {int(missing.sum())} missing value(s) "
            f"({describe_rows(series.index, missing)}): every e-mail must belong to an arm. "
            "Drop those rows or fill in the arm before comparing."
        )
    if series.dtype == object and series.map(lambda v: isinstance(v, str)).nunique() > 1:
        series = read_ids(series, column=arm)
    order = _arm_order(series)
    n_arms = len(order)
    if n_arms > MAX_LEVELS or (len(series) >= 20 and n_arms == len(series)):
        raise DataError(
            f"column {arm!r} has {n_arms} different values for {len(series)} rows: it looks like an "
            "id, not the arm of a test (at most "
            f"{MAX_LEVELS} arms). Pass the column that names the version each customer received, "
            "such as 'creative'."
        )
    return series, order


def _arm_order(series: pd.Series) -> list:
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.dropna())
        return [c for c in series.cat.categories if c in present]
    return sorted(series.dropna().unique(), key=str)


def _check_rate(value: float, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.floating | np.integer)
        or not 0 < float(value) < 1
    ):
        raise DataError(
            f"{name} must be a rate strictly between 0 and 1 (3 % is 0.03), got {value!r}."
        )
    return float(value)


def _wilson(successes, trials, level: float) -> tuple[np.ndarray, np.ndarray]:
    low, high = proportion_confint(
        np.asarray(successes), np.asarray(trials), alpha=1 - level, method="wilson"
    )
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def _interval_label(table: pd.DataFrame, plural: bool = False) -> str:
    """" (95 % intervals)" from the level a table was computed at, or "" when it is not known."""
    level = table.attrs.get("level")
    if level is None:
        return ""
    return f" ({level_label(level)} interval{'s' if plural else ''})"


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
    level: float = 0.95,
    day_first: bool | None = None,
) -> pd.DataFrame:
    """Counts and rates at every step of a funnel (sent → delivered → opened → ...), per arm.

    Each row of ``df`` is one e-mail sent. A step column says whether the step happened, read
    with the module's one rule: yes/no (booleans, ``oui``/``non``, ``vrai``/``faux``, ``1``/``0``...;
    no missing value), a date or time (empty where the step did not happen; text dates are read
    day first, ``03/06/2019`` is 3 June), or an amount or count (empty or 0 where it did not
    happen). A column with no value at all is refused.

    Parameters
    ----------
    df : pandas.DataFrame, or a Polars, DuckDB or Spark frame, or Parquet files
        One row per e-mail (or visitor) sent. It is not modified. An engine's frame is counted
        in its engine, where step columns must be booleans, dates or numbers.
    arm : str
        Column naming the arm (creative) of each row; no missing value.
    steps : list of str, or dict {label: column}
        The funnel's steps in order, after "sent". Every row that reached a step must have
        reached the step before; if not, :class:`~mlmarketing.DataError` says how many rows
        break the order. (Some e-mail tools miss opens when images are blocked: if a click
        without an open is real in your data, fill the open from the click first.)
    level : float, default 0.95
        Level of the Wilson intervals.
    day_first : bool or None, default None
        Order of text dates: None reads ``dd/mm/yyyy`` unless the column shows month first;
        True or False forces it.

    Returns
    -------
    pandas.DataFrame
        One row per arm and step (``"sent"`` first): ``count``, ``rate`` (share of e-mails
        sent), ``rate low`` / ``rate high`` (Wilson interval) and ``rate of previous step``.
        ``attrs["level"]`` keeps the level for :func:`plot_funnel`.

    Examples
    --------
    >>> df = pd.DataFrame({"creative": ["A", "A", "B", "B"], "opened": ["oui", "non", "oui", "oui"],
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
    labels = _steps_dict(steps)
    engine = engine_frame(df)
    if engine is not None:  # Polars, DuckDB, Spark, Parquet: counted there, per arm and steps reached
        df = funnel_counts(engine, arm, labels)
    check_frame(df)
    check_columns(df, arm, role="arm column")
    check_columns(df, list(labels.values()) if engine is None else list(labels), role="step column")
    level = check_level(level)
    # E-mails each row stands for: one on pandas, a count from an engine.
    weights = np.ones(len(df), dtype=np.int64) if engine is None else df.pop("_n").to_numpy(dtype=np.int64)
    arms, order = _read_arms(df, arm)
    if engine is None:
        events = {label: _read_event(df, column, day_first=day_first) for label, column in labels.items()}
        happened = pd.DataFrame({label: hit for label, (hit, _) in events.items()}, index=df.index)
        _check_order(labels, happened, {label: dates for label, (_, dates) in events.items()})
    else:  # read and checked row by row in the engine
        happened = df[list(labels)].astype(bool)
    rows = []
    for value in order:
        mask = (arms == value).to_numpy()
        sent = int(weights[mask].sum())
        previous = sent
        rows.append({arm: value, "step": "sent", "count": sent, "previous": sent})
        for label in labels:
            count = int(weights[mask & happened[label].to_numpy()].sum())
            rows.append({arm: value, "step": label, "count": count, "previous": previous})
            previous = count
        for row in rows[-len(labels) - 1 :]:
            row["sent"] = sent
    table = pd.DataFrame(rows)
    table["rate"] = table["count"] / table["sent"]
    table["rate low"], table["rate high"] = _wilson(table["count"], table["sent"], level)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["rate of previous step"] = np.where(
            table["previous"] > 0, table["count"] / table["previous"].clip(lower=1), np.nan
        )
    table = table[[arm, "step", "count", "rate", "rate low", "rate high", "rate of previous step"]]
    table.attrs["level"] = level
    return table


def _check_order(
    labels: dict[str, str], happened: pd.DataFrame, dates: dict[str, pd.Series | None]
) -> None:
    names = list(labels)
    for before, after in zip(names[:-1], names[1:], strict=True):
        skipped = happened[after] & ~happened[before]
        if skipped.any():
            raise DataError(
                f"{int(skipped.sum())} row(s) reached step {after!r} without step {before!r} "
                f"(column {labels[after]!r} is set but {labels[before]!r} is not; "
                f"{describe_rows(happened.index, skipped)}). "
                "A funnel's steps must be in order: check the step order, or, if your tool "
                "misses opens, fill the "
                f"earlier step from the later one before calling (e.g. df[{labels[before]!r}] = "
                f"df[{labels[before]!r}].fillna(df[{labels[after]!r}]))."
            )
        first, second = dates[before], dates[after]
        if first is not None and second is not None:
            backwards = (second < first).fillna(False).to_numpy(dtype=bool)
            if backwards.any():
                raise DataError(
                    f"{int(backwards.sum())} row(s) have {labels[after]!r} earlier than "
                    f"{labels[before]!r} ({describe_rows(happened.index, backwards)}): events out "
                    "of order. Check the time zones and the date order (day_first) of the two "
                    "columns, or fix those rows."
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
        One row per e-mail sent. It is not modified.
    arm : str
        Column naming the arm (creative) of each row; no missing value.
    revenue : str
        Column of revenue in euros: numbers, empty or 0 where there was no sale. Negative
        amounts (refunds), inf and text such as ``"70,35"`` are refused with the fix.
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
    check_numeric(df, [revenue], non_negative=True, what="amounts")
    arms, order = _read_arms(df, arm)
    if (
        isinstance(cost_per_email, bool)
        or not isinstance(cost_per_email, int | float | np.integer | np.floating)
        or not np.isfinite(cost_per_email)
        or cost_per_email < 0
    ):
        raise DataError(
            f"cost_per_email must be a number of euros, 0 or more; got {cost_per_email!r}."
        )
    amounts = df[revenue].to_numpy(dtype="float64", na_value=np.nan)
    # The arms' own array keeps a categorical column categorical: grouping it is fast.
    frame = pd.DataFrame({"arm": arms.array, "amount": np.nan_to_num(amounts, nan=0.0)})
    grouped = frame.groupby("arm", observed=True, sort=False)["amount"]
    table = pd.DataFrame(
        {
            "emails": grouped.size(),
            "sales": grouped.apply(lambda a: int((a > 0).sum())),
            "revenue (€)": grouped.sum(),
        }
    ).reindex(order)
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
        # Arms compared as text: 1 and "1" are one arm.
        s_text = read_ids(pd.Series(s.index, dtype=object), allow_missing=True)
        n_text = read_ids(pd.Series(n.index, dtype=object), allow_missing=True)
        if set(s_text) != set(n_text) or s_text.duplicated().any() or n_text.duplicated().any():
            raise DataError(
                f"successes and trials name different arms ({list(s.index)} against "
                f"{list(n.index)}): give both for the same arms."
            )
        s.index, n.index = pd.Index(s_text, name=s.index.name), pd.Index(n_text, name=s.index.name)
    n = n.reindex(s.index)
    if len(s) < 2:
        raise DataError(f"there are {len(s)} arm(s); a comparison needs at least two arms.")
    counts = pd.DataFrame({"successes": s, "trials": n})
    check_numeric(counts, ["successes", "trials"], non_negative=True, what="counts")
    for name in ("successes", "trials"):
        numbers = counts[name].to_numpy(dtype="float64", na_value=np.nan)
        bad = np.isnan(numbers) | (numbers != np.round(numbers))
        if bad.any():
            arm = counts.index[bad][0]
            raise DataError(
                f"{name} of arm {arm!r} is {shown(counts[name][arm])}; it must be a whole number."
            )
    s, n = counts["successes"].astype(int), counts["trials"].astype(int)
    if (n <= 0).any():
        raise DataError(
            f"arm {n.index[(n <= 0).to_numpy()][0]!r} has no e-mail (0 trials): drop that arm or "
            "check the arm names."
        )
    if (s > n).any():
        bad = s.index[(s > n).to_numpy()][0]
        raise DataError(
            f"arm {bad!r} has {s[bad]} successes out of {n[bad]} trials: successes cannot exceed "
            "trials. Check that both count the same e-mails."
        )
    s.name, n.name = "successes", "trials"
    return s, n


def _find_arm(control, arms: list):
    """The arm called ``control``; 1 and "1" name the same arm."""
    if control in arms:
        return control
    wanted = read_ids(pd.Series([control], dtype=object), allow_missing=True).iloc[0]
    texts = list(read_ids(pd.Series(arms, dtype=object), allow_missing=True))
    if wanted is not None and texts.count(wanted) == 1:
        return arms[texts.index(wanted)]
    raise DataError(f"control {control!r} is not one of the arms {arms}: pass one of them.")


def compare_counts(
    successes: Mapping | pd.Series,
    trials: Mapping | pd.Series,
    *,
    control=None,
    level: float = 0.95,
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
        Number of successes (clicks, sales) and of trials (e-mails sent) per arm: whole
        numbers, not negative, finite. Arm names are compared as text (1 and "1" are one arm).
    control : arm name, optional
        The reference arm; default the first one.
    level : float, default 0.95
        Level of the intervals; ``1 - level`` is the significance level.
    correction : str, default "holm"
        Any method of ``multipletests`` ("holm", "bonferroni", "fdr_bh", ...).

    Returns
    -------
    pandas.DataFrame
        Indexed by arm: ``n``, ``successes``, ``rate``, ``rate low``, ``rate high``,
        ``difference`` (the arm's rate minus the control's, in rate points), ``difference low``,
        ``difference high``, ``relative lift``, ``p-value``, ``p-value (<correction>)`` and
        ``significant``. The control's comparison columns are empty. When an arm and the
        control both have no success (or only successes), their p-value is 1: there is no
        difference to see. ``attrs["level"]`` keeps the level for :func:`plot_arms`.

    Examples
    --------
    >>> table = compare_counts({"A": 6, "B": 10}, {"A": 200, "B": 200})
    >>> table[["rate", "difference", "p-value"]].round(3)
       rate  difference  p-value
    A  0.03         NaN      NaN
    B  0.05        0.02    0.307
    """
    s, n = _as_counts(successes, trials)
    level = check_level(level)
    arms = list(s.index)
    control = arms[0] if control is None else _find_arm(control, arms)
    table = pd.DataFrame({"n": n, "successes": s})
    table.index.name = s.index.name
    table["rate"] = s / n
    table["rate low"], table["rate high"] = _wilson(s, n, level)
    others = [a for a in arms if a != control]
    s0, n0 = int(s[control]), int(n[control])
    diffs, lows, highs, pvalues = [], [], [], []
    for a in others:
        s1, n1 = int(s[a]), int(n[a])
        low, high = confint_proportions_2indep(
            s1, n1, s0, n0, compare="diff", method="newcomb", alpha=1 - level
        )
        diffs.append(s1 / n1 - s0 / n0)
        lows.append(float(low))
        highs.append(float(high))
        if s1 + s0 in (0, n1 + n0):
            pvalues.append(1.0)
        else:
            pvalues.append(float(proportions_ztest([s1, s0], [n1, n0])[1]))
    try:
        _, adjusted, _, _ = multipletests(pvalues, alpha=1 - level, method=correction)
    except ValueError as error:
        raise DataError(
            f"correction {correction!r} is not a method of statsmodels' multipletests: use "
            "'holm', 'bonferroni' or 'fdr_bh'."
        ) from error
    table["difference"] = pd.Series(diffs, index=others, dtype=float)
    table["difference low"] = pd.Series(lows, index=others, dtype=float)
    table["difference high"] = pd.Series(highs, index=others, dtype=float)
    rate0 = s0 / n0
    table["relative lift"] = table["difference"] / rate0 if rate0 > 0 else np.nan
    table["p-value"] = pd.Series(pvalues, index=others, dtype=float)
    table[f"p-value ({correction})"] = pd.Series(adjusted, index=others, dtype=float)
    table["significant"] = table[f"p-value ({correction})"] < 1 - level
    table.attrs["level"] = level
    return table


def _arm_counts(df: pd.DataFrame, arm: str, outcome: str) -> tuple[pd.Series, pd.Series]:
    check_frame(df)
    check_columns(df, arm, role="arm column")
    check_columns(df, outcome, role="outcome column")
    arms, order = _read_arms(df, arm)
    hit, _ = _read_event(df, outcome)
    frame = pd.DataFrame({"arm": arms.array, "hit": hit})
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
    level: float = 0.95,
    correction: str = "holm",
) -> pd.DataFrame:
    """Compare every arm with the control on a yes/no outcome, from one row per e-mail.

    Counts the successes per arm and calls :func:`compare_counts` (z-tests, Holm correction,
    Wilson and Newcomb intervals).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per e-mail sent. It is not modified.
    arm : str
        Column naming the arm of each row; no missing value. Mixed labels such as 1 and "1"
        are one arm.
    outcome : str
        The success, read as a funnel step is (see :func:`funnel_report`): yes/no values
        (``Oui``/``Non``, ``Vrai``/``Faux``, 1/0, booleans; no missing value), a date or time
        that is empty where it did not happen, or an amount or count that is empty or 0 where it
        did not happen. A column with no value at all is refused (not "0 successes").
    control : arm name, optional
        The reference arm; default the first arm (in category order, else sorted).
    level : float, default 0.95
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
    ...                    "clicked": ["Oui"] * 3 + ["Non"] * 97 + ["Oui"] * 9 + ["Non"] * 91})
    >>> compare_arms(df, "creative", "clicked")["successes"].tolist()
    [3, 9]
    """
    successes, trials = _arm_counts(df, arm, outcome)
    return compare_counts(successes, trials, control=control, level=level, correction=correction)


def chi_square_test(successes: Mapping | pd.Series, trials: Mapping | pd.Series) -> pd.DataFrame:
    """Overall test that all arms share one rate (chi-square test of the arms x outcome table).

    Uses ``scipy.stats.chi2_contingency`` (without continuity correction). The result also
    gives the smallest expected count: below 5 the chi-square approximation is rough, and the
    p-value should be read with care.

    Parameters
    ----------
    successes, trials : dict or pandas.Series
        As in :func:`compare_counts`.

    Returns
    -------
    pandas.DataFrame
        One row, ``"chi-square test"``: ``chi-square``, ``degrees of freedom``, ``p-value``,
        ``smallest expected count``.

    Examples
    --------
    >>> chi_square_test({"A": 10, "B": 30}, {"A": 200, "B": 200})[["chi-square", "p-value"]].round(4)
                     chi-square  p-value
    chi-square test     11.1111   0.0009
    """
    s, n = _as_counts(successes, trials)
    if s.sum() == 0 or s.sum() == n.sum():
        what = "no success" if s.sum() == 0 else "only successes"
        raise DataError(f"every arm has {what}: there is no difference to test.")
    table = np.column_stack([s.to_numpy(), (n - s).to_numpy()])
    chi2, p_value, dof, expected = chi2_contingency(table, correction=False)
    return pd.DataFrame(
        {
            "chi-square": [float(chi2)],
            "degrees of freedom": [int(dof)],
            "p-value": [float(p_value)],
            "smallest expected count": [float(expected.min())],
        },
        index=pd.Index(["chi-square test"]),
    )


def overall_test(df: pd.DataFrame, arm: str, outcome: str) -> pd.DataFrame:
    """Chi-square test that every arm has the same rate of ``outcome``, from one row per e-mail.

    ``outcome`` is read as in :func:`compare_arms`; the result is that of
    :func:`chi_square_test`.

    Examples
    --------
    >>> df = pd.DataFrame({"arm": list("AABB"), "won": ["Vrai", "Faux", "Vrai", "Vrai"]})
    >>> round(float(overall_test(df, "arm", "won").loc["chi-square test", "p-value"]), 3)
    0.248
    """
    successes, trials = _arm_counts(df, arm, outcome)
    return chi_square_test(successes, trials)


def rate_table(
    df: pd.DataFrame,
    by: str | Sequence[str],
    outcome: str,
    *,
    level: float = 0.95,
) -> pd.DataFrame:
    """The rate of ``outcome`` per group (send hour, weekday, segment x creative), with intervals.

    Rows whose group is missing are left out and counted in a
    :class:`~mlmarketing.DataWarning`. A grouping column with more than 50 levels (the library's
    most levels for a category, ``MAX_LEVELS``) keeps its 49 most frequent and groups the others
    into ``"other"``, also said with a warning; an id column (one value per e-mail, or named like
    an id) is refused: a rate per customer means nothing.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per e-mail. It is not modified.
    by : str or list of str
        Grouping column(s).
    outcome : str
        Read as in :func:`compare_arms`: yes/no, a date (empty where it did not happen), or
        an amount or count (empty or 0 where it did not happen).
    level : float, default 0.95
        Level of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``n``, ``successes``, ``rate``, ``rate low``, ``rate high``.

    Examples
    --------
    >>> df = pd.DataFrame({"hour": [9, 9, 14, 14], "opened": ["oui", "oui", "non", "oui"]})
    >>> rate_table(df, "hour", "opened")["rate"].tolist()
    [1.0, 0.5]
    """
    check_frame(df)
    keys = check_columns(df, by, role="group column")
    check_columns(df, outcome, role="outcome column")
    level = check_level(level)
    hit = pd.Series(_read_event(df, outcome)[0].astype(int), index=df.index)
    groups = [df[key] for key in keys]
    table = _rates(hit, groups)
    # The levels are counted on the (small) table; only a column with too many is looked at again.
    observed = [table.index.get_level_values(i).nunique() for i in range(len(keys))]
    if max(observed) > MAX_LEVELS or (len(df) >= 20 and max(observed) == len(df)):
        for i, key in enumerate(keys):
            groups[i] = _few_levels(df[key], key)
        table = _rates(hit, groups)
    names = ", ".join(repr(k) for k in keys)
    warn_dropped(int(len(df) - table["n"].sum()), len(df), f"no value in {names}", stacklevel=3)
    table["rate"] = table["successes"] / table["n"]
    table["rate low"], table["rate high"] = _wilson(table["successes"], table["n"], level)
    table.attrs["level"] = level
    return table


def _rates(hit: pd.Series, groups: list[pd.Series]) -> pd.DataFrame:
    grouped = hit.groupby(groups, observed=True)
    return pd.DataFrame({"n": grouped.size(), "successes": grouped.sum()})


def _few_levels(column: pd.Series, key: str) -> pd.Series:
    """A grouping column with at most ``MAX_LEVELS`` levels; an id is refused."""
    n_levels = column.nunique()
    many = n_levels > MAX_LEVELS or (len(column) >= 20 and n_levels == len(column))
    if many and looks_like_id(column, key):
        raise DataError(
            f"column {key!r} is an id ({n_levels} different values for {len(column)} "
            "rows): a rate per id means nothing. Group by a category such as a segment, a "
            "creative or a send hour."
        )
    if n_levels <= MAX_LEVELS:
        return column
    grouped, n_grouped = group_rare_levels(column, max_levels=MAX_LEVELS)
    warnings.warn(
        f"column {key!r} has {n_levels} levels, more than the {MAX_LEVELS} a rate "
        f"table shows: its {n_grouped} rarest levels are grouped into 'other'.",
        DataWarning,
        stacklevel=4,
    )
    return grouped.rename(key)


def time_to_event(
    df: pd.DataFrame,
    start: str,
    events: Sequence[str] | Mapping[str, str],
    *,
    by: str | None = None,
    time_unit: str = "hours",
    day_first: bool | None = None,
) -> pd.DataFrame:
    """Time from ``start`` (the send) to each event, one row per event that happened.

    Date columns are read with the library's one rule
    (:func:`~mlmarketing._validation.read_dates`): dates stay dates; text is ISO, or day first
    (``03/06/2019 09:00`` is 3 June), or month first only when a value shows it (with a
    warning). An event that happened on a row without a start time is left out and counted in a
    :class:`~mlmarketing.DataWarning`.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per e-mail, with date-time columns. It is not modified.
    start : str
        Column of the start time (the send).
    events : list of str, or dict {label: column}
        Date-time columns of the events (missing where the event did not happen). A column
        with no value at all is refused.
    by : str, optional
        A column to keep beside each time (for example the creative).
    time_unit : {"minutes", "hours", "days", "weeks"}, default "hours"
        Unit of the times, and name of their column.
    day_first : bool or None, default None
        Order of text dates: None reads ``dd/mm/yyyy`` unless a column shows month first;
        True or False forces it.

    Returns
    -------
    pandas.DataFrame
        Columns ``step``, ``by`` (if given) and the time in ``time_unit``.

    Examples
    --------
    >>> df = pd.DataFrame({"sent": ["03/06/2019 09:00", "03/06/2019 10:00"],
    ...                    "opened": ["03/06/2019 11:30", None]})
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
    if time_unit not in _TIME_UNITS:
        raise DataError(
            f"time_unit must be one of {', '.join(repr(u) for u in _TIME_UNITS)}, got {time_unit!r}."
        )
    starts = _dates(df[start], start, day_first).to_numpy(dtype="datetime64[ns]")
    no_start = np.isnat(starts)
    if no_start.all():
        raise DataError(
            f"column {start!r} has no date at all: pass the column of the send times."
        )
    one_unit = np.timedelta64(int(_TIME_UNITS[time_unit]), "s")
    parts = []
    for label, column in labels.items():
        if df[column].isna().all():
            raise DataError(
                f"column {column!r} has no value at all ({len(df)} missing): it is usually the "
                "wrong column or a file read incompletely. Check the column name."
            )
        ends = _dates(df[column], column, day_first).to_numpy(dtype="datetime64[ns]")
        present = ~np.isnat(ends)
        delay = (ends - starts) / one_unit
        backwards = delay < 0
        if backwards.any():
            raise DataError(
                f"{int(backwards.sum())} row(s) have {column!r} before {start!r} "
                f"({describe_rows(df.index, backwards)}): events out of order. Check the time "
                "zones and the date order (day_first) of the two columns, or fix those rows."
            )
        warn_dropped(
            int((present & no_start).sum()), int(present.sum()),
            f"{column!r} is set but {start!r} is missing", stacklevel=3,
        )
        keep = present & ~no_start
        part = {"step": label}
        if by is not None:
            part[by] = df[by].to_numpy()[keep]
        part[time_unit] = delay[keep]
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
    if (
        isinstance(min_detectable_effect, bool)
        or not isinstance(min_detectable_effect, int | float | np.integer | np.floating)
        or not np.isfinite(min_detectable_effect)
        or min_detectable_effect == 0
    ):
        raise DataError(
            "min_detectable_effect must be a non-zero lift in rate points (one point is 0.01), "
            f"got {min_detectable_effect!r}."
        )
    _check_rate(p0 + min_detectable_effect, "baseline_rate + min_detectable_effect")
    _check_rate(alpha, "alpha")
    _check_rate(power, "power")
    if alternative not in ("two-sided", "larger"):
        raise DataError(f"alternative must be 'two-sided' or 'larger', got {alternative!r}.")
    n_comparisons = check_positive_int(n_comparisons, "n_comparisons")
    if (
        isinstance(ratio, bool)
        or not isinstance(ratio, int | float | np.integer | np.floating)
        or not np.isfinite(ratio)
        or ratio <= 0
    ):
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
    n_arms = check_positive_int(n_arms, "n_arms", minimum=2)
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
        try:
            n = np.asarray(list(n_per_arm), dtype=float)
        except (TypeError, ValueError):
            n = np.array([np.nan])
        if n.size == 0 or not np.isfinite(n).all() or (n <= 0).any():
            raise DataError(
                f"n_per_arm must be a list of positive numbers of e-mails, got {n_per_arm!r}."
            )
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
            f"the rate of arm {arm!r} is {shown(series[arm])}; every rate must be a number "
            "strictly between 0 and 1 (1.5 % is 0.015, written with a dot)."
        )
    return list(series.index), values.to_numpy(dtype=float)


def posterior_rates(
    successes: Mapping | pd.Series,
    trials: Mapping | pd.Series,
    n_campaigns: int = 200,
    *,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Plausible true rates per arm after a test: draws from each arm's Beta posterior.

    What a real campaign can do instead of using a simulation's planted truth: each row is
    one world compatible with what the test saw (arm ``k`` at rate drawn from
    Beta(1 + successes, 1 + failures), a flat prior). Pass the table to
    :func:`simulate_bandit` to replay policies over what we do not know.

    Parameters
    ----------
    successes, trials : dict or pandas.Series
        Successes and trials per arm (the same arms).
    n_campaigns : int, default 200
        Number of worlds (rows) drawn.
    random_state : int or None, default 0
        Seed.

    Returns
    -------
    pandas.DataFrame
        One column per arm, one row per world.

    Examples
    --------
    >>> worlds = posterior_rates({"A": 2, "B": 6}, {"A": 200, "B": 200}, 1000)
    >>> worlds.shape, bool(worlds["B"].mean() > worlds["A"].mean())
    ((1000, 2), True)
    """
    s, n = _as_counts(successes, trials)
    n_campaigns = check_positive_int(n_campaigns, "n_campaigns")
    gen = np.random.default_rng(random_state)
    draws = gen.beta(
        1 + s.to_numpy(dtype=float), 1 + (n - s).to_numpy(dtype=float), size=(n_campaigns, len(s))
    )
    # Keep every rate strictly inside (0, 1), as simulate_bandit requires.
    draws = np.clip(draws, 1e-9, 1 - 1e-9)
    return pd.DataFrame(draws, columns=list(s.index))


def probability_best(
    successes: Mapping | pd.Series,
    trials: Mapping | pd.Series,
    *,
    n_draws: int = 20_000,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """The probability that each arm has the highest true rate, given a test's counts.

    This is the share of the next wave that Thompson sampling gives each arm (Beta(1 +
    successes, 1 + failures) posteriors, a flat prior), so it is also a mailing plan.

    Parameters
    ----------
    successes, trials : dict or pandas.Series
        Successes and trials per arm (the same arms).
    n_draws : int, default 20,000
        Posterior draws.
    random_state : int or None, default 0
        Seed.

    Returns
    -------
    pandas.DataFrame
        Indexed by arm: ``successes``, ``n``, ``rate``, ``probability best``.

    Examples
    --------
    >>> best = probability_best({"A": 2, "B": 6}, {"A": 200, "B": 200})
    >>> bool(best.loc["B", "probability best"] > 0.8), round(float(best["probability best"].sum()), 6)
    (True, 1.0)
    """
    worlds = posterior_rates(successes, trials, check_positive_int(n_draws, "n_draws"),
                             random_state=random_state)
    s, n = _as_counts(successes, trials)
    winner = worlds.to_numpy().argmax(axis=1)
    table = pd.DataFrame(
        {
            "successes": s.to_numpy(),
            "n": n.to_numpy(),
            "rate": (s / n).to_numpy(),
            "probability best": np.bincount(winner, minlength=len(s)) / len(winner),
        },
        index=pd.Index(list(s.index), name="arm"),
    )
    return table



def simulate_bandit(
    rates: Mapping | pd.Series | pd.DataFrame,
    n_emails: int = 10_000,
    policy: str | Sequence[str] = "thompson sampling",
    *,
    wave_size: int = 1000,
    n_campaigns: int = 200,
    epsilon: float = 0.1,
    n_draws: int = 100,
    prior_successes: Mapping | pd.Series | None = None,
    prior_trials: Mapping | pd.Series | None = None,
    random_state: int | None = 0,
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

    After an A/B test, pass its counts as ``prior_successes`` and ``prior_trials``: the bandits
    then start from what the test learned (Thompson sampling's first wave is the plan of
    :func:`probability_best`) instead of from nothing, as a team that ran the test would. Only the
    ``n_emails`` new e-mails are counted in the conversions and the regret.

    All campaigns of a policy are simulated at once with NumPy arrays (one loop over waves).

    Parameters
    ----------
    rates : dict, pandas.Series or pandas.DataFrame
        True conversion rate per arm, each strictly between 0 and 1. A DataFrame (one column
        per arm, one row per campaign, e.g. from :func:`posterior_rates`) gives each campaign
        its own true rates: the replay then also covers what we do not know about the rates,
        and campaign ``i`` of every policy shares the rates of row ``i`` (``n_campaigns`` is
        then the number of rows).
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
    prior_successes, prior_trials : dict or pandas.Series, optional
        Successes and e-mails already observed per arm (the test), the same arms as ``rates``:
        epsilon-greedy and Thompson sampling start from them. Give both or neither; the fixed
        split does not use them.
    random_state : int or None, default 0
        Seed; the same seed gives the same results (None: a different replay each time).

    Returns
    -------
    pandas.DataFrame
        One row per policy, campaign and wave: ``policy``, ``campaign``, ``wave``,
        ``emails`` (sent so far), ``conversions`` (in the wave), ``total conversions`` (so far),
        ``emails to best arm`` (so far), ``regret`` (so far): the conversions expected to be
        lost against sending every e-mail to the truly best arm, and one column
        ``emails to <arm>`` per arm (sent so far), e.g. to count each arm's unsubscribes.

    Examples
    --------
    >>> runs = simulate_bandit({"A": 0.01, "B": 0.02}, n_emails=2000, policy=["fixed", "thompson"],
    ...                        n_campaigns=10, random_state=0)
    >>> runs.groupby("policy")["wave"].max().tolist()
    [2, 2]

    Starting from a test in which ``B`` had 12 conversions out of 400 and ``A`` 3, Thompson
    sampling sends most of the first wave to ``B``:

    >>> after_test = simulate_bandit({"A": 0.01, "B": 0.02}, 1000, "thompson", wave_size=1000,
    ...                              prior_successes={"A": 3, "B": 12},
    ...                              prior_trials={"A": 400, "B": 400})
    >>> bool((after_test["emails to B"] > 800).mean() > 0.9)
    True
    """
    names = _policy_names(policy)
    n_emails = check_positive_int(n_emails, "n_emails")
    wave_size = check_positive_int(wave_size, "wave_size")
    if isinstance(rates, pd.DataFrame):
        if rates.empty:
            raise DataError("rates has no row: give one row of true rates per campaign.")
        arms = list(rates.columns)
        rows = [_rates_array(row)[1] for _, row in rates.iterrows()]
        p = np.vstack(rows)
        n_campaigns = len(rows)
    else:
        arms, p = _rates_array(rates)
        n_campaigns = check_positive_int(n_campaigns, "n_campaigns")
    if "best arm" in [str(arm) for arm in arms]:
        raise DataError("an arm is called 'best arm', a name the results use: rename that arm.")
    prior = _prior_counts(prior_successes, prior_trials, arms)
    n_draws = check_positive_int(n_draws, "n_draws")
    if (
        isinstance(epsilon, bool)
        or not isinstance(epsilon, int | float | np.integer | np.floating)
        or not 0 <= epsilon <= 1
    ):
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
            prior,
            arms,
        )
        for name, seed in zip(names, seeds, strict=True)
    ]
    return pd.concat(frames, ignore_index=True)


def _prior_counts(prior_successes, prior_trials, arms: list) -> tuple[np.ndarray, np.ndarray] | None:
    """The test's counts in the order of ``arms``, or None when no test is given."""
    if prior_successes is None and prior_trials is None:
        return None
    if prior_successes is None or prior_trials is None:
        raise DataError(
            "give both prior_successes and prior_trials (the test's successes and e-mails per "
            "arm), or neither."
        )
    s, n = _as_counts(prior_successes, prior_trials)
    found = {str(arm): arm for arm in s.index}
    missing = [arm for arm in arms if str(arm) not in found]
    extra = [arm for arm in s.index if str(arm) not in {str(a) for a in arms}]
    if missing or extra:
        raise DataError(
            f"the prior counts name the arms {list(s.index)} but the rates name {arms}: give the "
            "test's counts for exactly the arms of the rates."
        )
    order = [found[str(arm)] for arm in arms]
    return s[order].to_numpy(dtype=np.int64), n[order].to_numpy(dtype=np.int64)


def _run_policy(
    policy: str,
    p: np.ndarray,
    n_emails: int,
    wave_size: int,
    n_campaigns: int,
    epsilon: float,
    n_draws: int,
    gen: np.random.Generator,
    prior: tuple[np.ndarray, np.ndarray] | None,
    arms: list,
) -> pd.DataFrame:
    # One row of true rates per campaign (the same row repeated when the rates are fixed).
    p = np.broadcast_to(np.atleast_2d(p), (n_campaigns, np.atleast_2d(p).shape[1]))
    k = p.shape[1]
    best = np.argmax(p, axis=1)
    gap = p.max(axis=1, keepdims=True) - p
    rows = np.arange(n_campaigns)
    # What the policies have seen: the test's counts (if given), then every wave they send.
    seen_sends = np.zeros((n_campaigns, k), dtype=np.int64)
    seen_wins = np.zeros((n_campaigns, k), dtype=np.int64)
    if prior is not None:
        seen_wins += prior[0]
        seen_sends += prior[1]
    sends = np.zeros((n_campaigns, k), dtype=np.int64)
    sizes = [wave_size] * (n_emails // wave_size) + (
        [n_emails % wave_size] if n_emails % wave_size else []
    )
    n_waves = len(sizes)
    per_arm = np.zeros((n_waves, n_campaigns, k), dtype=np.int64)
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
                observed = seen_wins / np.maximum(seen_sends, 1)
                # Random tie-breaking among equal observed rates (e.g. all zero at the start).
                leader = np.argmax(observed + gen.random((n_campaigns, k)) * 1e-9, axis=1)
                shares = np.full((n_campaigns, k), epsilon / k)
                shares[np.arange(n_campaigns), leader] += 1 - epsilon
            else:
                draws = gen.beta(
                    1 + seen_wins[:, None, :],
                    1 + seen_sends[:, None, :] - seen_wins[:, None, :],
                    size=(n_campaigns, n_draws, k),
                )
                winner = draws.argmax(axis=2)
                shares = (winner[:, :, None] == np.arange(k)).mean(axis=1)
            allocation = gen.multinomial(size, shares)
        won = gen.binomial(allocation, p)
        sends += allocation
        seen_sends += allocation
        seen_wins += won
        per_arm[w] = sends
        conversions[w] = won.sum(axis=1)
        to_best[w] = sends[rows, best]
        regret[w] = (sends * gap).sum(axis=1)
    emails = np.cumsum(sizes)
    table = {
        "policy": policy,
        "campaign": np.tile(np.arange(n_campaigns), n_waves),
        "wave": np.repeat(np.arange(1, n_waves + 1), n_campaigns),
        "emails": np.repeat(emails, n_campaigns),
        "conversions": conversions.ravel(),
        "total conversions": conversions.cumsum(axis=0).ravel(),
        "emails to best arm": to_best.ravel(),
        "regret": regret.ravel(),
    }
    for j, arm in enumerate(arms):
        table[f"emails to {arm}"] = per_arm[:, :, j].ravel()
    return pd.DataFrame(table)


def summarise_bandit(
    results: pd.DataFrame,
    *,
    baseline: str = "fixed split",
    level: float = 0.95,
    spread: float = 0.9,
) -> pd.DataFrame:
    """Final conversions and regret per policy, and each policy's gain over the baseline.

    Takes the last wave of every campaign of :func:`simulate_bandit`. The interval of the
    difference in mean regret with the ``baseline`` policy is Welch's t interval
    (``statsmodels.stats.weightstats.CompareMeans``).

    Parameters
    ----------
    results : pandas.DataFrame
        The table of :func:`simulate_bandit`.
    baseline : str, default "fixed split"
        The policy the others are compared with.
    level : float, default 0.95
        Level of the interval of the difference.
    spread : float, default 0.9
        Share of single campaigns that ``conversions low`` to ``conversions high`` holds.

    Returns
    -------
    pandas.DataFrame
        Indexed by policy: ``campaigns``, ``mean conversions``, ``conversions low`` and
        ``conversions high`` (the range of the middle ``spread`` of single campaigns: how much
        one real campaign can vary), ``mean regret``, ``share to best arm``, ``difference``
        (the policy's mean regret minus the baseline's: negative = fewer conversions lost
        than the baseline), ``difference low`` and ``difference high`` (the interval of that
        *mean*: it shrinks with more replays and says nothing about one campaign), and
        ``share no better than baseline`` (share of campaigns whose conversions are at most
        those of the baseline's campaign of the same number).

    Examples
    --------
    >>> runs = simulate_bandit({"A": 0.01, "B": 0.03}, 5000, ["fixed", "thompson"],
    ...                        n_campaigns=50, random_state=1)
    >>> bool(summarise_bandit(runs).loc["thompson sampling", "difference high"] < 0)
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
    level = check_level(level)
    spread = check_level(spread, "spread")
    last = results.loc[results.groupby(["policy", "campaign"])["wave"].idxmax()]
    if baseline not in set(last["policy"]):
        raise DataError(
            f"baseline policy {baseline!r} is not in the results (policies: "
            f"{sorted(set(last['policy']))}); simulate it too or pick another baseline."
        )
    base_rows = last[last["policy"] == baseline]
    base = base_rows["regret"].to_numpy(dtype=float)
    base_conversions = base_rows.set_index("campaign")["total conversions"]
    tail = (1 - spread) / 2
    rows = {}
    for name, group in last.groupby("policy", sort=False):
        regret = group["regret"].to_numpy(dtype=float)
        conversions = group.set_index("campaign")["total conversions"]
        paired = conversions.index.intersection(base_conversions.index)
        row = {
            "campaigns": len(group),
            "mean conversions": conversions.mean(),
            "conversions low": conversions.quantile(tail),
            "conversions high": conversions.quantile(1 - tail),
            "mean regret": regret.mean(),
            "share to best arm": (group["emails to best arm"] / group["emails"]).mean(),
            "difference": regret.mean() - base.mean(),
        }
        if name == baseline or len(regret) < 2 or len(base) < 2:
            row["difference low"] = row["difference high"] = np.nan
        else:
            compare = CompareMeans(DescrStatsW(regret), DescrStatsW(base))
            low, high = compare.tconfint_diff(alpha=1 - level, usevar="unequal")
            row["difference low"], row["difference high"] = float(low), float(high)
        row["share no better than baseline"] = (
            np.nan
            if name == baseline
            else float((conversions[paired] <= base_conversions[paired]).mean())
        )
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "policy"
    table.attrs["level"] = level
    return table


# --------------------------------------------------------------------------- plots


def plot_funnel(report: pd.DataFrame, *, ax=None):
    """Bar chart of a :func:`funnel_report`: share of e-mails reaching each step, per arm.

    Rates are drawn in % of the e-mails sent, on an ordinary (linear) axis; bars carry their
    Wilson intervals, whose level (``report.attrs["level"]``) the title gives. Small rates
    (a 1 % conversion next to 95 % delivered) are thin bars: read them in the table.

    Parameters
    ----------
    report : pandas.DataFrame
        The table of :func:`funnel_report`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> df = pd.DataFrame({"arm": list("AABB"), "opened": [1, 0, 1, 1]})
    >>> ax = plot_funnel(funnel_report(df, "arm", ["opened"], level=0.9))
    >>> ax.get_ylabel(), ax.get_title()
    ('% of e-mails sent', 'Funnel per arm (90 % intervals)')
    """
    check_frame(report, name="report")
    arm = report.columns[0]
    check_columns(report, ["step", "rate", "rate low", "rate high"], role="report column")
    ax = new_axes(ax)
    steps = [s for s in pd.unique(report["step"]) if s != "sent"]
    arms = list(pd.unique(report[arm]))
    width = 0.8 / max(len(arms), 1)
    x = np.arange(len(steps))
    for i, value in enumerate(arms):
        part = (
            report[(report[arm] == value) & (report["step"] != "sent")].set_index("step").loc[steps]
        )
        rate = 100 * part["rate"].to_numpy()
        yerr = np.vstack(
            [rate - 100 * part["rate low"].to_numpy(), 100 * part["rate high"].to_numpy() - rate]
        )
        ax.bar(
            x + (i - (len(arms) - 1) / 2) * width,
            rate,
            width,
            yerr=yerr,
            capsize=2,
            label=str(value),
        )
    ax.set_ylim(0, None)
    ax.set_xticks(x, steps)
    ax.set_ylabel("% of e-mails sent")
    ax.set_title(f"Funnel per arm{_interval_label(report, plural=True)}")
    ax.legend(title=str(arm), fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def plot_arms(comparison: pd.DataFrame, *, ax=None, truth: Mapping | None = None):
    """Each arm's rate with its interval (a :func:`compare_arms` table), optionally the truth.

    Parameters
    ----------
    comparison : pandas.DataFrame
        The table of :func:`compare_arms` or :func:`compare_counts`; the legend gives the
        level of its intervals (``comparison.attrs["level"]``).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    truth : dict, optional
        True rate per arm (known in a simulation), drawn as crosses.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_arms(compare_counts({"A": 6, "B": 10}, {"A": 200, "B": 200}))
    >>> ax.get_xlabel(), [text.get_text() for text in ax.get_legend().get_texts()]
    ('rate (%)', ['control (A)', 'observed (95 % interval)'])
    """
    check_frame(comparison, name="comparison")
    check_columns(comparison, ["rate", "rate low", "rate high"], role="comparison column")
    ax = new_axes(ax)
    y = np.arange(len(comparison))[::-1]
    rate = 100 * comparison["rate"].to_numpy()
    xerr = np.vstack(
        [rate - 100 * comparison["rate low"].to_numpy(), 100 * comparison["rate high"].to_numpy() - rate]
    )
    ax.errorbar(rate, y, xerr=xerr, fmt="o", capsize=4, label=f"observed{_interval_label(comparison)}")
    ax.axvline(
        rate[0], color="grey", linestyle="--", linewidth=1, label=f"control ({comparison.index[0]})"
    )
    if truth is not None:
        true = [100 * truth.get(a, np.nan) for a in comparison.index]
        ax.plot(true, y, "x", color="black", markersize=9, label="true rate")
    ax.set_yticks(y, [str(a) for a in comparison.index])
    ax.set_xlabel("rate (%)")
    ax.legend(fontsize="small")
    return ax


def plot_power_curve(curve: pd.DataFrame, *, ax=None, target_power: float = 0.8):
    """Line of a :func:`power_curve`, with the target power and the e-mails it takes.

    Parameters
    ----------
    curve : pandas.DataFrame
        The table of :func:`power_curve`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    target_power : float, default 0.8
        The power drawn as a horizontal line.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> plot_power_curve(power_curve(0.03, 0.01)).get_ylabel()
    'power'
    """
    check_frame(curve, name="curve")
    check_columns(curve, ["emails per arm", "power"], role="curve column")
    ax = new_axes(ax)
    ax.plot(curve["emails per arm"], curve["power"], marker=".")
    ax.axhline(target_power, color="grey", linestyle="--", linewidth=1)
    reached = curve[curve["power"] >= target_power]
    if len(reached):
        ax.axvline(reached["emails per arm"].iloc[0], color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("e-mails per arm")
    ax.set_ylabel("power")
    ax.set_ylim(0, 1)
    return ax


def plot_bandit(results: pd.DataFrame, metric: str = "regret", *, ax=None):
    """Mean of ``metric`` per wave for each policy, with the band of 90 % of campaigns.

    The band runs from the 5th to the 95th percentile of the replayed campaigns: it shows how
    much one campaign can vary, not a confidence interval.

    Parameters
    ----------
    results : pandas.DataFrame
        The table of :func:`simulate_bandit`.
    metric : str, default "regret"
        The column to draw (``"total conversions"``, ``"emails to best arm"``...).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> runs = simulate_bandit({"A": 0.01, "B": 0.02}, 3000, "fixed", n_campaigns=5)
    >>> plot_bandit(runs).get_ylabel()
    'regret'
    """
    check_frame(results, name="results")
    check_columns(results, ["policy", "emails", metric], role="results column")
    ax = new_axes(ax)
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
