"""The course map: which notebook answers which marketing question, with which kind of learning.

The same table is shown by the course map notebook and in the README; a test keeps the
``status`` column honest (a notebook is "ready" exactly when it is in ``notebooks/fr/`` and
``notebooks/en/``). The French edition shows the questions and kinds of learning in French.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlmarketing._errors import DataError
from mlmarketing._validation import as_binary, check_numeric, looks_like_id, read_yes_no, warn_dropped

SUPERVISED = "supervised"
UNSUPERVISED = "unsupervised"
REINFORCEMENT = "reinforcement"
STATISTICS = "statistics"

COURSE_MAP: list[dict[str, str]] = [
    {
        "notebook": "00-course-map.ipynb",
        "slide": "Type d'apprentissage en ML",
        "question": "Which kind of learning solves which marketing problem?",
        "learning": f"{SUPERVISED}, {UNSUPERVISED}, {REINFORCEMENT}",
        "dataset": "00-Customers.csv",
        "status": "ready",
    },
    {
        "notebook": "01-02-market-targeting.ipynb",
        "slide": "Identification et ciblage du marché",
        "question": "Who are our personas, whom should the next campaign target, with which creative?",
        "learning": f"{SUPERVISED}, {UNSUPERVISED}",
        "dataset": "01-02-Target.csv, 01-02-Regions.csv",
        "status": "ready",
    },
    {
        "notebook": "01-04-media-planning.ipynb",
        "slide": "Media planning et implementation",
        "question": "Which medium costs least per action, and how should the budget be split?",
        "learning": f"{SUPERVISED} (regression), optimisation",
        "dataset": "01-04-Media.csv",
        "status": "ready",
    },
    {
        "notebook": "02-02-demand-forecasting.ipynb",
        "slide": "Prédire la demande",
        "question": "How many units will we sell, and how much stock does that require?",
        "learning": f"{SUPERVISED} (time series)",
        "dataset": "02-02-Demand.csv",
        "status": "ready",
    },
    {
        "notebook": "02-04-churn-prediction.ipynb",
        "slide": "Prédiction de l'attrition",
        "question": "Which subscribers will leave, why, and whom should we call?",
        "learning": SUPERVISED,
        "dataset": "02-04-chrun.csv",
        "status": "ready",
    },
    {
        "notebook": "03-01-customer-satisfaction.ipynb",
        "slide": "Améliorer la satisfaction client",
        "question": "What do customers write, how do they feel, how much can a bot answer?",
        "learning": f"{SUPERVISED}, {UNSUPERVISED} (text)",
        "dataset": "03-01-Messages.csv",
        "status": "ready",
    },
    {
        "notebook": "03-02-cloud-services-churn.ipynb",
        "slide": "Prédiction de l'attrition — Cloud Services",
        "question": "When do subscribers leave, and what goes with staying longer?",
        "learning": f"{SUPERVISED} (survival analysis)",
        "dataset": "03-02-Cloud-Services.csv",
        "status": "ready",
    },
    {
        "notebook": "03-03-personalisation.ipynb",
        "slide": "Automatiser la personnalisation",
        "question": "Which product should each customer be shown next?",
        "learning": f"{UNSUPERVISED} (recommendation)",
        "dataset": "03-03-Purchases.csv, 03-03-Products.csv",
        "status": "ready",
    },
    {
        "notebook": "03-04-image-recognition.ipynb",
        "slide": "Automatiser la personnalisation (reconnaissance d'images)",
        "question": "What does a photo tell a brand, and which visual style engages which customers?",
        "learning": f"{SUPERVISED} (image classification), a pretrained detector",
        "dataset": "03-04-Posts.csv, 03-04-Photos/",
        "status": "ready",
    },
    {
        "notebook": "04-01-customer-value.ipynb",
        "slide": "Valeur client (articles 001, 002)",
        "question": "Who is going cold, what will each customer buy, what is each one worth?",
        "learning": f"{STATISTICS} (probabilistic models), {SUPERVISED}",
        "dataset": "04-01-Transactions.csv, CDNOW sample",
        "status": "ready",
    },
    {
        "notebook": "04-02-campaign-ab-test.ipynb",
        "slide": "Test A/B d'une campagne e-mail (article 004)",
        "question": "Which creative won, is it real, what would a bandit have earned?",
        "learning": f"{STATISTICS} (A/B test), {REINFORCEMENT}",
        "dataset": "04-02-Campaign.csv",
        "status": "ready",
    },
    {
        "notebook": "04-03-big-data.ipynb",
        "slide": "Big data et marketing intelligent (articles 002, 003)",
        "question": "How do we score every customer when the transactions no longer fit in pandas?",
        "learning": f"{STATISTICS} (probabilistic models), big data engines",
        "dataset": "generated Parquet files (python -m mlmarketing.simulate big)",
        "status": "ready",
    },
]


# The question and the kind of learning of each notebook, as the French edition shows them.
FRENCH: dict[str, tuple[str, str]] = {
    "00-course-map.ipynb": ("Quel type d'apprentissage résout quel problème marketing ?",
                            "supervisé, non supervisé, par renforcement"),
    "01-02-market-targeting.ipynb": ("Qui sont nos personas, qui la prochaine campagne doit-elle cibler, "
                                     "avec quel message ?", "supervisé, non supervisé"),
    "01-04-media-planning.ipynb": ("Quel média coûte le moins par action, et comment répartir le budget ?",
                                   "supervisé (régression), optimisation"),
    "02-02-demand-forecasting.ipynb": ("Combien d'unités vendrons-nous, et quel stock faut-il ?",
                                       "supervisé (séries temporelles)"),
    "02-04-churn-prediction.ipynb": ("Quels abonnés vont partir, pourquoi, et qui faut-il appeler ?",
                                     "supervisé"),
    "03-01-customer-satisfaction.ipynb": ("Qu'écrivent les clients, que ressentent-ils, quelle part un "
                                          "chatbot peut-il traiter ?", "supervisé, non supervisé (texte)"),
    "03-02-cloud-services-churn.ipynb": ("Quand les abonnés partent-ils, et qu'est-ce qui va de pair avec "
                                         "une durée plus longue ?", "supervisé (analyse de survie)"),
    "03-03-personalisation.ipynb": ("Quel produit montrer ensuite à chaque client ?",
                                    "non supervisé (recommandation)"),
    "03-04-image-recognition.ipynb": ("Que dit une photo à une marque, et quel style visuel touche quels "
                                      "clients ?",
                                      "supervisé (classification d'images), un détecteur pré-entraîné"),
    "04-01-customer-value.ipynb": ("Qui se refroidit, qu'achètera chaque client, combien vaut-il ?",
                                   "statistique (modèles probabilistes), supervisé"),
    "04-02-campaign-ab-test.ipynb": ("Quel message a gagné, est-ce réel, qu'aurait rapporté un bandit ?",
                                     "statistique (test A/B), par renforcement"),
    "04-03-big-data.ipynb": ("Comment scorer chaque client quand les transactions ne tiennent plus dans "
                             "pandas ?", "statistique (modèles probabilistes), moteurs big data"),
}
LANGUAGES = ("en", "fr")


def course_map(language: str = "en") -> pd.DataFrame:
    """The course's notebooks in order, with slide title, question, kind of learning and data.

    Parameters
    ----------
    language : {"en", "fr"}, default "en"
        The language of the ``question`` and ``learning`` columns (the column names stay the same).

    >>> course_map().loc[0, "notebook"]
    '00-course-map.ipynb'
    >>> course_map("fr").loc[0, "question"]
    "Quel type d'apprentissage résout quel problème marketing ?"
    """
    if language not in LANGUAGES:
        raise DataError(f"language must be one of {list(LANGUAGES)}, not {language!r}")
    table = pd.DataFrame(COURSE_MAP)
    if language == "fr":
        missing = sorted(set(table["notebook"]) - FRENCH.keys())
        if missing:  # a notebook added to COURSE_MAP without its French question
            raise DataError(f"no French question for {missing}; add them to FRENCH in "
                            "mlmarketing/course_map.py")
        table["question"] = table["notebook"].map(lambda name: FRENCH[name][0])
        table["learning"] = table["notebook"].map(lambda name: FRENCH[name][1])
    return table


def model_table(
    df: pd.DataFrame, target: str, features: list[str] | None = None
) -> tuple[pd.DataFrame, pd.Series]:
    """The feature matrix (floats) and the 0/1 target of a customer table, for a first model.

    ``target`` is read as yes/no with the rulebook (``Oui``/``Non``, ``Yes``/``No``, ``1``/``0``...).
    ``features=None`` takes every numeric or yes/no column except the target and the ids
    (:func:`~mlmarketing._validation.looks_like_id`). Yes/no features become 0/1. Rows with a
    missing target or feature are left out and counted with a ``DataWarning``.

    >>> table = pd.DataFrame({"client_id": ["a", "b", "c"], "visits": [3, 1, 4],
    ...                       "newsletter": ["Oui", "Non", "Oui"], "achat": ["Oui", "Non", "Non"]})
    >>> X, y = model_table(table, "achat")
    >>> list(X.columns), y.tolist()
    (['visits', 'newsletter'], [1, 0, 0])
    """
    if target not in df.columns:
        raise DataError(f"no column {target!r} (the target); the columns are {list(df.columns)}")
    if features is None:
        features = []
        for column in df.columns:
            series = df[column]
            if column == target or looks_like_id(series, column):
                continue
            if pd.api.types.is_bool_dtype(series) or (
                pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_datetime64_any_dtype(series)
            ):
                features.append(column)
            elif not pd.api.types.is_datetime64_any_dtype(series) and series.dropna().nunique() <= 2:
                try:
                    read_yes_no(series, column=column, allow_missing=True)
                except DataError:
                    continue
                features.append(column)
        if not features:
            raise DataError("no numeric or yes/no column to learn from: name the features (FEATURES)")
    missing = [column for column in features if column not in df.columns]
    if missing:
        raise DataError(f"no column {missing} in the table; the columns are {list(df.columns)}")
    X = pd.DataFrame(index=df.index)
    for column in features:
        series = df[column]
        if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
            X[column] = read_yes_no(series, column=column, allow_missing=True).astype("Float64").astype(float)
        else:
            check_numeric(df, [column])
            X[column] = series.astype(float)
    complete = X.notna().all(axis=1) & df[target].notna()
    warn_dropped(int((~complete).sum()), len(df), "a missing target or feature value")
    y = as_binary(df.loc[complete, target], column=target)
    return X.loc[complete], y


def expected_reached(score, outcome, n_contacts: int) -> float:
    """The expected number of positives among the ``n_contacts`` highest scores, ties drawn at random.

    A constant score is a random list (``n_contacts`` times the share of positives); a yes/no rule
    contacts everyone who passes and draws the rest at random. The expectation, not one draw, so
    two lists are compared without the luck of a single random choice.

    >>> expected_reached([1, 1, 0, 0], [1, 0, 1, 0], 2), expected_reached([0, 0, 0, 0], [1, 0, 1, 0], 2)
    (1.0, 1.0)
    >>> expected_reached([0.9, 0.8, 0.1, 0.2], [1, 1, 0, 0], 2)
    2.0
    """
    values = np.asarray(score, dtype=float)
    outcomes = np.asarray(outcome, dtype=float)
    _, inverse = np.unique(-values, return_inverse=True)  # groups of equal scores, highest first
    positives, sizes = np.bincount(inverse, weights=outcomes), np.bincount(inverse)
    before = np.cumsum(sizes) - sizes  # contacts already made when a group starts
    taken = np.clip(int(n_contacts) - before, 0, sizes)
    return float(np.round((positives * taken / sizes).sum(), 10))
