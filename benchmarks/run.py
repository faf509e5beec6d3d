"""Time the kit against its budgets and print a table.

    python benchmarks/run.py              # everything
    python benchmarks/run.py notebooks    # each notebook, kernel start included (budget 10 s)
    python benchmarks/run.py tests        # the whole test command (budget 180 s)
    python benchmarks/run.py functions    # the helpers' scale budgets (benchmarks/bench_*.py)
    python benchmarks/run.py notebooks 03-01 03-03   # only these (parts of file names)
    python benchmarks/run.py functions recommend     # one module, or parts of benchmark names
    python benchmarks/run.py peers        # the kit against lifetimes, lifelines, statsforecast,
                                          # implicit and scikit-learn, on the same real data
    python benchmarks/run.py peers text recommend    # only these parts (see bench_peers.py)
    python benchmarks/run.py peers --python PATH     # in an environment that has the peers

"peers" runs benchmarks/bench_peers.py in its own environment, benchmarks/.venv-peers
(git-ignored), which it builds the first time (venv + pip, from benchmarks/peers-requirements.txt,
with the kit installed editable and without its dependencies: lifelines and statsforecast need
pandas < 3) and rebuilds when that file changes.

Timings on a shared machine vary; that is why they are measured here and not asserted in
tests. The exit code is 1 when something is over its budget, so a person (or a scheduled
job) can see it, but the test suite never depends on it.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS_VENV = ROOT / "benchmarks" / ".venv-peers"
PEERS_REQUIREMENTS = ROOT / "benchmarks" / "peers-requirements.txt"
NOTEBOOK_BUDGET_S = 10.0
TEST_COMMAND_BUDGET_S = 180.0


def time_notebook(path: Path) -> float:
    """Seconds to start a python3 kernel and run the notebook top to bottom."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        notebook, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return time.perf_counter() - start


def bench_notebooks(selected: list[str] | None = None) -> list[tuple[str, float, float]]:
    rows = []
    for path in sorted((ROOT / "notebooks").glob("*/*.ipynb")):  # both editions, fr/ and en/
        if selected and not any(part in path.name for part in selected):
            continue
        rows.append((f"notebook {path.parent.name}/{path.name}", NOTEBOOK_BUDGET_S, time_notebook(path)))
        print_row(*rows[-1])
    return rows


def bench_tests() -> list[tuple[str, float, float]]:
    command = [sys.executable, "-m", "pytest", "-q", "-n", "auto", "--dist", "loadfile"]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    name = "test command" + ("" if result.returncode == 0 else " (FAILED)")
    row = (name, TEST_COMMAND_BUDGET_S, seconds)
    print_row(*row)
    return [row]


def bench_functions(selected: list[str] | None = None) -> list[tuple[str, float, float]]:
    rows = []
    for file in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        # A part that names the module (e.g. "recommend") runs all of it and spares loading the
        # others, some of which build large tables when they load.
        modules = [part for part in selected or [] if part in file.stem]
        names_a_module = any((ROOT / "benchmarks" / f"bench_{p}.py").exists() for p in selected or [])
        if selected and not modules and names_a_module:
            continue
        spec = importlib.util.spec_from_file_location(file.stem, file)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name, budget, function in module.BENCHMARKS:
            if selected and not modules and not any(s in name for s in selected):
                continue
            start = time.perf_counter()
            function()
            rows.append((name, budget, time.perf_counter() - start))
            print_row(*rows[-1])
    return rows


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def peers_python() -> Path:
    """The Python of benchmarks/.venv-peers, built or rebuilt from peers-requirements.txt."""
    python = _venv_python(PEERS_VENV)
    stamp = PEERS_VENV / "built-from.txt"  # the requirements it was built from
    wanted = PEERS_REQUIREMENTS.read_text(encoding="utf-8")
    if python.exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == wanted:
        return python
    print(f"building {PEERS_VENV.relative_to(ROOT)} from {PEERS_REQUIREMENTS.relative_to(ROOT)} "
          "(once; a few minutes)", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(PEERS_VENV)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(PEERS_REQUIREMENTS)], check=True)
    # Editable and without its dependencies: the kit's lock would bring pandas 3 back.
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True)
    stamp.write_text(wanted, encoding="utf-8")
    return python


def bench_peers(only: list[str], python: str | None) -> int:
    """Run benchmarks/bench_peers.py (its own table) with the peers' Python; its exit code."""
    interpreter = python or str(peers_python())
    command = [interpreter, str(ROOT / "benchmarks" / "bench_peers.py"), *only]
    return subprocess.run(command, cwd=ROOT).returncode


def print_row(name: str, budget: float, seconds: float) -> None:
    verdict = "ok" if seconds <= budget else "OVER BUDGET"
    print(f"| {name:<58} | {seconds:9.2f} | {budget:8.1f} | {verdict:<11} |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("what", nargs="?", default="all",
                        choices=["all", "notebooks", "tests", "functions", "peers"])
    parser.add_argument("only", nargs="*", help="notebook file names or benchmark name parts")
    parser.add_argument("--python", help="peers: an existing Python that has the peers (no build)")
    args = parser.parse_args(argv)
    if args.what == "peers":
        return bench_peers(args.only, args.python)
    print(f"| {'benchmark':<58} | {'seconds':>9} | {'budget':>8} | {'verdict':<11} |")
    print(f"|{'-' * 60}|{'-' * 11}:|{'-' * 9}:|{'-' * 13}|")
    rows = []
    if args.what in ("all", "notebooks"):
        rows += bench_notebooks(args.only)
    if args.what in ("all", "functions"):
        rows += bench_functions(args.only)
    if args.what in ("all", "tests"):
        rows += bench_tests()
    return 0 if all(seconds <= budget for _, budget, seconds in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
