"""Demand forecasting: from a sales history to forecasts, stock levels and what-ifs.

Used by ``02-02-demand-forecasting.ipynb``. The models are statsmodels' (ETS, SARIMAX, STL);
this module adds what a forecaster does around them:

- :func:`prepare_series` turns a sales table into a series with a regular calendar (and the
  known future inputs, *exog*), refusing duplicated dates, gaps and text;
- the models share one small interface (``fit(y, exog)``, ``predict(horizon, exog, level)``):
  the baselines :class:`Naive` and :class:`SeasonalNaive`, and :class:`ETS` and
  :class:`SARIMAX` (regression with ARIMA errors), which wrap statsmodels;
- :func:`backtest` evaluates them honestly on several forecast origins (rolling origin), and
  :func:`forecast` predicts the next periods with an interval;
- :func:`mae`, :func:`rmse`, :func:`mape`, :func:`mase` and :func:`coverage` score forecasts;
- :func:`safety_stock`, :func:`order_quantities`, :func:`critical_service_level` and
  :func:`stock_costs` turn a forecast into stock decisions; :func:`effects` and
  :func:`what_if` read the promotion and advertising effects off a fitted SARIMAX.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from mlmarketing._errors import DataError
from mlmarketing._validation import check_columns, check_frame, check_numeric

__all__ = [
    "ETS",
    "SARIMAX",
    "BacktestResult",
    "Naive",
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
    "rmse",
    "safety_stock",
    "stock_costs",
    "what_if",
]

# --------------------------------------------------------------------------------------
# Calendar and data preparation
# --------------------------------------------------------------------------------------


def _easter(year: int) -> pd.Timestamp:
    """Easter Sunday (Gregorian calendar, anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return pd.Timestamp(year, month, day)


def _french_holidays(year: int) -> list[pd.Timestamp]:
    easter = _easter(year)
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


def french_calendar(dates: Sequence | pd.DatetimeIndex, period_days: int = 7) -> pd.DataFrame:
    """Known-in-advance calendar inputs for French retail, one row per period.

    Parameters
    ----------
    dates : sequence of dates
        The first day of each period (for weekly data, the Monday of each week).
    period_days : int, default 7
        Length of a period in days: 7 for weekly data, 1 for daily data.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``dates``, with ``public_holidays`` (number of public holidays in the
        period: New Year, Easter Monday, 1 and 8 May, Ascension, Whit Monday, 14 July, 15
        August, 1 and 11 November, Christmas), ``soldes`` (True when at least half of the
        period falls in the January or July sales) and ``christmas_season`` (True when the
        period starts in the four weeks before 25 December).

    Examples
    --------
    >>> cal = french_calendar(pd.date_range("2024-12-16", periods=3, freq="W-MON"))
    >>> cal["public_holidays"].tolist(), cal["christmas_season"].tolist()
    ([0, 1, 1], [True, True, False])
    """
    index = pd.DatetimeIndex(pd.to_datetime(dates)).normalize()
    if period_days < 1:
        raise DataError(f"period_days must be at least 1, got {period_days}.")
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


def _regular_index(index: pd.DatetimeIndex, freq: str | None, name: str) -> pd.DatetimeIndex:
    """Give a sorted, duplicate-free DatetimeIndex its frequency, or explain the gap."""
    if len(index) < 3:
        raise DataError(f"{name} has {len(index)} date(s); a forecast needs a longer history.")
    if freq is None:
        # freq="infer" rather than pd.infer_freq, which warns about its return type in pandas 3.
        freq = pd.DatetimeIndex(index, freq="infer").freq
    if freq is None:
        step = pd.Series(index[1:] - index[:-1]).mode().iloc[0]
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
        return pd.DatetimeIndex(index, freq=freq)
    except ValueError as error:
        raise DataError(
            f"the dates of {name} do not follow the frequency {freq!r}: {error}. Check the "
            "dates or pass the right freq= (for example 'W-MON' or 'D')."
        ) from None


def prepare_series(
    df: pd.DataFrame,
    date: str,
    value: str,
    exog: Sequence[str] | None = None,
    freq: str | None = None,
) -> tuple[pd.Series, pd.DataFrame | None]:
    """Turn a sales table into a regular time series and its known inputs.

    Rows are sorted by date (a visible, harmless choice); duplicated dates, gaps in the
    calendar, missing or non-numeric values raise :class:`mlmarketing.DataError`.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per period. It is not modified.
    date, value : str
        Names of the date column and of the sales column.
    exog : list of str, optional
        Columns known in advance for future periods (promotions, ad spend, holidays...).
        Booleans become 0/1.
    freq : str, optional
        Pandas frequency such as ``"W-MON"`` or ``"D"``; inferred from the dates if omitted.

    Returns
    -------
    y : pandas.Series
        The sales, float, indexed by date with a frequency (statsmodels needs it).
    X : pandas.DataFrame or None
        The ``exog`` columns as floats on the same index, or None without ``exog``.

    Examples
    --------
    >>> df = pd.DataFrame({"week": pd.date_range("2024-01-01", periods=4, freq="W-MON"),
    ...                    "units": [10, 12, 11, 13], "promo": [0, 1, 0, 0]})
    >>> y, X = prepare_series(df, "week", "units", exog=["promo"])
    >>> y.index.freqstr, X["promo"].tolist()
    ('W-MON', [0.0, 1.0, 0.0, 0.0])
    """
    check_frame(df, min_rows=3)
    exog = [] if exog is None else ([exog] if isinstance(exog, str) else list(exog))
    check_columns(df, date, role="date column")
    check_columns(df, value, role="sales column")
    check_columns(df, exog, role="exog column")
    check_numeric(df, [value, *exog])
    try:
        dates = pd.to_datetime(df[date], format="mixed", dayfirst=False)
    except (ValueError, TypeError):
        raise DataError(
            f"column {date!r} must hold dates; some values could not be read as dates. "
            "Use ISO dates (2024-01-31) or read the file with mlmarketing.read_table."
        ) from None
    if dates.isna().any():
        raise DataError(
            f"column {date!r} has {int(dates.isna().sum())} missing date(s); drop or fix them."
        )
    data = df[[value, *exog]].copy()
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
    for column in [value, *exog]:
        missing = data[column].isna()
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
    horizon = _check_positive_int(horizon, "horizon")
    return pd.date_range(y.index[-1], periods=horizon + 1, freq=y.index.freq)[1:]


def _check_positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise DataError(f"{name} must be a whole number of periods of at least 1, got {value!r}.")
    return int(value)


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
# Metrics
# --------------------------------------------------------------------------------------


def _pair(y_true: object, y_pred: object) -> tuple[np.ndarray, np.ndarray]:
    arrays = []
    for name, values in (("y_true", y_true), ("y_pred", y_pred)):
        try:
            array = np.asarray(values, dtype=float).ravel()
        except (TypeError, ValueError):
            raise DataError(f"{name} must hold numbers only.") from None
        if array.size == 0:
            raise DataError(f"{name} is empty: there is nothing to score.")
        if np.isnan(array).any():
            raise DataError(f"{name} has missing values; drop those periods before scoring.")
        arrays.append(array)
    if arrays[0].shape != arrays[1].shape:
        raise DataError(
            f"y_true has {arrays[0].size} values but y_pred has {arrays[1].size}: "
            "give one forecast per actual value."
        )
    return arrays[0], arrays[1]


def mae(y_true: object, y_pred: object) -> float:
    """Mean absolute error, in the units of the series.

    >>> round(mae([10, 20, 30], [12, 18, 30]), 3)
    1.333
    """
    actual, predicted = _pair(y_true, y_pred)
    return float(np.mean(np.abs(actual - predicted)))


def rmse(y_true: object, y_pred: object) -> float:
    """Root mean squared error, in the units of the series (punishes big misses more).

    >>> round(rmse([10, 20], [13, 16]), 3)
    3.536
    """
    actual, predicted = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((actual - predicted) ** 2)))


def mape(y_true: object, y_pred: object) -> float:
    """Mean absolute percentage error, in percent of the actual values.

    Undefined when an actual value is 0: that raises a DataError (use MAE or MASE then).

    >>> mape([100, 200], [110, 180])
    10.0
    """
    actual, predicted = _pair(y_true, y_pred)
    if (actual == 0).any():
        raise DataError(
            "MAPE divides by the actual values and one of them is 0. Use mae or mase instead."
        )
    return float(np.mean(np.abs((actual - predicted) / actual)) * 100.0)


def mase(y_true: object, y_pred: object, y_train: object, season_length: int = 1) -> float:
    """Mean absolute scaled error: the MAE divided by the in-sample MAE of the seasonal naive
    forecast ("same as one season ago") on the training series.

    Below 1, the forecast errs less than the seasonal naive rule did on the history; above 1,
    more. Scale-free, so it compares products with different volumes.

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
    season_length = _check_positive_int(season_length, "season_length")
    try:
        history = np.asarray(y_train, dtype=float).ravel()
    except (TypeError, ValueError):
        raise DataError("y_train must hold numbers only.") from None
    if history.size <= season_length:
        raise DataError(
            f"y_train has {history.size} values; the seasonal naive scale needs more than "
            f"season_length={season_length}."
        )
    scale = np.mean(np.abs(history[season_length:] - history[:-season_length]))
    if not np.isfinite(scale) or scale == 0:
        raise DataError(
            "the training series repeats itself exactly (or has missing values), so the seasonal "
            "naive error used as MASE's scale is 0 or undefined; use mae instead."
        )
    return float(np.mean(np.abs(actual - predicted)) / scale)


def coverage(y_true: object, lower: object, upper: object) -> float:
    """Share of actual values inside their prediction interval, in percent.

    >>> coverage([10, 20, 30, 40], [8, 21, 25, 35], [12, 25, 35, 45])
    75.0
    """
    actual, low = _pair(y_true, lower)
    _, high = _pair(y_true, upper)
    if (low > high).any():
        raise DataError("some lower bounds are above their upper bounds; check the argument order.")
    return float(np.mean((actual >= low) & (actual <= high)) * 100.0)


# --------------------------------------------------------------------------------------
# Models: one small interface around the baselines and statsmodels
# --------------------------------------------------------------------------------------


def _interval_frame(
    index: pd.DatetimeIndex, mean: np.ndarray, sd: np.ndarray, level: float
) -> pd.DataFrame:
    z = stats.norm.ppf(0.5 + level / 2)
    return pd.DataFrame(
        {"forecast": mean, "lower": mean - z * sd, "upper": mean + z * sd}, index=index
    )


def _check_level(level: float) -> float:
    if not isinstance(level, float | int) or not 0 < level < 1:
        raise DataError(f"level must be a probability such as 0.9 (for 90 %), got {level!r}.")
    return float(level)


class _Model:
    """Common interface: ``fit(y, exog=None)`` then ``predict(horizon, exog=None, level=0.9)``."""

    uses_exog = False

    def _future(self, horizon: int) -> pd.DatetimeIndex:
        y = self.y_
        return pd.date_range(y.index[-1], periods=horizon + 1, freq=y.index.freq)[1:]

    def _check_fitted(self) -> None:
        if not hasattr(self, "y_"):
            raise DataError(f"{type(self).__name__} must be fitted before predicting: call fit(y).")


class Naive(_Model):
    """Baseline: every future period sells what the last period sold.

    The interval uses the spread of last period's changes, growing with the square root of
    the horizon (a random walk).

    >>> idx = pd.date_range("2024-01-01", periods=4, freq="W-MON")
    >>> y = pd.Series([10.0, 12, 11, 13], index=idx)
    >>> Naive().fit(y).predict(2)["forecast"].tolist()
    [13.0, 13.0]
    """

    def fit(self, y: pd.Series, exog: pd.DataFrame | None = None) -> Naive:
        self.y_ = _check_series(y, min_length=2)
        self.sigma_ = float(np.std(np.diff(self.y_.to_numpy()), ddof=1)) if len(y) > 2 else 0.0
        return self

    def predict(
        self, horizon: int, exog: pd.DataFrame | None = None, level: float = 0.9
    ) -> pd.DataFrame:
        self._check_fitted()
        horizon, level = _check_positive_int(horizon, "horizon"), _check_level(level)
        steps = np.arange(1, horizon + 1)
        mean = np.full(horizon, self.y_.iloc[-1])
        return _interval_frame(self._future(horizon), mean, self.sigma_ * np.sqrt(steps), level)


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
        m = _check_positive_int(self.season_length, "season_length")
        self.y_ = _check_series(y, min_length=m + 1)
        values = self.y_.to_numpy()
        errors = values[m:] - values[:-m]
        self.sigma_ = float(np.std(errors, ddof=1)) if len(errors) > 1 else 0.0
        return self

    def predict(
        self, horizon: int, exog: pd.DataFrame | None = None, level: float = 0.9
    ) -> pd.DataFrame:
        self._check_fitted()
        horizon, level = _check_positive_int(horizon, "horizon"), _check_level(level)
        m = self.season_length
        last_season = self.y_.to_numpy()[-m:]
        steps = np.arange(horizon)
        mean = last_season[steps % m]
        sd = self.sigma_ * np.sqrt(steps // m + 1)
        return _interval_frame(self._future(horizon), mean, sd, level)


class ETS(_Model):
    """Exponential smoothing (Holt-Winters, ETS) with additive errors, via statsmodels' ETSModel.

    Parameters
    ----------
    trend : {"add", None}, default "add"
        A trend, damped by default so that it does not run away on long horizons.
    damped_trend : bool, default True
    seasonal : {"add", None}, default "add"
    season_length : int, default 52
        Needs at least two full seasons of history.

    Examples
    --------
    >>> idx = pd.date_range("2020-01-06", periods=40, freq="W-MON")
    >>> noise = np.random.default_rng(0).normal(0, 1, 40)
    >>> y = pd.Series(100 + 10 * np.sin(np.arange(40) * np.pi / 2) + noise, index=idx)
    >>> ETS(season_length=4).fit(y).predict(3).shape
    (3, 3)
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

        m = _check_positive_int(self.season_length, "season_length")
        need = 2 * m if self.seasonal else 3
        self.y_ = _check_series(y, min_length=need)
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
        self, horizon: int, exog: pd.DataFrame | None = None, level: float = 0.9
    ) -> pd.DataFrame:
        self._check_fitted()
        horizon, level = _check_positive_int(horizon, "horizon"), _check_level(level)
        n = len(self.y_)
        frame = self.result_.get_prediction(start=n, end=n + horizon - 1).summary_frame(
            alpha=1 - level
        )
        out = pd.DataFrame(
            {"forecast": frame["mean"], "lower": frame["pi_lower"], "upper": frame["pi_upper"]}
        )
        out.index = self._future(horizon)
        return out


class SARIMAX(_Model):
    """Regression with ARIMA errors, via statsmodels' SARIMAX.

    Sales = constant + trend + yearly Fourier waves + effects of the known inputs (promotions,
    ad spend, holidays...) + ARIMA noise. The known inputs come from ``exog`` (its columns, or
    those named in ``columns``) and must be given for the future periods too.

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
        The fitted model (``result_.summary()`` shows every coefficient).

    Examples
    --------
    >>> idx = pd.date_range("2020-01-06", periods=60, freq="W-MON")
    >>> X = pd.DataFrame({"promo": np.arange(60) % 5 == 0}, index=idx).astype(float)
    >>> y = pd.Series(100 + 30 * X["promo"] + np.random.default_rng(0).normal(0, 2, 60), index=idx)
    >>> model = SARIMAX(fourier=0, trend=False).fit(y, X)
    >>> bool(abs(effects(model).loc["promo", "effect"] - 30) < 3)
    True
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

    def _design(
        self, index: pd.DatetimeIndex, exog: pd.DataFrame | None, what: str
    ) -> pd.DataFrame:
        parts = {}
        if self.order[1] == 0:
            parts["constant"] = np.ones(len(index))
            if self.trend:
                # In years since the start: a coefficient of a size like the others helps the fit.
                parts["trend"] = ((index - self.y_.index[0]) / pd.Timedelta(days=1)) / 365.25
        days = (index - pd.Timestamp("2000-01-01")) / pd.Timedelta(days=1)
        for k in range(1, int(self.fourier) + 1):
            angle = 2 * np.pi * k * np.asarray(days) / self.period_days
            parts[f"sin{k}"] = np.sin(angle)
            parts[f"cos{k}"] = np.cos(angle)
        design = pd.DataFrame(parts, index=index)
        if self.columns is not None or exog is not None:
            if exog is None:
                raise DataError(
                    f"this SARIMAX uses the inputs {list(self.columns)} but no exog was given; "
                    "pass exog= (the X of prepare_series)."
                )
            rows = _check_exog(exog, index, what)
            if self.columns is not None:
                check_columns(rows, list(self.columns), role="exog column")
                rows = rows[list(self.columns)]
            design = pd.concat([design, rows], axis=1)
        return design

    def fit(self, y: pd.Series, exog: pd.DataFrame | None = None) -> SARIMAX:
        from statsmodels.tsa.statespace.sarimax import SARIMAX as _StatsmodelsSARIMAX

        self.y_ = _check_series(y, min_length=10)
        design = self._design(self.y_.index, exog, "the history")
        if design.shape[1] and np.linalg.matrix_rank(design.to_numpy()) < design.shape[1]:
            raise DataError(
                "some inputs of the SARIMAX are constant or copies of each other over the history "
                f"({', '.join(design.columns)}); drop the redundant ones with columns=."
            )
        model = _StatsmodelsSARIMAX(
            self.y_, exog=design if design.shape[1] else None, order=tuple(self.order)
        )
        # Powell's method converges reliably and fast here: the regression effects start at
        # their least-squares values and only the noise parameters move much.
        self.result_ = model.fit(method="powell", disp=False)
        self.exog_names_ = list(design.columns)
        return self

    def predict(
        self, horizon: int, exog: pd.DataFrame | None = None, level: float = 0.9
    ) -> pd.DataFrame:
        self._check_fitted()
        horizon, level = _check_positive_int(horizon, "horizon"), _check_level(level)
        index = self._future(horizon)
        design = self._design(index, exog, "the forecast horizon")
        frame = self.result_.get_forecast(
            steps=horizon, exog=design if design.shape[1] else None
        ).summary_frame(alpha=1 - level)
        out = pd.DataFrame(
            {
                "forecast": frame["mean"],
                "lower": frame["mean_ci_lower"],
                "upper": frame["mean_ci_upper"],
            }
        )
        out.index = index
        return out


def _one_blas_thread():
    """Limit BLAS to one thread while fitting: these problems are tiny, and on a busy machine
    BLAS threads waiting for each other made each fit several times slower. Scoped to the
    fits, so nothing global changes."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def _as_model(spec: object, season_length: int, name: str) -> _Model:
    if isinstance(spec, str):
        known = {"naive": Naive, "seasonal_naive": SeasonalNaive}
        if spec not in known:
            raise DataError(
                f"model {name!r} is the text {spec!r}; use 'naive', 'seasonal_naive' or a model "
                "object such as ETS() or SARIMAX()."
            )
        return Naive() if spec == "naive" else SeasonalNaive(season_length)
    if not (hasattr(spec, "fit") and hasattr(spec, "predict")):
        raise DataError(
            f"model {name!r} is a {type(spec).__name__}; give a model object with fit and predict "
            "(Naive(), SeasonalNaive(), ETS(), SARIMAX()) or 'naive' / 'seasonal_naive'."
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
        ahead), ``actual``, ``forecast``, ``lower``, ``upper``, ``error`` (actual - forecast)
        and ``scale`` (the fold's MASE scale: the in-sample error of the seasonal naive
        rule on the training data; missing when that history repeats itself exactly).
    level : float
        The level of the intervals.
    """

    forecasts: pd.DataFrame
    level: float

    def _score(self, by: list[str]) -> pd.DataFrame:
        f = self.forecasts.assign(
            abs_error=lambda d: d["error"].abs(),
            sq_error=lambda d: d["error"] ** 2,
            ape=lambda d: (d["error"] / d["actual"]).abs() * 100.0,
            scaled=lambda d: d["error"].abs() / d["scale"],
            inside=lambda d: ((d["actual"] >= d["lower"]) & (d["actual"] <= d["upper"])) * 100.0,
        )
        grouped = f.groupby(by, sort=False)
        table = pd.DataFrame(
            {
                "MAE": grouped["abs_error"].mean(),
                "RMSE": np.sqrt(grouped["sq_error"].mean()),
                "MAPE (%)": grouped["ape"].mean(),
                "MASE": grouped["scaled"].mean(),
                "coverage (%)": grouped["inside"].mean(),
            }
        )
        return table

    @property
    def metrics(self) -> pd.DataFrame:
        """One row per model, best MASE first: MAE, RMSE, MAPE (%), MASE, coverage (%)."""
        return self._score(["model"]).sort_values("MASE")

    @property
    def by_fold(self) -> pd.DataFrame:
        """MASE of each model (columns) on each fold (rows, by origin)."""
        table = self._score(["origin", "model"])["MASE"].unstack("model")
        return table[list(self.forecasts["model"].unique())]

    @property
    def by_horizon(self) -> pd.DataFrame:
        """MAE of each model (columns) by forecast step (rows: 1 = one period ahead)."""
        table = self._score(["step", "model"])["MAE"].unstack("model")
        return table[list(self.forecasts["model"].unique())]


def backtest(
    y: pd.Series,
    models: Mapping[str, object],
    horizon: int = 13,
    n_folds: int = 4,
    season_length: int = 52,
    exog: pd.DataFrame | None = None,
    level: float = 0.9,
    step: int | None = None,
) -> BacktestResult:
    """Rolling-origin evaluation: refit every model at several origins, forecast, score.

    The last fold ends with the last observation; each earlier origin is ``step`` periods
    before the next one. At an origin a model is fitted on the data strictly before it (a
    copy of the model, so the caller's objects stay unfitted) and forecasts ``horizon``
    periods; the known inputs ``exog`` of those periods are given to it, their sales never.

    Parameters
    ----------
    y : pandas.Series
        Sales indexed by date with a frequency (see :func:`prepare_series`).
    models : dict
        Name -> model: ``"naive"``, ``"seasonal_naive"``, or an object with ``fit(y, exog)``
        and ``predict(horizon, exog, level)`` (:class:`Naive`, :class:`SeasonalNaive`,
        :class:`ETS`, :class:`SARIMAX`).
    horizon : int, default 13
        Periods forecast at each origin (13 weeks = a quarter).
    n_folds : int, default 4
        Number of origins.
    season_length : int, default 52
        Season of the MASE scale and of ``"seasonal_naive"``. The first training window must
        hold two seasons.
    exog : pandas.DataFrame, optional
        Known inputs indexed by date, covering ``y``'s dates (for SARIMAX).
    level : float, default 0.9
        Level of the prediction intervals.
    step : int, optional
        Periods between origins; ``horizon`` by default (folds that do not overlap).

    Returns
    -------
    BacktestResult
        ``.forecasts`` (tidy, one row per model, fold and date), and the tables ``.metrics``,
        ``.by_fold`` and ``.by_horizon``.

    Examples
    --------
    >>> idx = pd.date_range("2020-01-06", periods=40, freq="W-MON")
    >>> y = pd.Series(np.tile([10.0, 20, 30, 20], 10) + np.arange(40), index=idx)
    >>> bt = backtest(y, {"naive": "naive", "seasonal": "seasonal_naive"}, horizon=4,
    ...               n_folds=2, season_length=4)
    >>> bt.metrics["MASE"].round(2).to_dict()
    {'seasonal': 1.0, 'naive': 1.75}
    """
    horizon = _check_positive_int(horizon, "horizon")
    n_folds = _check_positive_int(n_folds, "n_folds")
    season_length = _check_positive_int(season_length, "season_length")
    step = horizon if step is None else _check_positive_int(step, "step")
    level = _check_level(level)
    y = _check_series(y)
    if not isinstance(models, Mapping) or not models:
        raise DataError("models must be a non-empty dict: name -> model, e.g. {'naive': 'naive'}.")
    specs = {str(name): _as_model(spec, season_length, str(name)) for name, spec in models.items()}
    if exog is not None:
        exog = _check_exog(exog, y.index, "the history")
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
                )
            )
    return BacktestResult(forecasts=pd.concat(rows, ignore_index=True), level=level)


def _backtest_fold(y, exog, specs, origin, fold, horizon, season_length, level):
    """Fit every model on the data before ``origin`` and score its forecasts."""
    rows = []
    train = y.iloc[:origin]
    actual = y.iloc[origin : origin + horizon]
    history = train.to_numpy()
    scale = float(np.mean(np.abs(history[season_length:] - history[:-season_length])))
    scale = scale if scale > 0 else np.nan  # a history that repeats exactly: no MASE
    train_exog = None if exog is None else exog.iloc[:origin]
    future_exog = None if exog is None else exog.iloc[origin : origin + horizon]
    for name, spec in specs.items():
        model = copy.deepcopy(spec)
        uses_exog = getattr(model, "uses_exog", False)
        model.fit(train, train_exog if uses_exog else None)
        predicted = model.predict(horizon, future_exog if uses_exog else None, level=level)
        rows.append(
            pd.DataFrame(
                {
                    "model": name,
                    "fold": fold,
                    "origin": actual.index[0],
                    "date": actual.index,
                    "step": np.arange(1, horizon + 1),
                    "actual": actual.to_numpy(),
                    "forecast": predicted["forecast"].to_numpy(),
                    "lower": predicted["lower"].to_numpy(),
                    "upper": predicted["upper"].to_numpy(),
                }
            )
        )
        rows[-1]["error"] = rows[-1]["actual"] - rows[-1]["forecast"]
        rows[-1]["scale"] = scale
    return rows


def forecast(
    y: pd.Series,
    model: object,
    horizon: int = 13,
    exog: pd.DataFrame | None = None,
    level: float = 0.9,
) -> pd.DataFrame:
    """Fit ``model`` on the whole series and forecast the next ``horizon`` periods.

    Parameters
    ----------
    y : pandas.Series
        Sales indexed by date with a frequency (see :func:`prepare_series`).
    model : model object or str
        As in :func:`backtest`. It is fitted in place, so its ``result_`` can be read after.
    horizon : int, default 13
    exog : pandas.DataFrame, optional
        Known inputs for the history *and* the ``horizon`` future dates (see
        :func:`future_dates`); a missing future row raises a DataError.
    level : float, default 0.9
        Level of the prediction interval.

    Returns
    -------
    pandas.DataFrame
        Indexed by the future dates: ``forecast``, ``lower``, ``upper``.

    Examples
    --------
    >>> idx = pd.date_range("2020-01-06", periods=12, freq="W-MON")
    >>> y = pd.Series(np.tile([10.0, 20, 30, 20], 3), index=idx)
    >>> forecast(y, SeasonalNaive(season_length=4), horizon=2)["forecast"].tolist()
    [10.0, 20.0]
    """
    y = _check_series(y)
    horizon = _check_positive_int(horizon, "horizon")
    level = _check_level(level)
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

    season_length = _check_positive_int(season_length, "season_length")
    if season_length < 2:
        raise DataError("season_length must be at least 2 for a seasonal decomposition.")
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
# Effects and what-ifs of a fitted SARIMAX
# --------------------------------------------------------------------------------------


def _fitted_sarimax(model: object) -> SARIMAX:
    if not isinstance(model, SARIMAX) or not hasattr(model, "result_"):
        raise DataError(
            "effects and what_if need a fitted SARIMAX: fit it first, e.g. with "
            "forecast(y, model, exog=X) or model.fit(y, X)."
        )
    return model


def effects(model: SARIMAX, level: float = 0.9) -> pd.DataFrame:
    """Estimated effect of each known input of a fitted SARIMAX, with its confidence interval.

    Returns a DataFrame indexed by input name (user inputs only, not the constant, trend
    and Fourier terms): ``effect`` (units per unit of the input, e.g. per promotion week),
    ``lower``, ``upper``, ``p_value``. See the example of :class:`SARIMAX`.
    """
    model = _fitted_sarimax(model)
    level = _check_level(level)
    result = model.result_
    internal = {"constant", "trend"} | {f"{w}{k}" for k in range(1, 100) for w in ("sin", "cos")}
    names = [c for c in model.exog_names_ if c not in internal]
    ci = result.conf_int(alpha=1 - level)
    return pd.DataFrame(
        {
            "effect": result.params[names],
            "lower": ci.loc[names, 0],
            "upper": ci.loc[names, 1],
            "p_value": result.pvalues[names],
        }
    )


def what_if(
    model: SARIMAX, exog_base: pd.DataFrame, exog_alt: pd.DataFrame, level: float = 0.9
) -> pd.DataFrame:
    """Extra units sold over a plan's periods if the known inputs change, with uncertainty.

    In a regression with ARIMA errors, changing the inputs moves the forecast by the change
    times the effects; the interval comes from the effects' covariance.

    Parameters
    ----------
    model : SARIMAX
        A fitted SARIMAX.
    exog_base, exog_alt : pandas.DataFrame
        The planned inputs and the alternative plan, same dates and columns.
    level : float, default 0.9

    Returns
    -------
    pandas.DataFrame
        One row: ``extra units`` (total over the periods), ``lower``, ``upper``.
    """
    model = _fitted_sarimax(model)
    level = _check_level(level)
    for name, frame in (("exog_base", exog_base), ("exog_alt", exog_alt)):
        if not isinstance(frame, pd.DataFrame):
            raise DataError(f"{name} must be a DataFrame of planned inputs.")
    if not exog_base.index.equals(exog_alt.index) or list(exog_base.columns) != list(
        exog_alt.columns
    ):
        raise DataError("exog_base and exog_alt must have the same dates and the same columns.")
    table = effects(model, level)
    check_columns(exog_base, list(table.index), role="exog column")
    check_numeric(exog_base, list(table.index))
    check_numeric(exog_alt, list(table.index))
    change = (exog_alt[table.index].astype(float) - exog_base[table.index].astype(float)).sum()
    names = list(table.index)
    cov = model.result_.cov_params().loc[names, names].to_numpy()
    d = change.to_numpy()
    extra = float(d @ table["effect"].to_numpy())
    sd = float(np.sqrt(max(d @ cov @ d, 0.0)))
    z = stats.norm.ppf(0.5 + level / 2)
    return pd.DataFrame(
        {"extra units": [extra], "lower": [extra - z * sd], "upper": [extra + z * sd]}
    )


# --------------------------------------------------------------------------------------
# Stock decisions
# --------------------------------------------------------------------------------------


def _check_service_level(service_level: float) -> float:
    if not isinstance(service_level, float | int) or not 0 < service_level < 1:
        raise DataError(
            f"service_level must be a probability such as 0.95 (95 % of periods without "
            f"stock-out), got {service_level!r}."
        )
    return float(service_level)


def safety_stock(errors: object, service_level: float = 0.95) -> float:
    """Stock to hold above the forecast so that demand is covered in ``service_level`` of periods.

    Uses the forecast errors (actual - forecast, e.g. from a backtest): z x their standard
    deviation, with z the normal quantile of the service level (1.645 for 95 %).

    >>> round(safety_stock([-10, 0, 10, 20, -20], service_level=0.95), 1)
    26.0
    """
    service_level = _check_service_level(service_level)
    try:
        values = np.asarray(errors, dtype=float).ravel()
    except (TypeError, ValueError):
        raise DataError("errors must hold numbers (actual - forecast).") from None
    values = values[~np.isnan(values)]
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
        A forecast (e.g. from :func:`forecast`), one row per period; not modified.
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
    check_numeric(forecast_table, [column])
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
        if not isinstance(value, float | int) or value <= 0:
            raise DataError(f"{name} must be a positive amount per unit, got {value!r}.")
    return float(underage_cost / (underage_cost + overage_cost))


def stock_costs(
    actual: object, stocked: object, underage_cost: float, overage_cost: float
) -> pd.Series:
    """What a stock plan would have cost against actual demand.

    Returns a Series: ``units short`` (demand not served), ``units left over``,
    ``periods with stock-out``, ``cost`` (short x underage_cost + left over x overage_cost).

    >>> stock_costs([100, 80], [90, 100], underage_cost=5.0, overage_cost=1.0).to_dict()
    {'units short': 10.0, 'units left over': 20.0, 'periods with stock-out': 1, 'cost': 70.0}
    """
    critical_service_level(underage_cost, overage_cost)  # checks both costs
    demand, stock = _pair(actual, stocked)
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


def plot_backtest(result: BacktestResult, models: Sequence[str] | None = None, ax=None):
    """Actual sales and each model's forecasts on the backtest folds; returns the Axes."""
    import matplotlib.pyplot as plt

    if not isinstance(result, BacktestResult):
        raise DataError("plot_backtest needs the result of backtest(...).")
    frame = result.forecasts
    names = list(frame["model"].unique()) if models is None else list(models)
    unknown = [m for m in names if m not in set(frame["model"])]
    if unknown:
        raise DataError(f"no model named {unknown[0]!r} in the backtest; the models are {names}.")
    if ax is None:
        _, ax = plt.subplots()
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
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_forecast(y: pd.Series, forecast_table: pd.DataFrame, history: int = 104, ax=None):
    """The last ``history`` periods of ``y``, the forecast and its interval (a fan).

    Returns the Axes. See :func:`forecast` for ``forecast_table``.
    """
    import matplotlib.pyplot as plt

    y = _check_series(y, min_length=1)
    check_frame(forecast_table, name="forecast_table")
    check_columns(forecast_table, ["forecast", "lower", "upper"], role="forecast column")
    if ax is None:
        _, ax = plt.subplots()
    recent = y.iloc[-history:]
    ax.plot(recent.index, recent.to_numpy(), color="black", lw=1.2, label="sales")
    ax.plot(forecast_table.index, forecast_table["forecast"], color="C0", lw=1.8, label="forecast")
    ax.fill_between(
        forecast_table.index,
        forecast_table["lower"],
        forecast_table["upper"],
        color="C0",
        alpha=0.25,
        label="prediction interval",
    )
    ax.set(title="Forecast with its prediction interval", xlabel="", ylabel="units")
    ax.legend(loc="upper left", fontsize="small")
    return ax
