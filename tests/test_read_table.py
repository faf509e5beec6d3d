"""read_table on the corpus of awkward files in tests/read_table/, one expectation per file.

Every file either loads with the stated columns, types and values, or raises DataError whose
message names the problem. A new file in the corpus without an expectation fails the suite.
"""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmarketing import DataError, DataWarning, read_table

CORPUS = Path(__file__).resolve().parent / "read_table"

# file -> {column: (dtype kind, first values)}; None in values means missing.
LOADS = {
    "comma_utf8.csv": {
        "customer_id": ("str", ["C001", "C002", "C003"]),
        "revenue": ("f", [1234.5, 99.9, None]),
        "orders": ("i", [3, 1, 2]),
    },
    "semicolon_decimal_comma_cp1252.csv": {
        "Région": ("str", ["Île-de-France"]),
        "Chiffre d'affaires": ("f", [1234.5, 987.1, 12.0]),
        "Taux de clic": ("f", [2.5, 3.75, 0.5]),
    },
    "utf8_bom.csv": {"id": ("i", [1, 2]), "âge": ("i", [34, 51]), "dépense": ("f", [12.5, 7.25])},
    "tab_separated.txt": {"channel": ("str", ["search", "social"]), "spend": ("f", [1200.5, 800.0])},
    "utf16_tab_excel_unicode.txt": {"ville": ("str", ["Créteil", "Évry"]), "montant": ("f", [10.5, 3.25])},
    "thousands_nbsp_and_euro.csv": {"budget": ("f", [12500.0, 1250000.0]), "CPA": ("f", [4.2, 3.1])},
    "thousands_dot_decimal_comma.csv": {
        "population": ("i", [1234567, 987654]),
        "revenu": ("f", [21345.5, 19876.25]),
    },
    "english_thousands.csv": {"population": ("i", [1234567, 987654]), "income": ("f", [21345.5, 19876.25])},
    "quoted_separators.csv": {
        "comment": ("str", ["Livraison rapide, merci", 'Produit "cassé", remboursé']),
        "score": ("i", [5, 1]),
    },
    "blank_strings_and_markers.csv": {
        "age": ("i", [None, 45, None, 38]),
        "segment": ("str", ["A", None, "B", None]),
        "spend": ("f", [10.0, None, None, 7.5]),
    },
    "leading_zero_codes.csv": {
        "code_postal": ("str", ["01000", "75001", "2A004"]),
        "departement": ("str", ["01", "75", "2A"]),
        "clients": ("i", [120, 3400, 15]),
    },
    "french_dates.csv": {
        "date": ("M", ["2025-01-31", "2025-02-01", None]),
        "montant": ("f", [10.5, 20.0, 5.0]),
    },
    "iso_datetimes.csv": {"sent_at": ("M", ["2025-03-01 09:15:00", "2025-03-01 18:40:00"])},
    "title_lines_above_header.csv": {
        "id": ("i", [1, 2]),
        "nom": ("str", ["Dupont", "Martin"]),
        "ca": ("f", [100.0, 250.5]),
    },
    "trailing_separator.csv": {
        "id": ("i", [1, 2]),
        "canal": ("str", ["email", "sms"]),
        "clics": ("i", [12, 3]),
    },
    "crlf_line_endings.csv": {"id": ("i", [1, 2]), "spend": ("i", [10, 20])},
    "mixed_text_and_numbers.csv": {"size": ("str", ["12", "XL", "14"])},
    "yes_no_target.csv": {"customerID": ("str", ["0001-A", "0002-B"]), "Churn": ("str", ["Yes", "No"])},
    "excel_title_rows.xlsx": {
        "Campagne": ("str", ["Soldes", "Marque", "Remarketing"]),
        "Date": ("M", ["2025-01-08", "2025-01-09", "2025-01-10"]),
        "Impressions": ("i", [120000, 45000, None]),
        "Coût": ("f", [1534.75, 310.2, 88.0]),
        "CTR (texte)": ("f", [2.5, 4.1, 1.75]),
    },
}

# file -> words the DataError message must contain.
FAILS = {
    "empty.csv": ["empty"],
    "blank_lines_only.csv": ["blank lines"],
    "header_only.csv": ["no data rows"],
    "single_column.csv": ["single column", "separator"],
    "ragged_more_fields.csv": ["line 3", "4 fields", "more than the 3 columns"],
    "ragged_fewer_fields.csv": ["line 3", "2 fields", "fewer"],
    "duplicate_headers.csv": ["'montant'", "Rename"],
    "binary_image.png": ["binary file"],
    "zip_with_csv_extension.csv": ["zip", ".xlsx"],
    "not_really_excel.xlsx": ["not an Excel workbook"],
    "legacy_excel.xls": [".xls", "save it as .xlsx"],
    "excel_empty_sheet.xlsx": ["empty", "sheet="],
}

KIND_CHECK = {
    "str": lambda s: pd.api.types.is_string_dtype(s) or s.dtype == object,
    "i": pd.api.types.is_integer_dtype,
    "f": pd.api.types.is_float_dtype,
    "M": pd.api.types.is_datetime64_any_dtype,
}


def test_every_corpus_file_has_an_expectation():
    assert {p.name for p in CORPUS.iterdir()} == set(LOADS) | set(FAILS)


def _same(actual: object, expected: object) -> bool:
    if expected is None:
        return bool(pd.isna(actual))
    if isinstance(expected, float):
        return not pd.isna(actual) and math.isclose(actual, expected)
    if isinstance(actual, pd.Timestamp):
        return actual == pd.Timestamp(expected)
    return actual == expected


@pytest.mark.parametrize("name", sorted(LOADS))
def test_corpus_file_loads(name):
    df = read_table(CORPUS / name)
    for column, (kind, values) in LOADS[name].items():
        assert column in df.columns, f"{column!r} missing: {list(df.columns)}"
        assert KIND_CHECK[kind](df[column]), f"{column!r} has dtype {df[column].dtype}, expected {kind}"
        actual = df[column].tolist()[: len(values)]
        assert all(_same(a, e) for a, e in zip(actual, values, strict=True)), (column, actual, values)


@pytest.mark.parametrize("name", sorted(FAILS))
def test_corpus_file_raises_a_clear_data_error(name):
    with pytest.raises(DataError) as error:
        read_table(CORPUS / name)
    message = str(error.value)
    for word in FAILS[name]:
        assert word in message
    assert name in message  # the user sees which file is at fault


@pytest.mark.parametrize("name", sorted(LOADS) + sorted(FAILS))
def test_the_source_file_is_never_modified(name):
    path = CORPUS / name
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), os.stat(path).st_mtime_ns)
    try:
        read_table(path)
    except DataError:
        pass
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), os.stat(path).st_mtime_ns) == before


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="is a folder"):
        read_table(tmp_path)
    with pytest.raises(DataError, match="expects a file path"):
        read_table(42)


def test_excel_sheet_choice():
    notes = read_table(CORPUS / "excel_title_rows.xlsx", sheet="Notes")
    assert notes.columns.tolist() == ["note"] or notes.shape[0] == 1
    with pytest.raises(DataError, match="no sheet 'Ventes'"):
        read_table(CORPUS / "excel_title_rows.xlsx", sheet="Ventes")
    with pytest.raises(DataError, match="sheet=5 does not exist"):
        read_table(CORPUS / "excel_title_rows.xlsx", sheet=5)


def test_detection_is_recorded_for_the_user():
    info = read_table(CORPUS / "semicolon_decimal_comma_cp1252.csv").attrs["read_table"]
    assert info["encoding"] == "cp1252"
    assert info["separator"] == "semicolon"
    assert info["decimal"] == "comma"
    assert info["numeric_columns"] == ["Chiffre d'affaires", "Taux de clic"]
    assert read_table(CORPUS / "title_lines_above_header.csv").attrs["read_table"]["title_lines_skipped"] == 2


def test_dates_can_be_left_as_text():
    df = read_table(CORPUS / "french_dates.csv", parse_dates=False)
    assert df["date"].iloc[0] == "31/01/2025"


def test_month_first_dates_are_read_month_first_only_when_the_file_shows_it(tmp_path):
    path = tmp_path / "us.csv"
    path.write_text("id,when\n1,12/31/2024\n2,01/02/2025\n", encoding="utf-8")
    with pytest.warns(DataWarning, match="'when' is read month first"):
        df = read_table(path)
    assert df["when"].tolist() == [pd.Timestamp(2024, 12, 31), pd.Timestamp(2025, 1, 2)]
    ambiguous = tmp_path / "fr.csv"
    ambiguous.write_text("id;quand\n1;01/02/2025\n2;03/04/2025\n", encoding="utf-8")
    assert read_table(ambiguous)["quand"].tolist() == [pd.Timestamp(2025, 2, 1), pd.Timestamp(2025, 4, 3)]


def test_impossible_dates_stay_text(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,when\n1,31/02/2024\n2,01/03/2024\n", encoding="utf-8")
    assert read_table(path)["when"].tolist() == ["31/02/2024", "01/03/2024"]


finite = st.floats(min_value=-1e7, max_value=1e7, allow_nan=False).map(lambda x: round(x, 2))


@settings(max_examples=40, deadline=None)
@given(values=st.lists(finite, min_size=1, max_size=15), style=st.sampled_from(["fr", "en", "fr-space"]))
def test_numbers_round_trip_in_any_locale(tmp_path_factory, values, style):
    """Numbers written the French or English way are read back as the same numbers."""

    def fmt(x: float) -> str:
        text = f"{x:,.2f}"  # 1,234,567.89
        if style == "fr":
            return '"' + text.replace(",", " ").replace(".", ",") + '"'
        if style == "fr-space":
            return text.replace(",", "\u00a0").replace(".", ",")
        return '"' + text + '"'

    sep = ";" if style.startswith("fr") else ","
    lines = [f"id{sep}amount"] + [f"{i}{sep}{fmt(x)}" for i, x in enumerate(values)]
    path = tmp_path_factory.mktemp("round") / "amounts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    read = read_table(path)["amount"].astype(float).tolist()
    assert read == pytest.approx(values)
