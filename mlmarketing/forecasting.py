"""Demand forecasting: from a sales history to forecasts, stock levels and what-ifs.

Used by ``02-02-demand-forecasting.ipynb``. The models are statsmodels' (ETS, SARIMAX, STL);
this module adds what a forecaster does around them:

- :func:`prepare_series` turns a sales table into a series with a regular calendar (and the
  known future inputs, *exog*), refusing duplicated dates, gaps (naming their cause when the
  dates show it), negative sales and text;
- the models are scikit-learn estimators sharing one small interface (``fit(y, exog)``,
  ``predict(horizon, exog, level)``, ``summary()``): the baselines :class:`Naive` and
  :class:`SeasonalNaive`; :class:`ETS` (one exponential smoothing form) and :class:`AutoETS`
  (the form with the lowest AICc, as R's ``forecast::ets`` chooses it); and
  :class:`RegressionARIMA` (regression with ARIMA errors; ``SARIMAX`` is another name for it),
  which wrap statsmodels;
- :func:`backtest` evaluates them honestly on several forecast origins (rolling origin), and
  :func:`forecast` predicts the next periods with an interval;
- :func:`mae`, :func:`rmse`, :func:`mape`, :func:`mase` and :func:`coverage` score forecasts,
  and the backtest tables use the very same formulas;
- :func:`safety_stock`, :func:`order_quantities`, :func:`critical_service_level` and
  :func:`stock_costs` turn a forecast into stock decisions; :func:`effects` and
  :func:`what_if` read the promotion and advertising effects off a fitted RegressionARIMA.

Intervals are at ``level=0.95`` unless told otherwise, in the columns ``low`` and ``high``.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from dateutil.easter import easter as _dateutil_easter
from scipy import stats
from sklearn.base import BaseEstimator, clone

from mlmarketing._errors import DataError, DataWarning
from mlmarketing._validation import (
    NO_WORDS,
    YES_WORDS,
    check_columns,
    check_frame,
    check_level,
    check_numeric,
    check_positive_int,
    describe_rows,
    level_label,
    new_axes,
    read_dates,
    read_yes_no,
    warn_dropped,
)

__all__ = [
    "ETS",
    "AutoETS",
    "SARIMAX",
    "BacktestResult",
    "Naive",
    "RegressionARIMA",
    "SeasonalNaive",
    "backtest",
    "coverage",
    "critical_service_level",
    "decompose",
    "effects",
    "forecast",
    "french_calendar",
    "future_dates",
    "mae",
    "mape",
    "mase",
    "order_quantities",
    "plot_backtest",
    "plot_forecast",
    "prepare_series",
    "quarter_length",
    "rmse",
    "safety_stock",
    "season_length_of",
    "stock_costs",
    "what_if",
]

# --------------------------------------------------------------------------------------
# Calendar and data preparation
# --------------------------------------------------------------------------------------


def _french_holidays(year: int) -> list[pd.Timestamp]:
    easter = pd.Timestamp(_dateutil_easter(year))
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    moving = [easter + pd.Timedelta(days=n) for n in (1, 39, 50)]  # Monday, Ascension, Whit Monday
    return sorted([pd.Timestamp(year, m, d) for m, d in fixed] + moving)


def _soldes_days(year: int) -> pd.DatetimeIndex:
    """The days of the legal sales periods: from the 2nd Wednesday of January and the last
    Wednesday of June, four weeks each (the rule in force since 2020)."""
    january = pd.date_range(f"{year}-01-01", f"{year}-01-14")
    winter = january[january.day_of_week == 2][1]
    june = pd.date_range(f"{year}-06-01", f"{year}-06-30")
    summer = june[june.day_of_week == 2][-1]
    return pd.date_range(winter, periods=28).append(pd.date_range(summer, periods=28))


def _date_index(dates: object, name: str) -> pd.DatetimeIndex:
    """Dates given as an index, a Series or a list, read with the library's one date reader."""
    if isinstance(dates, pd.DatetimeIndex) and dates.tz is None:
        return dates
    if isinstance(dates, str) or not hasattr(dates, "__len__"):
        raise DataError(f"{name} must be a list or column of dates, got {dates!r}.")
    values = read_dates(pd.Series(dates).reset_index(drop=True), column=name)
    if values.isna().any():
        raise DataError(
            f"{name} has {int(values.isna().sum())} missing date(s) "
            f"({describe_rows(values.index, values.isna())}); drop or fill them."
        )
    return pd.DatetimeIndex(values.to_numpy())


def french_calendar(dates: Sequence | pd.DatetimeIndex, period_days: int = 7) -> pd.DataFrame:
    """Known-in-advance calendar inputs for French retail, one row per period.

    Parameters
    ----------
    dates : sequence of dates
        The first day of each period (for weekly data, the Monday of each week). Text is read
        as everywhere in the library: ISO first, ``06/01/2025`` day first (6 January).
    period_days : int, default 7
        Length of a period in days: 7 for weekly data, 1 for daily data.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``dates``, with ``public_holidays`` (number of public holidays in the
        period: New Year, Easter Monday, 1 and 8 May, Ascension, Whit Monday, 14 July, 15
        August, 1 and 11 November, Christmas; Easter from :func:`dateutil.easter.easter`),
        ``soldes`` (True when at least half of the period falls in the January or July sales)
        and ``christmas_season`` (True when the period starts in the four weeks before 25
        December). The column names are those of the course data, so the table can be
        appended to its inputs.

    Examples
    --------
    >>> cal = french_calendar(pd.date_range("2024-12-16", periods=3, freq="W-MON"))
    >>> cal["public_holidays"].tolist(), cal["christmas_season"].tolist()
    ([0, 1, 1], [True, True, False])
    >>> french_calendar(["01/04/2024"])["public_holidays"].tolist()  # 1 April: Easter Monday
    [1]
    """
    period_days = check_positive_int(period_days, "period_days")
    index = _date_index(dates, "dates").normalize()
    years = range(index.year.min() - 1, index.year.max() + 2) if len(index) else range(0)
    holidays = pd.DatetimeIndex([d for y in years for d in _french_holidays(y)])
    soldes = pd.DatetimeIndex([]) if not len(index) else _soldes_days(years[0])
    for y in years[1:]:
        soldes = soldes.append(_soldes_days(y))
    rows = []
    for start in index:
        days = pd.date_range(start, periods=period_days)
        christmas = pd.Timestamp(start.year, 12, 25)
        rows.append(
            {
                "public_holidays": int(days.isin(holidays).sum()),
                "soldes": bool(days.isin(soldes).sum() * 2 >= period_days),
                "christmas_season": bool(
                    pd.Timedelta(0) < christmas - start <= pd.Timedelta(28, "D")
                ),
            }
        )
    frame = pd.DataFrame(
        rows, index=index, columns=["public_holidays", "soldes", "christmas_season"]
    )
    return frame.astype({"public_holidays": "int64", "soldes": bool, "christmas_season": bool})


_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _is_regular(index: pd.DatetimeIndex, step: pd.Timedelta) -> bool:
    index = index.sort_values()
    return len(index) > 1 and not index.has_duplicates and bool(
        (pd.Series(index[1:] - index[:-1]) == step).all()
    )


def _swapped(date: pd.Timestamp) -> pd.Timestamp | None:
    """The date with day and month exchanged, when that is another date."""
    if date.day > 12 or date.day == date.month:
        return None
    return date.replace(month=date.day, day=date.month)


def _with_year(date: pd.Timestamp, year: int) -> pd.Timestamp | None:
    try:
        return date.replace(year=year)
    except ValueError:  # 29 February
        return None


def _calendar_cause(index: pd.DatetimeIndex, step: pd.Timedelta) -> str:
    """Why a sorted calendar of steps ``step`` is irregular, when the dates themselves tell.

    Three causes are recognised: one mistyped year (one date moved to another year), day and
    month swapped (dates read month first), and a change of weekday in weekly data. An empty
    text when none fits.
    """
    if step <= pd.Timedelta(0) or len(index) < 4:
        return ""
    phase = (index - index[0]) % step
    on_grid = phase == pd.Series(phase).mode().iloc[0]
    # One mistyped year: moving a single date to another year makes the calendar regular.
    suspects = list(index[~on_grid]) + [index[0], index[-1]]
    if (~on_grid).sum() <= 1:
        for suspect in dict.fromkeys(suspects):
            others = index.drop(suspect)
            for year in range(others.min().year - 1, others.max().year + 2):
                fixed = None if year == suspect.year else _with_year(suspect, year)
                if fixed is not None and fixed not in others and _is_regular(
                    others.append(pd.DatetimeIndex([fixed])), step
                ):
                    return (
                        f"the date {suspect.date()} looks like a mistyped year: "
                        f"{fixed.date()} is the one period missing from the calendar. "
                        "Correct the year of that row."
                    )
    stray = index[~on_grid]
    # A change of weekday: the weeks start on one day, then on another.
    if step == pd.Timedelta(days=7) and len(stray):
        main, other = index[on_grid], stray
        if other.max() < main.min() or other.min() > main.max():
            first, second = (other, main) if other.max() < main.min() else (main, other)
            if (
                min(len(first), len(second)) >= 2
                and len(set(first.day_of_week)) == 1
                and len(set(second.day_of_week)) == 1
            ):
                shift = (main[0].day_of_week - other[0].day_of_week) % 7
                shift = shift - 7 if shift > 3 else shift
                moved = "from" if other is second else "until"
                edge = other[0] if other is second else other[-1]
                return (
                    f"the weeks start on a {_WEEKDAYS[first[0].day_of_week]} until "
                    f"{first[-1].date()}, then on a {_WEEKDAYS[second[0].day_of_week]} from "
                    f"{second[0].date()}. Give every week the same first day: move the dates "
                    f"{moved} {edge.date()} by {shift:+d} day(s), for example with "
                    f"df[date] + pd.Timedelta(days={shift}) on those rows."
                )
    # Day and month swapped: exchanging them puts the stray dates back on the calendar.
    if len(stray):
        back = [_swapped(d) for d in stray]
        grid_phase = phase[on_grid][0]
        fits = [b is not None and (b - index[0]) % step == grid_phase for b in back]
        if sum(fits) * 2 >= len(stray):
            example = next(d for d, f in zip(stray, fits, strict=True) if f)
            return (
                f"dates such as {example.date()} look like day and month swapped "
                f"({_swapped(example).date()} fits the calendar): the dates were read month "
                "first. Pass the dates as text (they are read day first, 31/03/2024) or read "
                "the file with mlmarketing.read_table(path); pd.to_datetime reads 01/02 as "
                "2 January."
            )
    return ""


def _check_freq(freq: object) -> pd.DateOffset | None:
    if freq is None:
        return None
    try:
        return pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError):
        raise DataError(
            f"freq must be a pandas offset alias such as 'W-MON' (weeks starting on Monday), "
            f"'D' (days) or 'MS' (months), got {freq!r}."
        ) from None


def _regular_index(index: pd.DatetimeIndex, freq: object, name: str) -> pd.DatetimeIndex:
    """Give a sorted, duplicate-free DatetimeIndex its frequency, or explain the gap."""
    if len(index) < 3:
        raise DataError(f"{name} has {len(index)} date(s); a forecast needs a longer history.")
    offset = _check_freq(freq)
    if offset is None:
        # freq="infer" rather than pd.infer_freq, which warns about its return type in pandas 3.
        offset = pd.DatetimeIndex(index, freq="infer").freq
    step = None if offset is not None else pd.Series(index[1:] - index[:-1]).mode().iloc[0]
    if offset is None:
        cause = _calendar_cause(index, step)
        if cause:
            raise DataError(f"{name} is not a regular calendar: {cause}")
        expected = pd.date_range(index[0], index[-1], freq=step)
        missing = expected.difference(index)
        if len(missing):
            shown = ", ".join(str(d.date()) for d in missing[:3])
            raise DataError(
                f"{name} has gaps in its calendar: {len(missing)} period(s) missing, such as "
                f"{shown}. Add the missing periods (with 0 sales if nothing was sold, or an "
                "estimate if the data were lost), or pass freq= if the series is irregular "
                "on purpose."
            )
        raise DataError(
            f"the frequency of {name} could not be recognised (steps of {step}). Pass freq=, "
            "for example freq='W-MON' for weeks starting on Monday."
        )
    try:
        return pd.DatetimeIndex(index, freq=offset)
    except ValueError:
        cause = _calendar_cause(index, pd.Series(index[1:] - index[:-1]).mode().iloc[0])
        raise DataError(
            f"the dates of {name} do not follow the frequency {offset.freqstr!r}"
            + (f": {cause}" if cause else ". Check the dates or pass the right freq= (a pandas "
               "offset alias such as 'W-MON' or 'D').")
        ) from None


def _exog_numbers(df: pd.DataFrame, exog: list[str], checked: Sequence[str] = ()) -> pd.DataFrame:
    """The known inputs as floats: yes/no columns (Oui/Non, Vrai/Faux...) become 1/0."""
    dtypes = df.dtypes
    text = [
        c for c in exog
        if pd.api.types.is_object_dtype(dtypes[c]) or pd.api.types.is_string_dtype(dtypes[c])
    ]
    numbers = [c for c in exog if c not in text]
    check_numeric(df, [c for c in numbers if c not in checked])
    out = df[numbers].astype(float) if numbers else pd.DataFrame(index=df.index)
    for column in text:
        series = df[column]
        # Mostly yes/no words: read as yes/no, so that a stray value is named as such.
        words = pd.Series(series.dropna().unique()).astype(str).str.strip().str.lower()
        if not len(words) or words.isin(YES_WORDS | NO_WORDS).mean() >= 0.5:
            flags = read_yes_no(series, column=column, allow_missing=True)
            out[column] = flags.to_numpy(dtype=float, na_value=np.nan)
        else:
            check_numeric(df, [column])  # raises, with the conversion to write
    return out if list(out.columns) == exog else out[exog]


def prepare_series(
    df: pd.DataFrame,
    date: str,
    value: str,
    exog: Sequence[str] | None = None,
    freq: str | None = None,
    *,
    day_first: bool | None = None,
) -> tuple[pd.Series, pd.DataFrame | None]:
    """Turn a sales table into a regular time series and its known inputs.

    Rows are sorted by date (a visible, harmless choice). Refused with a
    :class:`mlmarketing.DataError`: duplicated dates; gaps in the calendar (naming the cause
    when the dates show it: day and month swapped, a change of weekday, one mistyped year);
    missing dates or values; negative, infinite or non-numeric sales (decimal-comma text
    comes with the conversion to write).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per period. It is not modified.
    date, value : str
        Names of the date column and of the sales column. Text dates are read like everywhere
        in the library: ISO first, ``04/01/2021`` day first (4 January).
    exog : list of str, optional
        Columns known in advance for future periods (promotions, ad spend, holidays...).
        Booleans and yes/no text (Oui/Non, Vrai/Faux...) become 1/0.
    freq : str, optional
        A pandas offset alias: ``"W-MON"`` (weeks starting on Monday), ``"D"`` (days),
        ``"MS"`` (months, dated on their first day); inferred from the dates if omitted.
    day_first : bool or None, default None
        Forces the order of ``dd/mm/yyyy`` text dates (None: day first unless the column can
        only be month first, which a :class:`mlmarketing.DataWarning` then says).

    Returns
    -------
    y : pandas.Series
        The sales, float, indexed by date with a frequency (statsmodels needs it).
    X : pandas.DataFrame or None
        The ``exog`` columns as floats on the same index, or None without ``exog``.

    Examples
    --------
    >>> df = pd.DataFrame({"week": ["01/01/2024", "08/01/2024", "15/01/2024", "22/01/2024"],
    ...                    "units": [10, 12, 11, 13], "promo": ["Non", "Oui", "Non", "Non"]})
    >>> y, X = prepare_series(df, "week", "units", exog=["promo"])
    >>> y.index.freqstr, str(y.index[1].date()), X["promo"].tolist()
    ('W-MON', '2024-01-08', [0.0, 1.0, 0.0, 0.0])
    """
    check_frame(df, min_rows=3)
    exog = [] if exog is None else ([exog] if isinstance(exog, str) else list(exog))
    check_columns(df, date, role="date column")
    check_columns(df, value, role="sales column")
    check_columns(df, exog, role="exog column")
    check_numeric(df, [value], non_negative=True, what="sales")
    dates = read_dates(df[date], column=date, day_first=day_first)
    if dates.isna().any():
        raise DataError(
            f"column {date!r} has {int(dates.isna().sum())} missing date(s) "
            f"({describe_rows(df.index, dates.isna())}): a period without a date cannot be "
            "placed in the calendar. Drop or fix those rows."
        )
    data = _exog_numbers(df, [value, *exog], checked=[value])
    data.index = pd.DatetimeIndex(dates)
    data = data.sort_index(kind="stable")
    duplicated = data.index[data.index.duplicated()]
    if len(duplicated):
        raise DataError(
            f"column {date!r} has duplicated dates, such as {duplicated[0].date()}: "
            "one row per period is needed. Sum the rows of each period first, for example "
            f"df.groupby({date!r}, as_index=False).sum()."
        )
    data.index = _regular_index(data.index, freq, f"column {date!r}")
    data.index.name = date
    gaps = data.isna()
    for column in [value, *exog] if gaps.to_numpy().any() else []:
        missing = gaps[column]
        if missing.any():
            raise DataError(
                f"column {column!r} has {int(missing.sum())} missing value(s), such as on "
                f"{data.index[missing][0].date()}. Fill them (0 if nothing was sold, or "
                "df[column].interpolate()) before forecasting."
            )
    y = data[value].astype(float)
    X = data[exog].astype(float) if exog else None
    return y, X


def future_dates(y: pd.Series, horizon: int) -> pd.DatetimeIndex:
    """The ``horizon`` dates that follow the series ``y``.

    >>> y = pd.Series([1.0, 2.0, 3.0], index=pd.date_range("2024-01-01", periods=3, freq="W-MON"))
    >>> [str(d.date()) for d in future_dates(y, 2)]
    ['2024-01-22', '2024-01-29']
    """
    y = _check_series(y, min_length=1)
    horizon = check_positive_int(horizon, "horizon")
    return pd.date_range(y.index[-1], periods=horizon + 1, freq=y.index.freq)[1:]


def _series_step_days(y: object) -> float:
    y = _check_series(y, min_length=1)
    return _step_days(y.index.freq)


def season_length_of(y: pd.Series) -> int:
    """The natural season of a series, in periods, read from its frequency.

    52 for weekly data (a year), 12 for monthly, 4 for quarterly, 1 for yearly (no season)
    and 7 for daily data (a week).

    >>> y = pd.Series(1.0, index=pd.date_range("2024-01-01", periods=30, freq="MS"))
    >>> season_length_of(y)
    12
    """
    days = _series_step_days(y)
    if days < 2:
        return 7
    return max(1, int(round(365.25 / days)))


def quarter_length(y: pd.Series) -> int:
    """The number of periods in a quarter (at least 1): 13 weeks, 3 months, 1 quarter.

    >>> y = pd.Series(1.0, index=pd.date_range("2024-01-01", periods=30, freq="W-MON"))
    >>> quarter_length(y)
    13
    """
    return max(1, int(round(365.25 / 4 / _series_step_days(y))))


def _check_series(y: object, *, min_length: int = 3, name: str = "y") -> pd.Series:
    """A float Series with a regular DatetimeIndex carrying its frequency."""
    if isinstance(y, pd.DataFrame):
        raise DataError(
            f"{name} must be one series (a column), not a table. Use prepare_series(df, date, "
            "value) to build it from your table."
        )
    if not isinstance(y, pd.Series) or not isinstance(y.index, pd.DatetimeIndex):
        raise DataError(
            f"{name} must be a pandas Series indexed by date. Use prepare_series(df, date, value) "
            "to build it from your table."
        )
    check_numeric(y.to_frame(name="sales" if y.name is None else y.name), [y.name or "sales"])
    if y.isna().any():
        raise DataError(
            f"{name} has {int(y.isna().sum())} missing value(s). Fill them before forecasting "
            "(0 if nothing was sold, or y.interpolate())."
        )
    if not y.index.is_monotonic_increasing or y.index.has_duplicates:
        raise DataError(
            f"the dates of {name} are unsorted or duplicated. Use prepare_series(df, date, "
            "value), which sorts them and reports duplicates."
        )
    if len(y) < min_length:
        raise DataError(f"{name} has {len(y)} period(s); at least {min_length} are needed here.")
    out = y.astype(float)
    if out.index.freq is None:
        out.index = _regular_index(out.index, None, name)
    return out


def _check_exog(exog: object, index: pd.DatetimeIndex, what: str) -> pd.DataFrame:
    """The rows of ``exog`` at ``index``, as floats, or a DataError naming what is missing."""
    if not isinstance(exog, pd.DataFrame) or not isinstance(exog.index, pd.DatetimeIndex):
        raise DataError(
            "exog must be a DataFrame indexed by date (the X returned by prepare_series), "
            f"got {type(exog).__name__}."
        )
    check_numeric(exog, list(exog.columns))
    missing = index.difference(exog.index)
    if len(missing):
        raise DataError(
            f"exog has no row for {len(missing)} date(s) of {what}, such as "
            f"{missing[0].date()}. Add the planned values of {', '.join(map(repr, exog.columns))} "
            "for those dates (see future_dates and french_calendar)."
        )
    rows = exog.loc[index].astype(float)
    if rows.isna().any().any():
        column = rows.columns[rows.isna().any()][0]
        raise DataError(f"exog column {column!r} has missing values for {what}; fill them in.")
    return rows


# --------------------------------------------------------------------------------------
# Metrics: one formula each, used by the functions and by the backtest tables alike.
# An undefined score (MAPE with an actual value of 0, MASE on a history that repeats itself)
# is NaN with a DataWarning, never an error and never inf.
# --------------------------------------------------------------------------------------


def _numbers(
    values: object, name: str, *, non_negative: bool = False, what: str = "values"
) -> np.ndarray:
    """Numbers given as a list, an array or a Series, checked like any column of the kit."""
    if isinstance(values, pd.DataFrame):
        raise DataError(f"{name} must be one column of numbers, not a table.")
    if isinstance(values, pd.Series):
        series = values.rename(name)
    else:
        array = np.asarray(values, dtype=object if np.ndim(values) == 0 else None).ravel()
        series = pd.Series(array, name=name)
        if series.dtype == object:
            series = series.infer_objects()
    check_numeric(series.to_frame(), [name], non_negative=non_negative, what=what)
    array = series.to_numpy(dtype=float, na_value=np.nan)
    if array.size == 0:
        raise DataError(f"{name} is empty: there is nothing to score.")
    if np.isnan(array).any():
        raise DataError(
            f"{name} has missing values ({describe_rows(series.index, np.isnan(array))}); "
            "drop those periods before scoring."
        )
    return array


def _pair(
    y_true: object, y_pred: object, *, non_negative: bool = False, what: str = "values"
) -> tuple[np.ndarray, np.ndarray]:
    actual = _numbers(y_true, "y_true", non_negative=non_negative, what=what)
    predicted = _numbers(y_pred, "y_pred")
    if actual.shape != predicted.shape:
        raise DataError(
            f"y_true has {actual.size} values but y_pred has {predicted.size}: "
            "give one forecast per actual value."
        )
    return actual, predicted


def _mae(actual: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean(np.abs(actual - predicted)))


def _rmse(actual: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.sqrt(np.mean((actual - predicted) ** 2)))


def _mape(actual: np.ndarray, predicted: np.ndarray) -> float:
    if (actual == 0).any():
        return float("nan")
    return float(np.mean(np.abs((actual - predicted) / actual)) * 100.0)


def _naive_scale(history: np.ndarray, season_length: int) -> float:
    """The in-sample MAE of the seasonal naive rule: MASE's denominator (NaN when it is 0)."""
    scale = float(np.mean(np.abs(history[season_length:] - history[:-season_length])))
    return scale if np.isfinite(scale) and scale > 0 else float("nan")


def _mase(actual: np.ndarray, predicted: np.ndarray, scale: np.ndarray | float) -> float:
    return float(np.mean(np.abs(actual - predicted) / scale))


def _coverage(actual: np.ndarray, low: np.ndarray, high: np.ndarray) -> float:
    return float(np.mean((actual >= low) & (actual <= high)) * 100.0)


_MAPE_UNDEFINED = (
    "MAPE is undefined when an actual value is 0 (it divides by the actual values), so it is "
    "NaN{where}; use MAE or MASE for series with weeks without sales."
)
_MASE_UNDEFINED = (
    "the training series repeats itself exactly, so the seasonal naive error used as MASE's "
    "scale is 0 and MASE is NaN{where}; use MAE instead."
)


def mae(y_true: object, y_pred: object) -> float:
    """Mean absolute error, in the units of the series.

    >>> round(mae([10, 20, 30], [12, 18, 30]), 3)
    1.333
    """
    return _mae(*_pair(y_true, y_pred))


def rmse(y_true: object, y_pred: object) -> float:
    """Root mean squared error, in the units of the series (punishes big misses more).

    >>> round(rmse([10, 20], [13, 16]), 3)
    3.536
    """
    return _rmse(*_pair(y_true, y_pred))


def mape(y_true: object, y_pred: object) -> float:
    """Mean absolute percentage error, in percent of the actual values.

    Undefined when an actual value is 0: the result is then NaN, with a
    :class:`mlmarketing.DataWarning` (use MAE or MASE then). The backtest tables do the same.

    >>> mape([100, 200], [110, 180])
    10.0
    """
    result = _mape(*_pair(y_true, y_pred))
    if np.isnan(result):
        warnings.warn(_MAPE_UNDEFINED.format(where=""), DataWarning, stacklevel=2)
    return result


def mase(y_true: object, y_pred: object, y_train: object, season_length: int = 1) -> float:
    """Mean absolute scaled error: the MAE divided by the in-sample MAE of the seasonal naive
    forecast ("same as one season ago") on the training series.

    Below 1, the forecast errs less than the seasonal naive rule did on the history; above 1,
    more. Scale-free, so it compares products with different volumes. When the training series
    repeats itself exactly the scale is 0: the result is NaN, with a
    :class:`mlmarketing.DataWarning`.

    Parameters
    ----------
    y_true, y_pred : array-like
        Actual values and forecasts of the test periods.
    y_train : array-like
        The history the forecast was made from (in time order).
    season_length : int, default 1
        Periods in a season (52 for weekly data with a yearly season; 1 gives the naive rule).

    Examples
    --------
    >>> mase([5, 7], [6, 6], y_train=[1, 2, 4, 3], season_length=1)
    0.75
    """
    actual, predicted = _pair(y_true, y_pred)
    season_length = check_positive_int(season_length, "season_length")
    history = _numbers(y_train, "y_train")
    if history.size <= season_length:
        raise DataError(
            f"y_train has {history.size} values; the seasonal naive scale needs more than "
            f"season_length={season_length}."
        )
    result = _mase(actual, predicted, _naive_scale(history, season_length))
    if np.isnan(result):
        warnings.warn(_MASE_UNDEFINED.format(where=""), DataWarning, stacklevel=2)
    return result


def coverage(y_true: object, low: object, high: object) -> float:
    """Share of actual values inside their prediction interval [low, high], in percent.

    >>> coverage([10, 20, 30, 40], [8, 21, 25, 35], [12, 25, 35, 45])
    75.0
    """
    actual, low_values = _pair(y_true, low)
    _, high_values = _pair(y_true, high)
    if (low_values > high_values).any():
        raise DataError("some low bounds are above their high bounds; check the argument order.")
    return _coverage(actual, low_values, high_values)


# --------------------------------------------------------------------------------------
# Models: scikit-learn estimators around the baselines and statsmodels
# --------------------------------------------------------------------------------------


def _interval_frame(
    index: pd.DatetimeIndex, mean: np.ndarray, sd: np.ndarray, level: float
) -> pd.DataFrame:
    z = stats.norm.ppf(0.5 + level / 2)
    return _forecast_frame(index, mean, mean - z * sd, mean + z * sd, level)


def _forecast_frame(index, mean, low, high, level: float) -> pd.DataFrame:
    out = pd.DataFrame(
        {"forecast": np.asarray(mean), "low": np.asarray(low), "high": np.asarray(high)},
        index=index,
    )
    out.attrs["level"] = level  # plot_forecast labels the interval with it
    return out


def _parameter_table(values: Mapping[str, float]) -> pd.DataFrame:
    table = pd.DataFrame({"value": pd.Series(values, dtype=float)})
    table.index.name = "parameter"
    return table


class _Model(BaseEstimator):
    """Common interface: ``fit(y, exog=None)``, ``predict(horizon, exog=None, level=0.95)``
    and ``summary()``. Constructor arguments are stored unchanged; fitted values end in ``_``."""

    uses_exog = False

    def _future(self, horizon: int) -> pd.DatetimeIndex:
        y = self.y_
        return pd.date_range(y.index[-1], periods=horizon + 1, freq=y.index.freq)[1:]

    def _check_fitted(self) -> None:
        if not hasattr(self, "y_"):
            raise DataError(f"{type(self).__name__} must be fitted first: call fit(y).")


class Naive(_Model):
    """Baseline: every future period sells what the last period sold.

    The interval uses the spread of last period's changes, growing with the square root of
    the horizon (a random walk).

    >>> idx = pd.date_range("2024-01-01", periods=4, freq="W-MON")
    >>> y = pd.Series([10.0, 12, 11, 13], index=idx)
    >>> Naive().fit(y).predict(2)["forecast"].tolist()
    [13.0, 13.0]
    >>> Naive().fit(y).summary().round(2)["value"].tolist()
    [13.0, 1.73]
    """

    def fit(self, y: pd.Series, exog: pd.DataFrame | None = None) -> Naive:
        self.y_ = _check_series(y, min_length=2)
        self.sigma_ = float(np.std(np.diff(self.y_.to_numpy()), ddof=1)) if len(y) > 2 else 0.0
        return self

    def predict(
        self, horizon: int, exog: pd.DataFrame | None = None, level: float = 0.95
    ) -> pd.DataFrame:
        self._check_fitted()
        horizon, level = check_positive_int(horizon, "horizon"), check_level(level)
        steps = np.arange(1, horizon + 1)
        mean = np.full(horizon, self.y_.iloc[-1])
        return _interval_frame(self._future(horizon), mean, self.sigma_ * np.sqrt(steps), level)

    def summary(self) -> pd.DataFrame:
        """The forecast (last value) and the spread of one period's change."""
        self._check_fitted()
        return _parameter_table(
            {"last value": self.y_.iloc[-1], "spread of one period's change": self.sigma_}
        )


class SeasonalNaive(_Model):
    """Baseline: every future period sells what the same period sold one season earlier.

    Parameters
    ----------
    season_length : int, default 52
        Periods in a season (52 weeks in a year for weekly data).

    >>> y = pd.Series(np.arange(8.0), index=pd.date_range("2024-01-01", periods=8, freq="W-MON"))
    >>> SeasonalNaive(season_length=4).fit(y).predict(5)["forecast"].tolist()
    [4.0, 5.0, 6.0, 7.0, 4.0]
    """

    def __init__(self, season_length: int = 52):
        self.season_length = season_length

    def fit(self, y: pd.Series, exog: pd.DataFrame | None = None) -> SeasonalNaive:
        m = check_positive_int(self.season_length, "season_length")
        self.y_ = _check_series(y, min_length=m + 1)
        values = self.y_.to_numpy()
        errors = values[m:] - values[:-m]
        self.sigma_ = float(np.std(errors, ddof=1)) if len(errors) > 1 else 0.0
        return self

    def predict(
        self, horizon: int, exog: pd.DataFrame | None = None, level: float = 0.95
    ) -> pd.DataFrame:
        self._check_fitted()
        horizon, level = check_positive_int(horizon, "horizon"), check_level(level)
        m = int(self.season_length)
        last_season = self.y_.to_numpy()[-m:]
        steps = np.arange(horizon)
        mean = last_season[steps % m]
        sd = self.sigma_ * np.sqrt(steps // m + 1)
        return _interval_frame(self._future(horizon), mean, sd, level)

    def summary(self) -> pd.DataFrame:
        """The season length and the spread of the year-on-year (season-on-season) change."""
        self._check_fitted()
        return _parameter_table(
            {"season length": self.season_length, "spread of one season's change": self.sigma_}
        )


class ETS(_Model):
    """Exponential smoothing (Holt-Winters, ETS) with additive errors, via statsmodels' ETSModel.

    Parameters
    ----------
    trend : {"add", None}, default "add"
        A trend, damped by default so that it does not run away on long horizons.
    damped_trend : bool, default True
    seasonal : {"add", "mul", None}, default "add"
        ``"mul"``: seasonal swings in proportion to the level, for positive data only.
    season_length : int, default 52
        Needs at least two full seasons of history.

    See :class:`AutoETS` for the form chosen from the data.

    Examples
    --------
    >>> idx = pd.date_range("2020-01-06", periods=40, freq="W-MON")
    >>> noise = np.random.default_rng(0).normal(0, 1, 40)
    >>> y = pd.Series(100 + 10 * np.sin(np.arange(40) * np.pi / 2) + noise, index=idx)
    >>> model = ETS(season_length=4).fit(y)
    >>> model.predict(3).columns.tolist(), model.summary().index[0]
    (['forecast', 'low', 'high'], 'smoothing_level')
    """

    def __init__(
        self,
        trend: str | None = "add",
        damped_trend: bool = True,
        seasonal: str | None = "add",
        season_length: int = 52,
    ):
        self.trend = trend
        self.damped_trend = damped_trend
        self.seasonal = seasonal
        self.season_length = season_length

    def fit(self, y: pd.Series, exog: pd.DataFrame | None = None) -> ETS:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        m = check_positive_int(self.season_length, "season_length")
        if self.seasonal not in (None, "add", "mul") or self.trend not in (None, "add"):
            raise DataError(
                f"ETS takes trend None or 'add' and seasonal None, 'add' or 'mul', got "
                f"trend={self.trend!r}, seasonal={self.seasonal!r}."
            )
        need = 2 * m if self.seasonal else 3
        self.y_ = _check_series(y, min_length=need)
        if self.seasonal == "mul" and (self.y_ <= 0).any():
            raise DataError(
                f"a multiplicative season divides by the level, so it needs sales above 0; y "
                f"has {int((self.y_ <= 0).sum())} period(s) at 0 or below "
                f"({describe_rows(self.y_.index.date, self.y_ <= 0)}). Use seasonal='add', "
                "or AutoETS, which tries the multiplicative forms only on positive data."
            )
        model = ETSModel(
            self.y_,
            error="add",
            trend=self.trend,
            damped_trend=bool(self.damped_trend and self.trend),
            seasonal=self.seasonal,
            seasonal_periods=m if self.seasonal else None,
            initialization_method="heuristic",
        )
        self.result_ = model.fit(disp=False)
        return self

    def predict(
        self, horizon: int, exog: pd.DataFrame | None = None, level: float = 0.95
    ) -> pd.DataFrame:
        self._check_fitted()
        horizon, level = check_positive_int(horizon, "horizon"), check_level(level)
        n = len(self.y_)
        frame = self.result_.get_prediction(start=n, end=n + horizon - 1).summary_frame(
            alpha=1 - level
        )
        return _forecast_frame(
            self._future(horizon), frame["mean"], frame["pi_lower"], frame["pi_upper"], level
        )

    def summary(self) -> pd.DataFrame:
        """The smoothing parameters (and the damping), then the AIC; not the initial states."""
        self._check_fitted()
        values = dict(zip(self.result_.model.param_names, np.asarray(self.result_.params), strict=True))
        kept = {n: v for n, v in values.items() if not n.startswith("initial_")}
        return _parameter_table({**kept, "AIC": self.result_.aic})


# The forms of Hyndman's framework that the automatic choice tries, as R's forecast::ets and
# statsforecast's AutoETS do by default: additive or multiplicative errors; no, additive or
# damped trend (no multiplicative trend); no, additive or multiplicative season. Additive
# errors with a multiplicative season are left out (restrict=TRUE in R): numerically unstable.
_ERROR_CODES = {"add": "A", "mul": "M"}
_TREND_CODES = {None: "N", "add": "A", "damped": "Ad"}
_SEASON_CODES = {None: "N", "add": "A", "mul": "M"}
_WORDS = {None: "none", "add": "additive", "mul": "multiplicative", "damped": "damped"}
# statsmodels computes exact intervals for these forms only; the others are simulated.
_EXACT_INTERVALS = {"ANN", "AAN", "AAdN", "ANA", "AAA", "AAdA"}


def _ets_form_name(error: str, trend: str | None, season: str | None) -> str:
    return f"ETS({_ERROR_CODES[error]},{_TREND_CODES[trend]},{_SEASON_CODES[season]})"


# Initial states are estimated (as R does) only for seasons up to this length; R refuses longer
# seasons altogether.
_MAX_ESTIMATED_SEASON = 24


def _ets_model(y: pd.Series, form: tuple, m: int, initialization: str):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    error, trend, season = form
    return ETSModel(
        y,
        error=error,
        trend=None if trend is None else "add",
        damped_trend=trend == "damped",
        seasonal=season,
        seasonal_periods=m if season else None,
        initialization_method=initialization,
    )


def _optimise(model, start_params: np.ndarray | None = None) -> np.ndarray | None:
    """The maximum-likelihood parameters of an ETSModel, or None when it cannot be fitted.

    Only the parameters: statsmodels' full results (their covariance matrix above all) take
    as long as the optimisation, and only the chosen form needs them.
    """
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        # A form the optimiser handles badly is judged by its AICc like the others; the
        # warnings of the forms left aside would only distract.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            params = model.fit(start_params=start_params, disp=False, return_params=True)
            llf = model.loglike(params)
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            return None
    return np.asarray(params) if np.isfinite(llf) else None


def _aicc(llf: float, n: int, k: int) -> float:
    """Akaike's criterion corrected for small samples, ``k`` parameters with the variance
    (statsmodels' formula, the one of R's forecast::ets)."""
    return float(-2 * llf + 2 * k + 2 * k * (k + 1) / (n - k - 1)) if n - k - 1 > 0 else np.inf


class AutoETS(_Model):
    """Automatic exponential smoothing: the ETS form with the lowest AICc on the training data.

    The choice of Hyndman's framework, as R's ``forecast::ets`` and statsforecast's
    ``AutoETS`` make it: every admissible form is fitted with statsmodels' ``ETSModel`` and
    the one with the lowest AICc (Akaike's criterion corrected for small samples: the fit,
    penalised by the number of smoothing parameters) is kept. The forms are additive (A) or
    multiplicative (M) errors; no (N), additive (A) or damped (Ad) trend; no, additive or
    multiplicative season: up to 15 forms, written ``ETS(M,Ad,M)`` (error, trend, season).
    A multiplicative season means swings that grow with the level (in percent of it), an
    additive one swings of the same size in units every year.

    Admissible forms, as in R and statsforecast: multiplicative errors or season only when
    every value is positive (they divide by the level); no additive errors with a
    multiplicative season (numerically unstable); a season only with at least two full
    seasons of history (fewer: the non-seasonal forms only, said with a
    :class:`mlmarketing.DataWarning`).

    To stay fast, the forms are compared with their initial states set by Hyndman's
    heuristic (statsmodels ``initialization_method="heuristic"``: the first seasons' moving
    average and seasonal averages), only the smoothing parameters being optimised: a few
    hundredths of a second per form, even with a 52-week season that R refuses. The chosen
    form is then refitted with its initial states estimated as well, as R does, starting
    from that fit; not with a season longer than 24 periods (52 more parameters: slower,
    and no better on the course data). Chosen on the data given to ``fit`` only, so in a
    :func:`backtest` on each fold's training periods.

    Parameters
    ----------
    season_length : int, default 52
        Periods in a season (52 for weekly data with a yearly season, 12 for monthly, 1 for
        none).
    additive_only : bool, default False
        Try the additive forms only (errors and season).
    random_state : int, default 0
        Seed of the simulated prediction intervals (the forms with a multiplicative part have
        no closed-form interval: 1,000 future paths are simulated).

    Attributes
    ----------
    form_ : str
        The chosen form, such as ``"ETS(M,A,M)"``.
    aicc_ : float
        Its AICc in the comparison (heuristic initial states, as in :meth:`summary`).
    initial_states_ : str
        ``"estimated"`` (the chosen form refitted) or ``"heuristic"``.
    result_ : statsmodels ETSResults
        The chosen fitted model.
    candidates_ : pandas.DataFrame
        Every form tried (see :meth:`summary`).

    Examples
    --------
    >>> idx = pd.date_range("2018-01-01", periods=72, freq="MS")
    >>> level = 100 * 1.02 ** np.arange(72)
    >>> wave = 1 + 0.3 * np.sin(2 * np.pi * np.arange(72) / 12)
    >>> noise = np.random.default_rng(0).normal(1, 0.02, 72)
    >>> model = AutoETS(season_length=12).fit(pd.Series(level * wave * noise, index=idx))
    >>> model.form_
    'ETS(M,A,M)'
    >>> model.predict(3).columns.tolist()
    ['forecast', 'low', 'high']
    """

    def __init__(self, season_length: int = 52, additive_only: bool = False, random_state: int = 0):
        self.season_length = season_length
        self.additive_only = additive_only
        self.random_state = random_state

    def _forms(self, y: pd.Series, m: int) -> list[tuple[str, str | None, str | None]]:
        positive = bool((y > 0).all()) and not self.additive_only
        seasons: list[str | None] = [None]
        if m > 1:
            if len(y) >= max(2 * m, 10 + 2 * (m // 2)):
                seasons += ["add", "mul"] if positive else ["add"]
            else:
                warnings.warn(
                    f"y has {len(y)} periods, fewer than two seasons of {m}: AutoETS tries "
                    "the forms without a season only. Give a longer history to let it learn "
                    "the season.",
                    DataWarning,
                    stacklevel=3,
                )
        errors = ["add", "mul"] if positive else ["add"]
        return [
            (error, trend, season)
            for error in errors
            for trend in (None, "add", "damped")
            for season in seasons
            if not (error == "add" and season == "mul")
        ]

    def fit(self, y: pd.Series, exog: pd.DataFrame | None = None) -> AutoETS:
        m = check_positive_int(self.season_length, "season_length")
        if not isinstance(self.additive_only, bool | np.bool_):
            raise DataError(f"additive_only must be True or False, got {self.additive_only!r}.")
        check_positive_int(self.random_state, "random_state", minimum=0)
        # Hyndman's heuristic needs 10 periods to place the first level and trend.
        self.y_ = _check_series(y, min_length=10)
        with _one_blas_thread():
            return self._choose(m)

    def _choose(self, m: int) -> AutoETS:
        rows, fits = [], []
        n = len(self.y_)
        for form in self._forms(self.y_, m):
            model = _ets_model(self.y_, form, m, "heuristic")
            params = _optimise(model)
            aicc = np.nan if params is None else _aicc(model.loglike(params), n, len(params) + 1)
            name = _ets_form_name(*form)
            error, trend, season = (_WORDS[part] for part in form)
            rows.append(
                {"form": name, "error": error, "trend": trend, "season": season,
                 "corrected AIC": aicc}
            )
            if np.isfinite(aicc):
                fits.append((aicc, name, form, model, params))
        chosen = None
        for aicc, name, form, model, params in sorted(fits, key=lambda fit: fit[0]):
            result = model.smooth(params)
            if np.isfinite(np.asarray(result.forecast(1))).all():
                chosen = (aicc, name, form, result)
                break
            rows[[row["form"] for row in rows].index(name)]["corrected AIC"] = np.nan
        if chosen is None:
            raise DataError(
                "no exponential smoothing form could be fitted to y; check that it holds "
                "numbers of a sensible size (not all equal)."
            )
        self.aicc_, self.form_, form, self.result_ = chosen
        self.initial_states_ = "heuristic"
        if form[2] is None or m <= _MAX_ESTIMATED_SEASON:
            # The chosen form is refitted with its initial states estimated too, as R does,
            # starting from the heuristic fit: on eight real monthly, quarterly and daily
            # series it forecast better on average (mean MASE 0.88 against 0.90). Not with a
            # long season (52 weeks): 52 more parameters cost half a second per fit and, on
            # the course data, forecast worse.
            model = _ets_model(self.y_, form, m, "estimated")
            # The estimated model's own first guess holds the heuristic states, in the form
            # its optimiser expects; the smoothing parameters come from the heuristic fit.
            guess = dict(zip(model.param_names, model.start_params, strict=True))
            guess.update(zip(self.result_.model.param_names, self.result_.params, strict=True))
            params = _optimise(model, np.array([guess[name] for name in model.param_names]))
            if params is not None and model.loglike(params) >= self.result_.llf:
                refined = model.smooth(params)
                if np.isfinite(np.asarray(refined.forecast(1))).all():
                    self.result_, self.initial_states_ = refined, "estimated"
        table = pd.DataFrame(rows).set_index("form")
        table = table.sort_values("corrected AIC", na_position="last", kind="stable")
        table["above the best"] = table["corrected AIC"] - self.aicc_
        table["chosen"] = table.index == self.form_
        self.candidates_ = table
        return self

    def predict(
        self, horizon: int, exog: pd.DataFrame | None = None, level: float = 0.95
    ) -> pd.DataFrame:
        self._check_fitted()
        horizon, level = check_positive_int(horizon, "horizon"), check_level(level)
        n = len(self.y_)
        code = self.form_[4:-1].replace(",", "")
        if code in _EXACT_INTERVALS:
            prediction = self.result_.get_prediction(start=n, end=n + horizon - 1)
        else:
            rng = np.random.default_rng(self.random_state)
            shocks = rng.standard_normal((horizon, 1000)) * np.sqrt(self.result_.scale)
            prediction = self.result_.get_prediction(
                start=n, end=n + horizon - 1, method="simulated", simulate_repetitions=1000,
                random_errors=shocks,
            )
        frame = prediction.summary_frame(alpha=1 - level)
        return _forecast_frame(
            self._future(horizon), frame["mean"], frame["pi_lower"], frame["pi_upper"], level
        )

    def summary(self) -> pd.DataFrame:
        """Every form tried, best first: ``error``, ``trend``, ``season``, ``corrected AIC``
        (the AICc), ``above the best`` (its AICc minus the chosen one's; below about 2, the
        data hardly tell the two forms apart), ``chosen``.

        A form that could not be fitted has a missing AICc and comes last.
        """
        self._check_fitted()
        return self.candidates_.copy()


_DETERMINISTIC = re.compile(r"^(const|trend|(sin|cos)\((\d+),.*\))$")


def _step_days(freq: pd.DateOffset) -> float:
    """The mean length of a period in days: 7 for weeks, 365.2425 / 12 for months."""
    if isinstance(freq, pd.offsets.Tick):
        return freq.nanos / pd.Timedelta(days=1).value
    if isinstance(freq, pd.offsets.Week):
        return 7.0 * freq.n
    return _calendar_step_days(freq.freqstr)


@functools.lru_cache(maxsize=32)
def _calendar_step_days(freqstr: str) -> float:
    # Calendar periods (months, quarters, business days...): their mean over 400 years, a
    # whole cycle of the Gregorian calendar. Computed once per frequency.
    # (1800-2200: inside the nanosecond range that pandas 2 dates are limited to.)
    reference = pd.date_range("1800-01-01", "2200-01-01", freq=freqstr)
    # 400 years overflow a nanosecond Timedelta: Python's datetime subtracts them.
    span = reference[-1].to_pydatetime() - reference[0].to_pydatetime()
    return span.total_seconds() / 86_400 / (len(reference) - 1)


class RegressionARIMA(_Model):
    """Regression with ARIMA errors, via statsmodels' SARIMAX (also available as ``SARIMAX``).

    Sales = constant + trend + yearly Fourier waves + effects of the known inputs (promotions,
    ad spend, holidays...) + ARIMA noise. The constant, trend and waves are statsmodels'
    :class:`~statsmodels.tsa.deterministic.DeterministicProcess` with a ``Fourier`` term. The
    known inputs come from ``exog`` (its columns, or those named in ``columns``) and must be
    given for the future periods too.

    Parameters
    ----------
    columns : list of str, optional
        Columns of ``exog`` to use; all of them if omitted.
    order : tuple, default (1, 0, 0)
        ARIMA order (p, d, q) of the noise.
    trend : bool, default True
        Add a constant and a linear trend (coefficient ``trend``: units per year); with d=0 only.
    fourier : int, default 2
        Number of yearly sine/cosine pairs for the seasonality (0 for none).
    period_days : float, default 365.25
        Length of the season in days.

    Attributes
    ----------
    result_ : statsmodels SARIMAXResults
        The fitted model (``summary()`` shows every coefficient as a table).

    Examples
    --------
    >>> idx = pd.date_range("2020-01-06", periods=60, freq="W-MON")
    >>> X = pd.DataFrame({"promo": np.arange(60) % 5 == 0}, index=idx).astype(float)
    >>> y = pd.Series(100 + 30 * X["promo"] + np.random.default_rng(0).normal(0, 2, 60), index=idx)
    >>> model = RegressionARIMA(fourier=0, trend=False).fit(y, X)
    >>> bool(abs(effects(model).loc["promo", "effect"] - 30) < 3)
    True
    >>> model.summary().columns.tolist()
    ['estimate', 'std error', 'low', 'high', 'p-value']
    """

    uses_exog = True

    def __init__(
        self,
        columns: Sequence[str] | None = None,
        order: tuple[int, int, int] = (1, 0, 0),
        trend: bool = True,
        fourier: int = 2,
        period_days: float = 365.25,
    ):
        self.columns = columns
        self.order = order
        self.trend = trend
        self.fourier = fourier
        self.period_days = period_days

    def _column_list(self) -> list[str] | None:
        if self.columns is None:
            return None
        return [self.columns] if isinstance(self.columns, str) else list(self.columns)

    def _deterministic(self, index: pd.DatetimeIndex):
        from statsmodels.tsa.deterministic import DeterministicProcess, Fourier

        fourier = check_positive_int(self.fourier, "fourier", minimum=0)
        constant = tuple(self.order)[1] == 0
        step_days = _step_days(index.freq)
        period = float(self.period_days) / step_days
        # A season of p periods holds at most (p - 1) // 2 distinct waves (4 quarters: one);
        # more would repeat a wave or add a column of zeros.
        fourier = min(fourier, max(int(round(period)) - 1, 0) // 2)
        terms = [Fourier(period=period, order=fourier)] if fourier else []
        return DeterministicProcess(
            index,
            constant=constant,
            order=1 if constant and self.trend else 0,
            additional_terms=terms,
        ), step_days

    def _deterministic_terms(self, terms: pd.DataFrame) -> pd.DataFrame:
        names = {}
        for column in terms.columns:
            match = _DETERMINISTIC.match(column)
            names[column] = (
                "constant" if column == "const" else column if match.group(2) is None
                else f"{match.group(2)}{match.group(3)}"
            )
        out = terms.rename(columns=names)
        if "trend" in out:
            # In years since the start (0 at the first period): a coefficient of a size like
            # the others helps the fit, and reads as units per year.
            out["trend"] = (out["trend"] - 1.0) * self.step_days_ / 365.25
        return out

    def _design(
        self, index: pd.DatetimeIndex, exog: pd.DataFrame | None, what: str, *, future: bool
    ) -> pd.DataFrame:
        if future:
            terms = self.deterministic_.out_of_sample(len(index), forecast_index=index)
        else:
            terms = self.deterministic_.in_sample()
        design = self._deterministic_terms(terms)
        design.index = index
        columns = self._column_list()
        if columns is not None or exog is not None:
            if exog is None:
                raise DataError(
                    f"this model uses the inputs {columns} but no exog was given; "
                    "pass exog= (the X of prepare_series)."
                )
            rows = _check_exog(exog, index, what)
            if columns is not None:
                check_columns(rows, columns, role="exog column")
                rows = rows[columns]
            clash = [c for c in rows.columns if c in design.columns]
            if clash:
                raise DataError(
                    f"exog column {clash[0]!r} has the name of a term the model adds itself "
                    "(constant, trend, sin1, cos1...); rename that column."
                )
            design = pd.concat([design, rows], axis=1)
        return design

    def fit(self, y: pd.Series, exog: pd.DataFrame | None = None) -> RegressionARIMA:
        from statsmodels.tsa.statespace.sarimax import SARIMAX as _StatsmodelsSARIMAX

        self.y_ = _check_series(y, min_length=10)
        self.deterministic_, self.step_days_ = self._deterministic(self.y_.index)
        design = self._design(self.y_.index, exog, "the history", future=False)
        if design.shape[1] and np.linalg.matrix_rank(design.to_numpy()) < design.shape[1]:
            raise DataError(
                "some inputs of the model are constant or copies of each other over the history "
                f"({', '.join(design.columns)}); drop the redundant ones with columns=."
            )
        model = _StatsmodelsSARIMAX(
            self.y_, exog=design if design.shape[1] else None, order=tuple(self.order)
        )
        # Powell's method converges reliably and fast here: the regression effects start at
        # their least-squares values and only the noise parameters move much.
        self.result_ = model.fit(method="powell", disp=False)
        self.exog_names_ = list(design.columns)
        self.input_names_ = [c for c in design.columns if c not in set(_term_names(design))]
        return self

    def predict(
        self, horizon: int, exog: pd.DataFrame | None = None, level: float = 0.95
    ) -> pd.DataFrame:
        self._check_fitted()
        horizon, level = check_positive_int(horizon, "horizon"), check_level(level)
        index = self._future(horizon)
        design = self._design(index, exog, "the forecast horizon", future=True)
        frame = self.result_.get_forecast(
            steps=horizon, exog=design if design.shape[1] else None
        ).summary_frame(alpha=1 - level)
        return _forecast_frame(
            index, frame["mean"], frame["mean_ci_lower"], frame["mean_ci_upper"], level
        )

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Every coefficient: ``estimate``, ``std error``, ``low``, ``high`` (at ``level``),
        ``p-value``; the noise parameters (``ar.L1``, ``sigma2``...) come last."""
        self._check_fitted()
        level = check_level(level)
        result = self.result_
        ci = result.conf_int(alpha=1 - level)
        table = pd.DataFrame(
            {
                "estimate": result.params,
                "std error": result.bse,
                "low": ci[0],
                "high": ci[1],
                "p-value": result.pvalues,
            }
        )
        table.index.name = "term"
        return table


def _term_names(design: pd.DataFrame) -> list[str]:
    """The names of the terms the model adds itself (constant, trend, Fourier waves)."""
    return [c for c in design.columns if c in ("constant", "trend") or re.fullmatch(r"(sin|cos)\d+", c)]


SARIMAX = RegressionARIMA
"""Another name for :class:`RegressionARIMA` (the name statsmodels gives the model it wraps)."""


def _one_blas_thread():
    """Limit BLAS to one thread while fitting: these problems are tiny, and on a busy machine
    BLAS threads waiting for each other made each fit several times slower. Scoped to the
    fits, so nothing global changes."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def _as_model(spec: object, season_length: int, name: str):
    if isinstance(spec, str):
        known = {"naive": Naive, "seasonal_naive": SeasonalNaive}
        if spec not in known:
            raise DataError(
                f"model {name!r} is the text {spec!r}; use 'naive', 'seasonal_naive' or a model "
                "object such as AutoETS() or RegressionARIMA()."
            )
        return Naive() if spec == "naive" else SeasonalNaive(season_length)
    if not (hasattr(spec, "fit") and hasattr(spec, "predict")):
        raise DataError(
            f"model {name!r} is a {type(spec).__name__}; give a model object with fit and predict "
            "(Naive(), SeasonalNaive(), AutoETS(), RegressionARIMA()) or 'naive' / 'seasonal_naive'."
        )
    return spec


# --------------------------------------------------------------------------------------
# Backtest and forecast
# --------------------------------------------------------------------------------------


@dataclass
class BacktestResult:
    """What :func:`backtest` returns.

    Attributes
    ----------
    forecasts : pandas.DataFrame
        One row per model, fold and forecast date: ``model``, ``fold``, ``origin`` (the first
        forecast date; the model saw only earlier data), ``date``, ``step`` (1 = one period
        ahead), ``actual``, ``forecast``, ``low``, ``high``, ``error`` (actual - forecast)
        and ``scale`` (the fold's MASE scale: the in-sample error of the seasonal naive
        rule on the training data; missing when that history repeats itself exactly).
    level : float
        The level of the intervals.

    The tables use the formulas of :func:`mae`, :func:`rmse`, :func:`mape`, :func:`mase` and
    :func:`coverage`; an undefined score (MAPE with an actual value of 0, MASE without a
    scale) is NaN, with a :class:`mlmarketing.DataWarning` naming the models.
    """

    forecasts: pd.DataFrame
    level: float

    def _score(self, by: list[str], report: Sequence[str] = ("MAPE (%)", "MASE")) -> pd.DataFrame:
        rows = {}
        for key, part in self.forecasts.groupby(by, sort=False):
            actual, predicted = part["actual"].to_numpy(), part["forecast"].to_numpy()
            rows[key] = {
                "MAE": _mae(actual, predicted),
                "RMSE": _rmse(actual, predicted),
                "MAPE (%)": _mape(actual, predicted),
                "MASE": _mase(actual, predicted, part["scale"].to_numpy()),
                "coverage (%)": _coverage(actual, part["low"].to_numpy(), part["high"].to_numpy()),
            }
        table = pd.DataFrame.from_dict(rows, orient="index")
        table.index = (
            pd.MultiIndex.from_tuples(table.index, names=by) if len(by) > 1
            else pd.Index([k[0] if isinstance(k, tuple) else k for k in table.index], name=by[0])
        )
        for column, text in (("MAPE (%)", _MAPE_UNDEFINED), ("MASE", _MASE_UNDEFINED)):
            if column not in report:
                continue
            undefined = table[column].isna()
            if undefined.any():
                models = table.index[undefined].get_level_values("model").unique()
                where = " for " + ", ".join(repr(m) for m in models)
                warnings.warn(text.format(where=where), DataWarning, stacklevel=3)
        return table

    @property
    def metrics(self) -> pd.DataFrame:
        """One row per model, best MASE first: MAE, RMSE, MAPE (%), MASE, coverage (%)."""
        return self._score(["model"]).sort_values("MASE")

    def summary(self) -> pd.DataFrame:
        """The :attr:`metrics` table: one row per model, best MASE first."""
        return self.metrics

    @property
    def by_fold(self) -> pd.DataFrame:
        """MASE of each model (columns) on each fold (rows, by origin)."""
        table = self._score(["origin", "model"], report=["MASE"])["MASE"].unstack("model")
        return table[list(self.forecasts["model"].unique())]

    @property
    def by_horizon(self) -> pd.DataFrame:
        """MAE of each model (columns) by forecast step (rows: 1 = one period ahead)."""
        table = self._score(["step", "model"], report=[])["MAE"].unstack("model")
        return table[list(self.forecasts["model"].unique())]


def backtest(
    y: pd.Series,
    models: Mapping[str, object],
    horizon: int = 13,
    n_folds: int = 4,
    season_length: int = 52,
    exog: pd.DataFrame | None = None,
    level: float = 0.95,
    step: int | None = None,
    after_the_fact: Sequence[str] | None = None,
) -> BacktestResult:
    """Rolling-origin evaluation: refit every model at several origins, forecast, score.

    The last fold ends with the last observation; each earlier origin is ``step`` periods
    before the next one. At an origin a model is fitted on the data strictly before it (a
    fresh copy made with :func:`sklearn.base.clone`, so the caller's objects stay unfitted)
    and forecasts ``horizon`` periods; the known inputs ``exog`` of those periods are given to
    it, their sales never.

    Parameters
    ----------
    y : pandas.Series
        Sales indexed by date with a frequency (see :func:`prepare_series`).
    models : dict
        Name -> model: ``"naive"``, ``"seasonal_naive"``, or an object with ``fit(y, exog)``
        and ``predict(horizon, exog, level)`` (:class:`Naive`, :class:`SeasonalNaive`,
        :class:`ETS`, :class:`AutoETS`, :class:`RegressionARIMA`).
    horizon : int, default 13
        Periods forecast at each origin (13 weeks = a quarter).
    n_folds : int, default 4
        Number of origins.
    season_length : int, default 52
        Season of the MASE scale and of ``"seasonal_naive"``. The first training window must
        hold two seasons.
    exog : pandas.DataFrame, optional
        Known inputs indexed by date, covering ``y``'s dates (for RegressionARIMA).
    level : float, default 0.95
        Level of the prediction intervals.
    step : int, optional
        Periods between origins; ``horizon`` by default (folds that do not overlap).
    after_the_fact : list of str, optional
        Columns of ``exog`` known only once a period is over, such as a stock-out flag. The
        models learn from them on the training periods, but in the periods forecast they are
        0 (no stock-out foreseen), as at the origin nobody knew them: giving the real values
        would be a peek at the future. The forecasts are then of demand, scored against
        sales; a stock-out in a forecast period shows as a miss.

    Returns
    -------
    BacktestResult
        ``.forecasts`` (tidy, one row per model, fold and date), and the tables ``.metrics``
        (also ``.summary()``), ``.by_fold`` and ``.by_horizon``.

    Examples
    --------
    >>> idx = pd.date_range("2020-01-06", periods=40, freq="W-MON")
    >>> y = pd.Series(np.tile([10.0, 20, 30, 20], 10) + np.arange(40), index=idx)
    >>> bt = backtest(y, {"naive": "naive", "seasonal": "seasonal_naive"}, horizon=4,
    ...               n_folds=2, season_length=4)
    >>> bt.metrics["MASE"].round(2).to_dict()
    {'seasonal': 1.0, 'naive': 1.75}
    """
    horizon = check_positive_int(horizon, "horizon")
    n_folds = check_positive_int(n_folds, "n_folds")
    season_length = check_positive_int(season_length, "season_length")
    step = horizon if step is None else check_positive_int(step, "step")
    level = check_level(level)
    y = _check_series(y)
    if not isinstance(models, Mapping) or not models:
        raise DataError("models must be a non-empty dict: name -> model, e.g. {'naive': 'naive'}.")
    specs = {str(name): _as_model(spec, season_length, str(name)) for name, spec in models.items()}
    after_the_fact = (
        [] if after_the_fact is None
        else [after_the_fact] if isinstance(after_the_fact, str) else list(after_the_fact)
    )
    if after_the_fact and exog is None:
        raise DataError("after_the_fact names columns of exog, but no exog was given.")
    if exog is not None:
        exog = _check_exog(exog, y.index, "the history")
        check_columns(exog, after_the_fact, role="exog column")
    n = len(y)
    first_origin = n - horizon - (n_folds - 1) * step
    if first_origin < 2 * season_length:
        raise DataError(
            f"y has {n} periods: {n_folds} folds of {horizon} periods, {step} apart, leave "
            f"{max(first_origin, 0)} periods to train the first fold, fewer than two seasons "
            f"({2 * season_length}). Use fewer folds, a shorter horizon or a longer history."
        )
    rows = []
    with _one_blas_thread():
        for fold in range(n_folds):
            rows.extend(
                _backtest_fold(
                    y,
                    exog,
                    specs,
                    first_origin + fold * step,
                    fold + 1,
                    horizon,
                    season_length,
                    level,
                    after_the_fact,
                )
            )
    return BacktestResult(forecasts=pd.concat(rows, ignore_index=True), level=level)


def _backtest_fold(y, exog, specs, origin, fold, horizon, season_length, level, after_the_fact):
    """Fit every model on the data before ``origin`` and score its forecasts."""
    rows = []
    train = y.iloc[:origin]
    actual = y.iloc[origin : origin + horizon]
    scale = _naive_scale(train.to_numpy(), season_length)  # NaN: a history that repeats exactly
    train_exog = None if exog is None else exog.iloc[:origin]
    future_exog = None if exog is None else exog.iloc[origin : origin + horizon].copy()
    if after_the_fact:
        future_exog[after_the_fact] = 0.0  # unknown at the origin: none foreseen
    for name, spec in specs.items():
        # safe=False: an object that is not a scikit-learn estimator is deep-copied.
        model = clone(spec, safe=False)
        uses_exog = getattr(model, "uses_exog", False)
        model.fit(train, train_exog if uses_exog else None)
        predicted = model.predict(horizon, future_exog if uses_exog else None, level=level)
        part = pd.DataFrame(
            {
                "model": name,
                "fold": fold,
                "origin": actual.index[0],
                "date": actual.index,
                "step": np.arange(1, horizon + 1),
                "actual": actual.to_numpy(),
                "forecast": predicted["forecast"].to_numpy(),
                "low": predicted["low"].to_numpy(),
                "high": predicted["high"].to_numpy(),
            }
        )
        part["error"] = part["actual"] - part["forecast"]
        part["scale"] = scale
        rows.append(part)
    return rows


def forecast(
    y: pd.Series,
    model: object,
    horizon: int = 13,
    exog: pd.DataFrame | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Fit ``model`` on the whole series and forecast the next ``horizon`` periods.

    Parameters
    ----------
    y : pandas.Series
        Sales indexed by date with a frequency (see :func:`prepare_series`).
    model : model object or str
        As in :func:`backtest`. It is fitted in place, so its ``summary()`` (and
        :func:`effects`) can be read after.
    horizon : int, default 13
    exog : pandas.DataFrame, optional
        Known inputs for the history *and* the ``horizon`` future dates (see
        :func:`future_dates`); a missing future row raises a DataError.
    level : float, default 0.95
        Level of the prediction interval.

    Returns
    -------
    pandas.DataFrame
        Indexed by the future dates: ``forecast``, ``low``, ``high``.

    Examples
    --------
    >>> idx = pd.date_range("2020-01-06", periods=12, freq="W-MON")
    >>> y = pd.Series(np.tile([10.0, 20, 30, 20], 3), index=idx)
    >>> forecast(y, SeasonalNaive(season_length=4), horizon=2)["forecast"].tolist()
    [10.0, 20.0]
    """
    y = _check_series(y)
    horizon = check_positive_int(horizon, "horizon")
    level = check_level(level)
    model = _as_model(model, getattr(model, "season_length", 52), "model")
    uses_exog = getattr(model, "uses_exog", False)
    with _one_blas_thread():
        if uses_exog and exog is not None:
            future = pd.date_range(y.index[-1], periods=horizon + 1, freq=y.index.freq)[1:]
            _check_exog(exog, future, "the forecast horizon")
            model.fit(y, _check_exog(exog, y.index, "the history"))
            return model.predict(horizon, exog.loc[future], level=level)
        model.fit(y, None)
        return model.predict(horizon, None, level=level)


def decompose(y: pd.Series, season_length: int = 52, robust: bool = True) -> pd.DataFrame:
    """Split a series into trend, seasonal and remainder parts with statsmodels' STL.

    Returns a DataFrame indexed like ``y``: ``observed``, ``trend``, ``seasonal``,
    ``remainder`` (observed = trend + seasonal + remainder). Needs two seasons.

    >>> idx = pd.date_range("2020-01-06", periods=24, freq="W-MON")
    >>> y = pd.Series(np.arange(24.0) + np.tile([5.0, -5.0, 0.0, 0.0], 6), index=idx)
    >>> decompose(y, season_length=4).columns.tolist()
    ['observed', 'trend', 'seasonal', 'remainder']
    """
    from statsmodels.tsa.seasonal import STL

    season_length = check_positive_int(season_length, "season_length", minimum=2)
    y = _check_series(y, min_length=2 * season_length)
    result = STL(y, period=season_length, robust=robust).fit()
    return pd.DataFrame(
        {
            "observed": y,
            "trend": result.trend,
            "seasonal": result.seasonal,
            "remainder": result.resid,
        }
    )


# --------------------------------------------------------------------------------------
# Effects and what-ifs of a fitted RegressionARIMA
# --------------------------------------------------------------------------------------


def _fitted_regression(model: object) -> RegressionARIMA:
    if not isinstance(model, RegressionARIMA) or not hasattr(model, "result_"):
        raise DataError(
            "effects and what_if need a fitted RegressionARIMA (SARIMAX): fit it first, e.g. "
            "with forecast(y, model, exog=X) or model.fit(y, X)."
        )
    return model


def effects(model: RegressionARIMA, level: float = 0.95) -> pd.DataFrame:
    """Estimated effect of each known input of a fitted RegressionARIMA, with its interval.

    Returns a DataFrame indexed by input name (user inputs only, not the constant, trend
    and Fourier terms): ``effect`` (units per unit of the input, e.g. per promotion week),
    ``low``, ``high`` (the ``level`` confidence interval), ``p-value``. See the example of
    :class:`RegressionARIMA`.
    """
    model = _fitted_regression(model)
    table = model.summary(level=level).loc[model.input_names_]
    out = table.rename(columns={"estimate": "effect"})[["effect", "low", "high", "p-value"]]
    out.index.name = None
    return out


def what_if(
    model: RegressionARIMA, exog_base: pd.DataFrame, exog_alt: pd.DataFrame, level: float = 0.95
) -> pd.DataFrame:
    """Extra units sold over a plan's periods if the known inputs change, with uncertainty.

    In a regression with ARIMA errors, changing the inputs moves the forecast by the change
    times the effects; the interval comes from the effects' covariance.

    Parameters
    ----------
    model : RegressionARIMA
        A fitted RegressionARIMA (SARIMAX).
    exog_base, exog_alt : pandas.DataFrame
        The planned inputs and the alternative plan, same dates and columns.
    level : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        One row: ``extra units`` (total over the periods), ``low``, ``high``.
    """
    model = _fitted_regression(model)
    level = check_level(level)
    for name, frame in (("exog_base", exog_base), ("exog_alt", exog_alt)):
        if not isinstance(frame, pd.DataFrame):
            raise DataError(f"{name} must be a DataFrame of planned inputs.")
    if not exog_base.index.equals(exog_alt.index) or list(exog_base.columns) != list(
        exog_alt.columns
    ):
        raise DataError("exog_base and exog_alt must have the same dates and the same columns.")
    table = effects(model, level)
    names = list(table.index)
    check_columns(exog_base, names, role="exog column")
    check_numeric(exog_base, names)
    check_numeric(exog_alt, names)
    change = (exog_alt[names].astype(float) - exog_base[names].astype(float)).sum()
    cov = model.result_.cov_params().loc[names, names].to_numpy()
    d = change.to_numpy()
    extra = float(d @ table["effect"].to_numpy())
    sd = float(np.sqrt(max(d @ cov @ d, 0.0)))
    z = stats.norm.ppf(0.5 + level / 2)
    return pd.DataFrame({"extra units": [extra], "low": [extra - z * sd], "high": [extra + z * sd]})


# --------------------------------------------------------------------------------------
# Stock decisions
# --------------------------------------------------------------------------------------


def safety_stock(errors: object, service_level: float = 0.95) -> float:
    """Stock to hold above the forecast so that demand is covered in ``service_level`` of periods.

    Uses the forecast errors (actual - forecast, e.g. from a backtest): z x their standard
    deviation, with z the normal quantile of the service level (1.645 for 95 %). Missing
    errors are left out and counted in a :class:`mlmarketing.DataWarning`.

    >>> round(safety_stock([-10, 0, 10, 20, -20], service_level=0.95), 1)
    26.0
    """
    service_level = check_level(service_level, "service_level")
    if isinstance(errors, pd.DataFrame):
        raise DataError("errors must be one column of numbers (actual - forecast), not a table.")
    series = errors if isinstance(errors, pd.Series) else pd.Series(
        np.asarray(errors, dtype=object).ravel()
    ).infer_objects()
    series = series.rename("errors")
    check_numeric(series.to_frame(), ["errors"])
    values = series.to_numpy(dtype=float, na_value=np.nan)
    missing = np.isnan(values)
    if missing.any():
        warn_dropped(int(missing.sum()), values.size, "their forecast error is missing")
    values = values[~missing]
    if values.size < 2:
        raise DataError("at least two forecast errors are needed to measure their spread.")
    return float(stats.norm.ppf(service_level) * np.std(values, ddof=1))


def order_quantities(
    forecast_table: pd.DataFrame,
    errors: object,
    service_level: float = 0.95,
    column: str = "forecast",
) -> pd.DataFrame:
    """Units to have on the shelf each period: forecast + safety stock, rounded up.

    Parameters
    ----------
    forecast_table : pandas.DataFrame
        A forecast (e.g. from :func:`forecast`), one row per period; not modified. A negative
        forecast of demand is refused (clip it at 0 first if the model allows it).
    errors : array-like
        Past forecast errors of the same model (actual - forecast).
    service_level : float, default 0.95
    column : str, default "forecast"
        The column holding the forecast.

    Returns
    -------
    pandas.DataFrame
        Same index: ``forecast``, ``safety stock``, ``order quantity`` (whole units).

    >>> fc = pd.DataFrame({"forecast": [100.0, 120.0]})
    >>> order_quantities(fc, [-10, 0, 10, 20, -20])["order quantity"].tolist()
    [127, 147]
    """
    check_frame(forecast_table, name="forecast_table")
    check_columns(forecast_table, column, role="forecast column")
    check_numeric(forecast_table, [column], non_negative=True, what="demand forecasts")
    if forecast_table[column].isna().any():
        missing = forecast_table[column].isna()
        raise DataError(
            f"column {column!r} has missing forecasts ({describe_rows(forecast_table.index, missing)}); "
            "forecast every period before planning its stock."
        )
    buffer = safety_stock(errors, service_level)
    mean = forecast_table[column].astype(float)
    return pd.DataFrame(
        {
            "forecast": mean,
            "safety stock": buffer,
            "order quantity": np.ceil(mean + buffer).astype(int),
        },
        index=forecast_table.index,
    )


def critical_service_level(underage_cost: float, overage_cost: float) -> float:
    """The service level that minimises expected cost (the newsvendor's critical ratio).

    ``underage_cost``: what a unit of missed demand costs (lost margin, goodwill);
    ``overage_cost``: what an unsold unit costs (storage, markdown). The best stock covers
    demand with probability underage / (underage + overage).

    >>> critical_service_level(underage_cost=9.0, overage_cost=1.0)
    0.9
    """
    for name, value in (("underage_cost", underage_cost), ("overage_cost", overage_cost)):
        if (
            isinstance(value, bool) or not isinstance(value, float | int | np.number)
            or not np.isfinite(value) or value <= 0
        ):
            raise DataError(f"{name} must be a positive amount per unit, got {value!r}.")
    return float(underage_cost / (underage_cost + overage_cost))


def stock_costs(
    actual: object, stocked: object, underage_cost: float, overage_cost: float
) -> pd.Series:
    """What a stock plan would have cost against actual demand.

    ``actual`` (the demand) and ``stocked`` must be numbers of units, never negative.
    Returns a Series: ``units short`` (demand not served), ``units left over``,
    ``periods with stock-out``, ``cost`` (short x underage_cost + left over x overage_cost).

    >>> stock_costs([100, 80], [90, 100], underage_cost=5.0, overage_cost=1.0).to_dict()
    {'units short': 10.0, 'units left over': 20.0, 'periods with stock-out': 1, 'cost': 70.0}
    """
    critical_service_level(underage_cost, overage_cost)  # checks both costs
    demand = _numbers(actual, "actual", non_negative=True, what="demand")
    stock = _numbers(stocked, "stocked", non_negative=True, what="stock")
    if demand.shape != stock.shape:
        raise DataError(
            f"actual has {demand.size} values but stocked has {stock.size}: give one stock "
            "level per period of demand."
        )
    short = np.clip(demand - stock, 0, None)
    left = np.clip(stock - demand, 0, None)
    return pd.Series(
        {
            "units short": float(short.sum()),
            "units left over": float(left.sum()),
            "periods with stock-out": int((short > 0).sum()),
            "cost": float(short.sum() * underage_cost + left.sum() * overage_cost),
        },
        dtype=object,
    )


# --------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------


def _date_axis(ax) -> None:
    """Date labels that never overlap: a few ticks, each written as briefly as possible."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def plot_backtest(result: BacktestResult, models: Sequence[str] | None = None, *, ax=None):
    """Actual sales and each model's forecasts on the backtest folds; returns the Axes.

    Draws on ``ax``, or on a new figure when it is None.
    """
    if not isinstance(result, BacktestResult):
        raise DataError("plot_backtest needs the result of backtest(...).")
    frame = result.forecasts
    names = list(frame["model"].unique()) if models is None else list(models)
    unknown = [m for m in names if m not in set(frame["model"])]
    if unknown:
        known = list(frame["model"].unique())
        raise DataError(f"no model named {unknown[0]!r} in the backtest; the models are {known}.")
    ax = new_axes(ax)
    actual = frame.drop_duplicates("date").set_index("date")["actual"]
    ax.plot(actual.index, actual.to_numpy(), color="black", lw=1.5, label="actual")
    for i, name in enumerate(names):
        part = frame[frame["model"] == name]
        for j, (_, fold) in enumerate(part.groupby("fold")):
            ax.plot(
                fold["date"],
                fold["forecast"],
                color=f"C{i}",
                lw=1.2,
                label=name if j == 0 else None,
            )
    for origin in frame["origin"].unique():
        ax.axvline(origin, color="grey", lw=0.6, ls=":")
    ax.set(title="Backtest: forecasts made at each origin (dotted)", xlabel="", ylabel="units")
    _date_axis(ax)
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_forecast(y: pd.Series, forecast_table: pd.DataFrame, history: int = 104, *, ax=None):
    """The last ``history`` periods of ``y``, the forecast and its interval (a fan).

    ``forecast_table`` has the columns ``forecast``, ``low`` and ``high`` (see
    :func:`forecast`); the legend gives the interval's level when the table carries it.
    Draws on ``ax``, or on a new figure when it is None; returns the Axes.
    """
    y = _check_series(y, min_length=1)
    history = check_positive_int(history, "history")
    check_frame(forecast_table, name="forecast_table")
    check_columns(forecast_table, ["forecast", "low", "high"], role="forecast column")
    level = forecast_table.attrs.get("level")
    label = "prediction interval" if level is None else f"{level_label(level)} prediction interval"
    ax = new_axes(ax)
    recent = y.iloc[-history:]
    ax.plot(recent.index, recent.to_numpy(), color="black", lw=1.2, label="sales")
    ax.plot(forecast_table.index, forecast_table["forecast"], color="C0", lw=1.8, label="forecast")
    ax.fill_between(
        forecast_table.index,
        forecast_table["low"],
        forecast_table["high"],
        color="C0",
        alpha=0.25,
        label=label,
    )
    ax.set(title="Forecast with its prediction interval", xlabel="", ylabel="units")
    _date_axis(ax)
    ax.legend(loc="upper left", fontsize="small")
    return ax
