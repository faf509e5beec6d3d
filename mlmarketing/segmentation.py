"""Customer segments (personas) with K-Means, their profiles, and a stratified test campaign.

Used by ``01-02-market-targeting.ipynb``. Every helper takes the *names* of the columns to use
and works on any customer table with numeric columns.

- :func:`choose_k` fits K-Means for several numbers of segments and reports the inertia (for the
  elbow) and the silhouette; :func:`plot_choose_k` draws both;
- :func:`segment_customers` prepares the columns (missing values filled, extreme values capped,
  scaled) and fits K-Means; the centres come back in the columns' own units;
- :func:`profile_segments` describes each segment against the average customer (as ratios:
  "2.3× more add-to-carts"), :func:`segment_highlights` says in one line what stands out,
  :func:`match_personas` gives each segment the persona its profile fits (a rule, so any number
  of segments works), and :func:`plot_segment_profiles` draws the ratios as a heat map;
- :func:`add_region_stats` joins a table of regional statistics on the region code;
- :func:`sample_allocation` and :func:`campaign_sample` draw the test campaign: a random sample
  stratified by segment, split into arms (creatives) of equal size.

How the columns are prepared for K-Means (the same in :func:`choose_k` and
:func:`segment_customers`, shown by ``Segmentation.preparation``):

- missing values are filled with the column's median (``missing="raise"`` refuses them instead);
- values below the 1st or above the 99th percentile are capped there (``clip=None`` keeps them):
  one session left open for two days must not get a segment of its own;
- every column is then scaled to mean 0 and standard deviation 1, so that minutes and shares
  weigh the same; a column with a single value cannot be scaled and is refused.

K-Means runs on one processor thread: on a busy shared machine (a classroom server, CI) several
threads make it several times slower, and one thread segments a million customers in seconds.
From 200,000 customers :func:`segment_customers` keeps the best of 3 starts instead of 10.
(scikit-learn's mini-batch K-Means is available with ``method="minibatch"``; on a million
customers it is slower here than full K-Means, which converges in a few passes.)
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from mlmarketing._errors import DataError
from mlmarketing._validation import (
    as_binary,
    check_columns,
    check_frame,
    check_level,
    check_numeric,
    check_positive_int,
    is_yes_no,
    looks_like_id,
    new_axes,
    read_ids,
    read_yes_no,
)

__all__ = [
    "Segmentation",
    "add_region_stats",
    "campaign_sample",
    "choose_k",
    "compare_selections",
    "plot_choose_k",
    "plot_segment_profiles",
    "profile_segments",
    "sample_allocation",
    "segment_customers",
    "match_personas",
    "segment_highlights",
]

_FEWER_STARTS_ROWS = 200_000  # from here, "auto" keeps the best of 3 K-Means starts, not 10
_SILHOUETTE_SAMPLE = 2_000  # the silhouette compares every pair (slow): computed on a sample


def _one_thread() -> Any:
    """K-Means on one OpenMP thread (see the module notes)."""
    return threadpool_limits(limits=1)


# --------------------------------------------------------------------------------------------
# Preparing the columns
# --------------------------------------------------------------------------------------------


def _feature_list(df: pd.DataFrame, features: str | Sequence[str] | None) -> list[str]:
    """The feature columns: never an identifier (the rulebook's ``looks_like_id``)."""
    if features is None:
        features = [
            c for c in df.columns
            if pd.api.types.is_numeric_dtype(df[c]) and not looks_like_id(df[c], c)
        ]
        if not features:
            raise DataError(
                "the table has no numeric column to segment on (identifiers are left out). Pass "
                "features=[...] with the names of numeric columns (visits, minutes, orders...)."
            )
        return features
    if isinstance(features, str):
        features = [features]
    features = list(features)
    if not features:
        raise DataError("features is empty: name at least one numeric column to segment on.")
    if len(set(features)) != len(features):
        twice = [f for f in features if features.count(f) > 1][0]
        raise DataError(f"feature {twice!r} is listed twice in features; list each column once.")
    features = check_columns(df, features, role="feature")
    for column in features:
        if looks_like_id(df[column], column):
            raise DataError(
                f"feature {column!r} is an identifier (named like one, or unique per customer): it "
                "says nothing about behaviour and is never a feature. Remove it from features."
            )
    return features


def _numbers(df: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """The features as a float table, refusing text, all-missing and infinite values.

    Booleans and yes/no text (Oui/Non, Vrai/Faux...: the rulebook's ``read_yes_no``) are 0/1.
    """
    yes_no = [
        c for c in features
        if not pd.api.types.is_numeric_dtype(df[c]) and is_yes_no(df[c])
    ]
    others = [c for c in features if c not in yes_no]
    for column in others:
        if isinstance(df[column].dtype, pd.CategoricalDtype):
            raise DataError(
                f"feature {column!r} is a category, not a number. K-Means needs numbers: leave it "
                "out and use it to describe the segments, or add one 0/1 column per level "
                "(pd.get_dummies)."
            )
    check_numeric(df, others)  # inf refused with the rows named; decimal commas with the fix
    X = pd.DataFrame(
        {
            c: (read_yes_no(df[c], column=c, allow_missing=True) if c in yes_no else df[c])
            .to_numpy(dtype=float, na_value=np.nan)
            for c in features
        },
        index=df.index,
    )
    for column in features:
        values = X[column].to_numpy()
        if np.isnan(values).all():
            raise DataError(f"feature {column!r} is missing for every customer; remove it from features.")
    return X


class _FillAndCap(TransformerMixin, BaseEstimator):
    """Fill missing values with the median and cap values at two quantiles, learnt in ``fit``."""

    def __init__(self, clip: tuple[float, float] | None = (0.01, 0.99)):
        self.clip = clip

    def fit(self, X: pd.DataFrame, y: Any = None) -> _FillAndCap:
        values = np.asarray(X, dtype=float)
        if hasattr(X, "columns"):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = values.shape[1]
        self.medians_ = np.nanmedian(values, axis=0)
        if self.clip is None:
            self.lower_ = np.full(values.shape[1], -np.inf)
            self.upper_ = np.full(values.shape[1], np.inf)
        else:
            self.lower_, self.upper_ = np.nanquantile(values, list(self.clip), axis=0)
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        values = np.array(X, dtype=float)
        missing = np.isnan(values)
        values[missing] = np.broadcast_to(self.medians_, values.shape)[missing]
        return np.clip(values, self.lower_, self.upper_)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        if hasattr(self, "feature_names_in_"):
            return self.feature_names_in_
        return np.asarray([f"x{k}" for k in range(self.n_features_in_)], dtype=object)


def _check_clip(clip: Any) -> tuple[float, float] | None:
    if clip is None:
        return None
    try:
        low, high = (float(q) for q in clip)
    except (TypeError, ValueError) as error:
        raise DataError(
            f"clip must be two quantiles such as (0.01, 0.99), or None, got {clip!r}."
        ) from error
    if not 0 <= low < high <= 1:
        raise DataError(f"clip must be two quantiles with 0 <= low < high <= 1, got {clip!r}.")
    return low, high


def _prepare(
    df: pd.DataFrame,
    features: str | Sequence[str] | None,
    missing: str,
    clip: Any,
    *,
    min_rows: int = 2,
) -> tuple[pd.DataFrame, _FillAndCap, pd.DataFrame]:
    """Checked features, the fitted fill-and-cap step, and the table that says what it did."""
    df = check_frame(df, min_rows=min_rows)
    features = _feature_list(df, features)
    X = _numbers(df, features)
    if missing not in ("median", "raise"):
        raise DataError(f"missing must be 'median' or 'raise', got {missing!r}.")
    n_missing = X.isna().sum()
    if missing == "raise" and n_missing.any():
        column = n_missing.idxmax()
        raise DataError(
            f"feature {column!r} has {int(n_missing[column])} missing value(s). Drop or fill those "
            "rows, or use missing='median' to fill them with the column's median."
        )
    step = _FillAndCap(clip=_check_clip(clip)).fit(X)
    prepared = step.transform(X)
    for k, column in enumerate(features):
        if np.ptp(prepared[:, k]) == 0:
            raise DataError(
                f"feature {column!r} has the same value ({prepared[0, k]:g}) for every customer "
                "once prepared: it cannot separate segments (and cannot be scaled). Remove it from "
                "features."
            )
    values = X.to_numpy()
    capped = (values < step.lower_) | (values > step.upper_)
    preparation = pd.DataFrame(
        {
            "missing filled": n_missing.to_numpy(),
            "filled with (median)": step.medians_,
            "values capped": capped.sum(axis=0),
            "lower cap": step.lower_,
            "upper cap": step.upper_,
        },
        index=pd.Index(features, name="feature"),
    )
    return X, step, preparation


def _kmeans(n_segments: int, method: str, random_state: int, n_rows: int) -> BaseEstimator:
    if method in ("auto", "kmeans"):
        starts = 3 if method == "auto" and n_rows >= _FEWER_STARTS_ROWS else 10
        return KMeans(n_clusters=n_segments, n_init=starts, random_state=random_state)
    if method == "minibatch":
        return MiniBatchKMeans(
            n_clusters=n_segments, n_init=3, batch_size=4096, random_state=random_state
        )
    raise DataError(f"method must be 'auto', 'kmeans' or 'minibatch', got {method!r}.")


def _check_k(k: Any, n_rows: int, name: str = "n_segments") -> int:
    k = check_positive_int(k, f"{name} (one segment is the whole table)", minimum=2)
    if k >= n_rows:
        raise DataError(
            f"{name} is {k} but there are only {n_rows} customers: ask for fewer segments than "
            "customers (a segment needs several customers to mean something)."
        )
    return int(k)


def _silhouette(Z: np.ndarray, labels: np.ndarray, random_state: int) -> float:
    if len(np.unique(labels)) < 2:
        return float("nan")
    size = min(len(Z), _SILHOUETTE_SAMPLE)
    return float(silhouette_score(Z, labels, sample_size=size, random_state=random_state))


# --------------------------------------------------------------------------------------------
# How many segments, and which
# --------------------------------------------------------------------------------------------


def choose_k(
    X: pd.DataFrame,
    k_range: Iterable[int] = range(2, 9),
    random_state: int = 0,
    *,
    features: Sequence[str] | None = None,
    missing: str = "median",
    clip: tuple[float, float] | None = (0.01, 0.99),
    reference: Any = None,
) -> pd.DataFrame:
    """Fit K-Means for each number of segments ``k`` and report the inertia and the silhouette.

    - **Inertia**: the sum of squared distances of the customers to their segment's centre (in
      scaled units). It always falls as ``k`` grows; the "elbow" is where it stops falling fast.
    - **Silhouette**: for each customer, how much closer it is to its own segment than to the
      next one (1 = clear-cut, 0 = on a border), averaged; higher is better. Computed on a random
      sample of at most 2,000 customers.

    The two often disagree by one: the silhouette favours a few well-separated groups, the elbow
    the point after which new segments add little. Look at both, then at the segments.

    Parameters
    ----------
    X : pandas.DataFrame
        Customers, one row each (not modified).
    k_range : iterable of int, default range(2, 9)
        The numbers of segments to try, each at least 2 and fewer than the customers.
    random_state : int, default 0
        Seed of K-Means and of the silhouette's sample.
    features : list of str, optional
        The numeric columns to use (default: every numeric column of ``X`` except identifiers).
    missing, clip
        How the columns are prepared (see :func:`segment_customers`).
    reference : array-like, optional
        Known groups of the same customers (for example the personas a simulation planted): adds
        the column ``adjusted Rand index`` (1 = the same grouping, 0 = no better than chance).

    Returns
    -------
    pandas.DataFrame
        One row per ``k``: ``inertia``, ``inertia drop %`` (fall from the previous ``k``),
        ``silhouette`` (and ``adjusted Rand index`` with ``reference``).

    Examples
    --------
    >>> df = pd.DataFrame({"visits": [1, 2, 1, 2, 20, 21, 20, 22], "carts": [0, 1, 0, 1, 5, 6, 5, 6]})
    >>> choose_k(df, k_range=[2, 3]).index.tolist()
    [2, 3]
    """
    frame, step, _ = _prepare(X, features, missing, clip)
    ks = sorted({_check_k(k, len(frame), name="every k in k_range") for k in k_range})
    if not ks:
        raise DataError("k_range is empty: give numbers of segments to try, such as range(2, 9).")
    if reference is not None:
        reference = np.asarray(reference)
        if reference.shape != (len(frame),):
            raise DataError(
                f"reference must give one group per customer ({len(frame)}), got shape {reference.shape}."
            )
    Z = StandardScaler().fit_transform(step.transform(frame))
    rows = []
    with _one_thread():
        for k in ks:
            # Three starts per k (the best kept): enough to compare k, a third of the time.
            model = KMeans(n_clusters=k, n_init=3, random_state=random_state).fit(Z)
            row = {"k": k, "inertia": float(model.inertia_)}
            row["silhouette"] = _silhouette(Z, model.labels_, random_state)
            if reference is not None:
                row["adjusted Rand index"] = adjusted_rand_score(reference, model.labels_)
            rows.append(row)
    table = pd.DataFrame(rows).set_index("k")
    drop = -100 * table["inertia"].diff() / table["inertia"].shift()
    table.insert(1, "inertia drop %", drop)
    return table


@dataclass
class Segmentation:
    """The result of :func:`segment_customers`.

    Attributes
    ----------
    labels : pandas.Series
        The segment of each customer (1 = the largest segment), same index as the table.
    centres : pandas.DataFrame
        One row per segment: ``customers`` and the centre of each feature, in the feature's own
        units (after missing values were filled and extreme values capped).
    inertia : float
        Sum of squared distances to the centres, in scaled units (as in :func:`choose_k`).
    silhouette : float
        Average silhouette (on a random sample of at most 2,000 customers).
    preparation : pandas.DataFrame
        For each feature: missing values filled and with what, values capped and the caps.
    model : sklearn.pipeline.Pipeline
        The fitted steps (fill and cap, scale, K-Means); see :meth:`predict`.
    method : str
        ``"kmeans"`` or ``"minibatch"``.
    """

    labels: pd.Series
    centres: pd.DataFrame
    inertia: float
    silhouette: float
    preparation: pd.DataFrame
    model: Pipeline
    method: str
    _order: np.ndarray

    def summary(self) -> pd.DataFrame:
        """One row per segment: ``customers``, ``share of customers`` and the centres.

        The table's ``attrs`` hold ``inertia``, ``silhouette`` and ``method``.

        >>> df = pd.DataFrame({"visits": [1, 2, 1, 20, 21, 22], "carts": [0, 1, 0, 5, 6, 5]})
        >>> segment_customers(df, ["visits", "carts"], n_segments=2).summary()["customers"].tolist()
        [3, 3]
        """
        table = self.centres.copy()
        table.insert(1, "share of customers", table["customers"] / table["customers"].sum())
        table.attrs = {"inertia": self.inertia, "silhouette": self.silhouette, "method": self.method}
        return table

    def predict(self, df: pd.DataFrame) -> pd.Series:
        """The segment of new customers (a table with the same feature columns).

        Their missing values are filled with the medians, and values capped at the caps, learnt
        when the segments were fitted.
        """
        df = check_frame(df)
        features = list(self.preparation.index)
        X = _numbers(df, check_columns(df, features, role="feature"))
        raw = self.model.predict(X)
        return pd.Series(self._order[raw], index=df.index, name="segment")


def segment_customers(
    df: pd.DataFrame,
    features: Sequence[str] | None = None,
    n_segments: int = 4,
    random_state: int = 0,
    *,
    missing: str = "median",
    clip: tuple[float, float] | None = (0.01, 0.99),
    method: str = "auto",
) -> Segmentation:
    """Group customers into ``n_segments`` segments with K-Means on scaled features.

    Parameters
    ----------
    df : pandas.DataFrame
        Customers, one row each (not modified).
    features : list of str, optional
        The numeric (or yes/no) columns that describe behaviour. Default: every numeric column
        except identifiers (an id is never a feature: passing one raises a ``DataError``). Leave
        out the columns you want to *explain* the segments with.
    n_segments : int, default 4
        Number of segments, at least 2 and fewer than the customers.
    random_state : int, default 0
        Seed: the same seed gives the same segments.
    missing : {"median", "raise"}, default "median"
        Fill missing values with the column's median (counted in ``preparation``), or refuse them.
    clip : (float, float) or None, default (0.01, 0.99)
        Cap each column at these quantiles before scaling, so that a few extreme customers do not
        pull a centre or get a segment of their own; None keeps the values as they are.
    method : {"auto", "kmeans", "minibatch"}, default "auto"
        K-Means with 10 starts (the best is kept), or mini-batch K-Means (3 starts, fitted on
        random batches of 4,096 customers). ``"auto"`` is K-Means, with 3 starts from 200,000
        customers (a million customers take seconds).

    Returns
    -------
    Segmentation
        Labels numbered 1 (largest segment) to ``n_segments``, centres in original units,
        inertia, silhouette, what was done to the columns, and the fitted model.

    Examples
    --------
    >>> df = pd.DataFrame({"visits": [1, 2, 1, 2, 20, 21, 22], "carts": [0, 1, 0, 1, 5, 6, 5]})
    >>> seg = segment_customers(df, ["visits", "carts"], n_segments=2)
    >>> seg.labels.tolist()
    [1, 1, 1, 1, 2, 2, 2]
    >>> seg.centres.round(1).to_dict("index")[2]
    {'customers': 3, 'visits': 21.0, 'carts': 5.3}
    """
    X, step, preparation = _prepare(df, features, missing, clip)
    k = _check_k(n_segments, len(X))
    estimator = _kmeans(k, method, random_state, len(X))
    model = Pipeline([("fill_and_cap", step), ("scale", StandardScaler()), ("kmeans", estimator)])
    with _one_thread():
        Z = model[:-1].fit_transform(X)
        estimator.fit(Z)
        raw = estimator.predict(Z) if isinstance(estimator, MiniBatchKMeans) else estimator.labels_
        silhouette = _silhouette(Z, raw, random_state)
    sizes = np.bincount(raw, minlength=k)
    # Number the segments by size, largest first (ties by K-Means' own order): stable, readable.
    ranking = np.lexsort((np.arange(k), -sizes))
    order = np.empty(k, dtype=int)
    order[ranking] = np.arange(1, k + 1)
    labels = pd.Series(order[raw], index=df.index, name="segment")
    centres_original = model.named_steps["scale"].inverse_transform(estimator.cluster_centers_)
    centres = pd.DataFrame(centres_original[ranking], columns=list(X.columns))
    centres.insert(0, "customers", sizes[ranking])
    centres.index = pd.Index(np.arange(1, k + 1), name="segment")
    inertia = float(((Z - estimator.cluster_centers_[raw]) ** 2).sum())
    return Segmentation(
        labels=labels,
        centres=centres,
        inertia=inertia,
        silhouette=silhouette,
        preparation=preparation,
        model=model,
        method="minibatch" if isinstance(estimator, MiniBatchKMeans) else "kmeans",
        _order=order,
    )


# --------------------------------------------------------------------------------------------
# Who is in each segment
# --------------------------------------------------------------------------------------------


def _labels(labels: Any, n: int, index: pd.Index) -> pd.Series:
    values = labels.to_numpy() if isinstance(labels, pd.Series) else np.asarray(labels)
    if values.ndim != 1 or len(values) != n:
        raise DataError(
            f"labels must give one segment per customer ({n} rows), got shape {values.shape}. "
            "Pass the labels of the same table, e.g. segment_customers(df, ...).labels."
        )
    if pd.isna(values).any():
        raise DataError(
            f"labels has {int(pd.isna(values).sum())} missing segment(s); every customer needs one."
        )
    return pd.Series(values, index=index, name="segment")


def profile_segments(
    df: pd.DataFrame,
    labels: Any,
    features: Sequence[str],
    *,
    as_ratio: bool = True,
) -> pd.DataFrame:
    """Size and profile of each segment, against the average customer.

    Parameters
    ----------
    df : pandas.DataFrame
        Customers (not modified). ``features`` may include columns that were not used to build
        the segments (revenue, age, regional income...): they describe them.
    labels : array-like
        One segment per row of ``df`` (for example ``segment_customers(...).labels``).
    features : list of str
        Numeric or True/False columns to describe (the mean of a True/False column is a share).
    as_ratio : bool, default True
        Give each segment's mean divided by the mean of all customers (2.3 = "2.3× the average",
        0.5 = half); False gives the means in the columns' own units. Missing values are left
        out of the means. A ratio to an average of 0 is missing.

    Returns
    -------
    pandas.DataFrame
        One row per segment, then ``all customers``: ``customers``, ``share of customers``, then
        one column per feature.

    Examples
    --------
    >>> df = pd.DataFrame({"carts": [1, 1, 4, 6], "newsletter": [True, False, True, True]})
    >>> profile_segments(df, [1, 1, 2, 2], ["carts", "newsletter"]).round(2).to_dict("index")[2]
    {'customers': 2.0, 'share of customers': 0.5, 'carts': 1.67, 'newsletter': 1.33}
    """
    df = check_frame(df)
    features = _feature_list(df, features)
    segments = _labels(labels, len(df), df.index)
    X = _numbers(df, features)
    means = X.groupby(segments).mean()
    overall = X.mean()
    if as_ratio:
        means = means / overall.where(overall != 0)
        overall = overall / overall.where(overall != 0)
    table = pd.concat([means, overall.to_frame("all customers").T])
    counts = segments.value_counts().reindex(means.index)
    table.insert(0, "customers", np.r_[counts.to_numpy(), len(df)].astype(float))
    table.insert(1, "share of customers", table["customers"] / len(df))
    table.index.name = "segment"
    return table


def _profile_ratios(profile: pd.DataFrame, caller: str) -> pd.DataFrame:
    """The segments' ratios to the average from a ``profile_segments`` table, checked for ``caller``."""
    if not isinstance(profile, pd.DataFrame) or "share of customers" not in profile.columns:
        raise DataError(f"{caller} needs the table returned by profile_segments(...).")
    ratios = profile.drop(columns=["customers", "share of customers"]).drop(
        index="all customers", errors="ignore"
    )
    if (ratios.dropna(how="all").stack() < 0).any():
        raise DataError(
            f"{caller} reads ratios to the average (profile_segments(..., as_ratio=True)); "
            "this table holds negative values."
        )
    return ratios


def segment_highlights(profile: pd.DataFrame, n: int = 3) -> pd.Series:
    """What stands out in each segment: its ``n`` features furthest from the average, in words.

    Parameters
    ----------
    profile : pandas.DataFrame
        A table of ratios from :func:`profile_segments` (``as_ratio=True``).
    n : int, default 3
        Features named per segment.

    Returns
    -------
    pandas.Series
        One line per segment, such as ``"carts 2.3×, recency 0.4×"`` (the most striking first,
        "×" meaning "times the average").

    Examples
    --------
    >>> profile = pd.DataFrame({"customers": [2, 2], "share of customers": [.5, .5],
    ...                         "carts": [0.25, 1.75], "visits": [1.1, 0.9]}, index=[1, 2])
    >>> segment_highlights(profile, n=1).tolist()
    ['carts 0.25×', 'carts 1.8×']
    """
    n = check_positive_int(n, "n")
    ratios = _profile_ratios(profile, "segment_highlights")
    lines = {}
    for segment, row in ratios.iterrows():
        row = row.dropna()
        # A ratio of 0 (nobody in the segment has any) stands out more than any other.
        with np.errstate(divide="ignore"):
            strength = np.abs(np.log(row.astype(float)))
        top = strength.sort_values(ascending=False, kind="stable").index[:n]
        lines[segment] = ", ".join(f"{c} {_ratio_text(row[c])}×" for c in top)
    return pd.Series(lines, name="stands out by")


def match_personas(
    profile: pd.DataFrame,
    personas: dict[str, dict[str, str]],
    *,
    min_ratio: float = 1.2,
) -> pd.DataFrame:
    """Give each segment the persona its profile fits: a rule on the profile table.

    A persona is written as the profile it expects, e.g. ``{"orders_12m": "high",
    "mobile_share": "low"}``. It *fits* a segment when every column it names is in the profile
    and is at least ``min_ratio`` times the average (``"high"``) or at most ``1 / min_ratio``
    times it (``"low"``). Each persona goes to at most one segment and each segment gets at most
    one persona: among the pairs that fit, the assignment with the largest total strength (the
    mean distance from the average, ``|log ratio|``, over the persona's columns) is kept. So the
    names follow the profiles, whatever the number or the order of the segments: a segment
    that fits no persona (a persona split in two, a new group) gets none and must be named.

    Parameters
    ----------
    profile : pandas.DataFrame
        A table of ratios from :func:`profile_segments` (``as_ratio=True``).
    personas : dict
        Persona name → ``{column: "high" or "low"}``, at least one column each.
    min_ratio : float, default 1.2
        How far from the average a column must be to count as high (``>= min_ratio``) or low
        (``<= 1 / min_ratio``); more than 1.

    Returns
    -------
    pandas.DataFrame
        One row per segment: ``persona`` (the name; missing for a segment that fits none) and
        ``evidence`` (the persona's columns with their ratios; the empty text without one).

    Examples
    --------
    >>> profile = pd.DataFrame({"customers": [6, 4], "share of customers": [.6, .4],
    ...                         "carts": [1.5, 0.25], "orders": [0.7, 1.45]}, index=[1, 2])
    >>> match_personas(profile, {"loyal": {"orders": "high"},
    ...                          "browsers": {"carts": "high", "orders": "low"}}).to_dict("list")
    {'persona': ['browsers', 'loyal'], 'evidence': ['carts 1.5×, orders 0.70×', 'orders 1.4×']}
    """
    ratios = _profile_ratios(profile, "match_personas")
    if not isinstance(min_ratio, (int, float)) or not min_ratio > 1:
        raise DataError(f"min_ratio must be a number above 1 (e.g. 1.2), got {min_ratio!r}.")
    if not isinstance(personas, dict):
        raise DataError(
            "personas must be a dict: persona name -> {column: 'high' or 'low'}, e.g. "
            "{'Loyal regulars': {'orders_12m': 'high'}}."
        )
    for name, expected in personas.items():
        if not isinstance(expected, dict) or not expected:
            raise DataError(
                f"persona {name!r} needs the profile it expects, at least one column: "
                "{column: 'high' or 'low'}."
            )
        wrong = {c: d for c, d in expected.items() if d not in ("high", "low")}
        if wrong:
            raise DataError(
                f"persona {name!r}: {wrong!r}; each column must be 'high' (above the average) "
                "or 'low' (below it)."
            )
    names = list(personas)
    segments = list(ratios.index)
    strength = np.full((len(segments), len(names)), -np.inf)
    with np.errstate(divide="ignore"):
        logs = np.log(ratios.astype(float))
    threshold = np.log(min_ratio)
    for j, name in enumerate(names):
        columns = list(personas[name])
        if not set(columns) <= set(ratios.columns):
            continue  # a column this file does not have: the persona cannot be recognised
        signs = np.array([1.0 if personas[name][c] == "high" else -1.0 for c in columns])
        distance = logs[columns].to_numpy() * signs  # > 0 on the expected side of the average
        fits = (distance >= threshold).all(axis=1)
        strength[fits, j] = distance[fits].mean(axis=1)
    found: dict[Any, str] = {}
    if np.isfinite(strength).any():
        # Pairs that do not fit get a cost no fitting pair can reach, and are dropped after.
        cost = np.where(np.isfinite(strength), -strength, 1e6)
        for i, j in zip(*linear_sum_assignment(cost), strict=True):
            if np.isfinite(strength[i, j]):
                found[segments[i]] = names[j]
    evidence = {
        segment: ", ".join(f"{c} {_ratio_text(ratios.loc[segment, c])}×" for c in personas[name])
        for segment, name in found.items()
    }
    return pd.DataFrame(
        {"persona": [found.get(s) for s in segments], "evidence": [evidence.get(s, "") for s in segments]},
        index=pd.Index(segments, name="segment"),
    )


def _ratio_text(value: float) -> str:
    return f"{value:.2f}" if value < 0.995 else f"{value:.1f}" if value < 9.95 else f"{value:.0f}"


def add_region_stats(
    df: pd.DataFrame,
    regions: pd.DataFrame,
    on: str = "region_code",
    *,
    regions_on: str | None = None,
    unknown: str = "raise",
) -> pd.DataFrame:
    """Add the statistics of each customer's region (income, activity rate...) as new columns.

    Codes are compared as text with surrounding spaces removed, and a whole number written as a
    number (``11`` or ``11.0``) reads as ``"11"``, so a code read as a number still matches.

    Parameters
    ----------
    df : pandas.DataFrame
        Customers with a region code (not modified).
    regions : pandas.DataFrame
        One row per region: the code and the statistics to add.
    on : str, default "region_code"
        The region column of ``df``.
    regions_on : str, optional
        The code column of ``regions`` (default: the same name as ``on``).
    unknown : {"raise", "keep"}, default "raise"
        What to do with customers whose code is missing or not in ``regions``: raise a
        ``DataError`` that lists them, or keep them with missing statistics (count them with
        ``result[column].isna()``).

    Returns
    -------
    pandas.DataFrame
        A copy of ``df``, same rows and order, with the columns of ``regions`` added.

    Examples
    --------
    >>> customers = pd.DataFrame({"id": [1, 2], "region_code": ["11", "53"]})
    >>> regions = pd.DataFrame({"region_code": [11, 53], "income": [27400, 22300]})
    >>> add_region_stats(customers, regions)["income"].tolist()
    [27400, 22300]
    """
    df = check_frame(df)
    regions = check_frame(regions, name="regions")
    check_columns(df, on, role="region column")
    key = on if regions_on is None else regions_on
    check_columns(regions, key, role="region code column of regions")
    if unknown not in ("raise", "keep"):
        raise DataError(f"unknown must be 'raise' or 'keep', got {unknown!r}.")
    codes = _codes(regions[key], key)
    if codes.isna().any():
        n_blank = int(codes.isna().sum())
        raise DataError(f"regions has {n_blank} row(s) without a code in {key!r}; remove them.")
    if codes.duplicated().any():
        raise DataError(
            f"region code {codes[codes.duplicated()].iloc[0]!r} appears twice in regions: each "
            "region must have one row, or the customers would be duplicated."
        )
    added = [c for c in regions.columns if c != key]
    clash = [c for c in added if c in df.columns]
    if clash:
        raise DataError(
            f"column {clash[0]!r} is both in the customers and in regions; rename or drop one."
        )
    customer_codes = _codes(df[on], on)
    known = customer_codes.isin(set(codes))
    if unknown == "raise" and not known.all():
        counts = customer_codes[~known].fillna("(missing)").value_counts()
        listed = ", ".join(f"{code!r} ({n})" for code, n in counts.head(5).items())
        raise DataError(
            f"{int((~known).sum())} customer(s) have a region code that is missing or not in "
            f"regions: {listed}. Fix the codes, add those regions, or pass unknown='keep' to keep "
            "these customers with missing statistics."
        )
    stats = regions[added].set_axis(codes.to_numpy())
    joined = stats.reindex(customer_codes.to_numpy()).set_axis(df.index)
    return pd.concat([df.copy(), joined], axis=1)


def _codes(series: pd.Series, column: str) -> pd.Series:
    """Region codes as normalised text (the rulebook's ``read_ids``): ``11``, ``11.0``, ``" 11"``."""
    codes = read_ids(series, column=column, allow_missing=True)
    return codes.where(codes.notna(), np.nan)


# --------------------------------------------------------------------------------------------
# The test campaign
# --------------------------------------------------------------------------------------------


def sample_allocation(labels: Any, n: int) -> pd.DataFrame:
    """How many customers of each segment a sample of ``n`` takes: proportional, largest remainder.

    Each segment first gets the whole part of its exact share ``n × size / total``; the
    customers left over go one each to the segments with the largest fractional parts (ties to
    the larger segment). So every segment gets its exact share rounded down or up: within one
    customer of proportional, and exactly ``n`` in all.

    Parameters
    ----------
    labels : array-like
        The segment of every customer of the population.
    n : int
        Sample size, at most the number of customers.

    Returns
    -------
    pandas.DataFrame
        One row per segment: ``customers``, ``exact share`` (``n × size / total``) and ``sampled``.

    Examples
    --------
    >>> sample_allocation(["a"] * 5 + ["b"] * 3 + ["c"] * 2, 5)["sampled"].tolist()
    [3, 1, 1]
    """
    values = labels.to_numpy() if isinstance(labels, pd.Series) else np.asarray(labels)
    segments = _labels(values, len(values), pd.RangeIndex(len(values)))
    total = len(segments)
    n = check_positive_int(n, "n (customers in the sample)")
    if n > total:
        raise DataError(
            f"a sample of {n} customers was asked from a population of {total}: sample at most "
            f"{total}, or start from more customers (e.g. keep more of the top scores)."
        )
    sizes = segments.value_counts(sort=False).sort_index()
    exact = n * sizes.to_numpy() / total
    sampled = np.floor(exact).astype(int)
    left = n - sampled.sum()
    # Largest fractional part first; ties to the larger segment, then to the first label.
    order = np.lexsort((np.arange(len(sizes)), -sizes.to_numpy(), -(exact - sampled)))
    sampled[order[:left]] += 1
    table = pd.DataFrame(
        {"customers": sizes.to_numpy(), "exact share": exact, "sampled": sampled},
        index=pd.Index(sizes.index, name="segment"),
    )
    return table


def campaign_sample(
    df: pd.DataFrame,
    labels: Any,
    n: int = 1000,
    n_arms: int = 5,
    random_state: int = 0,
    *,
    arm_names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """A random sample of ``n`` customers, stratified by segment, split into equal arms.

    The sample takes from each segment its proportional share (see :func:`sample_allocation`),
    drawn at random within the segment. The sampled customers are then dealt into ``n_arms``
    arms (creatives) of exactly ``n / n_arms`` customers, segment by segment, so that each arm
    holds each segment's customers within one of the others: the creatives are compared on the
    same mix of customers. The same ``random_state`` gives the same sample and arms.

    Parameters
    ----------
    df : pandas.DataFrame
        The customers to sample from (not modified), e.g. the top scores.
    labels : array-like
        One segment per row of ``df``.
    n : int, default 1000
        Customers in the sample; a multiple of ``n_arms``.
    n_arms : int, default 5
        Number of arms (creatives), at least 1.
    random_state : int, default 0
        Seed of the draw and of the split into arms.
    arm_names : list of str, optional
        Names of the arms (default "A", "B", ...).

    Returns
    -------
    pandas.DataFrame
        The sampled rows of ``df`` (same index and columns) with two columns added, ``segment``
        and ``arm``, sorted by arm then segment. ``result.to_csv(path, index=False)`` writes the
        file for the e-mailing tool.

    Examples
    --------
    >>> df = pd.DataFrame({"customer_id": [f"C{i}" for i in range(20)]})
    >>> plan = campaign_sample(df, [1] * 12 + [2] * 8, n=10, n_arms=2, random_state=1)
    >>> plan.groupby(["arm", "segment"]).size().tolist()
    [3, 2, 3, 2]
    """
    df = check_frame(df)
    segments = _labels(labels, len(df), df.index)
    for column in ("segment", "arm"):
        if column in df.columns and not (
            column == "segment" and (df[column].to_numpy() == segments.to_numpy()).all()
        ):
            raise DataError(
                f"the table already has a column {column!r}; rename or drop it before sampling "
                "(the sample adds its own)."
            )
    n_arms = check_positive_int(n_arms, "n_arms")
    allocation = sample_allocation(segments, n)
    if n % n_arms:
        raise DataError(
            f"{n} customers cannot be split into {n_arms} arms of equal size: choose n a multiple "
            f"of n_arms (e.g. {n - n % n_arms} or {n - n % n_arms + n_arms})."
        )
    if arm_names is None:
        if n_arms > len(string.ascii_uppercase):
            raise DataError(f"name the {n_arms} arms with arm_names=[...] (more than 26 arms).")
        arm_names = list(string.ascii_uppercase[:n_arms])
    else:
        arm_names = [str(a) for a in arm_names]
        if len(arm_names) != n_arms or len(set(arm_names)) != n_arms:
            raise DataError(f"arm_names must give {n_arms} different names, got {arm_names!r}.")
    generator = np.random.default_rng(random_state)
    codes = segments.to_numpy()
    chosen = []
    for segment, take in allocation["sampled"].items():
        members = np.flatnonzero(codes == segment)
        chosen.append(generator.choice(members, size=take, replace=False))
    positions = np.concatenate(chosen)
    # Deal the customers, segment after segment, to the arms in turn (in a random order of the
    # arms): every arm gets n / n_arms customers and each segment's share within one.
    arm_order = generator.permutation(n_arms)
    arms = np.asarray(arm_names, dtype=object)[arm_order[np.arange(len(positions)) % n_arms]]
    sample = df.iloc[positions].copy()
    sample["segment"] = codes[positions]
    sample["arm"] = arms
    arm_rank = pd.Series(range(n_arms), index=arm_names)
    sort_key = np.lexsort((np.arange(len(sample)), arm_rank[sample["arm"]].to_numpy()))
    return sample.iloc[sort_key]


# --------------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------------


def compare_selections(
    y_true: Any,
    scores: Any,
    n: int,
    *,
    level: float = 0.95,
    random_state: int = 0,
) -> pd.DataFrame:
    """The same budget for every score: the ``n`` customers each one ranks first, and their yes.

    A fair comparison of a model with a business rule: each picks its ``n`` best customers (the
    same number, so the same cost), and we count the positives (buyers) each list holds. Tied
    scores (a rule such as "days since the last visit" has many) are broken at random with
    ``random_state``, never by the order of the file. The first score is the reference; the
    interval of each difference (normal approximation of the bootstrap over customers) says
    how much of it a new sample of customers could change.

    Parameters
    ----------
    y_true : array-like
        The outcome of each customer (Yes/No, True/False or 1/0).
    scores : dict or DataFrame
        Name → one score per customer (higher = picked first). The first is the reference.
    n : int
        Customers each list contacts, at most the number of customers.
    level : float, default 0.95
        Confidence level of the intervals.
    random_state : int, default 0
        Seed of the tie-breaking order.

    Returns
    -------
    pandas.DataFrame
        One row per score: ``customers``, ``positives``, ``positive rate``, ``difference``
        (positives minus the reference's), ``difference low`` and ``difference high``.

    Examples
    --------
    >>> y = [1, 1, 0, 0, 1, 0, 0, 0]
    >>> table = compare_selections(y, {"rule": [1, 0, 1, 0, 1, 0, 0, 0],
    ...                                "model": [.9, .8, .1, .2, .7, .3, .1, .1]}, n=3)
    >>> table["positives"].tolist()
    [2, 3]
    """
    from scipy.stats import norm

    outcome = as_binary(pd.Series(np.asarray(y_true).ravel()), column="y_true").to_numpy(dtype=float)
    total = len(outcome)
    n = check_positive_int(n, "n (customers each list contacts)")
    if n > total:
        raise DataError(f"n={n} is more than the {total} customers: contact at most {total}.")
    level = check_level(level)
    items = list(scores.items()) if isinstance(scores, dict) else list(pd.DataFrame(scores).items())
    if not items:
        raise DataError("scores is empty: give at least one score, e.g. {'model': scores}.")
    tie_break = np.random.default_rng(random_state).random(total)
    chosen = {}
    for name, values in items:
        values = np.asarray(values, dtype=float).ravel()
        if len(values) != total:
            raise DataError(f"the score {name!r} has {len(values)} values for {total} customers.")
        if np.isnan(values).any():
            raise DataError(f"the score {name!r} has missing values: fill them or score every customer.")
        order = np.lexsort((tie_break, -values))
        picked = np.zeros(total, dtype=bool)
        picked[order[:n]] = True
        chosen[str(name)] = picked
    z = norm.ppf(0.5 + level / 2)
    reference = next(iter(chosen.values()))
    rows = {}
    for name, picked in chosen.items():
        per_customer = outcome * (picked.astype(float) - reference)
        difference = per_customer.sum()
        margin = z * np.sqrt(total * per_customer.var())
        positives = int(outcome[picked].sum())
        rows[name] = {
            "customers": n,
            "positives": positives,
            "positive rate": positives / n,
            "difference": difference,
            "difference low": difference - margin,
            "difference high": difference + margin,
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("score")


def plot_choose_k(table: pd.DataFrame, *, ax: Any = None) -> Any:
    """The elbow (inertia, left axis) and the silhouette (right axis) of a :func:`choose_k` table.

    Returns the inertia's Axes; the silhouette's is ``ax.right_ax``.

    >>> ax = plot_choose_k(pd.DataFrame({"inertia": [90.0, 40, 35], "silhouette": [.5, .6, .4]},
    ...                                 index=pd.Index([2, 3, 4], name="k")))
    """
    if not isinstance(table, pd.DataFrame) or not {"inertia", "silhouette"} <= set(table.columns):
        raise DataError("plot_choose_k needs the table returned by choose_k(...).")
    ax = new_axes(ax)
    ks = table.index.to_numpy()
    ax.plot(ks, table["inertia"], marker="o", color="C0", label="inertia (elbow)")
    ax.set(xlabel="number of segments k", ylabel="inertia (lower = tighter)", xticks=ks)
    right = ax.twinx()
    right.plot(ks, table["silhouette"], marker="s", color="C1", label="silhouette")
    right.set_ylabel("silhouette (higher = better separated)")
    right.grid(False)
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    ax.legend(handles=handles, loc="upper right")
    ax.set_title("How many segments?")
    ax.right_ax = right
    return ax


def plot_segment_profiles(profile: pd.DataFrame, *, names: Any = None, ax: Any = None) -> Any:
    """Heat map of a :func:`profile_segments` ratio table: above the average red, below blue.

    Colours are on a log scale (2× and 0.5× are equally strong); cells show the ratio.

    >>> ax = plot_segment_profiles(pd.DataFrame({"customers": [2, 2], "share of customers": [.5, .5],
    ...                                          "carts": [0.25, 1.75]}, index=[1, 2]))
    """
    if not isinstance(profile, pd.DataFrame) or "share of customers" not in profile.columns:
        raise DataError("plot_segment_profiles needs the table returned by profile_segments(...).")
    ratios = profile.drop(columns=["customers", "share of customers"]).drop(
        index="all customers", errors="ignore"
    )
    values = ratios.to_numpy(dtype=float)
    if (values[~np.isnan(values)] < 0).any():
        raise DataError("plot_segment_profiles draws ratios (profile_segments(..., as_ratio=True)).")
    ax = new_axes(ax)
    # A ratio of 0 (nobody in the segment has any: no car policy, no order) is real data: it is
    # drawn with the deepest blue of the scale, and written "0×".
    with np.errstate(divide="ignore"):
        strength = np.log2(values)
    finite = np.isfinite(strength)
    limit = max(float(np.abs(strength[finite]).max()), 1.0) if finite.any() else 1.0
    strength = np.where(np.isneginf(strength), -limit, strength)
    ax.imshow(strength.T, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        if not np.isnan(value):
            dark = abs(strength[i, j]) > 0.6 * limit  # white text on the deepest colours
            ax.text(i, j, f"{_ratio_text(value)}×", ha="center", va="center", fontsize="small",
                    color="white" if dark else "black")
    labels = [str(s) for s in ratios.index] if names is None else [str(names.get(s, s)) for s in ratios.index]
    ax.set_xticks(range(len(ratios.index)), labels)
    ax.set_yticks(range(len(ratios.columns)), list(ratios.columns))
    ax.grid(False)
    ax.set_title("Segment profiles (× the average customer)")
    return ax
