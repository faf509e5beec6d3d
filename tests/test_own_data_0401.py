"""04-01-customer-value on real purchase histories it was not written for.

The CDNOW files shipped inside the ``lifetimes`` wheel (real purchases of an online music shop,
1997-1998), rewritten at test time as a class would receive them: a French spreadsheet export
(``;``, decimal commas, day-first dates, French column names, blank amounts) of the full
23,570 customers, and the 2,357-customer sample as a plain CSV with ISO dates and dates typed
by hand in the setup cell. Only the setup cell's parameters change; every cell must run.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from tests.own_data import cell_errors, lifetimes_file, outputs_text, run_notebook, write_french_csv

NOTEBOOK = "04-01-customer-value.ipynb"




@pytest.mark.slow
def test_full_cdnow_as_a_french_export(tmp_path):
    """23,570 real customers, 69,659 purchases; some amounts blank, 80 purchases of 0 $."""
    master = pd.read_csv(lifetimes_file("CDNOW_master.txt"), sep=r"\s+",
                         dtype={"customer_id": str, "date": str})
    export = pd.DataFrame({
        "N° client": master["customer_id"],
        "Date d'achat": pd.to_datetime(master["date"], format="%Y%m%d"),
        "Nombre de CD": master["number_of_cds"],
        "Montant TTC": master["dollar_value"],
    })
    export.loc[export.index[1::5000], "Montant TTC"] = None  # blanks, as in a real export
    path = write_french_csv(export, tmp_path / "achats_cdnow.csv", date_columns=("Date d'achat",))
    notebook = run_notebook(NOTEBOOK, {
        "DATA": str(path), "CUSTOMER": "N° client", "DATE": "Date d'achat",
        "AMOUNT": "Montant TTC", "FAMILY": None,
    }, tmp_path)
    assert cell_errors(notebook) == []
    text = outputs_text(notebook)
    # every customer read, but for the 3 whose only purchase has a blank amount (said in a warning)
    assert re.search(r"customers\s+23567\b", text)
    assert "rows left out: no amount in 'Montant TTC'" in text
    assert "no product family column" in text  # exercise 4 skipped with one sentence
    assert "no planted truth" in text
    assert (tmp_path / "outputs" / "04-01-win-back-list.csv").exists()


@pytest.mark.slow
def test_cdnow_sample_with_dates_typed_by_hand(tmp_path):
    """The 2,357-customer sample, ISO dates, the paper's dates typed day first, an example id."""
    sample = pd.read_csv(lifetimes_file("CDNOW_sample.txt"), sep=r"\s+", header=None,
                         names=["master", "client", "day", "cds", "dollars"], dtype=str)
    sample["day"] = pd.to_datetime(sample["day"], format="%Y%m%d").dt.strftime("%Y-%m-%d")
    path = tmp_path / "cdnow_sample.csv"
    sample.to_csv(path, index=False)
    notebook = run_notebook(NOTEBOOK, {
        "DATA": str(path), "CUSTOMER": "client", "DATE": "day", "AMOUNT": "dollars",
        "FAMILY": "genre", "AS_OF": "30/06/1998", "CALIBRATION_END": "30/09/1997",
        "EXAMPLE_CUSTOMER": "0004", "CONTACT_COST": 2.0, "MARGIN": 0.25,
    }, tmp_path)
    assert cell_errors(notebook) == []
    text = outputs_text(notebook)
    assert "Calibration up to 1997-09-30" in text  # day-first date read as 30 September
    assert "Customer 0004:" in text
    assert "no product family column" in text
