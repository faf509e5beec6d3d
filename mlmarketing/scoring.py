"""Binary customer scores (churn, purchase propensity, lead scoring): fit, compare, trust, act.

Used by ``02-04-churn-prediction.ipynb`` and ``01-02-market-targeting.ipynb``. Every helper
takes the *name* of the target column and works on any customer table with numeric and
categorical columns; a Yes/No, True/False, Oui/Non or 1/0 target is understood (1 = yes, the
event the score predicts: a leaver, a buyer).

- :func:`feature_roles` says how each column will be used (and why some are left out);
- :func:`compare_models` cross-validates a baseline, a logistic regression and a gradient-boosting
  model (scikit-learn pipelines: imputation, one-hot encoding, scaling) on ROC AUC, average
  precision and Brier score; :func:`fit_scoring_model` fits one on the whole table;
- :func:`evaluate_scores`, :func:`gains_table` and the ``plot_*`` helpers judge any score,
  including a business rule or the planted truth;
- :func:`odds_ratios` and :func:`score_drivers` say what drives the score;
- :func:`best_threshold` and :func:`campaign_profit` turn the score into a decision in euros,
  :func:`profit_difference` says how sure the gain over another list is, and :func:`call_list`
  scores the customers still there (target "no") for the next campaign;
- when the table is a sample richer (or poorer) in positives than the customer base it was drawn
  from, :func:`rescale_scores` turns its probabilities into the base's and :func:`base_weights`
  says how many customers of the base each row stands for (the ``weights`` of the euro helpers).

How columns are used (the same rule everywhere, shown by :func:`feature_roles`):

- numbers (and booleans) are filled with the column's median where missing, then scaled;
  infinite values are refused with the rows named;
- text columns are categories: one-hot encoded against their first level (alphabetical), a
  missing value being its own level ``"(missing)"``. A category keeps at most
  ``min(50, max(2, 5 % of the rows))`` levels (the rulebook's ``category_limit``): the most
  frequent are kept and the rarer ones grouped into one level ``"other"``, said in the ``note``
  of :func:`feature_roles`, so a 5,000-level column never becomes 5,000 columns;
- **numbers stored as text** (every non-blank value reads as a number, like ``TotalCharges`` in the
  telecom churn sample) are converted to numbers; blanks become missing and get the median.
  Numbers written with decimal commas or thousands separators (``"70,35"``, ``"1 234"``) are
  refused with the conversion to write: read the file with ``mlmarketing.read_table``;
- left out when ``features`` is not given: the target, identifiers (role ``"id"``: named like
  one, or whole numbers or short text unique per row; an id is never a predictor), all-missing
  columns and dates. Passing such a column in ``features`` raises a ``DataError``.

Tables under 100,000 rows are fitted on one processor thread: a small job gains little from
threads, and on a busy shared machine (a classroom server, CI) threads make it many times slower.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.calibration import CalibrationDisplay
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    PrecisionRecallDisplay,
    RocCurveDisplay,
    average_precision_score,
    brier_score_loss,
    roc_auc_score,
)
from sklearn.model_selection import BaseCrossValidator, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.utils import check_random_state
from threadpoolctl import threadpool_limits

from mlmarketing._errors import DataError
from mlmarketing._validation import (
    OTHER_LEVEL,
    as_binary,
    category_limit,
    check_columns,
    check_frame,
    check_level,
    check_numeric,
    check_positive_int,
    is_number_text,
    looks_like_id,
    new_axes,
)

__all__ = [
    "ThresholdChoice",
    "base_weights",
    "best_threshold",
    "call_list",
    "campaign_profit",
    "compare_models",
    "default_models",
    "evaluate_scores",
    "feature_roles",
    "fit_scoring_model",
    "gains_table",
    "odds_ratios",
    "plot_calibration",
    "plot_drivers",
    "plot_gains",
    "plot_precision_recall",
    "plot_profit_curve",
    "plot_roc",
    "profit_difference",
    "rate_by",
    "rescale_scores",
    "score_drivers",
    "top_scores",
]

MISSING_LEVEL = "(missing)"
# Below this many rows, gradient boosting runs on one thread: splitting a small job across threads
# gains little and, on a busy shared machine (a classroom server, CI), makes it many times slower.
_MANY_ROWS = 100_000
_LEFT_OUT = ("left out", "id")  # roles of the columns a model does not use


# --------------------------------------------------------------------------------------------
# Which columns, used how
# --------------------------------------------------------------------------------------------


def _as_number_if_text(series: pd.Series) -> pd.Series | None:
    """The column as numbers if every non-blank value reads as a number, else None.

    Numbers written with decimal commas or thousands separators are refused with the
    conversion to write (the rulebook's ``check_numeric`` message): they are not a category.
    """
    # Count first, then strip: a million rows hold only a few distinct values.
    counts = series.dropna().astype(str).value_counts()
    counts = counts.groupby(counts.index.str.strip()).sum()
    counts = counts[counts.index != ""]
    if counts.empty:
        return None
    readable = pd.to_numeric(pd.Series(counts.index), errors="coerce").notna().to_numpy()
    if readable.all():
        return _to_numbers(series)
    unread = pd.Series(counts.index[~readable])
    written_as_number = unread.map(is_number_text)
    if written_as_number.all():
        # Raises, naming the column and the conversion (decimal commas, thousands separators).
        check_numeric(pd.DataFrame({series.name: pd.Series(counts.index, dtype=object)}), [series.name])
    if counts[readable].sum() >= 0.9 * counts.sum():
        bad = counts.index[~readable][0]
        raise DataError(
            f"column {series.name!r} holds numbers stored as text, but also {bad!r}, which is "
            "not a number. Fix or blank those cells; if the file uses decimal commas or thousands "
            "separators, read it with mlmarketing.read_table(path), which converts them."
        )
    return None


def _to_numbers(series: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return series.astype(float)
    codes, distinct = pd.factorize(series)  # convert each distinct text once
    text = pd.Series(np.asarray(distinct, dtype=object)).astype(str).str.strip()
    numbers = pd.to_numeric(text.mask(text == ""), errors="coerce").to_numpy(dtype=float)
    return pd.Series(np.where(codes >= 0, numbers[codes], np.nan), index=series.index)


def _role(series: pd.Series, column: str, n_rows: int) -> tuple[str, str]:
    """(role, note) of one candidate feature column."""
    n_missing = int(series.isna().sum())
    if n_missing == n_rows:
        return "left out: all missing", "every value is missing"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "left out: date", "turn it into a number first, e.g. days since that date"
    numeric = pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series)
    if numeric:
        check_numeric(pd.DataFrame({column: series}), [column])  # inf refused, rows named
        converted = None
    else:
        converted = _as_number_if_text(series)
    as_read = series if converted is None else converted
    if converted is not None and (converted.dropna() % 1 == 0).all():
        as_read = converted.astype("Int64")  # whole numbers written as text: an id if unique
    if looks_like_id(as_read, column):
        return "id", "left out: an identifier is never a predictor"
    if numeric:
        note = f"{n_missing} missing filled with the median" if n_missing else ""
        return "number", note
    if converted is not None:
        blanks = int(converted.isna().sum())
        note = (
            f"converted to numbers; {blanks} blank or missing filled with the median"
            if blanks
            else ("converted to numbers")
        )
        return "number stored as text", note
    levels = int(_frame_to_text(series.to_frame(column))[column].nunique())  # 7 and "7": one
    limit = category_limit(n_rows)
    note = f"{levels} levels"
    if levels > limit:
        note += (
            f"; the {limit - 1} most frequent kept, the other {levels - limit + 1} grouped "
            f"into {OTHER_LEVEL!r} (at most {limit} levels for {n_rows:,} rows)"
        )
    if n_missing:
        note += f"; {n_missing} missing kept as the level {MISSING_LEVEL!r}"
    return "category", note


def feature_roles(df: pd.DataFrame, target: str, features: list[str] | None = None) -> pd.DataFrame:
    """How each column of ``df`` would be used to predict ``target``.

    The rule (see the module notes): numbers are filled with the median and scaled; numbers
    stored as text are converted; text is a category of at most ``min(50, max(2, 5 % of the
    rows))`` levels, the rarer levels grouped into ``"other"``; identifiers (role ``"id"``),
    dates and all-missing columns are left out.

    Parameters
    ----------
    df : pandas.DataFrame
        The customer table, one row per customer.
    target : str
        The yes/no column to predict.
    features : list of str, optional
        The columns to use. By default every column except the target, identifiers,
        all-missing columns and dates (they are listed with the reason they are left out).

    Returns
    -------
    pandas.DataFrame
        One row per column: ``column``, ``role`` (number, number stored as text, category, id,
        or left out and why) and ``note`` (missing values filled, levels grouped).

    Examples
    --------
    >>> df = pd.DataFrame({"id": [f"C{i}" for i in range(30)], "spend": [" "] + ["12.5"] * 29,
    ...                    "plan": ["A", "B"] * 15, "left": ["Yes", "No", "No"] * 10})
    >>> feature_roles(df, "left")[["column", "role"]].values.tolist()
    [['id', 'id'], ['spend', 'number stored as text'], ['plan', 'category']]
    """
    df = check_frame(df)
    check_columns(df, target, role="target column")
    explicit = features is not None
    if explicit:
        if isinstance(features, str):
            features = [features]
        columns = check_columns(df, features, role="feature")
        if target in columns:
            raise DataError(
                f"the target {target!r} is also in features: a model would just copy it. "
                "Remove it from features."
            )
    else:
        columns = [c for c in df.columns if c != target]
    rows = []
    for column in columns:
        role, note = _role(df[column], column, len(df))
        if explicit and role.startswith(_LEFT_OUT):
            reason = "it is an identifier, never a predictor" if role == "id" else (
                f"{note} ({role.removeprefix('left out: ')})"
            )
            raise DataError(
                f"feature {column!r} cannot be used: {reason}. "
                "Remove it from features (or leave features out: such columns are then skipped)."
            )
        rows.append({"column": column, "role": role, "note": note})
    table = pd.DataFrame(rows, columns=["column", "role", "note"])
    if not (~table["role"].str.startswith(_LEFT_OUT)).any():
        raise DataError(
            f"no column of the table can be used to predict {target!r}: "
            "add numeric or categorical columns describing the customers."
        )
    return table


def _prepare(df: pd.DataFrame, target: str, features: list[str] | None) -> tuple[Any, ...]:
    """Checked inputs: the feature table, the 0/1 target and a preparation step for them."""
    roles = feature_roles(df, target, features)
    y = as_binary(df[target], column=target)
    numeric = roles.loc[roles["role"].isin(["number", "number stored as text"]), "column"].tolist()
    categories = roles[roles["role"] == "category"]
    categorical = categories["column"].tolist()
    grouped = categories.loc[categories["note"].str.contains(f"grouped into {OTHER_LEVEL!r}"), "column"]
    used = [c for c in roles["column"] if c in numeric or c in categorical]
    prepare = _preprocessor(numeric, categorical, grouped.tolist(), category_limit(len(df)))
    return df[used], y, prepare


def _frame_to_float(X: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({c: _to_numbers(X[c]) for c in X.columns}, index=X.index)


def _frame_to_text(X: pd.DataFrame) -> pd.DataFrame:
    """Categories as stripped text (``7`` and ``"7"`` one level), missing values as NaN."""
    out = {}
    for column in X.columns:
        codes, distinct = pd.factorize(X[column])  # each distinct value written once
        text = np.array([str(v).strip() for v in distinct] + [np.nan], dtype=object)
        out[column] = text[codes]
    return pd.DataFrame(out, index=X.index)


def _threads(n_rows: int) -> Any:
    """One OpenMP thread for small tables (see the module notes), the default for large ones."""
    if n_rows < _MANY_ROWS:
        return threadpool_limits(limits=1)
    return contextlib.nullcontext()


def _categories(max_levels: int | None) -> Pipeline:
    # Text -> level numbers (with ``max_levels``, the rarer levels grouped into one: the rulebook's
    # category limit), then one-hot encoding on the numbers: a missing value is a level of its
    # own, sorted last so the reference is a real level; a level unseen in fit gets -1, encoded
    # as the reference.
    return Pipeline(
        [
            ("text", FunctionTransformer(_frame_to_text, feature_names_out="one-to-one")),
            (
                "levels",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=-1,
                    encoded_missing_value=np.nan,
                    max_categories=max_levels,
                    dtype=np.float64,
                ),
            ),
            ("one_hot", OneHotEncoder(drop="first", handle_unknown="ignore", sparse_output=False)),
        ]
    )


def _preprocessor(
    numeric: list[str], categorical: list[str], grouped: list[str], max_levels: int
) -> ColumnTransformer:
    """Numbers filled and scaled; categories encoded, those in ``grouped`` to ``max_levels``."""
    numbers = Pipeline(
        [
            ("to_number", FunctionTransformer(_frame_to_float, feature_names_out="one-to-one")),
            ("impute", SimpleImputer(strategy="median")),
            ("scale", StandardScaler()),
        ]
    )
    return ColumnTransformer(
        [
            ("number", numbers, numeric),
            ("category", _categories(None), [c for c in categorical if c not in grouped]),
            ("many levels", _categories(max_levels), grouped),
        ],
        verbose_feature_names_out=False,
    )


def default_models(random_state: int = 0) -> dict[str, BaseEstimator]:
    """The three models :func:`compare_models` tries by default.

    - ``"baseline: average rate"``: gives every customer the overall rate (scores nobody apart);
    - ``"logistic regression"``: a straight line on the log-odds scale, readable as odds ratios;
    - ``"gradient boosting"``: scikit-learn's histogram gradient boosting, which finds
      non-linear effects and interactions.

    >>> list(default_models())
    ['baseline: average rate', 'logistic regression', 'gradient boosting']
    """
    return {
        "baseline: average rate": DummyClassifier(strategy="prior"),
        # Newton steps: a few passes over the data, fast on tall tables of one-hot columns.
        "logistic regression": LogisticRegression(solver="newton-cholesky", max_iter=200),
        "gradient boosting": HistGradientBoostingClassifier(
            learning_rate=0.15,
            max_iter=50,
            max_depth=3,
            min_samples_leaf=40,
            random_state=random_state,
        ),
    }


def _resolve_model(model: str | BaseEstimator, random_state: int) -> BaseEstimator:
    if isinstance(model, str):
        models = default_models(random_state)
        if model not in models:
            raise DataError(
                f"unknown model {model!r}; the named models are {', '.join(map(repr, models))}, "
                "or pass a scikit-learn classifier."
            )
        return models[model]
    if isinstance(model, Pipeline):
        model = model.steps[-1][1]
    if not (
        isinstance(model, BaseEstimator)
        and is_classifier(model)
        and hasattr(model, "predict_proba")
    ):
        raise DataError(
            f"model must be a scikit-learn classifier with predict_proba (or a model name), got "
            f"{type(model).__name__}."
        )
    return clone(model)


def fit_scoring_model(
    df: pd.DataFrame,
    target: str,
    model: str | BaseEstimator = "logistic regression",
    *,
    features: list[str] | None = None,
    random_state: int = 0,
) -> Pipeline:
    """Fit a scoring model on the whole table and return it, ready to score new customers.

    Parameters
    ----------
    df : pandas.DataFrame
        The customer table (it is not modified).
    target : str
        The yes/no column to predict.
    model : str or scikit-learn classifier, default "logistic regression"
        A name from :func:`default_models` or any classifier with ``predict_proba``; it is
        placed after the preparation steps described in :func:`feature_roles`.
    features : list of str, optional
        The columns to use (default: see :func:`feature_roles`).
    random_state : int, default 0
        Seed of the named models that use randomness.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps ``"prepare"`` and ``"model"``. ``model.predict_proba(new_df)[:, 1]`` is the score
        (probability of yes) of the customers in ``new_df``, a table with the same columns.
        A category level not seen when fitting is scored like the column's reference level
        (scikit-learn warns about it).

    Examples
    --------
    >>> df = pd.DataFrame({"visits": [1, 5, 2, 8, 3, 9, 1, 7], "left": [1, 0, 1, 0, 1, 0, 0, 1]})
    >>> model = fit_scoring_model(df, "left")
    >>> model.predict_proba(df)[:, 1].shape
    (8,)
    """
    X, y, prepare = _prepare(df, target, features)
    pipeline = Pipeline([("prepare", prepare), ("model", _resolve_model(model, random_state))])
    with _threads(len(X)):
        return pipeline.fit(X, y)


def _splitter(cv: int | BaseCrossValidator, y: pd.Series, random_state: int) -> BaseCrossValidator:
    if isinstance(cv, (int, np.integer)) and not isinstance(cv, bool):
        cv = check_positive_int(cv, "cv (the number of folds)", minimum=2)
        smallest = int(min(y.sum(), len(y) - y.sum()))
        if smallest < cv:
            raise DataError(
                f"the rarer class of the target has only {smallest} customer(s), fewer than the "
                f"{cv} folds: use fewer folds (cv) or more data."
            )
        return StratifiedKFold(n_splits=int(cv), shuffle=True, random_state=random_state)
    return cv


def compare_models(
    df: pd.DataFrame,
    target: str,
    models: dict[str, str | BaseEstimator] | None = None,
    *,
    features: list[str] | None = None,
    cv: int | BaseCrossValidator = 5,
    random_state: int = 0,
    return_scores: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Compare scoring models by cross-validation on ROC AUC, average precision and Brier score.

    Each model is fitted ``cv`` times, each time on all folds but one, and judged on the fold it
    did not see (stratified folds, shuffled with ``random_state``). Each training fold is prepared
    (filled, encoded, scaled: see :func:`feature_roles`) from its own rows only, once, and every
    model is fitted on it: the numbers are those of scikit-learn's ``cross_validate`` on one
    pipeline per model, in a fraction of the time on large tables.

    Parameters
    ----------
    df : pandas.DataFrame
        The customer table (not modified).
    target : str
        The yes/no column to predict.
    models : dict, optional
        Name → classifier (or a name of :func:`default_models`). Default: the three models of
        :func:`default_models` (a baseline, a logistic regression, gradient boosting).
    features : list of str, optional
        The columns to use (default: see :func:`feature_roles`).
    cv : int or scikit-learn splitter, default 5
        Number of folds.
    random_state : int, default 0
        Seed of the folds and of the models.
    return_scores : bool, default False
        Also return the out-of-fold scores: each customer's score by the model that did not see
        them (one column per model, same index as ``df``), the honest scores for gains tables,
        calibration and thresholds.

    Returns
    -------
    pandas.DataFrame
        One row per model: ``ROC AUC`` (1 = perfect ranking, 0.5 = chance), ``ROC AUC sd`` (its
        spread over folds), ``average precision`` (area under the precision-recall curve; the
        share of yes for a useless model) and ``Brier score`` (mean squared error of the
        probabilities: lower is better). With ``return_scores``, a tuple (table, scores).

    Examples
    --------
    >>> df = pd.DataFrame({"visits": [v // 2 for v in range(40)], "left": [0, 1] * 10 + [1, 1, 0, 1] * 5})
    >>> compare_models(df, "left", cv=4).index.tolist()
    ['baseline: average rate', 'logistic regression', 'gradient boosting']
    """
    X, y, prepare = _prepare(df, target, features)
    splitter = _splitter(cv, y, random_state)
    if models is None:
        models = default_models(random_state)
    if not isinstance(models, dict) or not models:
        raise DataError("models must be a non-empty dict of name -> classifier.")
    estimators = {name: _resolve_model(model, random_state) for name, model in models.items()}
    folds: dict[str, list[dict[str, float]]] = {name: [] for name in estimators}
    scores = {name: np.full(len(X), np.nan) for name in estimators}
    y_all = y.to_numpy()
    with _threads(len(X)):
        for train, test in splitter.split(X, y_all):
            # Prepare each training fold once and fit every model on it: the same numbers as
            # one scikit-learn pipeline per model, without preparing the columns again for each.
            fold_prepare = clone(prepare).fit(X.iloc[train])
            prepared_train = fold_prepare.transform(X.iloc[train])
            prepared_test = fold_prepare.transform(X.iloc[test])
            for name, estimator in estimators.items():
                fitted = clone(estimator).fit(prepared_train, y_all[train])
                p = fitted.predict_proba(prepared_test)[:, 1]
                scores[name][test] = p
                folds[name].append(
                    {
                        "auc": roc_auc_score(y_all[test], p),
                        "ap": average_precision_score(y_all[test], p),
                        "brier": brier_score_loss(y_all[test], p),
                    }
                )
    rows = {}
    for name, results in folds.items():
        result = pd.DataFrame(results)
        rows[name] = {
            "ROC AUC": result["auc"].mean(),
            "ROC AUC sd": result["auc"].std(ddof=1),
            "average precision": result["ap"].mean(),
            "Brier score": result["brier"].mean(),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "model"
    if return_scores:
        return table, pd.DataFrame(scores, index=df.index)
    return table


def rate_by(df: pd.DataFrame, target: str, by: str) -> pd.DataFrame:
    """Share of yes (churn rate, purchase rate) in each group of column ``by``.

    Parameters
    ----------
    df : pandas.DataFrame
        The customer table (not modified).
    target : str
        The yes/no column (Yes/No, True/False or 1/0).
    by : str
        The column that defines the groups (a category, or bands made with ``pd.cut``).
        Missing values form a group of their own.

    Returns
    -------
    pandas.DataFrame
        One row per group, highest rate first: ``customers``, ``share of customers``,
        ``yes``, ``rate`` (share of yes in the group) and ``vs overall`` (rate / overall rate).

    Examples
    --------
    >>> df = pd.DataFrame({"plan": ["A", "A", "B", "B"], "left": ["Yes", "No", "No", "No"]})
    >>> rate_by(df, "left", "plan")["rate"].tolist()
    [0.5, 0.0]
    """
    df = check_frame(df)
    check_columns(df, target, role="target column")
    check_columns(df, by, role="group column")
    y = as_binary(df[target], column=target)
    groups = df[by].astype(object).where(df[by].notna(), MISSING_LEVEL)
    table = y.groupby(groups.to_numpy()).agg(customers="size", yes="sum")
    table.index.name = by
    table.insert(1, "share of customers", table["customers"] / len(df))
    table["rate"] = table["yes"] / table["customers"]
    table["vs overall"] = table["rate"] / y.mean()
    return table.sort_values("rate", ascending=False, kind="stable")


# --------------------------------------------------------------------------------------------
# Judging a score
# --------------------------------------------------------------------------------------------


def _binary(y_true: Any) -> pd.Series:
    series = (
        y_true if isinstance(y_true, pd.Series) else pd.Series(np.asarray(y_true), name="y_true")
    )
    return as_binary(series.reset_index(drop=True))


def _score_array(scores: Any, n: int, name: str = "scores") -> np.ndarray:
    values = np.asarray(scores.to_numpy() if isinstance(scores, pd.Series) else scores)
    if values.ndim != 1 or len(values) != n:
        raise DataError(
            f"{name} must hold one number per customer ({n}), got shape {values.shape}."
        )
    try:
        values = values.astype(float)
    except (TypeError, ValueError) as error:
        raise DataError(
            f"{name} must be numbers (for example model.predict_proba(X)[:, 1])."
        ) from error
    if np.isnan(values).any():
        raise DataError(
            f"{name} has {int(np.isnan(values).sum())} missing value(s); score every customer."
        )
    check_numeric(pd.DataFrame({name: values}), [name])  # inf refused, customers named
    return values


def _score_dict(scores: Any, n: int) -> dict[str, np.ndarray]:
    if isinstance(scores, pd.DataFrame):
        scores = {c: scores[c] for c in scores.columns}
    if not isinstance(scores, dict):
        name = scores.name if isinstance(scores, pd.Series) and scores.name is not None else "score"
        scores = {str(name): scores}
    return {str(k): _score_array(v, n, name=f"scores {k!r}") for k, v in scores.items()}


def evaluate_scores(y_true: Any, scores: Any) -> pd.DataFrame:
    """ROC AUC, average precision and Brier score of one or several scores.

    Use it for any score, a business rule (1 for the customers the rule picks, 0 otherwise), a
    model's out-of-fold scores or the planted probabilities, to compare them on the same scale.

    Parameters
    ----------
    y_true : array-like
        The outcome of each customer (Yes/No, True/False or 1/0).
    scores : array-like, dict or DataFrame
        One score per customer, or several (name → scores). The Brier score is given only for
        scores between 0 and 1 (probabilities).

    Returns
    -------
    pandas.DataFrame
        One row per score, columns ``ROC AUC``, ``average precision``, ``Brier score``.

    Examples
    --------
    >>> evaluate_scores([1, 0, 1, 0], {"rule": [1, 0, 0, 0]}).round(2).values.tolist()
    [[0.75, 0.75, 0.25]]
    """
    y = _binary(y_true)
    rows = {}
    for name, values in _score_dict(scores, len(y)).items():
        probability = values.min() >= 0 and values.max() <= 1
        rows[name] = {
            "ROC AUC": roc_auc_score(y, values),
            "average precision": average_precision_score(y, values),
            "Brier score": brier_score_loss(y, values) if probability else np.nan,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "score"
    return table


def gains_table(y_true: Any, scores: Any, n_bins: int = 10) -> pd.DataFrame:
    """Gains and lift: customers sorted by score and cut into ``n_bins`` groups of equal size.

    Group 1 holds the highest scores. The table answers "if we contact the top x % of scores,
    what share of all the yes (leavers, buyers) do we reach?" Tied scores are kept in their
    original order, so a score with many ties (a yes/no rule) splits them arbitrarily.

    Parameters
    ----------
    y_true : array-like
        The outcome of each customer (Yes/No, True/False or 1/0).
    scores : array-like
        One score per customer (higher = more likely yes).
    n_bins : int, default 10
        Number of groups (10 = deciles).

    Returns
    -------
    pandas.DataFrame
        One row per group: ``customers``, ``lowest score``, ``positives`` (yes in the group),
        ``positive rate``, ``cumulative % of customers``, ``cumulative % of positives`` (the
        gain) and ``lift`` (positive rate of the groups so far / overall rate).

    Examples
    --------
    >>> y = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0]
    >>> t = gains_table(y, [.9, .8, .7, .6, .5, .4, .3, .2, .1, 0], n_bins=5)
    >>> t["cumulative % of positives"].round(1).tolist()
    [66.7, 100.0, 100.0, 100.0, 100.0]
    """
    y = _binary(y_true)
    values = _score_array(scores, len(y))
    n_bins = check_positive_int(n_bins, "n_bins")
    if n_bins > len(y):
        raise DataError(
            f"n_bins must be a whole number between 1 and the number of customers ({len(y)})."
        )
    order = np.argsort(-values, kind="stable")
    sorted_y = y.to_numpy()[order]
    group = np.arange(len(y)) * n_bins // len(y) + 1
    frame = pd.DataFrame({"group": group, "y": sorted_y, "score": values[order]})
    table = frame.groupby("group").agg(
        customers=("y", "size"), **{"lowest score": ("score", "min")}, positives=("y", "sum")
    )
    table["positive rate"] = table["positives"] / table["customers"]
    table["cumulative % of customers"] = 100 * table["customers"].cumsum() / len(y)
    table["cumulative % of positives"] = 100 * table["positives"].cumsum() / sorted_y.sum()
    table["lift"] = (table["positives"].cumsum() / table["customers"].cumsum()) / sorted_y.mean()
    return table


# --------------------------------------------------------------------------------------------
# From a score to a decision in euros
# --------------------------------------------------------------------------------------------


def _check_rate(value: Any, name: str) -> float:
    if (
        not isinstance(value, (int, float, np.integer, np.floating))
        or isinstance(value, bool)
        or not 0 < value < 1
    ):
        raise DataError(
            f"{name} must be a share strictly between 0 and 1 (e.g. 0.01 for 1 %), got {value!r}."
        )
    return float(value)


def rescale_scores(scores: Any, sample_rate: float, base_rate: float | None) -> Any:
    """Probabilities learnt on a sample, rescaled to the positive rate of the whole base.

    A model fitted on a table where 27 % left, drawn from a base where 1 % leave, gives
    probabilities of the table, far too high for the base. If the table's positives and its
    negatives were each drawn at random from the base's, Bayes' rule says the odds ``p / (1 - p)``
    of every customer are off by one factor: the base's odds divided by the table's. This
    multiplies every score's odds by ``odds(base_rate) / odds(sample_rate)``; the order of the
    customers does not change.

    Parameters
    ----------
    scores : array-like or pandas.Series
        Probabilities (between 0 and 1) from a model fitted on the sample.
    sample_rate : float
        The positive rate of the table the model learnt from (for example the churn rate).
    base_rate : float or None
        The positive rate of the whole base over the same period; None = the table is the whole
        base: the scores come back unchanged.

    Returns
    -------
    pandas.Series or numpy.ndarray
        The rescaled probabilities (a Series keeps its index and name).

    Examples
    --------
    >>> rescale_scores([0.5, 0.2], sample_rate=0.5, base_rate=0.1).round(3).tolist()
    [0.1, 0.027]
    """
    is_series = isinstance(scores, pd.Series)
    values = _score_array(scores, len(scores))
    if values.size and (values.min() < 0 or values.max() > 1):
        raise DataError("scores must be probabilities between 0 and 1 to be rescaled.")
    sample_rate = _check_rate(sample_rate, "sample_rate")
    if base_rate is not None:
        base_rate = _check_rate(base_rate, "base_rate")
        factor = (base_rate / (1 - base_rate)) / (sample_rate / (1 - sample_rate))
        # p k / (p k + 1 - p) is the odds times k, back to a probability; 0 and 1 stay put.
        values = values * factor / (values * factor + 1 - values)
    return pd.Series(values, index=scores.index, name=scores.name) if is_series else values


def base_weights(y_true: Any, base_rate: float | None) -> pd.Series:
    """How many customers of the whole base each row of a sample stands for.

    A table rich in leavers (27 %) drawn from a base where 1 % leave: each leaver of the table
    stands for ``base_rate / sample rate`` customers of a base of the table's size, each other
    customer for ``(1 - base_rate) / (1 - sample rate)``. Weighted so, the table has the base's
    rate and its own number of rows: euros computed with these weights (``weights=`` of
    :func:`best_threshold`, :func:`campaign_profit`, :func:`profit_difference`) are those of a
    base of that size.

    Parameters
    ----------
    y_true : array-like
        Outcome of each customer of the table (Yes/No, True/False or 1/0).
    base_rate : float or None
        The positive rate of the whole base over the same period; None = the table is the whole
        base: every weight is 1.

    Returns
    -------
    pandas.Series
        One weight per row (the index of ``y_true`` when it is a Series).

    Examples
    --------
    >>> base_weights([1, 0, 0, 0], base_rate=0.1).round(2).tolist()
    [0.4, 1.2, 1.2, 1.2]
    """
    y = _binary(y_true).to_numpy()
    index = y_true.index if isinstance(y_true, pd.Series) else None
    weights = np.ones(len(y))
    if base_rate is not None:
        base_rate = _check_rate(base_rate, "base_rate")
        rate = float(y.mean())  # the target reader refuses a single class: 0 < rate < 1
        weights = np.where(y == 1, base_rate / rate, (1 - base_rate) / (1 - rate))
    return pd.Series(weights, index=index, name="weight")


def _weights(weights: Any, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    values = _score_array(weights, n, name="weights")
    if (values < 0).any():
        raise DataError("weights must be zero or more (how many customers each row stands for).")
    return values


def top_scores(scores: Any, n_customers: float, *, weights: Any = None) -> Any:
    """Contact the highest scores, as many customers as ``n_customers``: a list of a given size.

    Use it to compare a model with a rule at the same budget: the rule's number of contacts,
    given to the model's best scores. With ``weights`` (:func:`base_weights`) the customers are
    counted in the base, not in the table.

    Parameters
    ----------
    scores : array-like or pandas.Series
        One score per customer.
    n_customers : float
        How many customers to contact (counted with ``weights`` when given).
    weights : array-like, optional
        How many customers each row stands for; default 1 each.

    Returns
    -------
    pandas.Series or numpy.ndarray
        True for the customers contacted (a Series keeps the index of ``scores``).

    Examples
    --------
    >>> top_scores([0.2, 0.9, 0.5, 0.7], 2).tolist()
    [False, True, False, True]
    """
    values = _score_array(scores, len(scores))
    weight = _weights(weights, len(values))
    if (
        not isinstance(n_customers, (int, float, np.integer, np.floating))
        or isinstance(n_customers, bool)
        or n_customers < 0
    ):
        raise DataError(f"n_customers must be a number zero or more, got {n_customers!r}.")
    order = np.argsort(-values, kind="stable")
    chosen = np.zeros(len(values), dtype=bool)
    # A small tolerance: weighted counts are sums of floats.
    chosen[order[np.cumsum(weight[order]) <= n_customers + 1e-9]] = True
    if isinstance(scores, pd.Series):
        return pd.Series(chosen, index=scores.index, name="contacted")
    return chosen


def _money(
    offer_cost: float, value_if_retained: Any, acceptance_rate: float, n: int
) -> tuple[float, np.ndarray, float]:
    for name, value in (("offer_cost", offer_cost), ("acceptance_rate", acceptance_rate)):
        if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, bool):
            raise DataError(f"{name} must be a number, got {value!r}.")
    if offer_cost < 0:
        raise DataError(
            f"offer_cost must be zero or more (euros per customer contacted), got {offer_cost}."
        )
    if not 0 <= acceptance_rate <= 1:
        raise DataError(
            "acceptance_rate must be a share between 0 and 1 (e.g. 0.3 for 30 %), "
            f"got {acceptance_rate}."
        )
    value = np.asarray(value_if_retained, dtype=float)
    if value.ndim == 0:
        value = np.full(n, float(value))
    elif value.shape != (n,):
        raise DataError(
            f"value_if_retained must be one number, or one number per customer ({n}), "
            f"got shape {value.shape}."
        )
    # inf refused with the customers named; negative values too (a customer kept is worth >= 0).
    check_numeric(pd.DataFrame({"value_if_retained": value}), ["value_if_retained"],
                  non_negative=True, what="values")
    if np.isnan(value).any():
        raise DataError("value_if_retained must be zero or more, with no missing value.")
    return float(offer_cost), value, float(acceptance_rate)


@dataclass
class ThresholdChoice:
    """The result of :func:`best_threshold`.

    Attributes
    ----------
    threshold : float
        Contact the customers whose score is at least this (``inf`` = contact no one).
    expected_profit : float
        Expected profit of that choice, in the currency of the costs and values.
    customers_contacted : int
        How many customers that means.
    share_contacted : float
        The same as a share of all customers.
    curve : pandas.DataFrame
        Every possible threshold (one per distinct score, highest first, plus "no one") with
        ``customers contacted``, ``share contacted``, ``positives contacted``, ``expected
        successes`` and ``expected profit``.
    """

    threshold: float
    expected_profit: float
    customers_contacted: int
    share_contacted: float
    curve: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """The choice as a one-row table."""
        return pd.DataFrame(
            [
                {
                    "threshold": self.threshold,
                    "customers contacted": self.customers_contacted,
                    "share contacted": self.share_contacted,
                    "expected profit": self.expected_profit,
                }
            ],
            index=["best threshold"],
        )


def best_threshold(
    y_true: Any,
    scores: Any,
    offer_cost: float,
    value_if_retained: float | Any,
    acceptance_rate: float,
    *,
    weights: Any = None,
) -> ThresholdChoice:
    """The score threshold that maximises the expected profit of an offer.

    Contact every customer whose score is at least the threshold. Each contact costs
    ``offer_cost``; a contacted customer who would have said yes (left, bought) accepts the offer
    with probability ``acceptance_rate`` and is then worth ``value_if_retained``; a customer who
    would have said no brings nothing (the offer was not needed). So the expected profit of a
    contact list is::

        acceptance_rate × (value of the positives contacted) − offer_cost × (customers contacted)

    Use out-of-fold scores (:func:`compare_models` with ``return_scores=True``) so that the
    threshold is chosen on customers the model did not learn from. When the table is a sample
    richer in positives than the base, pass scores rescaled to the base (:func:`rescale_scores`)
    and ``weights=base_weights(y_true, base_rate)``: the threshold then reads as a probability
    in the base, and the counts and euros are those of a base of the table's size.

    Parameters
    ----------
    y_true : array-like
        Outcome of each customer (Yes/No, True/False or 1/0).
    scores : array-like
        One score per customer.
    offer_cost : float
        Cost of contacting one customer with the offer (call, discount), in euros.
    value_if_retained : float or array-like
        Value of a customer kept (or won), e.g. the margin over the coming months; one number,
        or one per customer.
    acceptance_rate : float
        Share of the contacted positives that the offer turns around, between 0 and 1.
    weights : array-like, optional
        How many customers each row stands for (:func:`base_weights`); default 1 each.

    Returns
    -------
    ThresholdChoice
        The best threshold, its expected profit and the whole profit curve.

    Examples
    --------
    >>> choice = best_threshold([1, 1, 0, 1, 0, 0], [.9, .8, .7, .6, .2, .1],
    ...                         offer_cost=10, value_if_retained=100, acceptance_rate=0.5)
    >>> choice.threshold, choice.expected_profit, choice.customers_contacted
    (0.6, 110.0, 4)
    """
    y = _binary(y_true).to_numpy()
    values = _score_array(scores, len(y))
    cost, value, rate = _money(offer_cost, value_if_retained, acceptance_rate, len(y))
    weight = _weights(weights, len(y))
    weighted = not np.array_equal(weight, np.round(weight))  # whole weights count whole customers
    order = np.argsort(-values, kind="stable")
    sorted_scores = values[order]
    gain = weight[order] * (rate * y[order] * value[order] - cost)
    # A threshold contacts every customer with that score or more: cut after the last of each tie.
    last_of_tie = np.r_[sorted_scores[1:] != sorted_scores[:-1], True]
    contacted = np.cumsum(weight[order])[last_of_tie]
    positives = np.cumsum(weight[order] * y[order])[last_of_tie]
    if not weighted:  # whole customers: keep the counts as integers
        contacted, positives = contacted.round().astype(int), positives.round().astype(int)
    curve = pd.DataFrame(
        {
            "threshold": np.r_[np.inf, sorted_scores[last_of_tie]],
            "customers contacted": np.r_[0, contacted],
            "share contacted": np.r_[0, contacted] / weight.sum(),
            "positives contacted": np.r_[0, positives],
            "expected successes": np.r_[0.0, rate * positives],
            "expected profit": np.r_[0.0, np.cumsum(gain)[last_of_tie]],
        }
    )
    best = int(np.argmax(curve["expected profit"].to_numpy()))
    row = curve.iloc[best]
    return ThresholdChoice(
        threshold=float(row["threshold"]),
        expected_profit=float(row["expected profit"]),
        customers_contacted=int(round(float(row["customers contacted"]))),
        share_contacted=float(row["share contacted"]),
        curve=curve,
    )


def campaign_profit(
    y_true: Any,
    strategies: dict[str, Any],
    offer_cost: float,
    value_if_retained: float | Any,
    acceptance_rate: float,
    *,
    weights: Any = None,
) -> pd.DataFrame:
    """Expected profit of several contact lists (the same rule as :func:`best_threshold`).

    Parameters
    ----------
    y_true : array-like
        Outcome of each customer (Yes/No, True/False or 1/0).
    strategies : dict
        Name → one True/False (or 1/0) per customer: whom that strategy contacts, for example
        ``{"everyone": np.ones(n, bool), "monthly": df["Contract"] == "Month-to-month"}``.
    offer_cost, value_if_retained, acceptance_rate
        As in :func:`best_threshold`.
    weights : array-like, optional
        How many customers each row stands for (:func:`base_weights`): counts and euros are
        then those of the base; default 1 each.

    Returns
    -------
    pandas.DataFrame
        One row per strategy: ``customers contacted``, ``positives contacted``, ``expected
        successes``, ``expected profit``.

    Examples
    --------
    >>> table = campaign_profit([1, 0, 1, 0], {"all": [1, 1, 1, 1], "none": [0, 0, 0, 0]},
    ...                         offer_cost=10, value_if_retained=100, acceptance_rate=0.5)
    >>> table["expected profit"].tolist()
    [60.0, 0.0]
    """
    y = _binary(y_true).to_numpy()
    cost, value, rate = _money(offer_cost, value_if_retained, acceptance_rate, len(y))
    if not isinstance(strategies, dict) or not strategies:
        raise DataError(
            "strategies must be a non-empty dict of name -> whom to contact "
            "(True/False per customer)."
        )
    weight = _weights(weights, len(y))
    weighted = not np.array_equal(weight, np.round(weight))  # whole weights count whole customers
    rows = {}
    for name, chosen in strategies.items():
        mask = _contacts(chosen, len(y), name)
        contacted, positives = float(weight[mask].sum()), float((weight * y)[mask].sum())
        rows[name] = {
            "customers contacted": contacted if weighted else int(round(contacted)),
            "positives contacted": positives if weighted else int(round(positives)),
            "expected successes": rate * positives,
            "expected profit": float((weight * (rate * y * value - cost))[mask].sum()),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "strategy"
    return table


def _contacts(chosen: Any, n: int, name: str) -> np.ndarray:
    mask = np.asarray(chosen.to_numpy() if isinstance(chosen, pd.Series) else chosen)
    if mask.shape != (n,) or not np.isin(mask, [0, 1]).all():
        raise DataError(
            f"strategy {name!r} must give True/False (or 1/0) for each of the {n} customers."
        )
    return mask.astype(bool)


def profit_difference(
    y_true: Any,
    strategies: dict[str, Any],
    offer_cost: float,
    value_if_retained: float | Any,
    acceptance_rate: float,
    *,
    baseline: str,
    weights: Any = None,
    level: float = 0.95,
    n_resamples: int = 2000,
    random_state: int = 0,
) -> pd.DataFrame:
    """How much more each contact list earns than ``baseline``, with a bootstrap interval.

    The expected profit is that of :func:`campaign_profit`. The interval resamples the customers
    (with replacement, ``n_resamples`` times) and keeps the middle ``level`` of the differences: it
    says how much the gain depends on which customers happened to be in the table. It does not
    cover the choice of a threshold on the same customers, nor an acceptance rate that is wrong.

    Parameters
    ----------
    y_true, strategies, offer_cost, value_if_retained, acceptance_rate
        As in :func:`campaign_profit`.
    baseline : str
        The name, in ``strategies``, of the list the others are compared with.
    weights : array-like, optional
        How many customers each row stands for (:func:`base_weights`); default 1 each. With
        unequal weights, the positives and the others are resampled separately, each keeping its
        number of rows, as a sample drawn by outcome was.
    level : float, default 0.95
        Confidence level of the interval.
    n_resamples : int, default 2000
        Bootstrap resamples.
    random_state : int, default 0
        Seed of the resampling.

    Returns
    -------
    pandas.DataFrame
        One row per strategy other than the baseline: ``profit difference`` (strategy minus
        baseline), ``low`` and ``high``.

    Examples
    --------
    >>> y = [1, 0] * 50
    >>> lists = {"all": [1] * 100, "half": [1, 0] * 50}
    >>> table = profit_difference(y, lists, 10, 100, 0.5, baseline="all")
    >>> float(table.loc["half", "profit difference"])
    500.0
    """
    y = _binary(y_true).to_numpy()
    cost, value, rate = _money(offer_cost, value_if_retained, acceptance_rate, len(y))
    level = check_level(level)
    n_resamples = check_positive_int(n_resamples, "n_resamples", minimum=100)
    if not isinstance(strategies, dict) or baseline not in strategies or len(strategies) < 2:
        raise DataError(
            "strategies must be a dict of name -> whom to contact holding the baseline "
            f"{baseline!r} and at least one other list."
        )
    weight = _weights(weights, len(y))
    gain = rate * y * value
    base = _contacts(strategies[baseline], len(y), baseline)
    generator = np.random.default_rng(random_state)
    # A sample drawn by outcome (unequal weights) fixed its number of each: resample within each.
    by_outcome = np.ptp(weight) > 0
    groups = [np.flatnonzero(y == 1), np.flatnonzero(y == 0)] if by_outcome else [np.arange(len(y))]
    rows = {}
    for name, chosen in strategies.items():
        if name == baseline:
            continue
        mask = _contacts(chosen, len(y), name)
        difference = weight * (gain - cost) * (mask.astype(float) - base.astype(float))
        totals = np.zeros(n_resamples)
        for start in range(0, n_resamples, 200):  # chunks keep the memory small on big tables
            size = min(200, n_resamples - start)
            for group in groups:
                if len(group):
                    drawn = group[generator.integers(0, len(group), size=(size, len(group)))]
                    totals[start : start + size] += difference[drawn].sum(axis=1)
        low, high = np.quantile(totals, [(1 - level) / 2, (1 + level) / 2])
        rows[name] = {"profit difference": float(difference.sum()), "low": low, "high": high}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "strategy"
    return table


def call_list(
    model: Pipeline,
    df: pd.DataFrame,
    target: str,
    threshold: float,
    *,
    customer: str | None = None,
    columns: list[str] | None = None,
    base_rate: float | None = None,
) -> pd.DataFrame:
    """The customers still there (``target`` is no) whose score is at least ``threshold``.

    A customer who already left (``target`` yes) cannot be called back with a retention offer:
    the list holds only the others, scored by ``model``, highest score first.

    Parameters
    ----------
    model : Pipeline
        A model returned by :func:`fit_scoring_model`.
    df : pandas.DataFrame
        The customer table with the model's columns and the target (not modified).
    target : str
        The yes/no column; the customers whose value is no are scored.
    threshold : float
        Keep the scores at least this (for example ``best_threshold(...).threshold``).
    customer : str, optional
        The identifier column, shown first.
    columns : list of str, optional
        Other columns to show next to the score.
    base_rate : float, optional
        When ``df`` is a sample richer (or poorer) in positives than the whole base: the base's
        rate. The scores are then rescaled from the rate of ``df`` to it (:func:`rescale_scores`),
        and ``threshold`` must be on that scale.

    Returns
    -------
    pandas.DataFrame
        The customers of the list (index of ``df``): ``customer``, ``columns`` and ``score``.

    Examples
    --------
    >>> df = pd.DataFrame({"id": list("abcdefgh"), "visits": [1, 5, 2, 8, 3, 9, 1, 7],
    ...                    "left": [1, 0, 1, 0, 1, 0, 0, 1]})
    >>> model = fit_scoring_model(df, "left", features=["visits"])
    >>> call_list(model, df, "left", 0.5, customer="id")["id"].tolist()
    ['g']
    """
    _check_fitted_pipeline(model)
    df = check_frame(df)
    check_columns(df, target, role="target column")
    shown = [c for c in [customer, *(columns or [])] if c is not None]
    shown = check_columns(df, shown, role="column to show") if shown else []
    if not isinstance(threshold, (int, float, np.integer, np.floating)) or isinstance(threshold, bool):
        raise DataError(f"threshold must be a number, got {threshold!r}.")
    outcome = as_binary(df[target], column=target).to_numpy()
    still_there = outcome == 0
    current = df[still_there]
    model_columns = check_columns(current, list(model.feature_names_in_), role="model column")
    with _threads(len(current)):
        score = model.predict_proba(current[model_columns])[:, 1]
    if base_rate is not None:
        score = rescale_scores(score, float(outcome.mean()), base_rate)
    table = current[shown].copy()
    table["score"] = score
    table = table[table["score"] >= threshold]
    return table.sort_values("score", ascending=False, kind="stable")


# --------------------------------------------------------------------------------------------
# Why: drivers of the score
# --------------------------------------------------------------------------------------------


def _check_fitted_pipeline(model: Any) -> tuple[ColumnTransformer, BaseEstimator]:
    if not (
        isinstance(model, Pipeline)
        and "prepare" in model.named_steps
        and hasattr(model, "feature_names_in_")
    ):
        raise DataError(
            "model must be a fitted model returned by fit_scoring_model(df, target, ...)."
        )
    return model.named_steps["prepare"], model.steps[-1][1]


def _design_columns(prepare: ColumnTransformer) -> list[tuple[str, str, str, float]]:
    """(column, level, compared with, scale) of each prepared column, in order."""
    rows = []
    for name, transformer, columns in prepare.transformers_:
        if name == "remainder" or len(columns) == 0:  # no column of that kind: never fitted
            continue
        if name == "number":
            scale = transformer.named_steps["scale"].scale_
            rows += [(c, "+1 unit", "", float(s)) for c, s in zip(columns, scale, strict=True)]
        else:  # "category" or "many levels"
            encoder = transformer.named_steps["one_hot"]
            levels = transformer.named_steps["levels"]
            # Without max_categories the encoder has no infrequent categories (nor the attribute).
            infrequent = (
                levels.infrequent_categories_
                if levels.max_categories is not None
                else [None] * len(columns)
            )
            for k, (column, codes, dropped) in enumerate(
                zip(columns, encoder.categories_, encoder.drop_idx_, strict=True)
            ):
                grouped = set() if infrequent[k] is None else set(infrequent[k])
                # Level numbers follow the sorted frequent levels, then "other" (if any).
                kept = [v for v in levels.categories_[k] if not pd.isna(v) and v not in grouped]
                kept += [OTHER_LEVEL] if grouped else []
                shown = [MISSING_LEVEL if np.isnan(c) else str(kept[int(c)]) for c in codes]
                reference = shown[dropped] if dropped is not None else ""
                rows += [
                    (column, level, reference, 1.0)
                    for j, level in enumerate(shown)
                    if dropped is None or j != dropped
                ]
    return rows


def _independent_columns(design: np.ndarray) -> tuple[list[int], dict[int, np.ndarray]]:
    """Columns kept in order, each unless the intercept and the kept ones determine it.

    Returns the kept positions and, for each left-out one, its coefficients on (intercept,
    kept columns): perfectly collinear dummies (the "No internet service" of every internet
    option) cannot all be estimated.
    """
    full = np.column_stack([np.ones(len(design)), design])
    gram = full.T @ full
    kept = [0]
    left_out: dict[int, np.ndarray] = {}
    for j in range(1, full.shape[1]):
        block = gram[np.ix_(kept, kept)]
        coef = np.linalg.lstsq(block, gram[kept, j], rcond=None)[0]
        residual = gram[j, j] - gram[kept, j] @ coef
        if residual <= 1e-9 * max(gram[j, j], 1.0):
            left_out[j - 1] = coef
        else:
            kept.append(j)
    return [k - 1 for k in kept[1:]], left_out


def odds_ratios(model: Pipeline, df: pd.DataFrame, target: str, *, level: float = 0.95) -> pd.DataFrame:
    """Odds ratios with their confidence intervals and p-values, in the units of the columns.

    An odds ratio above 1 means more likely yes: 2 = the odds double. For a number it is the
    effect of one more unit (one month, one euro); for a category, of that level compared with
    the column's first level (the reference, alphabetically first).

    They come from an **unpenalised** logistic regression (statsmodels' binomial GLM) fitted on
    the columns exactly as ``model`` prepares them (filled, scaled, one-hot encoded, rare levels
    grouped): the model's own logistic regression is penalised (scikit-learn's ``C=1``), which
    shrinks its coefficients. A prepared column that the others determine exactly (the
    ``"No internet service"`` level of every internet option duplicates ``InternetService: No``)
    cannot be estimated: it is kept in the table with no odds ratio and a ``note`` naming the
    columns that determine it.

    Parameters
    ----------
    model : Pipeline
        A logistic regression returned by :func:`fit_scoring_model` (its preparation step is
        used).
    df : pandas.DataFrame
        The customers to fit on, usually the table the model was fitted on (not modified).
    target : str
        The yes/no column.
    level : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per number or category level: ``column``, ``level`` (``"+1 unit"`` for a number),
        ``compared with``, ``log-odds``, ``odds ratio``, ``low`` and ``high`` (the interval of
        the odds ratio), ``p-value`` (of "no effect") and ``note``.

    Examples
    --------
    >>> df = pd.DataFrame({"plan": ["A", "B"] * 20, "left": [0, 1, 1, 0] * 8 + [0, 1] * 4})
    >>> table = odds_ratios(fit_scoring_model(df, "left"), df, "left")
    >>> table[["column", "level", "compared with"]].values.tolist()
    [['plan', 'B', 'A']]
    >>> table["odds ratio"].round(2).tolist()
    [2.25]
    """
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationError, PerfectSeparationWarning

    prepare, estimator = _check_fitted_pipeline(model)
    if not hasattr(estimator, "coef_") or estimator.coef_.shape[0] != 1:
        raise DataError(
            f"odds ratios need a logistic regression; this model is a {type(estimator).__name__}. "
            "Use score_drivers(model, df, target) for any model."
        )
    level = check_level(level)
    df = check_frame(df)
    columns = check_columns(df, list(model.feature_names_in_), role="model column")
    check_columns(df, target, role="target column")
    y = as_binary(df[target], column=target).to_numpy()
    design = np.asarray(prepare.transform(df[columns]), dtype=float)
    described = _design_columns(prepare)
    kept, left_out = _independent_columns(design)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        try:
            fitted = sm.GLM(
                y, sm.add_constant(design[:, kept], has_constant="add"), family=sm.families.Binomial()
            ).fit()
        except (PerfectSeparationError, PerfectSeparationWarning):
            raise DataError(
                f"some column or level separates the yes from the no of {target!r} perfectly (every "
                "customer of a level is yes, or every one is no): its odds ratio is infinite. Group "
                "that level with another, leave the column out (features=[...]), or use "
                "score_drivers(model, df, target)."
            ) from None
    z = fitted.params[1:]
    bounds = np.asarray(fitted.conf_int(alpha=1 - level))[1:]
    names = [f"{c}: {lvl}" if lvl != "+1 unit" else c for c, lvl, _, _ in described]
    rows = []
    estimated = dict(zip(kept, range(len(kept)), strict=True))
    for j, (column, lvl, reference, scale) in enumerate(described):
        if j in estimated:
            k = estimated[j]
            log_odds, low, high = z[k] / scale, bounds[k, 0] / scale, bounds[k, 1] / scale
            p_value, note = float(fitted.pvalues[1 + k]), ""
        else:
            coef = left_out[j][1:]
            terms = [names[kept[i]] for i in np.flatnonzero(np.abs(coef) > 1e-6)]
            log_odds = low = high = p_value = np.nan
            note = "left out: determined by " + (", ".join(terms) if terms else "the intercept")
        rows.append((column, lvl, reference, log_odds, low, high, p_value, note))
    table = pd.DataFrame(
        rows, columns=["column", "level", "compared with", "log-odds", "low", "high", "p-value", "note"]
    )
    with np.errstate(over="ignore"):  # a level with (almost) no yes or no: an infinite bound
        table.insert(4, "odds ratio", np.exp(table["log-odds"]))
        table["low"], table["high"] = np.exp(table["low"]), np.exp(table["high"])
    return table


def _column_groups(prepare: ColumnTransformer) -> dict[str, list[int]]:
    """Original column -> positions of the prepared columns made from it."""
    groups: dict[str, list[int]] = {}
    position = 0
    for name, transformer, columns in prepare.transformers_:
        if name == "remainder" or len(columns) == 0:  # no column of that kind: never fitted
            continue
        if name == "number":
            for column in columns:
                groups[column] = [position]
                position += 1
        else:  # "category" or "many levels"
            encoder = transformer.named_steps["one_hot"]
            for column, levels, dropped in zip(
                columns, encoder.categories_, encoder.drop_idx_, strict=True
            ):
                width = len(levels) - (dropped is not None)
                groups[column] = list(range(position, position + width))
                position += width
    return groups


def score_drivers(
    model: Pipeline,
    df: pd.DataFrame,
    target: str,
    *,
    n_repeats: int = 5,
    random_state: int = 0,
) -> pd.DataFrame:
    """Which columns the score relies on: permutation importance, for any fitted model.

    Each column in turn is shuffled (its values given to random other customers) and the drop
    in ROC AUC is measured: a large drop means the model relies on that column; about 0 means it
    does not (a negative value is noise). Best computed on customers the model did not see.

    This is scikit-learn's :func:`~sklearn.inspection.permutation_importance` (same shuffles for
    the same ``random_state``, same numbers), computed once the columns are prepared, shuffling
    together the one-hot columns of a category: the data is prepared once instead of at every
    shuffle, which makes it many times faster.

    Parameters
    ----------
    model : Pipeline
        A model returned by :func:`fit_scoring_model`.
    df : pandas.DataFrame
        Customers with the model's columns and the target (not modified).
    target : str
        The yes/no column.
    n_repeats : int, default 5
        Shuffles per column.
    random_state : int, default 0
        Seed of the shuffles.

    Returns
    -------
    pandas.DataFrame
        One row per column the model uses, largest first: ``column``, ``drop in ROC AUC``,
        ``sd`` (spread over the shuffles).

    Examples
    --------
    >>> df = pd.DataFrame(
    ...     {"visits": [v // 2 for v in range(40)], "noise": [1, 2] * 20, "left": [0] * 20 + [1] * 20}
    ... )
    >>> score_drivers(fit_scoring_model(df, "left"), df, "left")["column"].tolist()
    ['visits', 'noise']
    """
    prepare, estimator = _check_fitted_pipeline(model)
    df = check_frame(df)
    columns = check_columns(df, list(model.feature_names_in_), role="model column")
    check_columns(df, target, role="target column")
    y = as_binary(df[target], column=target).to_numpy()
    n_repeats = check_positive_int(n_repeats, "n_repeats")
    prepared = np.asarray(prepare.transform(df[columns]), dtype=float)
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max + 1)
    drops = np.zeros((len(columns), n_repeats))
    with _threads(len(df)):
        baseline = roc_auc_score(y, estimator.predict_proba(prepared)[:, 1])
        for k, positions in enumerate(_column_groups(prepare).values()):
            generator = check_random_state(seed)  # the same shuffles for every column
            order = np.arange(len(df))
            shuffled = prepared.copy()
            for repeat in range(n_repeats):
                generator.shuffle(order)
                shuffled[:, positions] = shuffled[order][:, positions]
                score = roc_auc_score(y, estimator.predict_proba(shuffled)[:, 1])
                drops[k, repeat] = baseline - score
    table = pd.DataFrame(
        {
            "column": list(_column_groups(prepare)),
            "drop in ROC AUC": drops.mean(axis=1),
            "sd": drops.std(axis=1),
        }
    )
    table = table.sort_values("drop in ROC AUC", ascending=False, kind="stable")
    return table.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------------


def plot_roc(y_true: Any, scores: Any, *, ax: Any = None) -> Any:
    """ROC curves of one or several scores (name → scores), with the chance diagonal.

    >>> ax = plot_roc([1, 0, 1, 0], {"rule": [1, 0, 0, 0]})
    """
    y = _binary(y_true)
    ax = new_axes(ax)
    items = list(_score_dict(scores, len(y)).items())
    for k, (name, values) in enumerate(items):
        RocCurveDisplay.from_predictions(
            y, values, name=name, ax=ax, plot_chance_level=k == len(items) - 1
        )
    ax.set(
        xlabel="share of the 'no' wrongly flagged",
        ylabel="share of the 'yes' caught",
        title="ROC curve",
    )
    ax.legend(loc="lower right", fontsize="small")
    return ax


def plot_precision_recall(y_true: Any, scores: Any, *, ax: Any = None) -> Any:
    """Precision-recall curves of one or several scores, with the base rate as chance level.

    >>> ax = plot_precision_recall([1, 0, 1, 0], {"rule": [1, 0, 0, 0]})
    """
    y = _binary(y_true)
    ax = new_axes(ax)
    items = list(_score_dict(scores, len(y)).items())
    for k, (name, values) in enumerate(items):
        PrecisionRecallDisplay.from_predictions(
            y, values, name=name, ax=ax, plot_chance_level=k == len(items) - 1
        )
    ax.set(
        xlabel="recall: share of the 'yes' caught",
        ylabel="precision: share of flagged who are 'yes'",
        title="Precision-recall curve",
    )
    ax.legend(loc="lower left", fontsize="small")
    return ax


def plot_calibration(y_true: Any, scores: Any, *, n_bins: int = 10, ax: Any = None) -> Any:
    """Calibration plot: predicted probability against observed rate, in ``n_bins`` equal groups.

    Points on the diagonal mean "a score of 0.3 really means 30 % of such customers say yes".

    >>> ax = plot_calibration([1, 0, 1, 0, 1, 0], {"model": [.9, .1, .8, .3, .6, .4]}, n_bins=2)
    """
    y = _binary(y_true)
    n_bins = check_positive_int(n_bins, "n_bins")
    ax = new_axes(ax)
    for name, values in _score_dict(scores, len(y)).items():
        if values.min() < 0 or values.max() > 1:
            raise DataError(
                f"scores {name!r} are not probabilities (between 0 and 1): no calibration plot."
            )
        CalibrationDisplay.from_predictions(
            y, values, n_bins=n_bins, strategy="quantile", name=name, ax=ax
        )
    ax.set(xlabel="predicted probability", ylabel="observed share of 'yes'", title="Calibration")
    return ax


def plot_gains(y_true: Any, scores: Any, *, ax: Any = None) -> Any:
    """Cumulative gains: share of all the 'yes' reached when contacting the top x % of scores.

    >>> ax = plot_gains([1, 0, 1, 0], {"rule": [1, 0, 0, 0]})
    """
    y = _binary(y_true).to_numpy()
    ax = new_axes(ax)
    share = np.arange(len(y) + 1) / len(y) * 100
    for name, values in _score_dict(scores, len(y)).items():
        order = np.argsort(-values, kind="stable")
        gained = np.r_[0, np.cumsum(y[order])] / y.sum() * 100
        ax.plot(share, gained, label=name)
    ax.plot([0, 100], [0, 100], linestyle="--", color="grey", label="random order")
    ax.set(
        xlabel="% of customers contacted (highest scores first)",
        ylabel="% of all 'yes' reached",
        title="Cumulative gains",
    )
    ax.legend()
    return ax


def plot_profit_curve(choice: ThresholdChoice, *, ax: Any = None) -> Any:
    """Expected profit against the share of customers contacted, best point marked.

    >>> ax = plot_profit_curve(best_threshold([1, 0], [.8, .2], 1, 10, 0.5))
    """
    if not isinstance(choice, ThresholdChoice):
        raise DataError("plot_profit_curve needs the result of best_threshold(...).")
    ax = new_axes(ax)
    curve = choice.curve
    ax.plot(
        100 * curve["share contacted"], curve["expected profit"], label="contact the top scores"
    )
    ax.axhline(0, color="grey", linewidth=1)
    ax.scatter(
        [100 * choice.share_contacted],
        [choice.expected_profit],
        color="C3",
        zorder=3,
        label=f"best: top {100 * choice.share_contacted:.0f} %",
    )
    ax.set(
        xlabel="% of customers contacted (highest scores first)",
        ylabel="expected profit",
        title="Expected profit of the campaign",
    )
    ax.legend()
    return ax


def plot_drivers(drivers: pd.DataFrame, *, top: int = 15, ax: Any = None) -> Any:
    """Horizontal bars of a :func:`score_drivers` table (the ``top`` largest).

    >>> ax = plot_drivers(pd.DataFrame({"column": ["a"], "drop in ROC AUC": [0.1], "sd": [0.01]}))
    """
    if not isinstance(drivers, pd.DataFrame) or not {"column", "drop in ROC AUC"} <= set(
        drivers.columns
    ):
        raise DataError("plot_drivers needs the table returned by score_drivers(...).")
    top = check_positive_int(top, "top")
    ax = new_axes(ax)
    shown = drivers.head(top).iloc[::-1]
    ax.barh(shown["column"], shown["drop in ROC AUC"], xerr=shown.get("sd"), color="C0")
    ax.set(xlabel="drop in ROC AUC when the column is shuffled", title="What the score relies on")
    return ax
