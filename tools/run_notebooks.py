"""Run notebooks top to bottom in a fresh kernel and report every error and every new warning.

    python tools/run_notebooks.py [--report FAILED.json] NOTEBOOK...

Used by ``python course.py lowest`` on a temporary copy of the notebooks: the stored outputs are
not compared (only the locked versions reproduce them) and nothing is saved. A notebook fails
if a cell raises, or if a cell writes to stderr (a warning) where the committed notebook did not:
students would see it. Exits 1 if any notebook fails.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def _stderr(cell: nbformat.NotebookNode) -> str:
    return "".join(
        output.get("text", "")
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stderr"
    )


def problems_of(path: Path, timeout: int = 120) -> list[str]:
    """What went wrong running ``path`` (empty when it ran cleanly)."""
    committed = nbformat.read(path, as_version=4)
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    try:
        client.execute()
    except CellExecutionError as error:
        return [f"a cell raised: {str(error).strip()[-1500:]}"]
    except Exception as error:  # the kernel died, a timeout, ...
        return [f"{type(error).__name__}: {error}"]
    problems = []
    for number, (before, after) in enumerate(zip(committed.cells, nb.cells, strict=True), start=1):
        if after.cell_type == "code" and _stderr(after) and not _stderr(before):
            source = after.source.splitlines()[0] if after.source else ""
            warning = _stderr(after).strip()[:1500]
            problems.append(f"cell {number} ({source[:60]!r}) writes to stderr:\n{warning}")
    return problems


def main(paths: list[str]) -> int:
    report = None
    if paths and paths[0].startswith("--report="):
        report, paths = Path(paths[0].split("=", 1)[1]), paths[1:]
    failed = 0
    names = []
    for name in paths:
        path = Path(name)
        started = time.monotonic()
        problems = problems_of(path)
        status = "FAILED" if problems else "ok"
        print(f"{path.parent.name}/{path.name}: {status} ({time.monotonic() - started:.1f} s)", flush=True)
        for problem in problems:
            print("    " + problem.replace("\n", "\n    "), flush=True)
        failed += bool(problems)
        names += [f"{path.parent.name}/{path.name}"] if problems else []
    if report is not None:
        report.write_text(json.dumps(names))
    print(f"{len(paths) - failed} passed, {failed} failed" if paths else "no notebook given", flush=True)
    return 1 if failed or not paths else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
