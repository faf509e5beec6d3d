"""python -m mlmarketing.simulate big: seeded Parquet files written in chunks, with the planted truth."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mlmarketing import DataError
from mlmarketing.simulate.__main__ import main
from mlmarketing.simulate.big import BG_NBD, simulate_big_chunk, write_big

duckdb = pytest.importorskip("duckdb")


def _read(folder):
    return duckdb.sql(f"select * from read_parquet('{folder.as_posix()}/*.parquet') "
                      "order by customer_id, date, amount").df()


def test_files_are_written_in_chunks_with_whole_customer_histories(tmp_path):
    truth = write_big(30_000, tmp_path / "a", random_state=3, customers_per_chunk=1_000)
    parts = sorted((tmp_path / "a").glob("part-*.parquet"))
    assert len(parts) == truth["files"] > 1
    table = _read(tmp_path / "a")
    assert len(table) == truth["rows"] >= 30_000
    assert table["customer_id"].nunique() == truth["customers"] == table["customer_id"].max()
    # The last customer's history is whole: at most one history past the rows asked for.
    assert truth["rows"] - 30_000 < table.groupby("customer_id").size().max()
    assert table["amount"].min() >= 0.01 and (table["amount"] == table["amount"].round(2)).all()
    assert str(table["date"].min().date()) >= "2023-01-01"
    assert str(table["date"].max().date()) <= truth["observation_end"]
    saved = json.loads((tmp_path / "a" / "truth.json").read_text())
    assert saved["bg_nbd"] == BG_NBD and saved["rows requested"] == 30_000


def test_the_same_seed_writes_the_same_transactions_and_another_seed_others(tmp_path):
    write_big(5_000, tmp_path / "a", random_state=3)
    write_big(5_000, tmp_path / "b", random_state=3)
    write_big(5_000, tmp_path / "c", random_state=4)
    first, again, other = (_read(tmp_path / name) for name in "abc")
    assert first.equals(again)
    assert not first.equals(other)


def test_a_folder_that_holds_parts_is_refused(tmp_path):
    write_big(1_000, tmp_path, random_state=1)
    with pytest.raises(DataError, match="already holds Parquet parts"):
        write_big(1_000, tmp_path, random_state=1)
    with pytest.raises(DataError, match="rows must be a whole number"):
        write_big(0, tmp_path / "new")


def test_the_command_line_writes_the_files(tmp_path, capsys):
    assert main(["big", "--rows", "2_000", "--out", str(tmp_path / "big")]) == 0
    assert "transactions of" in capsys.readouterr().out
    assert (tmp_path / "big" / "truth.json").exists()


def test_the_planted_process_gives_the_purchase_rate_it_promises():
    chunk = simulate_big_chunk(20_000, 1, random_state=0)
    per_customer = chunk.groupby("customer_id").size()
    # About ten rows per customer (the generator sizes its chunks on it), a few to a few dozen.
    assert 7 < per_customer.mean() < 13
    assert np.all(chunk["date"].to_numpy()[1:] >= chunk["date"].to_numpy()[:-1])  # sorted by date
