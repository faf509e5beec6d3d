"""The course map: which notebook answers which marketing question, with which kind of learning.

The same table is shown by the course map notebook and in the README; a test keeps the
``status`` column honest (a notebook is "ready" exactly when it is in ``notebooks/``).
"""

from __future__ import annotations

import pandas as pd

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
        "question": "When do subscribers leave, and what keeps them longer?",
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
]


def course_map() -> pd.DataFrame:
    """The course's notebooks in order, with slide title, question, kind of learning and data.

    >>> course_map().loc[0, "notebook"]
    '00-course-map.ipynb'
    """
    return pd.DataFrame(COURSE_MAP)
