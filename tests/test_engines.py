"""The aggregation helpers give the same table on pandas, Polars, DuckDB and Parquet files.

Spark is tested in tests/test_engines_spark.py (a local session, skipped without pyspark and Java).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from mlmarketing import DataError, DataWarning, load_dataset
from mlmarketing.clv import describe_transactions, rfm_table, summary_from_transactions
from mlmarketing.experiments import funnel_report
from mlmarketing.media import media_kpis
from mlmarketing.recommend import long_tail
from mlmarketing.survival import cohort_retention
from tests.engines import engine_inputs

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("polars")

ENGINES = ["polars", "polars lazy", "duckdb", "parquet path"]


@pytest.fixture(scope="module")
def transactions() -> pd.DataFrame:
    table = load_dataset("transactions")[["customer_id", "date", "amount"]].head(3000).copy()
    # Rows the helpers must leave out (and say so), and two lines of one order on one day.
    table.loc[5, "amount"] = np.nan
    table.loc[7, "customer_id"] = None
    extra = table.iloc[[10]].assign(amount=3.5)
    return pd.concat([table, extra], ignore_index=True)


@pytest.fixture(scope="module")
def inputs(transactions, tmp_path_factory) -> dict[str, object]:
    return engine_inputs(transactions, tmp_path_factory.mktemp("engines"))


CLV_CALLS = {
    "rfm_table": lambda d: rfm_table(d, "customer_id", "date", "amount"),
    "rfm_table as_of": lambda d: rfm_table(d, "customer_id", "date", "amount", as_of="31/12/2023"),
    "summary": lambda d: summary_from_transactions(d, "customer_id", "date", "amount", time_unit="days"),
    "summary with holdout": lambda d: summary_from_transactions(
        d, "customer_id", "date", "amount", as_of="2023-12-31", calibration_end="30/09/2023"),
    "summary without amount": lambda d: summary_from_transactions(d, "customer_id", "date"),
    "describe": lambda d: describe_transactions(d, "customer_id", "date", "amount"),
}


def _same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(left, right, rtol=1e-9, atol=1e-9, check_index_type=False)
    assert left.attrs == right.attrs


@pytest.mark.parametrize("call", list(CLV_CALLS))
@pytest.mark.parametrize("engine", ENGINES)
def test_customer_value_tables_are_the_same_on_every_engine(transactions, inputs, engine, call):
    left_out = "1 of 3,001" if call == "summary without amount" else "2 of 3,001"
    with pytest.warns(DataWarning, match=f"{left_out} rows left out"):
        expected = CLV_CALLS[call](transactions)
    with pytest.warns(DataWarning, match=f"{left_out} rows left out: no customer in 'customer_id' "):
        result = CLV_CALLS[call](inputs[engine])
    _same(result, expected)


def test_a_folder_or_glob_of_parquet_files_is_one_table(transactions, tmp_path):
    import duckdb

    clean = transactions.dropna()
    half = len(clean) // 2
    for part, rows in enumerate([clean.iloc[:half], clean.iloc[half:]]):
        (tmp_path / "year=2023").mkdir(exist_ok=True)
        relation = duckdb.from_df(rows.astype({"customer_id": object}))
        relation.write_parquet(str(tmp_path / "year=2023" / f"{part}.parquet"))
    expected = rfm_table(clean, "customer_id", "date", "amount")
    _same(rfm_table(tmp_path, "customer_id", "date", "amount"), expected)
    _same(rfm_table(str(tmp_path / "*" / "*.parquet"), "customer_id", "date", "amount"), expected)


def test_a_path_without_parquet_files_names_the_fix(tmp_path):
    with pytest.raises(DataError, match="no Parquet file at .*python -m mlmarketing.simulate big"):
        rfm_table(tmp_path, "customer_id", "date", "amount")
    with pytest.raises(DataError, match="no Parquet file"):
        rfm_table(str(tmp_path / "*.parquet"), "customer_id", "date", "amount")


def test_an_unknown_object_names_what_is_accepted():
    with pytest.raises(DataError, match="or a Polars DataFrame, a DuckDB relation, a Spark DataFrame"):
        rfm_table([("a", "2024-01-01", 3.0)], "customer_id", "date", "amount")


def test_a_missing_column_in_a_lazy_frame_is_named_with_a_suggestion(inputs):
    with pytest.raises(DataError, match="'amout' is not a column of the table. Did you mean 'amount'"):
        rfm_table(inputs["polars lazy"], "customer_id", "date", "amout")
    with pytest.raises(DataError, match="'client' is not a column"):
        summary_from_transactions(inputs["duckdb"], "client", "date", "amount")


def test_text_dates_and_negative_amounts_in_an_engine_are_refused_with_the_fix():
    import duckdb

    text_dates = duckdb.sql("select 'a' as c, '01/02/2024' as d, 3.0 as x")
    with pytest.raises(DataError, match="date column 'd' holds .* must hold dates. Convert it in the engine"):
        rfm_table(text_dates, "c", "d", "x")
    refund = duckdb.sql(
        "select * from (values ('a', DATE '2024-01-01', 3.0), ('a', DATE '2024-01-02', -2.0)) t(c, d, x)")
    with pytest.raises(DataError, match="1 negative amount.*such as -2"):
        rfm_table(refund, "c", "d", "x")
    late = duckdb.sql("select 'a' as c, DATE '2024-03-01' as d, 3.0 as x")
    with pytest.raises(DataError, match="dated after the end of the observation"):
        rfm_table(late, "c", "d", "x", as_of="2024-02-01")


def test_two_spellings_of_one_id_in_an_engine_are_refused():
    import duckdb

    spelled = duckdb.sql(
        "select * from (values ('7', DATE '2024-01-01', 3.0), (' 7', DATE '2024-01-02', 2.0)) t(c, d, x)")
    with pytest.raises(DataError, match="spells one id in several ways"):
        rfm_table(spelled, "c", "d", "x")


def test_no_engine_is_imported_for_pandas_input(transactions):
    import subprocess
    import sys

    code = (
        "import sys, warnings; warnings.simplefilter('ignore');"
        "from mlmarketing import load_dataset; from mlmarketing.clv import rfm_table;"
        "rfm_table(load_dataset('transactions'), 'customer_id', 'date', 'amount');"
        # Not polars: statsmodels imports it by itself where it is installed.
        "print(sorted(m for m in ('duckdb', 'pyspark') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_caller_frame_is_left_as_it_was(inputs):
    before = inputs["polars"].clone()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        rfm_table(inputs["polars"], "customer_id", "date", "amount")
    assert inputs["polars"].equals(before)


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> tuple[pd.DataFrame, dict[str, object]]:
    table = load_dataset("media").astype({"channel": object, "season": object})
    # A row without a channel: its own group, "(missing)", as on pandas.
    table.loc[3, "channel"] = None
    return table, engine_inputs(table, tmp_path_factory.mktemp("media"))


MEDIA_CALLS = {
    "by channel": lambda d: media_kpis(d, "channel", conversions="total_conversions",
                                       revenue="total_revenue", reach="reach"),
    "by channel and season": lambda d: media_kpis(d, ["channel", "season"], conversions="total_conversions",
                                                  revenue="total_revenue"),
    "whole table": lambda d: media_kpis(d, None, conversions="reported_conversions", revenue=None),
}


@pytest.mark.parametrize("call", list(MEDIA_CALLS))
@pytest.mark.parametrize("engine", ENGINES)
def test_media_kpis_are_the_same_on_every_engine(media, engine, call):
    table, inputs = media
    _same(MEDIA_CALLS[call](inputs[engine]), MEDIA_CALLS[call](table))


def test_media_rows_that_break_a_rule_are_refused_before_summing(media):
    import duckdb

    swapped = duckdb.sql("select * from (values ('tv', 10.0, 100, 5), ('tv', 10.0, 100, 300)) "
                         "t(channel, spend, impressions, clicks)")
    with pytest.raises(DataError, match="1 row\\(s\\) have more clicks"):
        media_kpis(swapped, conversions=None, revenue=None)
    negative = duckdb.sql(
        "select * from (values ('tv', -10.0, 100), ('tv', 30.0, 100)) t(channel, spend, impressions)")
    with pytest.raises(DataError, match="'spend' \\(spend\\) has 1 negative"):
        media_kpis(negative, clicks=None, conversions=None, revenue=None)


@pytest.mark.parametrize("engine", ENGINES)
def test_long_tail_is_the_same_on_every_engine(engine, tmp_path):
    purchases = load_dataset("purchases")[["customer_id", "product_id"]].astype(object)
    inputs = engine_inputs(purchases, tmp_path)
    _same(long_tail(inputs[engine], head_share=0.6), long_tail(purchases, head_share=0.6))


def test_long_tail_refuses_missing_products_in_an_engine():
    import duckdb

    with pytest.raises(DataError, match="'product_id' has 1 missing value"):
        long_tail(duckdb.sql("select * from (values ('a'), (NULL), ('b')) t(product_id)"))


@pytest.mark.parametrize("engine", ENGINES)
def test_funnel_report_is_the_same_on_every_engine(engine, tmp_path):
    campaign = load_dataset("campaign")[["creative", "delivered", "opened_at", "clicked_at", "purchased_at",
                                         "amount"]].astype({"creative": object})
    inputs = engine_inputs(campaign, tmp_path)
    steps = {"delivered": "delivered", "opened": "opened_at", "clicked": "clicked_at", "bought": "amount"}
    result = funnel_report(inputs[engine], "creative", steps, level=0.9)
    _same(result, funnel_report(campaign, "creative", steps, level=0.9))


def test_funnel_steps_out_of_order_in_an_engine_are_refused():
    import duckdb

    table = duckdb.sql("select * from (values ('A', true, false), ('A', false, true), ('B', true, true)) "
                       "t(creative, opened, clicked)")
    with pytest.raises(DataError, match="1 row\\(s\\) reached step 'clicked' without step 'opened'"):
        funnel_report(table, "creative", ["opened", "clicked"])
    text = duckdb.sql("select 'A' as creative, 'oui' as opened")
    with pytest.raises(DataError, match="step column 'opened' holds String .* Convert it in the engine"):
        funnel_report(text, "creative", ["opened"])


@pytest.mark.parametrize("engine", ENGINES)
def test_cohort_retention_is_the_same_on_every_engine(engine, tmp_path):
    accounts = load_dataset("cloud_services")[["signup_date", "end_date"]]
    inputs = engine_inputs(accounts, tmp_path)
    for freq in ("MS", "QS"):
        expected = cohort_retention(accounts, "signup_date", "end_date", as_of="2024-12-31", freq=freq)
        _same(cohort_retention(inputs[engine], "signup_date", "end_date", as_of="2024-12-31", freq=freq),
              expected)


def test_cohort_dates_after_the_extraction_in_an_engine_name_the_accounts():
    import duckdb

    table = duckdb.sql("select * from (values (DATE '2024-01-05', DATE '2024-03-01'), "
                       "(DATE '2024-01-05', NULL)) t(start, stop)")
    with pytest.raises(DataError, match="end dates after the extraction date .*1 accounts from 2024-01-05"):
        cohort_retention(table, "start", "stop", as_of="2024-02-01")


@pytest.mark.parametrize("call", ["rfm_table", "summary with holdout"])
def test_duckdb_in_customer_parts_gives_the_same_table(transactions, inputs, monkeypatch, call):
    import mlmarketing._engines as engines

    with pytest.warns(DataWarning):
        whole = CLV_CALLS[call](inputs["parquet path"])
    monkeypatch.setattr(engines, "PART_ROWS", 700)  # five parts of the 3,001 rows
    with pytest.warns(DataWarning):
        _same(CLV_CALLS[call](inputs["parquet path"]), whole)


def test_whole_number_ids_in_range_parts_give_the_pandas_table(transactions, tmp_path, monkeypatch):
    import mlmarketing._engines as engines

    # Whole-number ids (negative ones, and lengths that sort differently as text and as numbers)
    # are cut in ranges of ids on DuckDB and sorted as text, as pandas sorts them.
    table = transactions.dropna(subset=["customer_id"]).copy()
    codes = pd.factorize(table["customer_id"])[0]
    table["customer_id"] = np.where(codes % 3 == 0, -codes, codes * 37 + 5).astype(np.int64)
    path = tmp_path / "whole.parquet"
    duckdb.from_df(table).write_parquet(str(path))
    with pytest.warns(DataWarning):
        expected = CLV_CALLS["summary with holdout"](table)
    monkeypatch.setattr(engines, "PART_ROWS", 500)
    with pytest.warns(DataWarning):
        _same(CLV_CALLS["summary with holdout"](str(path)), expected)
    with pytest.warns(DataWarning):
        _same(CLV_CALLS["rfm_table"](str(path)), CLV_CALLS["rfm_table"](table))


def test_totals_of_parquet_files_are_not_reused_once_the_files_change(transactions, tmp_path):
    path = tmp_path / "changing.parquet"
    first = transactions.dropna(subset=["customer_id"])
    duckdb.from_df(first).write_parquet(str(path))
    with pytest.warns(DataWarning):
        before = rfm_table(str(path), "customer_id", "date", "amount")
    later = first.assign(amount=first["amount"] * 2)
    duckdb.from_df(later).write_parquet(str(path))
    with pytest.warns(DataWarning):
        expected = rfm_table(later, "customer_id", "date", "amount")
    with pytest.warns(DataWarning):
        _same(rfm_table(str(path), "customer_id", "date", "amount"), expected)
    assert not before["monetary"].equals(expected["monetary"])


def test_whole_numbers_are_ordered_as_their_text():
    from mlmarketing._engines import _text_order

    numbers = np.array([9, 10, 1, 0, -2, -10, 100, 19, 2, 987654321012345678, -1])
    order = _text_order(numbers)
    assert [str(n) for n in numbers[order]] == sorted(str(n) for n in numbers)
    assert _text_order(np.array([10**18, 1])) is None
