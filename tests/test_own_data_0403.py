"""04-03-big-data on real purchase histories it was not written for.

The CDNOW purchases shipped inside the ``lifetimes`` wheel (real customers of an online music
shop, 1997-1998), written at test time as a data platform would hand them over: Parquet files
(two parts, French column names, whole-number customer ids), and the 2,357-customer sample as a
French spreadsheet export read by pandas. Only the setup cell's parameters change; every cell
must run.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.own_data import cell_errors, lifetimes_file, outputs_text, run_notebook, write_french_csv

NOTEBOOK = "04-03-big-data.ipynb"




def _cdnow_parts(folder: Path) -> Path:
    duckdb = pytest.importorskip("duckdb")
    master = pd.read_csv(lifetimes_file("CDNOW_master.txt"), sep=r"\s+", dtype={"date": str})
    export = pd.DataFrame({
        "numero_client": master["customer_id"].astype("int64"),
        "jour": pd.to_datetime(master["date"], format="%Y%m%d"),
        "montant": master["dollar_value"],
    })
    folder.mkdir()
    half = len(export) // 2
    for part, rows in enumerate([export.iloc[:half], export.iloc[half:]]):
        duckdb.from_df(rows).write_parquet(str(folder / f"part-{part}.parquet"))
    return folder


@pytest.mark.slow
def test_full_cdnow_as_parquet_files(tmp_path):
    folder = _cdnow_parts(tmp_path / "achats")
    notebook = run_notebook(NOTEBOOK, {
        "DATA": str(folder), "CUSTOMER": "numero_client", "DATE": "jour", "AMOUNT": "montant",
    }, tmp_path)
    assert cell_errors(notebook) == []
    text = outputs_text(notebook)
    assert "2 Parquet file(s)" in text
    assert "23,570" in text  # every customer, counted in DuckDB and in the tables
    assert "No planted truth" in text
    assert (tmp_path / "outputs" / "04-03-loyalty-list.csv").exists()
    assert "Decision: " in text


@pytest.mark.slow
def test_cdnow_as_a_glob_and_as_one_parquet_file(tmp_path):
    folder = _cdnow_parts(tmp_path / "achats")
    for data, files in ((str(folder / "part-*.parquet"), 2), (str(folder / "part-1.parquet"), 1)):
        notebook = run_notebook(NOTEBOOK, {
            "DATA": data, "CUSTOMER": "numero_client", "DATE": "jour", "AMOUNT": "montant",
        }, tmp_path)
        assert cell_errors(notebook) == []
        assert f"{files} Parquet file(s)" in outputs_text(notebook)


@pytest.mark.slow
def test_cdnow_sample_as_a_french_export(tmp_path):
    sample = pd.read_csv(lifetimes_file("CDNOW_sample.txt"), sep=r"\s+", header=None,
                         names=["master", "client", "day", "cds", "dollars"], dtype={"day": str})
    export = pd.DataFrame({
        "Client": sample["client"], "Date": pd.to_datetime(sample["day"], format="%Y%m%d"),
        "Montant": sample["dollars"],
    })
    path = write_french_csv(export, tmp_path / "cdnow.csv", date_columns=("Date",))
    notebook = run_notebook(NOTEBOOK, {
        "DATA": str(path), "CUSTOMER": "Client", "DATE": "Date", "AMOUNT": "Montant", "TARGET_SHARE": 0.1,
    }, tmp_path)
    assert cell_errors(notebook) == []
    text = outputs_text(notebook)
    assert "0 Parquet file(s)" in text
    assert "2,357" in text
