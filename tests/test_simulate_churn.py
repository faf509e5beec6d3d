"""The telecom churn generator: the sample's layout and quirks, and the truth it plants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlmarketing import load_dataset
from mlmarketing.simulate import generate
from mlmarketing.simulate.churn import FILE, simulate_churn

SAMPLE_COLUMNS = [
    "customerID", "gender", "SeniorCitizen", "Partner", "Dependents", "tenure", "PhoneService",
    "MultipleLines", "InternetService", "OnlineSecurity", "OnlineBackup", "DeviceProtection",
    "TechSupport", "StreamingTV", "StreamingMovies", "Contract", "PaperlessBilling",
    "PaymentMethod", "MonthlyCharges", "TotalCharges", "Churn",
]  # fmt: skip


@pytest.fixture(scope="module")
def sim():
    return simulate_churn()


def test_layout_is_the_telecom_sample(sim):
    table = sim.tables[FILE]
    assert list(table.columns) == SAMPLE_COLUMNS
    assert len(table) == 7043
    assert table["customerID"].is_unique
    assert table["customerID"].str.fullmatch(r"\d{4}-[A-Z]{5}").all()
    assert set(table["Contract"]) == {"Month-to-month", "One year", "Two year"}
    assert set(table["InternetService"]) == {"DSL", "Fiber optic", "No"}
    assert set(table["MultipleLines"]) == {"Yes", "No", "No phone service"}
    for column in ["OnlineSecurity", "TechSupport", "StreamingTV"]:
        assert set(table[column]) == {"Yes", "No", "No internet service"}
        no_internet = table["InternetService"] == "No"
        assert (table.loc[no_internet, column] == "No internet service").all()
    assert set(table["Churn"]) == {"Yes", "No"}
    assert set(table["SeniorCitizen"]) == {0, 1}
    assert table["tenure"].between(0, 72).all()


def test_total_charges_is_text_and_blank_exactly_for_new_customers(sim):
    table = sim.tables[FILE]
    blank = table["TotalCharges"] == " "
    assert blank.equals(table["tenure"] == 0)
    assert 5 <= blank.sum() <= 30
    numbers = table.loc[~blank, "TotalCharges"].astype(float)
    ratio = numbers / (table.loc[~blank, "tenure"] * table.loc[~blank, "MonthlyCharges"])
    assert ratio.between(0.79, 1.21).all()
    loaded = load_dataset("churn")
    # Text, whatever pandas calls it: "str" in pandas 3, object in pandas 2.
    assert pd.api.types.is_string_dtype(loaded["TotalCharges"])
    assert not pd.api.types.is_numeric_dtype(loaded["TotalCharges"])
    assert (loaded.loc[loaded["tenure"] == 0, "TotalCharges"] == " ").all()


def test_churn_follows_the_planted_probabilities(sim):
    table, truth = sim.tables[FILE], sim.truth
    churn = (table["Churn"] == "Yes").to_numpy()
    assert 0.24 <= truth["churn_rate"] <= 0.29
    assert churn.mean() == pytest.approx(truth["churn_rate"])
    # Observed churn by contract matches the average planted probability.
    p = truth["churn_probability"]
    for contract in ["Month-to-month", "One year", "Two year"]:
        rows = (table["Contract"] == contract).to_numpy()
        assert churn[rows].mean() == pytest.approx(p[rows].mean(), abs=0.03)
    assert 0.80 <= truth["best_auc"] <= 0.90
    assert set(truth["levers"]) <= set(SAMPLE_COLUMNS)
    assert "gender" in truth["no_effect"]
    assert truth["odds_ratios"]["Contract: Two year"] == pytest.approx(np.exp(-2.2))


def test_reproducible_and_sized():
    a = generate("churn", n_customers=300, random_state=5).tables[FILE]
    b = generate("churn", n_customers=300, random_state=5).tables[FILE]
    assert a.equals(b)
    assert len(a) == 300
    assert not a.equals(generate("churn", n_customers=300, random_state=6).tables[FILE])
