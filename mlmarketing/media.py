"""Media planning: compare channels on cost per action, price the seven-times rule, split a budget.

Used by ``01-04-media-planning.ipynb``. Three groups of helpers:

- **KPIs** (:func:`media_kpis`): CTR, CPC, CPM, conversion rate, CPA and ROAS per channel
  (or per any grouping), from the columns you name. A KPI whose denominator is zero or
  unknown is missing (NaN), never infinite. Rows whose group is missing are kept, as the
  group :data:`MISSING_GROUP` (``"(missing)"``).
- **Reach and frequency** (:func:`reach_frequency`, :func:`cost_for_frequency`,
  :func:`exposure_concentration`): how many people see an ad, how often, and what it costs
  to reach an audience an average of seven times. Exposures per person follow a Poisson law
  (ads spread evenly) or a negative binomial law (some people see far more ads than others),
  the classic model of media planners.
- **Response curves and budget** (:func:`adstock`, :func:`saturation`,
  :func:`fit_response_curves`, :func:`allocate_budget`, :func:`expected_conversions`,
  :func:`marginal_cpa`, :func:`split_by_ranking`): each channel's weekly incremental
  conversions are ``effect * saturation(adstock(spend))``; the curves are fitted to weekly
  total conversions by nonlinear least squares (:func:`scipy.optimize.least_squares`) and the
  budget is split by constrained optimisation (:func:`scipy.optimize.minimize`, SLSQP).
- **Plots** (:func:`plot_kpi`, :func:`plot_response_curves`).

Input is read with the library's rulebook (:mod:`mlmarketing._validation`): amounts must be
finite, non-negative numbers (decimal-comma text is refused with the conversion to write),
weeks are dates read day first unless ISO, yes/no controls may be written Oui/Non or
Vrai/Faux, and names (channels, groups) that mix ``7`` and ``"7"`` are one name.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, signal, stats

from mlmarketing._engines import engine_frame, media_totals
from mlmarketing._errors import DataError, DataWarning
from mlmarketing._validation import (
    category_limit,
    check_columns,
    check_frame,
    check_level,
    check_numeric,
    check_positive_int,
    describe_rows,
    group_rare_levels,
    is_yes_no,
    looks_like_id,
    new_axes,
    read_date,
    read_dates,
    read_ids,
    read_yes_no,
)

__all__ = [
    "MISSING_GROUP",
    "ResponseCurves",
    "adstock",
    "allocate_budget",
    "cost_for_frequency",
    "expected_conversions",
    "exposure_concentration",
    "fit_response_curves",
    "incremental_cpa_intervals",
    "marginal_cpa",
    "media_kpis",
    "plot_kpi",
    "plot_response_curves",
    "reach_frequency",
    "saturation",
    "split_by_ranking",
]

#: The label of the group of rows whose group column is missing, in :func:`media_kpis`.
MISSING_GROUP = "(missing)"

# --------------------------------------------------------------------------------------
# Amounts (one argument at a time; the columns go through check_numeric)
# --------------------------------------------------------------------------------------


def _number(value: object, name: str, *, allow_inf: bool = False) -> float:
    """A single numeric argument as a float: text, booleans, NaN and (unless allowed) inf refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        hint = (
            " Write it as a number, without quotes and with a decimal point (70.35, not '70,35')."
            if isinstance(value, str) else ""
        )
        raise DataError(f"{name} must be a number, got {value!r}.{hint}")
    number = float(value)
    if np.isnan(number) or (np.isinf(number) and not allow_inf):
        raise DataError(f"{name} must be a finite number, got {value!r}.")
    return number


def _checked_numbers(values: pd.Series, name: str, *, what: str) -> pd.Series:
    """A Series of amounts given as an argument, checked like a column (finite, not negative)."""
    try:
        check_numeric(values.to_frame(name), [name], non_negative=True, what=what)
    except DataError as error:
        raise DataError(str(error).replace(f"column {name!r}", name, 1)) from None
    return values.astype(float)


def _spend_values(spend: object) -> tuple[np.ndarray, pd.Series | None]:
    """Spend per period (any shape) as floats, finite and not negative; its Series if it was one."""
    if isinstance(spend, pd.Series):
        series = spend
        shaped = None
    else:
        raw = np.asarray(spend, dtype=object)
        shaped = raw.shape
        series = pd.Series(raw.ravel().tolist(), dtype=None if raw.size else float)
    if series.isna().any():
        raise DataError(
            f"spend has missing values ({describe_rows(series.index, series.isna())}): "
            "fill periods without spend with 0."
        )
    values = _checked_numbers(series, "spend", what="spend").to_numpy(dtype=float)
    if shaped is not None:
        values = values.reshape(shaped)
    return values, spend if isinstance(spend, pd.Series) else None


# --------------------------------------------------------------------------------------
# KPIs
# --------------------------------------------------------------------------------------


def _ratio(numerator: pd.Series, denominator: pd.Series, scale: float = 1.0) -> pd.Series:
    """numerator / denominator * scale, missing (not infinite) where the denominator is 0."""
    num = numerator.astype(float)
    den = denominator.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0, num / den * scale, np.nan)
    return pd.Series(out, index=numerator.index)


def _group_key(series: pd.Series, column: str) -> pd.Series:
    # Names that mix 7, "7", "7.0" and " 7 " (an export's campaign numbers) are one group, as
    # ids are. Each distinct name is normalised once.
    if not (series.dtype == object or isinstance(series.dtype, pd.StringDtype)):
        return series.rename(column)  # numbers, dates, categories: grouped as they are
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    names = read_ids(pd.Series(uniques, dtype=object), column=column).to_numpy(dtype=object)
    return pd.Series(np.append(names, None)[codes], index=series.index, name=column, dtype=object)


def _label_missing(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        levels = [index.get_level_values(i) for i in range(index.nlevels)]
        if not any(level.hasnans for level in levels):
            return index
        return pd.MultiIndex.from_arrays([_label_missing(level) for level in levels],
                                         names=index.names)
    if not index.hasnans:
        return index
    return pd.Index(index.astype(object).where(~index.isna(), MISSING_GROUP), name=index.name)


def media_kpis(
    df: pd.DataFrame,
    by: str | Sequence[str] | None = "channel",
    *,
    spend: str = "spend",
    impressions: str = "impressions",
    clicks: str | None = "clicks",
    conversions: str | None = "conversions",
    revenue: str | None = "revenue",
    reach: str | None = None,
) -> pd.DataFrame:
    """The KPIs every marketer must master, per channel (or any grouping), on one basis.

    Totals are summed over the rows of each group, then the KPIs are ratios of totals:

    - CTR (click-through rate) = clicks / impressions
    - CPC (cost per click) = spend / clicks
    - CPM (cost per mille) = spend / impressions x 1,000
    - conversion rate = conversions / clicks
    - CPA (cost per action) = spend / conversions
    - ROAS (return on ad spend) = revenue / spend
    - cost per 1,000 reached = spend / reach x 1,000 (only when ``reach`` is given; reach is
      summed over the rows, so over several weeks it counts a person once per week)

    Parameters
    ----------
    df : pandas.DataFrame, or a Polars, DuckDB or Spark frame, or Parquet files
        One row per channel and period (or any finer grain). Not modified. An engine's frame
        is summed in its engine (see ``mlmarketing._engines``); the KPIs are the same.
    by : str, list of str or None, default "channel"
        Column(s) to group by; ``None`` gives one row for the whole table. Every row is
        counted: rows whose group is missing form a group of their own, labelled
        ``"(missing)"`` (:data:`MISSING_GROUP`) and shown last, so that the table adds up to
        the whole spend. Names that mix numbers and text (``7`` and ``"7"``) are one group.
        The result has one row per group whatever their number: this is a table, not a model,
        so no level is grouped into "other".
    spend, impressions : str
        Columns of spend (any currency) and impressions (ads shown).
    clicks, conversions, revenue, reach : str or None
        Columns of clicks, conversions (actions), revenue and reach (people who saw the ad);
        ``None`` when your data has no such column (the KPIs that need it are left out).

    Returns
    -------
    pandas.DataFrame
        One row per group: the totals, then ``CTR``, ``CPC``, ``CPM``, ``conversion rate``,
        ``CPA``, ``ROAS`` (and ``cost per 1,000 reached``).

    Raises
    ------
    DataError
        When an amount column holds text (decimal commas: the conversion to write is given),
        infinite or negative values (the rows are named), or more clicks than impressions.

    Notes
    -----
    Missing values are allowed (TV has no clicks, search no reach): each KPI uses only the
    rows where both of its numbers are known, and is missing where none are. A KPI whose
    denominator is zero (no click, no conversion, a week off air) is missing (NaN), not
    infinite.

    Examples
    --------
    >>> plan = pd.DataFrame({"channel": ["search", "tv"], "spend": [1500.0, 5_000_000.0],
    ...                      "impressions": [20_000, 100_000_000], "clicks": [1000, None],
    ...                      "conversions": [50, 20_000], "revenue": [3000.0, 1_200_000.0]})
    >>> media_kpis(plan)[["CTR", "CPC", "CPM", "CPA"]].to_dict("list")
    {'CTR': [0.05, nan], 'CPC': [1.5, nan], 'CPM': [75.0, 50.0], 'CPA': [30.0, 250.0]}
    """
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    named = {
        "spend": spend,
        "impressions": impressions,
        "clicks": clicks,
        "conversions": conversions,
        "revenue": revenue,
        "reach": reach,
    }
    named = {role: column for role, column in named.items() if column is not None}
    frame = engine_frame(df)
    if frame is not None:  # Polars, DuckDB, Spark, Parquet: summed there, per group and missing pattern
        df = media_totals(frame, by, named)
    check_frame(df)
    check_columns(df, keys, role="group column")
    for role, column in named.items():
        check_columns(df, column, role=f"{role} column")
    for role, column in named.items():
        check_numeric(df, [column], non_negative=True, what=role)
    data = {role: df[col].to_numpy(dtype=float, na_value=np.nan) for role, col in named.items()}
    if "clicks" in data:
        too_many = data["clicks"] > data["impressions"]
        if too_many.any():
            row = int(np.argmax(too_many))
            raise DataError(
                f"{int(too_many.sum())} row(s) have more clicks ({clicks!r}) than impressions "
                f"({impressions!r}), for example row {df.index[row]!r}: "
                f"{data['clicks'][row]:.0f} clicks for {data['impressions'][row]:.0f} "
                "impressions. Check that the two columns are not swapped and come from the "
                "same platform."
            )
    # The groups are found once; every total is then a weighted count of group numbers.
    if keys:
        key_columns = [_group_key(df[k], k) for k in keys]
        grouped = pd.concat(key_columns, axis=1).groupby(
            keys if len(keys) > 1 else keys[0], observed=True, sort=True, dropna=False
        )
        group = grouped.ngroup().to_numpy()
        labels = _label_missing(grouped.size().index)
    else:
        group = np.zeros(len(df), dtype=np.intp)
        labels = pd.Index(["all"])
    n_groups = len(labels)

    def total(values: np.ndarray, known: np.ndarray) -> np.ndarray:
        sums = np.bincount(group, weights=np.where(known, values, 0.0), minlength=n_groups)
        counts = np.bincount(group, weights=known, minlength=n_groups)
        return np.where(counts > 0, sums, np.nan)

    known = {role: ~np.isnan(values) for role, values in data.items()}
    out = pd.DataFrame({role: total(values, known[role]) for role, values in data.items()},
                       index=labels)
    definitions = [
        ("CTR", "clicks", "impressions", 1.0),
        ("CPC", "spend", "clicks", 1.0),
        ("CPM", "spend", "impressions", 1000.0),
        ("conversion rate", "conversions", "clicks", 1.0),
        ("CPA", "spend", "conversions", 1.0),
        ("ROAS", "revenue", "spend", 1.0),
        ("cost per 1,000 reached", "spend", "reach", 1000.0),
    ]
    for name, num, den, scale in definitions:
        if num in data and den in data:
            both = known[num] & known[den]
            out[name] = _ratio(pd.Series(total(data[num], both), index=labels),
                               pd.Series(total(data[den], both), index=labels), scale=scale)
    return out


# --------------------------------------------------------------------------------------
# Reach and frequency
# --------------------------------------------------------------------------------------


def _exposures(mean_exposures: float, concentration: float | None):
    """The law of the number of times one person of the audience sees the ad."""
    if concentration is None or np.isinf(concentration):
        return stats.poisson(mean_exposures)
    r = float(concentration)
    return stats.nbinom(r, r / (r + mean_exposures))


def _check_concentration(concentration: float | None) -> float | None:
    if concentration is None:
        return None
    value = _number(concentration, "concentration", allow_inf=True)
    if not value > 0:
        raise DataError(
            f"concentration must be positive (got {concentration!r}): small values (0.3-1) "
            "mean a few heavy users see most ads; None or np.inf means ads spread evenly."
        )
    return value


def reach_frequency(
    impressions: float | None = None,
    audience: float | None = None,
    *,
    grp: float | None = None,
    frequency: int = 7,
    concentration: float | None = None,
) -> pd.Series:
    """Reach and frequency of a campaign, from impressions and audience size or from GRPs.

    Parameters
    ----------
    impressions, audience : float, optional
        Ads shown, and people in the target audience.
    grp : float, optional
        Gross rating points instead (100 GRP = as many impressions as people in the audience).
    frequency : int, default 7
        The number of exposures that counts ("seven times rule"), a whole number.
    concentration : float or None, default None
        ``None``: exposures spread evenly (Poisson law). A positive number ``r``: a negative
        binomial law; the smaller ``r``, the more ads go to the same heavy users (see
        :func:`exposure_concentration` to estimate it from a reported reach).

    Returns
    -------
    pandas.Series
        ``GRP``, ``mean exposures`` per person of the audience, ``reach`` (share that sees the
        ad at least once), ``average frequency`` (among those reached) and ``share at
        frequency`` (share of the audience that sees it at least ``frequency`` times).

    Examples
    --------
    >>> reach_frequency(grp=100).round(3).tolist()
    [100.0, 1.0, 0.632, 1.582, 0.0]
    """
    concentration = _check_concentration(concentration)
    if grp is None:
        if impressions is None or audience is None:
            raise DataError("give impressions and audience, or grp (gross rating points).")
        impressions = _number(impressions, "impressions")
        audience = _number(audience, "audience")
        if not audience > 0:
            raise DataError(f"audience must be a positive number of people, got {audience!r}.")
        if not impressions >= 0:
            raise DataError(f"impressions must be zero or more, got {impressions!r}.")
        grp = 100.0 * impressions / audience
    grp = _number(grp, "grp")
    if not grp >= 0:
        raise DataError(f"grp must be zero or more, got {grp!r}.")
    frequency = check_positive_int(frequency, "frequency (a number of exposures)")
    m = grp / 100.0
    law = _exposures(m, concentration)
    reached = float(law.sf(0)) if m > 0 else 0.0
    return pd.Series(
        {
            "GRP": float(grp),
            "mean exposures": m,
            "reach": reached,
            "average frequency": m / reached if reached > 0 else np.nan,
            "share at frequency": float(law.sf(int(frequency) - 1)) if m > 0 else 0.0,
        }
    )


def cost_for_frequency(
    audience: float,
    cpm: float,
    frequency: float = 7,
    *,
    concentration: float | None = None,
    share_at_frequency: float | None = None,
) -> pd.Series:
    """What it costs to reach an audience ``frequency`` times (the seven-times rule).

    Two goals, a choice of the planner:

    - by default, the people reached see the ad ``frequency`` times *on average*;
    - with ``share_at_frequency``, that share of the whole audience sees it *at least*
      ``frequency`` times (a stricter goal: an average of 7 leaves many people below 7).

    Parameters
    ----------
    audience : float
        People in the target audience.
    cpm : float
        Cost per thousand impressions in the channel.
    frequency : float, default 7
        Exposures wanted (more than 1 for the average goal, a whole number for the share goal).
    concentration : float or None, default None
        Exposure law, as in :func:`reach_frequency` (``None``: Poisson, ads spread evenly).
    share_at_frequency : float, optional
        Share of the audience (between 0 and 1) that must see the ad ``frequency`` times.

    Returns
    -------
    pandas.Series
        ``impressions`` needed, ``cost``, and the resulting ``GRP``, ``mean exposures``,
        ``reach``, ``average frequency`` and ``share at frequency``.

    Notes
    -----
    With even spreading the share of people who see the ad at least once after ``m``
    exposures per person is ``1 - exp(-m)``, so the average frequency among them is
    ``m / (1 - exp(-m))``; with a negative binomial law of shape ``r`` the reach is
    ``1 - (1 + m / r) ** -r``. The function solves for ``m`` (:func:`scipy.optimize.brentq`)
    and prices ``m * audience`` impressions at the CPM.

    Examples
    --------
    >>> plan = cost_for_frequency(audience=1_000_000, cpm=10.0, frequency=7, concentration=1.0)
    >>> round(plan["impressions"]), round(plan["cost"])
    (6000000, 60000)
    """
    concentration = _check_concentration(concentration)
    audience = _number(audience, "audience")
    cpm = _number(cpm, "cpm")
    frequency = _number(frequency, "frequency")
    if not audience > 0:
        raise DataError(f"audience must be a positive number of people, got {audience!r}.")
    if not cpm > 0:
        raise DataError(f"cpm must be a positive cost per thousand impressions, got {cpm!r}.")

    def metrics(m: float) -> pd.Series:
        return reach_frequency(grp=100.0 * m, frequency=max(1, int(np.ceil(frequency))),
                               concentration=concentration)

    if share_at_frequency is None:
        if not frequency > 1:
            raise DataError(
                f"frequency must be more than 1 for an average frequency goal, got {frequency!r}."
            )

        def gap(m: float) -> float:
            return m / float(_exposures(m, concentration).sf(0)) - frequency
    else:
        share_at_frequency = _number(share_at_frequency, "share_at_frequency")
        if not 0 < share_at_frequency < 1:
            raise DataError(
                "share_at_frequency must be between 0 and 1 (excluded), "
                f"got {share_at_frequency!r}."
            )
        if not (frequency == int(frequency) and frequency >= 1):
            raise DataError(
                f"frequency must be a whole number >= 1 for a share goal, got {frequency!r}."
            )

        def gap(m: float) -> float:
            return float(_exposures(m, concentration).sf(int(frequency) - 1)) - share_at_frequency

    high = max(2.0 * frequency, 1.0)
    while gap(high) < 0:
        high *= 2.0
        if high > 1e7:
            raise DataError("this goal needs more than ten million exposures per person.")
    m = optimize.brentq(gap, 1e-9, high, xtol=1e-12, rtol=1e-12)
    impressions = m * audience
    result = metrics(m)
    return pd.concat(
        [pd.Series({"impressions": impressions, "cost": impressions / 1000.0 * cpm}), result]
    )


def exposure_concentration(impressions: float, reach: float, audience: float) -> float:
    """The negative binomial shape ``r`` that explains a reported reach (a media planner's fit).

    Parameters
    ----------
    impressions, reach, audience : float
        Ads shown, people who saw at least one, and people in the target audience.

    Returns
    -------
    float
        ``r`` such that ``1 - (1 + m / r) ** -r`` equals ``reach / audience`` with
        ``m = impressions / audience``; ``inf`` when the reach is as high as even spreading
        allows (Poisson). Small values mean a few heavy users see most of the ads.

    Examples
    --------
    >>> round(exposure_concentration(impressions=2_000_000, reach=666_667, audience=1_000_000), 3)
    1.0
    """
    impressions = _number(impressions, "impressions")
    reach = _number(reach, "reach")
    audience = _number(audience, "audience")
    if not audience > 0:
        raise DataError(f"audience must be a positive number of people, got {audience!r}.")
    if not (impressions > 0 and reach > 0):
        raise DataError("impressions and reach must be positive to estimate a concentration.")
    if reach > impressions:
        raise DataError(
            f"reach ({reach:,.0f}) is above impressions ({impressions:,.0f}): a person reached "
            "has seen at least one ad. Check the two columns."
        )
    if reach > audience:
        raise DataError(
            f"reach ({reach:,.0f}) is above the audience ({audience:,.0f}): give the size of the "
            "audience the reach is measured on."
        )
    m = impressions / audience
    share = reach / audience
    if share >= -np.expm1(-m) * (1 - 1e-9):
        return float("inf")

    def gap(log_r: float) -> float:
        r = np.exp(log_r)
        return -np.expm1(-r * np.log1p(m / r)) - share

    try:
        with np.errstate(over="ignore"):  # m / r for a huge m: the root is then not bracketed
            return float(np.exp(optimize.brentq(gap, np.log(1e-6), np.log(1e6), xtol=1e-12)))
    except ValueError:
        raise DataError(
            f"no exposure concentration explains a reach of {reach:,.0f} for {impressions:,.0f} "
            f"impressions on an audience of {audience:,.0f}: check the three numbers (same "
            "period, same audience)."
        ) from None


# --------------------------------------------------------------------------------------
# Response curves
# --------------------------------------------------------------------------------------


def _adstock(values: np.ndarray, decay: float, initial: float) -> np.ndarray:
    """The adstock filter itself, on checked values (see :func:`adstock`)."""
    return signal.lfilter([1.0 - decay], [1.0, -decay], values, zi=[decay * initial])[0]


def _hill(x: np.ndarray, half: np.ndarray | float, shape: np.ndarray | float) -> np.ndarray:
    """The Hill curve itself, on checked values (see :func:`saturation`)."""
    ratio = (np.maximum(x, 0.0) / half) ** shape
    return ratio / (1.0 + ratio)


def _hill_slope(x: np.ndarray, half: np.ndarray | float, shape: np.ndarray | float) -> np.ndarray:
    """The derivative of :func:`_hill` with respect to the spend."""
    x = np.maximum(x, 1e-12)
    ratio = (x / half) ** shape
    return shape * ratio / (x * (1.0 + ratio) ** 2)


def adstock(spend, decay: float, *, initial: float = 0.0):
    """Carry-over of advertising: this week's effective spend includes part of past weeks'.

    ``x_t = (1 - decay) * spend_t + decay * x_{t-1}`` (a normalised geometric adstock: a euro
    spent counts once in all, spread over this week and the next ones).

    Parameters
    ----------
    spend : array-like or pandas.Series
        Spend per period, in time order: finite numbers, zero or more, none missing.
    decay : float
        Share of the effect carried to the next period, in [0, 1): 0 = no memory,
        0.7 = a TV-like long memory.
    initial : float, default 0.0
        Carried-over spend entering the first period (for example the first period's spend,
        if the channel ran at that level before the data start).

    Returns
    -------
    numpy.ndarray or pandas.Series
        Same shape (and index) as ``spend``.

    Examples
    --------
    >>> adstock([100.0, 0.0, 0.0], decay=0.5).tolist()
    [50.0, 25.0, 12.5]
    """
    decay = _number(decay, "decay")
    initial = _number(initial, "initial")
    if not 0 <= decay < 1:
        raise DataError(f"decay must be in [0, 1), got {decay!r}.")
    try:
        one_series = np.ndim(spend) == 1
    except ValueError:  # rows of different lengths
        one_series = False
    if not one_series:
        raise DataError("spend must be one series of values in time order.")
    values, series = _spend_values(spend)
    out = _adstock(values, decay, initial)
    if series is not None:
        return pd.Series(out, index=series.index, name=series.name)
    return out


def saturation(spend, half_saturation: float, shape: float = 1.0):
    """Diminishing returns: the share of a channel's maximum effect reached at a spend level.

    ``spend ** shape / (spend ** shape + half_saturation ** shape)`` (a Hill curve): 0 at no
    spend, 0.5 at ``half_saturation``, towards 1 for large spend. ``shape = 1`` is concave
    (each extra euro brings less); ``shape > 1`` is an S-curve.

    Parameters
    ----------
    spend : array-like or pandas.Series
        Spend levels: finite numbers, zero or more, none missing.
    half_saturation : float
        The spend at which half the maximum effect is reached (positive).
    shape : float, default 1.0
        The Hill shape (positive).

    Returns
    -------
    numpy.ndarray or pandas.Series
        Same shape (and index) as ``spend``, between 0 and 1.

    Examples
    --------
    >>> saturation([0.0, 10.0, 30.0], half_saturation=10.0).tolist()
    [0.0, 0.5, 0.75]
    """
    half_saturation = _number(half_saturation, "half_saturation")
    shape = _number(shape, "shape")
    if not half_saturation > 0:
        raise DataError(f"half_saturation must be positive, got {half_saturation!r}.")
    if not shape > 0:
        raise DataError(f"shape must be positive, got {shape!r}.")
    values, series = _spend_values(spend)
    out = _hill(values, half_saturation, shape)
    if series is not None:
        return pd.Series(out, index=series.index, name=series.name)
    return out


@dataclass
class ResponseCurves:
    """Fitted response curves (see :func:`fit_response_curves`).

    Attributes
    ----------
    params : pandas.DataFrame
        One row per channel: ``decay``, ``half saturation`` (weekly spend at half the maximum
        effect), ``effect`` (most weekly conversions the channel can add) and ``shape``.
    controls : pandas.Series
        Baseline coefficients: ``intercept`` and one per control (or control level).
    spend : pandas.DataFrame
        Weekly spend, weeks x channels.
    target : pandas.Series
        Weekly conversions that were fitted.
    fitted : pandas.Series
        Conversions the model predicts each week.
    contributions : pandas.DataFrame
        Weekly incremental conversions of each channel, weeks x channels.
    r2 : float
        Share of the weekly variation of conversions the model explains, on the weeks it was
        fitted on (in sample).
    calibration_end : pandas.Timestamp or None
        Last week used in the fit (None: every week).
    holdout_r2 : float
        The same share on the weeks after ``calibration_end``, which the fit never saw (out of
        sample); NaN without held-out weeks. See :meth:`holdout`.
    """

    params: pd.DataFrame
    controls: pd.Series
    spend: pd.DataFrame
    target: pd.Series
    fitted: pd.Series
    contributions: pd.DataFrame
    r2: float
    calibration_end: pd.Timestamp | None = None
    holdout_r2: float = float("nan")
    _refit: dict | None = field(default=None, repr=False, compare=False)

    def holdout(self) -> pd.DataFrame:
        """Weekly conversions and the model's prediction for the periods after ``calibration_end``.

        Returns
        -------
        pandas.DataFrame
            One row per held-out period: ``conversions``, ``predicted`` and ``error``
            (empty when the fit used every period).
        """
        if self.calibration_end is None:
            after = pd.Series(False, index=self.target.index)
        else:
            after = self.target.index > self.calibration_end
        return pd.DataFrame({"conversions": self.target[after], "predicted": self.fitted[after],
                             "error": (self.fitted - self.target)[after]})

    def summary(self) -> pd.DataFrame:
        """Per channel: spend, incremental conversions and incremental CPA over the data.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``channel``: ``spend``, ``incremental conversions``, ``incremental
            CPA`` (missing where the channel adds nothing) and ``share of conversions``.
        """
        spend = self.spend.sum()
        incremental = self.contributions.sum()
        return pd.DataFrame(
            {
                "spend": spend,
                "incremental conversions": incremental,
                "incremental CPA": _ratio(spend, incremental),
                "share of conversions": incremental / self.target.sum(),
            }
        ).rename_axis("channel")


def _control_columns(per_week: pd.DataFrame, column: str) -> pd.DataFrame:
    """One control's columns in the design: a number, a 0/1 flag or one indicator per level."""
    values = per_week[column]
    values = values.set_axis(values.index.strftime("%Y-%m-%d"))  # messages name the weeks
    if looks_like_id(values, column):
        raise DataError(
            f"control column {column!r} looks like an identifier (named like one, or a different "
            "whole number or code every week): an id is never a predictor. Pass the weekly "
            f"context instead; if it is a real measure (a trend, a temperature), convert it "
            f"with df[{column!r}] = df[{column!r}].astype(float)."
        )
    if is_yes_no(values):
        flags = read_yes_no(values, column=column)
        return flags.astype(float).rename(column).to_frame().set_axis(per_week.index)
    if values.isna().any():
        raise DataError(
            f"control column {column!r} has missing values "
            f"({describe_rows(values.index, values.isna())}); fill them."
        )
    if pd.api.types.is_numeric_dtype(values):
        check_numeric(values.to_frame(column), [column])
        return values.astype(float).rename(column).to_frame().set_axis(per_week.index)
    text = values.astype(str)
    limit = category_limit(len(values))
    grouped, n_grouped = group_rare_levels(text, max_levels=limit)
    if n_grouped:
        warnings.warn(
            f"control column {column!r} has {text.nunique()} levels, more than the {limit} that "
            f"{len(values)} weeks can estimate: the {n_grouped} rarest are grouped into 'other'.",
            DataWarning,
            stacklevel=4,
        )
    dummies = pd.get_dummies(grouped, prefix=column, drop_first=True, dtype=float)
    return dummies.set_axis(per_week.index)


def _calendar_frequency(index: pd.DatetimeIndex) -> str | None:
    """``"MS"``, ``"ME"``, ``"QS"`` or ``"QE"`` when the dates are consecutive months or quarters."""
    for freq in ("MS", "ME", "QS", "QE"):
        expected = pd.date_range(index[0], periods=len(index), freq=freq)
        if len(expected) == len(index) and (expected == index).all():
            return freq
    return None


def _week_table(
    df: pd.DataFrame, date: str, channel: str, spend: str, target: str, controls: Sequence[str]
) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    check_frame(df, min_rows=2)
    check_columns(df, [date, channel], role="column")
    check_columns(df, spend, role="spend column")
    check_columns(df, target, role="target column")
    check_columns(df, list(controls), role="control column")
    check_numeric(df, [spend], non_negative=True, what="spend")
    check_numeric(df, [target], non_negative=True, what="conversions")
    for column in (spend, target):
        missing = df[column].isna()
        if missing.any():
            raise DataError(
                f"column {column!r} has {int(missing.sum())} missing value(s) "
                f"({describe_rows(df.index, missing)}). Fill weeks without spend with 0 and drop "
                "weeks whose conversions are unknown."
            )
    weeks = read_dates(df[date], column=date)
    if weeks.isna().any():
        raise DataError(
            f"column {date!r} has {int(weeks.isna().sum())} missing date(s) "
            f"({describe_rows(df.index, weeks.isna())}): fill in the week or drop those rows."
        )
    if df[channel].isna().any():
        missing = df[channel].isna()
        raise DataError(
            f"column {channel!r} has {int(missing.sum())} missing channel name(s) "
            f"({describe_rows(df.index, missing)}): fill in the channel or drop those rows."
        )
    names = read_ids(df[channel], column=channel)
    data = pd.DataFrame({"week": weeks.to_numpy(), "channel": names.to_numpy(),
                         "spend": df[spend].to_numpy(dtype=float)})
    if data.duplicated(["week", "channel"]).any():
        row = data[data.duplicated(["week", "channel"])].iloc[0]
        raise DataError(
            f"channel {row['channel']!r} has several rows for week {row['week']:%Y-%m-%d}. "
            "Sum them first (df.groupby([date, channel]).sum()) so there is one row per week "
            "and channel."
        )
    wide = data.pivot(index="week", columns="channel", values="spend").sort_index()
    if wide.isna().any().any():
        missing = wide.isna().stack()
        week, name = missing[missing].index[0]
        raise DataError(
            f"channel {name!r} has no row for week {week:%Y-%m-%d}. Add a row with spend 0 "
            "if it did not run that week."
        )
    steps = wide.index.to_series().diff().dropna()
    # Months and quarters are evenly spaced on the calendar, not in days (28 to 31 days).
    calendar = len(wide.index) >= 3 and _calendar_frequency(wide.index) is not None
    if not calendar and (steps.nunique() > 1 or (len(steps) and steps.iloc[0] <= pd.Timedelta(0))):
        step = steps.mode().iloc[0]
        gap = steps[steps != step].index[0]
        raise DataError(
            f"the weeks are not evenly spaced: the period before {gap:%Y-%m-%d} is "
            f"{steps[gap].days} days instead of {step.days}. A week is missing; add it "
            "(with its spend and conversions) so that carry-over is computed right."
        )
    per_week = pd.DataFrame({c: df[c] for c in [target, *controls]}).set_axis(
        pd.DatetimeIndex(weeks.to_numpy())
    )
    changing = per_week.groupby(level=0).nunique(dropna=False).max()
    if (changing > 1).any():
        column = changing[changing > 1].index[0]
        raise DataError(
            f"column {column!r} differs between the rows of one week; it must be a weekly "
            "total (the same on every channel row of a week)."
        )
    per_week = per_week.groupby(level=0).first().loc[wide.index]
    y = per_week[target].astype(float)
    if controls:
        design = pd.concat([_control_columns(per_week, column) for column in controls], axis=1)
    else:
        design = pd.DataFrame(index=wide.index)
    flat = wide.columns[wide.std() == 0]
    if len(flat):
        raise DataError(
            f"channel {flat[0]!r} spends the same every week, so its effect cannot be told "
            "apart from the baseline. Drop it from the table, or add weeks where its spend "
            "varied."
        )
    return wide, y, design


def fit_response_curves(
    df: pd.DataFrame,
    *,
    date: str = "week",
    channel: str = "channel",
    spend: str = "spend",
    target: str = "total_conversions",
    controls: Sequence[str] = (),
    shape: float = 1.0,
    max_decay: float = 0.9,
    half_saturation_range: tuple[float, float] = (0.1, 10.0),
    warm_up: int = 8,
    calibration_end: object = None,
) -> ResponseCurves:
    """Fit each channel's response curve (carry-over and diminishing returns) to weekly totals.

    The model of the week's total conversions is ::

        intercept + controls + sum over channels of
            effect * saturation(adstock(spend, decay), half_saturation, shape)

    fitted by bounded nonlinear least squares (:func:`scipy.optimize.least_squares`,
    trust-region reflective), from a few starting decays, keeping the best fit. Effects are
    kept positive (advertising does not remove sales); decays between 0 and ``max_decay``.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per week and channel (long format). Not modified.
    date, channel, spend : str
        Columns of the week, the channel name and the spend. The weeks are read as dates
        (ISO, or ``dd/mm/yyyy`` day first); spend must be finite and zero or more.
    target : str, default "total_conversions"
        Column of the week's total conversions (all sources, the same on every row of a
        week), not the platform-reported ones.
    controls : sequence of str, default ()
        Weekly columns that move the baseline (season, promotion...). Numbers enter as they
        are; yes/no columns (``True/False``, ``Oui/Non``, ``Vrai/Faux``, ``1/0``) as one 0/1
        column; text or categories as one indicator per level but the first, at most
        ``min(50, max(2, 5 % of the weeks))`` levels (the rarer ones are grouped into
        ``"other"``, said with a :class:`~mlmarketing.DataWarning`). A column that looks like
        an id is refused.
    shape : float, default 1.0
        Hill shape of the saturation, kept fixed (1: concave curves).
    max_decay : float, default 0.9
        Largest carry-over allowed.
    half_saturation_range : (float, float), default (0.1, 10.0)
        Bounds of each half saturation, as multiples of the channel's average weekly spend.
    warm_up : int, default 8
        First weeks left out of the fit (they are still used to build up the carry-over).
    calibration_end : date, optional
        Last week used in the fit (read like every date: ISO or day first). The later weeks
        are held out: predicted from their spend and controls, never fitted, and scored as
        ``holdout_r2`` (see :meth:`ResponseCurves.holdout`). None fits every week.

    Returns
    -------
    ResponseCurves

    Notes
    -----
    Carry-over from before the first week is taken as if each channel had spent its average
    weekly amount in the weeks before. The weeks must be evenly spaced with one row per
    channel each (a channel off air has spend 0); otherwise :class:`DataError` says which
    week is missing. A channel whose spend never changes cannot be separated from the
    baseline and raises :class:`DataError`. Like any regression on observational data, the
    fit is only as good as the variation in spend: channels that always move together cannot
    be told apart.

    Examples
    --------
    >>> from mlmarketing.simulate import generate
    >>> media = generate("media", n_weeks=104).tables["01-04-Media.csv"]
    >>> curves = fit_response_curves(media, controls=["season", "promotion"])
    >>> round(curves.r2, 2) > 0.9
    True
    """
    max_decay = _number(max_decay, "max_decay")
    shape = _number(shape, "shape")
    if not 0 < max_decay < 1:
        raise DataError(f"max_decay must be in (0, 1), got {max_decay!r}.")
    if not shape > 0:
        raise DataError(f"shape must be positive, got {shape!r}.")
    if isinstance(half_saturation_range, str) or np.ndim(half_saturation_range) != 1 or len(
        half_saturation_range
    ) != 2:
        raise DataError(
            f"half_saturation_range must be a pair (low, high), got {half_saturation_range!r}."
        )
    low_half, high_half = (_number(v, "half_saturation_range") for v in half_saturation_range)
    if not 0 < low_half < 1 < high_half:
        raise DataError(
            f"half_saturation_range must be (low, high) with 0 < low < 1 < high, got "
            f"{half_saturation_range!r}."
        )
    warm_up = check_positive_int(warm_up, "warm_up (weeks)", minimum=0)
    controls = [controls] if isinstance(controls, str) else list(controls)
    wide, y, design = _week_table(df, date, channel, spend, target, controls)
    fit_rows = np.arange(len(wide)) >= warm_up
    if calibration_end is not None:
        calibration_end = read_date(calibration_end, "calibration_end")
        fit_rows &= wide.index <= calibration_end
        if not (wide.index > calibration_end).any():
            calibration_end = None  # nothing held out
    n_weeks, n_channels = wide.shape
    n_params = 3 * n_channels + 1 + design.shape[1]
    if fit_rows.sum() < n_params + 10:
        raise DataError(
            f"{int(fit_rows.sum())} weeks (of {n_weeks}) are too few to fit {n_channels} channels "
            f"and {design.shape[1]} controls ({n_params} parameters): at least "
            f"{n_params + 10 + warm_up} weeks are needed (with {warm_up} warm-up weeks"
            f"{' and before calibration_end' if calibration_end is not None else ''}). "
            "Use more weeks, fewer channels (merge small ones) or fewer controls."
        )
    settings = {"wide": wide, "design": design, "shape": shape, "bounds": (max_decay, low_half,
                high_half), "fit_rows": fit_rows, "target_name": target,
                "calibration_end": calibration_end}
    return _fit_core(y, settings, starts=None)


def _fit_core(y: pd.Series, settings: dict, starts) -> ResponseCurves:
    """The least-squares fit itself, on a checked weekly table (see :func:`fit_response_curves`)."""
    wide, design, shape = settings["wide"], settings["design"], settings["shape"]
    max_decay, low_half, high_half = settings["bounds"]
    fit_rows = settings["fit_rows"]
    n_weeks, n_channels = wide.shape
    spend_values = wide.to_numpy(dtype=float)
    spend_scale = spend_values.mean(axis=0)
    scaled_spend = spend_values / spend_scale
    y_scale = float(y.mean()) if y.mean() > 0 else 1.0
    target_values = y.to_numpy() / y_scale
    base = np.column_stack([np.ones(n_weeks), design.to_numpy(dtype=float)])
    n_base = base.shape[1]

    def curves(decay: np.ndarray, half: np.ndarray) -> np.ndarray:
        out = np.empty_like(scaled_spend)
        for j in range(n_channels):
            # Carry-over entering the first week: the channel's average (scaled) spend, 1.
            out[:, j] = _hill(_adstock(scaled_spend[:, j], decay[j], 1.0), half[j], shape)
        return out

    linear_bounds = (np.r_[np.full(n_base, -np.inf), np.zeros(n_channels)], np.inf)

    def linear_part(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # Variable projection: for given decays and half saturations the model is linear in
        # the baseline and the effects, solved exactly (effects kept >= 0).
        design_matrix = np.column_stack([base, curves(theta[:n_channels],
                                                      np.exp(theta[n_channels:]))])
        coef = optimize.lsq_linear(design_matrix[fit_rows], target_values[fit_rows],
                                   bounds=linear_bounds, method="bvls").x
        return coef, design_matrix[fit_rows] @ coef - target_values[fit_rows]

    lower = np.r_[np.zeros(n_channels), np.full(n_channels, np.log(low_half))]
    upper = np.r_[np.full(n_channels, max_decay), np.full(n_channels, np.log(high_half))]
    if starts is None:
        starts = [np.r_[np.full(n_channels, start_decay * max_decay / 0.9),
                        np.full(n_channels, np.log(start_half))]
                  for start_decay in (0.2, 0.6) for start_half in (0.5, 2.0)]
    best = None
    for theta0 in starts:
        fit = optimize.least_squares(lambda t: linear_part(t)[1], np.clip(theta0, lower, upper),
                                     bounds=(lower, upper), method="trf", x_scale=1.0)
        if best is None or fit.cost < best.cost:
            best = fit
    coef, _ = linear_part(best.x)
    decay, half = best.x[:n_channels], np.exp(best.x[n_channels:])
    gamma, effect = coef[:n_base], coef[n_base:]
    names = pd.Index(wide.columns, name="channel")
    params = pd.DataFrame(
        {
            "decay": decay,
            "half saturation": half * spend_scale,
            "effect": effect * y_scale,
            "shape": shape,
        },
        index=names,
    )
    contributions = pd.DataFrame(curves(decay, half) * effect * y_scale, index=wide.index,
                                 columns=names)
    fitted = pd.Series((base @ gamma) * y_scale, index=wide.index) + contributions.sum(axis=1)

    def share_explained(rows: np.ndarray) -> float:
        # Positions, not labels: ``rows`` is a mask or, in a block bootstrap, week positions.
        actual = y.iloc[rows]
        if len(actual) < 2:
            return float("nan")
        return 1.0 - float(((actual - fitted.iloc[rows]) ** 2).sum()
                           / ((actual - actual.mean()) ** 2).sum())

    calibration_end = settings["calibration_end"]
    held_out = (wide.index > calibration_end) if calibration_end is not None else None
    return ResponseCurves(
        params=params,
        controls=pd.Series(gamma * y_scale, index=["intercept", *design.columns]),
        spend=wide.rename_axis(columns="channel"),
        target=y.rename(settings["target_name"]),
        fitted=fitted.rename("fitted"),
        contributions=contributions,
        r2=share_explained(fit_rows),
        calibration_end=calibration_end,
        holdout_r2=share_explained(held_out) if held_out is not None else float("nan"),
        _refit={**settings, "theta": best.x},
    )


def incremental_cpa_intervals(
    curves: ResponseCurves,
    *,
    n_resamples: int = 20,
    level: float = 0.95,
    random_state: int = 0,
    method: str = "blocks",
    block_length: int | None = None,
) -> pd.DataFrame:
    """How sure is each incremental CPA? A bootstrap of the fit.

    Each resample refits the curves (starting from the fit) on data drawn again at random, and
    the spread of the incremental CPAs over the resamples gives the interval:

    - ``method="blocks"`` (the default), a moving-block bootstrap of the periods: the fit's
      periods are drawn again in blocks of ``block_length`` consecutive ones, with
      replacement, each with its spend, controls and conversions (the carry-over is still
      computed on the real sequence of spend). It does not assume that the model's errors are
      alike every week, and blocks keep errors that follow each other together;
    - ``method="residuals"``, a residual bootstrap: the spend and controls are kept, and the
      fit's own errors, drawn again, are added to the fitted conversions. The errors are first
      scaled up by ``sqrt(n / (n - p))`` (``n`` periods fitted, ``p`` parameters): a fit with
      many parameters leaves errors smaller than the real noise.

    Neither covers a wrong model (a missing control, channels that always move together):
    only an experiment (a lift or geo test) checks that.

    Parameters
    ----------
    curves : ResponseCurves
        A fit of :func:`fit_response_curves`.
    n_resamples : int, default 20
        Refits (each takes a fraction of a second); more gives steadier bounds.
    level : float, default 0.95
        Confidence level of the intervals.
    random_state : int, default 0
        Seed of the resampling.
    method : {"blocks", "residuals"}, default "blocks"
        What is drawn again (see above).
    block_length : int, optional
        Consecutive periods per block (``method="blocks"``); default the cube root of the
        number of periods fitted, rounded (5 for 96 weeks).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``channel``: ``incremental CPA`` (the fit's), ``low`` and ``high``.

    Examples
    --------
    >>> from mlmarketing.simulate import generate
    >>> media = generate("media", n_weeks=104).tables["01-04-Media.csv"]
    >>> curves = fit_response_curves(media, controls=["season", "promotion"])
    >>> table = incremental_cpa_intervals(curves, n_resamples=5)
    >>> bool((table["low"] <= table["high"]).all())
    True
    """
    if not isinstance(curves, ResponseCurves) or curves._refit is None:
        raise DataError("curves must be the result of fit_response_curves.")
    n_resamples = check_positive_int(n_resamples, "n_resamples", minimum=2)
    level = check_level(level)
    if method not in ("blocks", "residuals"):
        raise DataError(f"method must be 'blocks' or 'residuals', got {method!r}.")
    settings = curves._refit
    rows = np.flatnonzero(settings["fit_rows"])
    if block_length is None:
        block_length = max(1, round(len(rows) ** (1 / 3)))
    block_length = check_positive_int(block_length, "block_length (periods)")
    if block_length > len(rows):
        raise DataError(
            f"block_length is {block_length} periods but the fit has {len(rows)}: choose at most "
            f"{len(rows)} (default: the cube root of the number of periods)."
        )
    n_params = 3 * curves.spend.shape[1] + len(curves.controls)
    residuals = (curves.target - curves.fitted).to_numpy()[rows]
    residuals = residuals * np.sqrt(len(rows) / max(len(rows) - n_params, 1))
    generator = np.random.default_rng(random_state)
    spend = curves.spend.sum()
    draws = []
    for _ in range(n_resamples):
        if method == "blocks":
            starts = generator.integers(0, len(rows) - block_length + 1, size=-(-len(rows) // block_length))
            picked = (starts[:, None] + np.arange(block_length)).ravel()[: len(rows)]
            refit = _fit_core(curves.target, {**settings, "fit_rows": rows[picked]},
                              starts=[settings["theta"]])
        else:
            noise = generator.choice(residuals, size=len(curves.target), replace=True)
            y = (curves.fitted + noise).clip(lower=0).rename(curves.target.name)
            refit = _fit_core(y, settings, starts=[settings["theta"]])
        draws.append(_ratio(spend, refit.contributions.sum()))
    table = pd.concat(draws, axis=1)
    tail = (1 - level) / 2
    return pd.DataFrame(
        {
            "incremental CPA": curves.summary()["incremental CPA"],
            "low": table.quantile(tail, axis=1),
            "high": table.quantile(1 - tail, axis=1),
        }
    ).rename_axis("channel")


# --------------------------------------------------------------------------------------
# Budget
# --------------------------------------------------------------------------------------

# The planted truth of the simulated data (mlmarketing.simulate) still spells it this way.
_HALF_SATURATION_SPELLINGS = ("half saturation", "half_saturation")


def _params(curves: ResponseCurves | pd.DataFrame) -> pd.DataFrame:
    params = curves.params if isinstance(curves, ResponseCurves) else curves
    if not isinstance(params, pd.DataFrame):
        raise DataError(
            "curves must be the result of fit_response_curves or a DataFrame indexed by channel "
            "with columns 'half saturation' and 'effect' (and optionally 'shape')."
        )
    half = next((c for c in _HALF_SATURATION_SPELLINGS if c in params.columns),
                _HALF_SATURATION_SPELLINGS[0])
    check_columns(params, [half, "effect"], role="response column")
    columns = [half, "effect", *(["shape"] if "shape" in params else [])]
    check_numeric(params, columns)
    out = pd.DataFrame(
        {
            "half saturation": params[half].astype(float),
            "effect": params["effect"].astype(float),
            "shape": params["shape"].astype(float) if "shape" in params else 1.0,
        },
        index=params.index,
    )
    bad = ~((out["half saturation"] > 0) & (out["effect"] >= 0) & (out["shape"] > 0))
    if bad.any():
        raise DataError(
            f"response curves need half saturation > 0, effect >= 0 and shape > 0, none missing "
            f"(channel {out.index[bad][0]!r} does not)."
        )
    return out


def _amounts(series: pd.Series, name: str) -> pd.Series:
    """A per-channel amount argument as checked floats indexed by channel."""
    series = series.infer_objects() if series.dtype == object else series
    return _checked_numbers(series, name, what="amounts")


def _per_channel(value, channels: pd.Index, name: str, default: float) -> np.ndarray:
    if value is None:
        return np.full(len(channels), default)
    if np.isscalar(value):
        amount = _number(value, name, allow_inf=name == "max_spend")
        if amount < 0:
            raise DataError(f"{name} cannot be negative, got {value!r}.")
        return np.full(len(channels), amount)
    if not isinstance(value, Mapping | pd.Series):
        raise DataError(
            f"{name} must be one amount, or one per channel as a dict or Series, got "
            f"{type(value).__name__}."
        )
    series = pd.Series(value) if isinstance(value, Mapping) else value
    if name == "max_spend":  # no maximum
        series = series.replace(np.inf, np.nan)
    series = _amounts(series, name)
    unknown = [c for c in series.index if c not in channels]
    if unknown:
        raise DataError(
            f"{name} names channel {unknown[0]!r}, which has no response curve. "
            f"The channels are: {', '.join(map(str, channels))}."
        )
    return series.reindex(channels).fillna(default).to_numpy(dtype=float)


def _spend_vector(spend, channels: pd.Index) -> np.ndarray:
    if not isinstance(spend, Mapping | pd.Series):
        raise DataError(
            f"spend must give one weekly amount per channel, as a dict or Series, got "
            f"{type(spend).__name__}."
        )
    values = _amounts(pd.Series(spend) if isinstance(spend, Mapping) else spend, "spend")
    missing = [c for c in channels if c not in values.index]
    if missing:
        raise DataError(f"spend has no value for channel {missing[0]!r}; give one per channel.")
    unknown = [c for c in values.index if c not in channels]
    if unknown:
        raise DataError(f"spend names channel {unknown[0]!r}, which has no response curve.")
    out = values.reindex(channels).to_numpy(dtype=float)
    if np.isnan(out).any():
        name = channels[np.isnan(out)][0]
        raise DataError(f"spend for channel {name!r} is missing: give one amount per channel.")
    return out


def _response(params: pd.DataFrame, x: np.ndarray) -> np.ndarray:
    return params["effect"].to_numpy() * _hill(
        x, params["half saturation"].to_numpy(), params["shape"].to_numpy()
    )


def _slope(params: pd.DataFrame, x: np.ndarray) -> np.ndarray:
    return params["effect"].to_numpy() * _hill_slope(
        x, params["half saturation"].to_numpy(), params["shape"].to_numpy()
    )


def expected_conversions(curves: ResponseCurves | pd.DataFrame, spend) -> pd.Series:
    """Weekly incremental conversions of each channel at a steady weekly spend.

    With the same spend every week the carry-over settles at that spend (the adstock is
    normalised), so the response is ``effect * saturation(spend)``.

    Parameters
    ----------
    curves : ResponseCurves or pandas.DataFrame
        A fit, or a table indexed by channel with ``half saturation`` and ``effect``.
    spend : mapping or pandas.Series
        Weekly spend per channel: finite amounts, zero or more.

    Returns
    -------
    pandas.Series
        ``conversions`` per channel.

    Examples
    --------
    >>> curves = pd.DataFrame({"half saturation": [10.0], "effect": [100.0]}, index=["tv"])
    >>> expected_conversions(curves, {"tv": 30.0}).tolist()
    [75.0]
    """
    params = _params(curves)
    x = _spend_vector(spend, params.index)
    return pd.Series(_response(params, x), index=params.index, name="conversions")


def marginal_cpa(curves: ResponseCurves | pd.DataFrame, spend) -> pd.DataFrame:
    """Per channel at a weekly spend: conversions, and the cost of the next conversion.

    The marginal CPA is 1 / (extra conversions per extra euro): what the next euros buy.
    At the best split it is the same in every channel that is not at its minimum or maximum.

    Parameters
    ----------
    curves : ResponseCurves or pandas.DataFrame
        A fit, or a table indexed by channel with ``half saturation`` and ``effect``.
    spend : mapping or pandas.Series
        Weekly spend per channel.

    Returns
    -------
    pandas.DataFrame
        Per channel: ``weekly spend``, ``conversions``, ``CPA`` and ``marginal CPA``.

    Examples
    --------
    >>> curves = pd.DataFrame({"half saturation": [10.0], "effect": [100.0]}, index=["tv"])
    >>> marginal_cpa(curves, {"tv": 10.0})["marginal CPA"].tolist()
    [0.4]
    """
    params = _params(curves)
    x = _spend_vector(spend, params.index)
    conversions = _response(params, x)
    slope = _slope(params, x)
    with np.errstate(divide="ignore"):
        marginal = np.where(slope > 0, 1.0 / slope, np.nan)
    return pd.DataFrame(
        {
            "weekly spend": x,
            "conversions": conversions,
            "CPA": np.where(conversions > 0, x / np.where(conversions > 0, conversions, 1), np.nan),
            "marginal CPA": marginal,
        },
        index=params.index,
    )


def _bounds(params, total_budget, min_spend, max_spend):
    total_budget = _number(total_budget, "total_budget")
    if not total_budget > 0:
        raise DataError(f"total_budget must be a positive amount, got {total_budget!r}.")
    low = _per_channel(min_spend, params.index, "min_spend", 0.0)
    high = _per_channel(max_spend, params.index, "max_spend", total_budget)
    if (low > high).any():
        name = params.index[np.argmax(low > high)]
        raise DataError(f"channel {name!r} has min_spend above max_spend; swap or fix them.")
    if low.sum() > total_budget * (1 + 1e-9):
        raise DataError(
            f"the minimums add up to {low.sum():,.0f}, more than the budget {total_budget:,.0f}: "
            "lower them or raise the budget."
        )
    if np.minimum(high, total_budget).sum() < total_budget * (1 - 1e-9):
        raise DataError(
            f"the maximums add up to {high.sum():,.0f}, less than the budget "
            f"{total_budget:,.0f}: raise them or lower the budget."
        )
    return total_budget, low, np.minimum(high, total_budget)


def allocate_budget(
    curves: ResponseCurves | pd.DataFrame,
    total_budget: float,
    *,
    min_spend: float | Mapping | pd.Series | None = None,
    max_spend: float | Mapping | pd.Series | None = None,
) -> pd.DataFrame:
    """The weekly budget split that maximises conversions under the response curves.

    Maximises the sum of ``effect * saturation(spend)`` over channels subject to the spends
    adding up to ``total_budget`` and staying between each channel's minimum and maximum
    (:func:`scipy.optimize.minimize`, SLSQP, from several starting splits).

    Parameters
    ----------
    curves : ResponseCurves or pandas.DataFrame
        A fit (:func:`fit_response_curves`) or a table indexed by channel with columns
        ``half saturation`` and ``effect`` (and ``shape``), such as a planted truth.
    total_budget : float
        Weekly budget to split (for a quarter, split the weekly budget and multiply by 13).
    min_spend, max_spend : float, mapping or Series, optional
        One amount for every channel, or one per channel name (channels left out get 0 and
        no maximum; ``np.inf`` is no maximum). Contracts, minimum presence and
        ``2 x last year`` caps go here.

    Returns
    -------
    pandas.DataFrame
        Per channel: ``weekly spend``, ``share`` of the budget, ``conversions`` (expected
        weekly incremental conversions), ``CPA`` and ``marginal CPA``.

    Examples
    --------
    >>> curves = pd.DataFrame({"half saturation": [10.0, 10.0], "effect": [100.0, 100.0]},
    ...                       index=["tv", "search"])
    >>> allocate_budget(curves, 20.0)["weekly spend"].round(2).tolist()
    [10.0, 10.0]
    """
    params = _params(curves)
    total_budget, low, high = _bounds(params, total_budget, min_spend, max_spend)
    scale = total_budget
    lo, hi = low / scale, high / scale
    # Plain arrays, spend in units of the budget: the optimiser calls these many times.
    half = params["half saturation"].to_numpy() / scale
    shape = params["shape"].to_numpy()
    effect = params["effect"].to_numpy() / max(float(params["effect"].sum()), 1e-12)

    def loss(z: np.ndarray) -> float:
        return -float((effect * _hill(z, half, shape)).sum())

    def grad(z: np.ndarray) -> np.ndarray:
        return -effect * _hill_slope(z, half, shape)

    constraint = {"type": "eq", "fun": lambda z: z.sum() - 1.0, "jac": lambda z: np.ones_like(z)}

    def feasible(weights: np.ndarray) -> np.ndarray:
        # Fill the room above the minimums in proportion to the weights, within the maximums.
        z = lo.copy()
        room = hi - lo
        left = 1.0 - z.sum()
        for _ in range(len(z) + 1):
            free = (room > 1e-15) & (weights > 0)
            if left <= 1e-15 or not free.any():
                break
            add = np.minimum(left * weights * free / (weights * free).sum(), room)
            z += add
            room -= add
            left = 1.0 - z.sum()
        return z

    starts = [
        feasible(np.ones(len(lo))),
        feasible(params["half saturation"].to_numpy()),
        feasible(params["effect"].to_numpy() + 1e-9),
    ]
    best = None
    for z0 in starts:
        with warnings.catch_warnings():
            # scipy < 1.16's SLSQP says it clipped a step to the bounds: it is harmless (the
            # answer is clipped below too) and students cannot act on it.
            warnings.filterwarnings("ignore", "Values in x were outside bounds", RuntimeWarning)
            fit = optimize.minimize(loss, z0, jac=grad, bounds=list(zip(lo, hi, strict=True)),
                                    constraints=[constraint], method="SLSQP",
                                    options={"ftol": 1e-12, "maxiter": 500})
        z = np.clip(fit.x, lo, hi)
        if best is None or loss(z) < loss(best):
            best = z
    spend = pd.Series(best * scale, index=params.index)
    table = marginal_cpa(params, spend)
    table.insert(1, "share", spend / spend.sum())
    return table


def split_by_ranking(
    ranking: Sequence[str],
    total_budget: float,
    *,
    min_spend: float | Mapping | pd.Series | None = None,
    max_spend: float | Mapping | pd.Series | None = None,
) -> pd.Series:
    """A rule of thumb: every channel gets its minimum, the rest goes down a ranking.

    The first channel of ``ranking`` (for example the lowest reported CPA) is filled up to
    its maximum, then the second, and so on until the budget is spent.

    Parameters
    ----------
    ranking : sequence of str
        The channels, best first, each once.
    total_budget : float
        Weekly budget to split.
    min_spend, max_spend : float, mapping or Series, optional
        As in :func:`allocate_budget`.

    Returns
    -------
    pandas.Series
        ``weekly spend`` per channel, in the order of ``ranking``.

    Examples
    --------
    >>> split_by_ranking(["email", "tv"], 100.0, min_spend=10.0, max_spend=50.0).tolist()
    [50.0, 50.0]
    """
    channels = pd.Index(list(ranking))
    if channels.has_duplicates or len(channels) == 0:
        raise DataError("ranking must list each channel once.")
    total_budget, low, high = _bounds(pd.DataFrame(index=channels), total_budget, min_spend,
                                      max_spend)
    spend = low.copy()
    left = total_budget - spend.sum()
    for i in range(len(spend)):
        add = min(left, high[i] - spend[i])
        spend[i] += add
        left -= add
    return pd.Series(spend, index=channels, name="weekly spend")


# --------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------


def plot_kpi(kpis: pd.DataFrame, kpi: str = "CPA", *, ax=None, title: str | None = None):
    """Horizontal bars of one KPI per channel, best first (lowest cost, highest rate).

    Parameters
    ----------
    kpis : pandas.DataFrame
        The result of :func:`media_kpis` (or any table indexed by channel).
    kpi : str, default "CPA"
        The column to show.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    title : str, optional
        The title (default: the KPI and which way is better).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> kpis = pd.DataFrame({"CPA": [30.0, 250.0]}, index=["search", "tv"])
    >>> plot_kpi(kpis).get_title()
    'CPA by channel (lower is better)'
    """
    check_frame(kpis, name="kpis")
    check_columns(kpis, kpi, role="KPI column")
    check_numeric(kpis, [kpi])
    higher_is_better = kpi in {"CTR", "conversion rate", "ROAS"}
    values = kpis[kpi].dropna().sort_values(ascending=higher_is_better)
    ax = new_axes(ax)
    ax.barh([str(i) for i in values.index], values.to_numpy(dtype=float))
    ax.set_xlabel(kpi)
    better = "higher" if higher_is_better else "lower"
    ax.set_title(title or f"{kpi} by channel ({better} is better)")
    return ax


def plot_response_curves(
    curves: ResponseCurves | pd.DataFrame,
    *,
    mark=None,
    max_spend: float | None = None,
    ax=None,
    title: str = "Weekly conversions by weekly spend",
):
    """Steady-state response curve of each channel, with optional marked spends.

    Parameters
    ----------
    curves : ResponseCurves or pandas.DataFrame
        A fit, or a table indexed by channel with ``half saturation`` and ``effect``.
    mark : mapping or pandas.Series, optional
        Weekly spend per channel to mark with a dot on its curve (for example the chosen split).
    max_spend : float, optional
        Right end of the spend axis (default: three times the largest half saturation).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    title : str
        The title.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> curves = pd.DataFrame({"half saturation": [10.0], "effect": [100.0]}, index=["tv"])
    >>> len(plot_response_curves(curves, mark={"tv": 10.0}).lines)
    2
    """
    params = _params(curves)
    if max_spend is not None:
        max_spend = _number(max_spend, "max_spend")
        if not max_spend > 0:
            raise DataError(f"max_spend must be a positive amount, got {max_spend!r}.")
    top = max_spend or 3.0 * float(params["half saturation"].max())
    grid = np.linspace(0, top, 200)
    marked = None if mark is None else _spend_vector(mark, params.index)
    ax = new_axes(ax)
    for i, name in enumerate(params.index):
        one = params.iloc[[i]]
        line = ax.plot(grid, _response(one, grid[:, None]).ravel(), label=str(name))[0]
        if marked is not None:
            ax.plot([marked[i]], _response(one, np.array([[marked[i]]])).ravel(), "o",
                    color=line.get_color())
    ax.set_xlabel("weekly spend (€)")
    ax.set_ylabel("incremental conversions per week")
    ax.set_title(title)
    ax.legend(fontsize="small", ncol=2)
    return ax
