"""Big data: RFM + BG/NBD + Gamma-Gamma on Parquet files with DuckDB, pandas and Spark.

    python benchmarks/run.py functions big

Each case runs in a process of its own, so that its peak memory (the maximum resident set
size, read from the operating system) is its own. The data is written once by
``python -m mlmarketing.simulate big`` into ``build/big/<rows>/`` (git-ignored) and reused.

- DuckDB on 100,000,000 rows read from Parquet (budget 120 s, 4 GB);
- pandas on 10,000,000 rows, loaded into memory first, for comparison (the load is not timed;
  the memory is the point);
- Spark (a local session) on 10,000,000 rows, when pyspark and Java are installed.

``MLMARKETING_BIG_ROWS=20000000`` measures DuckDB on fewer rows when the machine is busy.
Run this file directly for one case: ``python benchmarks/bench_big.py duckdb 100000000``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEMORY_BUDGET_GB = 4.0
BIG_ROWS = int(os.environ.get("MLMARKETING_BIG_ROWS", "100000000"))
COMPARISON_ROWS = 10_000_000


def data_folder(rows: int) -> Path:
    folder = ROOT / "build" / "big" / str(rows)
    if not (folder / "truth.json").exists():
        subprocess.run([sys.executable, "-m", "mlmarketing.simulate", "big", "--rows", str(rows), "--out",
                        str(folder)], cwd=ROOT, check=True)
    return folder


def pipeline(data: object) -> dict:
    """The customer-value pipeline of notebooks 04-01 and 04-03 on any input."""
    from mlmarketing.clv import BetaGeo, GammaGamma, compress_summary, rfm_table, summary_from_transactions

    times = {}
    start = time.perf_counter()
    rfm = rfm_table(data, "customer_id", "date", "amount")
    times["rfm"] = time.perf_counter() - start
    start = time.perf_counter()
    summary = summary_from_transactions(data, "customer_id", "date", "amount")
    times["summary"] = time.perf_counter() - start
    start = time.perf_counter()
    purchases = BetaGeo(weights="customers").fit(compress_summary(summary))
    times["bg/nbd"] = time.perf_counter() - start
    start = time.perf_counter()
    spend = GammaGamma(weights="customers").fit(compress_summary(summary, ["frequency", "monetary value"]))
    times["gamma-gamma"] = time.perf_counter() - start
    return {"customers": len(rfm), "seconds": times,
            "bg_nbd": {k: round(v, 3) for k, v in purchases.params_.items()},
            "gamma_gamma": {k: round(v, 3) for k, v in spend.params_.items()}}


def run_case(engine: str, rows: int) -> dict:
    """One case, in this process: load (pandas only), then the timed pipeline."""
    folder = data_folder(rows)
    if engine == "duckdb":
        import duckdb

        # The helpers read Parquet paths on DuckDB's default connection; capped so that the case
        # fits the memory budget (DuckDB spills the rest of a big aggregation to disk).
        duckdb.execute(f"SET memory_limit = '{MEMORY_BUDGET_GB - 1:g}GB'")
        data = str(folder)
    elif engine == "pandas":
        import duckdb

        data = duckdb.read_parquet(str(folder / "*.parquet")).df()
    elif engine == "spark":
        from pyspark.sql import SparkSession

        spark = (SparkSession.builder.master("local[*]").appName("mlmarketing-bench")
                 .config("spark.ui.enabled", "false").config("spark.driver.memory", "3g")
                 .config("spark.sql.session.timeZone", "UTC").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        data = spark.read.parquet(str(folder / "*.parquet"))
    else:
        raise SystemExit(f"unknown engine {engine!r}: duckdb, pandas or spark")
    start = time.perf_counter()
    result = pipeline(data)
    result["total seconds"] = time.perf_counter() - start
    result["truth"] = json.loads((folder / "truth.json").read_text())["bg_nbd"]
    return result


def _measured(engine: str, rows: int) -> None:
    """Run one case in a child process; print its time, peak memory and estimates."""
    process = subprocess.Popen([sys.executable, __file__, engine, str(rows)], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"the {engine} case failed (exit code {process.returncode})")
    result = json.loads(output.strip().splitlines()[-1])
    # ru_maxrss is in kilobytes on Linux: the child's own peak (Spark's JVM is a process of its own,
    # capped by spark.driver.memory).
    peak_gb = usage.ru_maxrss / 1024**2
    # The processor time of the whole case (loading included): on a machine shared with others the
    # elapsed time can be several times the work done, and this tells the two apart.
    cpu = usage.ru_utime + usage.ru_stime
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result["seconds"].items())
    print(f"  {engine}, {rows:,} rows, {result['customers']:,} customers: {result['total seconds']:.1f} s "
          f"({steps}); processor time of the case {cpu:.0f} s; peak memory {peak_gb:.2f} GB "
          f"(budget {MEMORY_BUDGET_GB:g} GB)\n"
          f"  BG/NBD {result['bg_nbd']} (planted {result['truth']}); Gamma-Gamma {result['gamma_gamma']}",
          flush=True)


def _spark_available() -> bool:
    import importlib.util
    import shutil

    return importlib.util.find_spec("pyspark") is not None and shutil.which("java") is not None


def duckdb_big() -> None:
    _measured("duckdb", BIG_ROWS)


def pandas_comparison() -> None:
    _measured("pandas", COMPARISON_ROWS)


def spark_comparison() -> None:
    if not _spark_available():
        print("  spark: skipped (no pyspark or no Java: pip install -r requirements-spark.lock)")
        return
    _measured("spark", COMPARISON_ROWS)


if __name__ != "__main__":
    # Written once when the file is loaded, outside the timed functions (minutes the first time:
    # about 10 for a hundred million rows, 1.5 GB on disk).
    for _rows in (BIG_ROWS, COMPARISON_ROWS):
        data_folder(_rows)

BENCHMARKS = [
    (f"big: RFM+BG/NBD+GG, {BIG_ROWS:,} rows, DuckDB on Parquet", 120.0, duckdb_big),
    (f"big: RFM+BG/NBD+GG, {COMPARISON_ROWS:,} rows, pandas", 120.0, pandas_comparison),
    (f"big: RFM+BG/NBD+GG, {COMPARISON_ROWS:,} rows, Spark local", 300.0, spark_comparison),
]

if __name__ == "__main__":
    print(json.dumps(run_case(sys.argv[1], int(sys.argv[2]))))
