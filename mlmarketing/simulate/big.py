"""Big transaction files for notebook 04-03: ``python -m mlmarketing.simulate big --rows N --out DIR``.

A retailer's purchases over two years, as Parquet files written chunk by chunk (the whole table
is never in memory), with a planted BG/NBD process of purchases and a planted Gamma-Gamma model
of amounts, so that the same customer-value pipeline can be checked at any scale: the estimates
on a hundred million rows must recover the parameters written in ``truth.json``.

The files are made on demand and never committed (a hundred million rows take about 1.5 GB).
Columns: ``customer_id`` (a whole number), ``date`` (a date), ``amount`` (euros, 2 decimals).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from mlmarketing._errors import DataError
from mlmarketing.simulate.transactions import draw_customers

__all__ = ["BG_NBD", "GAMMA_GAMMA", "simulate_big_chunk", "write_big"]

START = pd.Timestamp("2023-01-01")
END = pd.Timestamp("2024-12-31")  # last day of the observation
# Planted BG/NBD (weeks): purchase rate ~ Gamma(r, rate alpha), dropout after a purchase ~ Beta(a, b).
# A retailer's regular customers: about ten purchase days each over the two years.
BG_NBD = {"r": 1.2, "alpha": 6.0, "a": 0.6, "b": 5.0}
# Planted Gamma-Gamma: amount ~ Gamma(p, rate nu) per purchase, nu ~ Gamma(q, rate gamma).
GAMMA_GAMMA = {"p": 4.0, "q": 5.0, "gamma": 60.0}
CUSTOMERS_PER_CHUNK = 1_000_000
RANDOM_STATE = 20250402


def simulate_big_chunk(n_customers: int, first_id: int,
                       random_state: np.random.Generator | int) -> pd.DataFrame:
    """The purchases of ``n_customers`` customers (ids from ``first_id``), sorted by date.

    Customers make a first purchase on a day of 2023 (uniformly). While active, a customer
    buys as a Poisson process of her own weekly rate; after each repeat purchase she leaves
    for good with her own probability: the BG/NBD story, drawn purchase after purchase for all
    customers at once (no loop over customers). Several purchases of one customer on one day
    are kept as separate rows (lines of one order), as in an export.

    Examples
    --------
    >>> chunk = simulate_big_chunk(1000, 1, random_state=0)
    >>> chunk.columns.tolist(), int(chunk["customer_id"].nunique())
    (['customer_id', 'date', 'amount'], 1000)
    """
    gen = np.random.default_rng(random_state)
    bg, gg = BG_NBD, GAMMA_GAMMA
    rate, dropout, nu, first_day, age_weeks = draw_customers(gen, n_customers, bg, gg, START, END)

    owners, offsets = [np.arange(n_customers)], [np.zeros(n_customers)]
    active = np.arange(n_customers)
    clock = np.zeros(n_customers)
    while active.size:
        clock[active] += gen.exponential(1.0 / rate[active])
        active = active[clock[active] <= age_weeks[active]]
        owners.append(active)
        offsets.append(clock[active])
        # After each repeat purchase she may leave for good.
        active = active[gen.random(active.size) >= dropout[active]]
    owner = np.concatenate(owners)
    days = first_day[owner] + np.floor(np.concatenate(offsets) * 7.0).astype(np.int64)
    amount = np.maximum(gen.gamma(gg["p"], 1.0 / nu[owner]).round(2), 0.01)
    order = np.lexsort((owner, days))
    return pd.DataFrame({
        "customer_id": (first_id + owner[order]).astype(np.int64),
        "date": (START + pd.to_timedelta(days[order], unit="D")).to_numpy().astype("datetime64[D]"),
        "amount": amount[order],
    })


def write_big(rows: int, out: str | Path, *, random_state: int = RANDOM_STATE,
              customers_per_chunk: int = CUSTOMERS_PER_CHUNK) -> dict:
    """Write about ``rows`` transactions as Parquet files ``part-00000.parquet``, ... in ``out``.

    Chunks of ``customers_per_chunk`` customers are drawn and written one after the other (each
    from its own seed, spawned from ``random_state``), until ``rows`` is reached; the last
    customer's history is written whole, so the total is ``rows`` or a few rows more.
    ``truth.json`` records the planted parameters, the number of rows and customers and the
    observation end.

    Returns
    -------
    dict
        What ``truth.json`` holds.
    """
    import duckdb

    if isinstance(rows, bool) or not isinstance(rows, int | np.integer) or rows < 1:
        raise DataError(f"rows must be a whole number of transactions, 1 or more; got {rows!r}.")
    folder = Path(out)
    if folder.exists() and any(folder.glob("part-*.parquet")):
        raise DataError(
            f"{folder} already holds Parquet parts: choose an empty folder, or delete them first, so "
            "that two runs are never mixed."
        )
    folder.mkdir(parents=True, exist_ok=True)
    seeds = np.random.SeedSequence(random_state)
    written = customers = part = 0
    connection = duckdb.connect()
    while written < rows:
        seed = np.random.default_rng(seeds.spawn(1)[0])
        # A customer makes about ten rows: a fifth of the rows still needed is enough customers
        # for a small file (another chunk follows if not).
        size = int(min(customers_per_chunk, max(1000, (rows - written) // 5)))
        chunk = simulate_big_chunk(size, customers + 1, seed)
        lengths = np.bincount(chunk["customer_id"].to_numpy() - customers - 1, minlength=size)
        needed = rows - written
        if lengths.sum() > needed:
            # The first customers whose histories reach the rows asked for, whole.
            keep = int(np.searchsorted(np.cumsum(lengths), needed)) + 1
            chunk = chunk[chunk["customer_id"].to_numpy() <= customers + keep]
            customers += keep
        else:
            customers += size
        path = folder / f"part-{part:05d}.parquet"
        connection.register("chunk", chunk)
        connection.execute(f"COPY chunk TO '{path.as_posix()}' (FORMAT parquet, COMPRESSION zstd)")
        connection.unregister("chunk")
        written += len(chunk)
        part += 1
    connection.close()
    truth = {
        "rows requested": rows, "rows": written, "customers": customers, "files": part,
        "bg_nbd": dict(BG_NBD), "gamma_gamma": dict(GAMMA_GAMMA), "time_unit": "weeks",
        "observation_end": END.strftime("%Y-%m-%d"), "random_state": random_state,
        "columns": {"customer_id": "customer number", "date": "day of the purchase",
                    "amount": "euros, 2 decimals"},
    }
    (folder / "truth.json").write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    return truth


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlmarketing.simulate big", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=lambda text: int(text.replace("_", "")), required=True,
                        help="number of transactions, e.g. 100_000_000")
    parser.add_argument("--out", type=Path, required=True, help="an empty folder for the Parquet files")
    parser.add_argument("--seed", type=int, default=RANDOM_STATE, help="random seed")
    args = parser.parse_args(argv)
    try:
        truth = write_big(args.rows, args.out, random_state=args.seed)
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {truth['rows']:,} transactions of {truth['customers']:,} customers in "
          f"{truth['files']} Parquet file(s) to {args.out}, and truth.json")
    return 0
