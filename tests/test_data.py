"""The dataset registry and load_dataset: every shipped dataset loads with its documented types."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import mlmarketing
from mlmarketing import DataError, list_datasets, load_dataset
from mlmarketing.data import _REGISTRY, KINDS, dataset_dir, dataset_path

NAMES = sorted(_REGISTRY)
DATA_CARD = Path(__file__).resolve().parent.parent / "datasets" / "README.md"


def test_list_datasets_is_a_table_of_the_registry():
    table = list_datasets()
    assert table["name"].tolist() == list(_REGISTRY)
    assert set(table.columns) >= {"name", "file", "notebook", "description"}


@pytest.mark.parametrize("name", NAMES)
def test_dataset_loads_with_documented_columns_and_dtypes(name):
    df = load_dataset(name)
    spec = _REGISTRY[name]
    assert list(df.columns) == list(spec.columns)
    assert len(df) > 0
    for column, kind in spec.columns.items():
        dtype = df[column].dtype
        if kind in ("id", "text"):
            assert pd.api.types.is_string_dtype(dtype), (column, dtype)
        elif kind in ("date", "datetime"):
            assert pd.api.types.is_datetime64_any_dtype(dtype), (column, dtype)
        else:
            assert str(dtype) == KINDS[kind], (column, dtype)


@pytest.mark.parametrize("name", NAMES)
def test_ids_are_unique_text(name):
    spec = _REGISTRY[name]
    ids = [c for c, k in spec.columns.items() if k == "id"]
    df = load_dataset(name)
    for column in ids[:1]:
        if spec.read_options.get("id_unique", True):
            assert df[column].notna().all()


@pytest.mark.parametrize("name", NAMES)
def test_every_column_is_described_in_the_data_card(name):
    card = DATA_CARD.read_text(encoding="utf-8")
    spec = _REGISTRY[name]
    assert f"`{spec.file}`" in card, f"{spec.file} has no section in datasets/README.md"
    for column in spec.columns:
        assert f"`{column}`" in card, f"column {column!r} of {spec.file} is not in the data card"


def test_each_load_is_a_fresh_copy():
    first = load_dataset("customers")
    first.loc[:, "age"] = 0
    assert load_dataset("customers")["age"].ne(0).all()


def test_unknown_name_suggests_the_closest():
    with pytest.raises(DataError, match=r"no dataset named 'customer'\. Did you mean 'customers'\?"):
        load_dataset("customer")
    with pytest.raises(DataError, match="read_table"):
        load_dataset("my_file.csv")


def test_files_are_found_from_the_package_not_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert dataset_path("customers").exists()
    assert dataset_dir().is_absolute()


def test_no_relative_parent_paths_in_the_package():
    source = "\n".join(p.read_text(encoding="utf-8") for p in Path(mlmarketing.__file__).parent.rglob("*.py"))
    assert not re.search(r"""["']\.\./""", source)


def test_import_has_no_global_side_effects():
    import subprocess
    import sys

    code = (
        "import warnings, matplotlib, pandas as pd\n"
        # Third-party libraries add their own warning filters on import: load them first.
        "import sklearn.metrics, sklearn.linear_model, scipy.special, scipy.optimize, statsmodels.api\n"
        "before = (dict(matplotlib.rcParams), pd.get_option('display.precision'), list(warnings.filters))\n"
        "import mlmarketing, mlmarketing.data, mlmarketing.simulate, mlmarketing.course_map\n"
        "after = (dict(matplotlib.rcParams), pd.get_option('display.precision'), list(warnings.filters))\n"
        "assert before == after, 'importing mlmarketing changed global settings'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
