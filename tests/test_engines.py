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
from tests.engines import engine_inputs

pytest.importorskip("duckdb")
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
