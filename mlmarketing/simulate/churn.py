"""A telecom operator's subscribers and who left (``02-04-chrun.csv``, name as on the slide).

The table follows, column for column, the layout of the telecom churn sample that most churn
courses use (``customerID, gender, SeniorCitizen, ..., TotalCharges, Churn``, Yes/No values,
"No internet service" and "No phone service" levels), so that a notebook written for this file
also runs on that sample. It keeps the sample's known quirk: ``TotalCharges`` is text, and a
single blank (``" "``) for the brand-new customers whose tenure is 0 months.

The churn probability of every subscriber is a logistic function of a few of the columns
(contract, tenure, internet service, online security, tech support, payment method, paperless
billing, senior citizen, dependents); the other columns (gender, streaming, ...) have no
effect. The generator returns those probabilities and the planted log-odds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from mlmarketing.simulate._core import Simulation, rng

FILE = "02-04-chrun.csv"

ADD_ONS = [
    "OnlineSecurity",
    "OnlineBackup",
    "DeviceProtection",
    "TechSupport",
    "StreamingTV",
    "StreamingMovies",
]

# Planted log-odds of churning: the intercept, then the effect of each level compared with the
# reference level named in REFERENCE (0 for the reference), and per unit for numbers.
INTERCEPT = -0.1
EFFECTS: dict[str, dict[str, float]] = {
    "Contract": {"Month-to-month": 0.0, "One year": -1.1, "Two year": -2.2},
    "InternetService": {"DSL": 0.0, "Fiber optic": 0.8, "No": -0.7},
    "OnlineSecurity": {"No": 0.0, "Yes": -0.5},
    "TechSupport": {"No": 0.0, "Yes": -0.5},
    "PaymentMethod": {
        "Bank transfer (automatic)": 0.0,
        "Credit card (automatic)": 0.0,
        "Electronic check": 0.5,
        "Mailed check": 0.1,
    },
    "PaperlessBilling": {"No": 0.0, "Yes": 0.3},
    "SeniorCitizen": {"0": 0.0, "1": 0.3},
    "Dependents": {"No": 0.0, "Yes": -0.3},
}
PER_UNIT = {"tenure": -0.035}  # log-odds per month of tenure
REFERENCE = {column: next(iter(levels)) for column, levels in EFFECTS.items()}
NO_EFFECT = [
    "gender",
    "Partner",
    "PhoneService",
    "MultipleLines",
    "OnlineBackup",
    "DeviceProtection",
    "StreamingTV",
    "StreamingMovies",
    "MonthlyCharges",
    "TotalCharges",
]
# The levers the operator controls (it can offer them), as opposed to who the customer is.
LEVERS = ["Contract", "OnlineSecurity", "TechSupport", "PaymentMethod", "PaperlessBilling"]

_CONTRACTS = ["Month-to-month", "One year", "Two year"]
_PAYMENTS = [
    "Electronic check",
    "Mailed check",
    "Bank transfer (automatic)",
    "Credit card (automatic)",
]


def _customer_ids(gen: np.random.Generator, n: int) -> np.ndarray:
    """Unique ids shaped like the sample's ("7590-VHVEG")."""
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    ids: list[str] = []
    seen: set[str] = set()
    while len(ids) < n:
        m = n - len(ids)
        digits = gen.integers(0, 10_000, size=m)
        codes = letters[gen.integers(0, 26, size=(m, 5))]
        for d, code in zip(digits, codes, strict=True):
            text = f"{d:04d}-{''.join(code)}"
            if text not in seen:
                seen.add(text)
                ids.append(text)
    return np.array(ids)


def simulate_churn(n_customers: int = 7043, random_state: int = 20240904) -> Simulation:
    """Simulate a telecom operator's subscribers, their services, their bills and their churn.

    Parameters
    ----------
    n_customers : int, default 7043
        Number of subscribers (rows), as many as in the widely used sample.
    random_state : int, default 20240904
        Seed; the default gives the shipped ``02-04-chrun.csv``.

    Returns
    -------
    Simulation
        ``tables["02-04-chrun.csv"]`` and ``truth`` with ``churn_probability`` (per row),
        ``intercept``, ``effects`` (log-odds of each level against its reference),
        ``reference`` (the reference level of each column), ``per_unit`` (log-odds per month
        of tenure), ``odds_ratios`` (the same effects as odds ratios), ``no_effect`` (columns
        without any effect), ``levers`` (columns the operator controls), ``churn_rate`` and
        ``best_auc`` (the ROC AUC of the true probabilities: no model can beat it on average).

    Examples
    --------
    >>> sim = simulate_churn(n_customers=200)
    >>> sim.tables["02-04-chrun.csv"].shape
    (200, 21)
    >>> sim.tables["02-04-chrun.csv"]["TotalCharges"].iloc[:2].tolist()
    ['1796.50', '741.12']
    """
    gen = rng(random_state)
    n = n_customers

    def yes_no(p: np.ndarray | float) -> np.ndarray:
        return np.where(gen.random(n) < p, "Yes", "No")

    gender = np.where(gen.random(n) < 0.5, "Female", "Male")
    senior = (gen.random(n) < 0.16).astype(int)
    partner = yes_no(0.48)
    dependents = yes_no(np.where(partner == "Yes", 0.52, 0.10))

    # Longer contracts go with longer tenure; the shape mimics the sample's U-shaped tenure.
    contract_k = gen.choice(3, size=n, p=[0.55, 0.21, 0.24])
    a = np.array([0.7, 1.4, 2.4])[contract_k]
    b = np.array([2.0, 1.2, 0.8])[contract_k]
    tenure = 1 + np.floor(gen.beta(a, b) * 71.999).astype(int)
    brand_new = gen.random(n) < 0.0016  # signed up this month: no bill yet
    tenure[brand_new] = 0
    contract = np.array(_CONTRACTS)[contract_k]

    phone = yes_no(0.90)
    multiple = np.where(phone == "No", "No phone service", yes_no(0.30 + 0.004 * tenure))
    internet_k = gen.choice(3, size=n, p=[0.34, 0.44, 0.22])
    # Month-to-month subscribers take fibre more often.
    to_fibre = (contract_k == 0) & (internet_k == 0) & (gen.random(n) < 0.25)
    internet_k[to_fibre] = 1
    internet = np.array(["DSL", "Fiber optic", "No"])[internet_k]

    base_p = {
        "OnlineSecurity": 0.30,
        "OnlineBackup": 0.38,
        "DeviceProtection": 0.38,
        "TechSupport": 0.30,
        "StreamingTV": 0.45,
        "StreamingMovies": 0.45,
    }
    add_ons = {}
    for name in ADD_ONS:
        p = np.clip(base_p[name] + 0.12 * contract_k + 0.002 * tenure, 0, 0.95)
        add_ons[name] = np.where(internet == "No", "No internet service", yes_no(p))

    paperless = yes_no(0.59)
    automatic = gen.random(n) < np.array([0.33, 0.55, 0.65])[contract_k]
    payment_k = np.where(
        automatic,
        2 + (gen.random(n) < 0.5),
        np.where(gen.random(n) < 0.55 + 0.2 * (contract_k == 0), 0, 1),
    )
    payment = np.array(_PAYMENTS)[payment_k]

    # Monthly bill (euros): phone line, internet, 5 per protection add-on, 10 per streaming one.
    monthly = (
        np.where(phone == "Yes", 20.0, 0.0)
        + np.where(multiple == "Yes", 5.0, 0.0)
        + np.select([internet == "DSL", internet == "Fiber optic"], [25.0, 50.0], 0.0)
        + sum(np.where(add_ons[c] == "Yes", 5.0, 0.0) for c in ADD_ONS[:4])
        + sum(np.where(add_ons[c] == "Yes", 10.0, 0.0) for c in ADD_ONS[4:])
        + gen.normal(0.0, 1.5, size=n)
    )
    monthly = np.round(np.clip(monthly, 18.25, None) * 20) / 20  # bills in steps of 5 cents
    # Past bills differ a little from today's (price changes, options added or dropped).
    total = tenure * monthly * np.clip(gen.normal(1.0, 0.06, size=n), 0.8, 1.2)
    total_text = np.where(tenure == 0, " ", np.char.mod("%.2f", np.round(total, 2)))

    columns = {
        "Contract": contract,
        "InternetService": internet,
        "OnlineSecurity": add_ons["OnlineSecurity"],
        "TechSupport": add_ons["TechSupport"],
        "PaymentMethod": payment,
        "PaperlessBilling": paperless,
        "SeniorCitizen": senior.astype(str),
        "Dependents": dependents,
    }
    log_odds = INTERCEPT + PER_UNIT["tenure"] * tenure
    for column, levels in EFFECTS.items():
        # "No internet service" customers have no add-on: no effect, like the reference "No".
        log_odds = log_odds + np.vectorize(lambda v, levels=levels: levels.get(v, 0.0))(
            columns[column]
        )
    probability = 1.0 / (1.0 + np.exp(-log_odds))
    churn = gen.random(n) < probability

    table = pd.DataFrame(
        {
            "customerID": _customer_ids(gen, n),
            "gender": gender,
            "SeniorCitizen": senior,
            "Partner": partner,
            "Dependents": dependents,
            "tenure": tenure,
            "PhoneService": phone,
            "MultipleLines": multiple,
            "InternetService": internet,
            **{name: add_ons[name] for name in ADD_ONS},
            "Contract": contract,
            "PaperlessBilling": paperless,
            "PaymentMethod": payment,
            "MonthlyCharges": monthly,
            "TotalCharges": total_text.astype(object),  # text, as in the sample
            "Churn": np.where(churn, "Yes", "No"),
        }
    )
    truth = {
        "churn_probability": probability,
        "intercept": INTERCEPT,
        "effects": {c: dict(levels) for c, levels in EFFECTS.items()},
        "reference": dict(REFERENCE),
        "per_unit": dict(PER_UNIT),
        "odds_ratios": {
            **{
                f"{c}: {level}": float(np.exp(v))
                for c, levels in EFFECTS.items()
                for level, v in levels.items()
                if level != REFERENCE[c]
            },
            **{f"{c} (per unit)": float(np.exp(v)) for c, v in PER_UNIT.items()},
        },
        "no_effect": list(NO_EFFECT),
        "levers": list(LEVERS),
        "churn_rate": float(churn.mean()),
        "best_auc": float(roc_auc_score(churn, probability)) if 0 < churn.sum() < n else None,
    }
    return Simulation(tables={FILE: table}, truth=truth)
