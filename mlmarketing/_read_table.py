"""Read a user's own CSV or Excel export, the way a French analyst's files really look.

What it handles, and the choices it makes visibly (all recorded in ``df.attrs["read_table"]``):

- separator ``,`` ``;`` ``|`` or tab, found from the first lines (quotes respected);
- encodings UTF-8, UTF-8 with BOM, UTF-16 with BOM (Excel "Unicode text"), and cp1252
  (Excel "CSV" on a French Windows), tried in that order;
- title lines above the header (an export's "Extraction du 03/02/2025" line) are skipped;
- blank strings and the usual missing markers (``NA``, ``N/A``, ``#N/A``, ``NULL``, ``nan``, ``-``)
  become missing values;
- numbers written ``1234.5``, ``1,234.5``, ``1234,5``, ``1 234,5``, ``1.234,5``, with an optional
  currency sign (``€``, ``$``, ``£``), become numbers; a column that mixes numbers and other text
  stays text, and so does a column of codes with leading zeros (``"01"``, ``"007"``), which
  would lose their zeros as numbers;
- dates written ``2025-03-31``, ``31/03/2025`` or ``31.03.2025`` (day first, as in France),
  with an optional time, become dates; US month-first dates are not guessed and stay text;
- columns with no header and no value (a trailing separator) are dropped.

Anything it cannot read raises :class:`mlmarketing.DataError` that says what is wrong and what
to do. It opens the source file read-only and never writes to it.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections import Counter
from pathlib import Path

import pandas as pd

from mlmarketing._errors import DataError
from mlmarketing._validation import read_dates

MISSING_MARKERS = frozenset({"", "na", "n/a", "#n/a", "null", "none", "nan", "-", "--", "?"})
_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_SNIFF_LINES = 200
_MAX_TITLE_LINES = 10

# A number with an optional sign, currency, thousands groups and decimals. Thousands groups
# are made of exactly three digits; the separator is a space (plain, no-break or narrow
# no-break), a dot or a comma, depending on the decimal mark.
_SPACE = "[ \u00a0\u202f]"
_CURRENCY = "[€$£]"
_NUMBER_PATTERNS = {
    ".": re.compile(
        rf"^[+-]?{_CURRENCY}?{_SPACE}?(\d{{1,3}}(,\d{{3}})+|\d{{1,3}}({_SPACE}\d{{3}})+|\d+)?"
        rf"(\.\d+)?{_SPACE}?{_CURRENCY}?$"
    ),
    ",": re.compile(
        rf"^[+-]?{_CURRENCY}?{_SPACE}?(\d{{1,3}}(\.\d{{3}})+|\d{{1,3}}({_SPACE}\d{{3}})+|\d+)?"
        rf"(,\d+)?{_SPACE}?{_CURRENCY}?$"
    ),
}
_LEADING_ZERO = re.compile(r"^0\d")
_DATE_SHAPE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2})?)?$")


def read_table(
    path: str | os.PathLike[str],
    *,
    sheet: str | int = 0,
    parse_dates: bool = True,
) -> pd.DataFrame:
    """Read a CSV, text or Excel file exported by a marketing tool into a clean DataFrame.

    Parameters
    ----------
    path : str or path-like
        The file: ``.csv``, ``.txt``, ``.tsv`` (any separator) or ``.xlsx``/``.xlsm``.
    sheet : str or int, default 0
        For Excel files, the sheet to read (its name or its position, 0 for the first).
    parse_dates : bool, default True
        Convert columns whose every value is a date (ISO or day-first) to dates.

    Returns
    -------
    pandas.DataFrame
        Numbers as numbers, dates as dates, other text as text, missing values as missing.
        ``df.attrs["read_table"]`` records what was detected: encoding, separator, decimal
        mark, skipped title lines, and the columns converted to numbers or dates.

    Raises
    ------
    mlmarketing.DataError
        Missing, empty, binary or unreadable file, a single column, rows with more or fewer
        fields than the header, duplicated column names.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "export.csv").write_text("client;CA\\n001;1 234,50\\n", encoding="cp1252")
    >>> df = read_table(folder / "export.csv")
    >>> df["CA"].tolist(), df["client"].tolist()
    ([1234.5], ['001'])

    Used in every notebook's ``DATA`` cell, where a class points the notebook at its own file.
    """
    file = _check_file(path)
    if file.suffix.lower() in _EXCEL_SUFFIXES:
        raw, info = _read_excel(file, sheet)
    elif file.suffix.lower() == ".xls":
        raise DataError(
            f"{file.name} is an old Excel 97-2003 (.xls) file, which this kit does not read. "
            "Open it in Excel or LibreOffice and save it as .xlsx or as CSV."
        )
    else:
        raw, info = _read_text(file)
    return _clean(raw, info, parse_dates=parse_dates, source=file.name)


def _check_file(path: str | os.PathLike[str]) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise DataError(f"read_table expects a file path, got {type(path).__name__}.")
    file = Path(path)
    if not file.exists():
        raise DataError(
            f"file not found: {str(path)!r}. Check the name and the folder; a relative path "
            f"starts from the notebook's folder ({Path.cwd().name!r})."
        )
    if file.is_dir():
        raise DataError(f"{str(path)!r} is a folder, not a file. Give the path of the file inside it.")
    if file.stat().st_size == 0:
        raise DataError(f"{file.name} is empty (0 bytes). Export the data again.")
    return file


def _read_excel(file: Path, sheet: str | int) -> tuple[pd.DataFrame, dict]:
    if not zipfile.is_zipfile(file):
        raise DataError(
            f"{file.name} has an Excel extension but is not an Excel workbook (it may be a CSV "
            "renamed .xlsx, or a damaged file). Open it in Excel and save it again as .xlsx."
        )
    try:
        book = pd.ExcelFile(file, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged files
        raise DataError(
            f"{file.name} could not be opened as an Excel workbook ({type(exc).__name__}). "
            "Open it in Excel and save it again as .xlsx, or export it as CSV."
        ) from None
    with book:
        names = book.sheet_names
        if isinstance(sheet, int) and not 0 <= sheet < len(names):
            raise DataError(
                f"{file.name} has {len(names)} sheet(s); sheet={sheet} does not exist. "
                f"Its sheets are: {names}."
            )
        if isinstance(sheet, str) and sheet not in names:
            raise DataError(f"{file.name} has no sheet {sheet!r}. Its sheets are: {names}.")
        raw = pd.read_excel(book, sheet_name=sheet, dtype=object, header=None)
    raw = raw.dropna(how="all").dropna(axis=1, how="all")
    if raw.empty:
        raise DataError(f"sheet {sheet!r} of {file.name} is empty. Choose another sheet with sheet=.")
    rows = [["" if pd.isna(v) else v for v in row] for row in raw.itertuples(index=False)]
    counts = [sum(1 for v in row if not (isinstance(v, str) and v.strip() == "")) for row in rows]
    header_at = _header_line([max(c, 1) for c in counts])
    header = [str(v).strip() if not (isinstance(v, float) and pd.isna(v)) else "" for v in rows[header_at]]
    # Excel stores 12 as the float 12.0 in a header; show it as "12".
    header = [h[:-2] if re.fullmatch(r"\d+\.0", h) else h for h in header]
    body = pd.DataFrame(rows[header_at + 1 :], columns=range(len(header)), dtype=object)
    info = {"format": "excel", "sheet": sheet, "encoding": None, "separator": None}
    return _frame_from(header, body, info, file.name, title_lines=header_at)


def _decode(file: Path) -> tuple[str, str]:
    data = file.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    head = data[:8192]
    if head.startswith(b"PK\x03\x04"):
        raise DataError(
            f"{file.name} is a zip archive or an Excel workbook with the wrong extension. "
            "If it is an Excel file, rename it to .xlsx; if it is a zip, extract the CSV first."
        )
    if b"\x00" in head or _binary_share(head) > 0.1:
        raise DataError(
            f"{file.name} is a binary file, not a text table. Export the data as CSV "
            "(or as .xlsx for Excel) and read that file."
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 maps every byte and agrees elsewhere.
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return data.decode("latin-1"), "latin-1"


def _binary_share(head: bytes) -> float:
    if not head:
        return 0.0
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 13, 12))
    return control / len(head)


def _field_counts(lines: list[str], delimiter: str) -> list[int]:
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        return [len(row) for row in reader if row and any(cell.strip() for cell in row)]
    except csv.Error:
        return []


def _choose_delimiter(lines: list[str]) -> str:
    """The separator that splits most lines into the same number (>1) of fields."""
    best, best_key = ",", (-1.0, 0)
    for delimiter in _DELIMITERS:
        counts = _field_counts(lines, delimiter)
        if not counts:
            continue
        modal, n_modal = Counter(counts).most_common(1)[0]
        if modal < 2:
            continue
        key = (n_modal / len(counts), modal)
        if key > best_key:
            best, best_key = delimiter, key
    return best


def _header_line(counts: list[int]) -> int:
    """Position of the header: the first line with the usual number of fields.

    Lines before it with fewer fields are title lines of an export.
    """
    modal = Counter(counts).most_common(1)[0][0]
    for i, count in enumerate(counts[: _MAX_TITLE_LINES + 1]):
        if count == modal:
            return i
        if count > modal:
            break
    return 0


def _read_text(file: Path) -> tuple[pd.DataFrame, dict]:
    text, encoding = _decode(file)
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise DataError(f"{file.name} holds only blank lines. Export the data again.")
    delimiter = _choose_delimiter(lines[:_SNIFF_LINES])
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise DataError(f"{file.name} could not be read as a table: {exc}.") from None
    # csv.reader keeps a line number per row only through its own counter; track it here.
    numbered = [(i + 1, row) for i, row in enumerate(rows) if row and any(c.strip() for c in row)]
    counts = [len(row) for _, row in numbered]
    header_at = _header_line(counts)
    _, header = numbered[header_at]
    if len(header) < 2:
        raise DataError(
            f"{file.name} has a single column: no comma, semicolon or tab separates its "
            "values. Check that it is a table exported as CSV; if it uses another separator, "
            "replace it with a semicolon."
        )
    width = len(header)
    for line_no, row in numbered[header_at + 1 :]:
        if len(row) != width:
            more = "more" if len(row) > width else "fewer"
            hint = (
                "a separator inside an unquoted value, such as a decimal comma in a "
                "comma-separated file"
                if len(row) > width
                else "a missing separator or a line break inside a value"
            )
            raise DataError(
                f"{file.name}, line {line_no}: {len(row)} fields, {more} than the {width} "
                f"columns of the header. This usually means {hint}. Fix that line, or export "
                "the file again with quoted text."
            )
    body = pd.DataFrame([row for _, row in numbered[header_at + 1 :]], columns=range(width), dtype=object)
    info = {
        "format": "text",
        "encoding": encoding,
        "separator": _DELIMITER_NAMES[delimiter],
    }
    return _frame_from([h.strip() for h in header], body, info, file.name, title_lines=header_at)


def _frame_from(
    header: list[str], body: pd.DataFrame, info: dict, source: str, *, title_lines: int
) -> tuple[pd.DataFrame, dict]:
    if body.empty:
        raise DataError(f"{source} has a header but no data rows. Export the data again.")
    keep = []
    for i, name in enumerate(header):
        values = body[i].map(lambda v: "" if v is None else str(v).strip())
        if name == "" and (values == "").all():
            continue  # a trailing separator: no header, no data
        keep.append(i)
    names = [header[i] if header[i] else f"column_{i + 1}" for i in keep]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise DataError(
            f"{source} has several columns named {duplicated[0]!r}. Rename them so that each "
            "column has its own name, then read the file again."
        )
    frame = body[keep].copy()
    frame.columns = names
    info = dict(info, title_lines_skipped=title_lines)
    return frame.reset_index(drop=True), info


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and pd.isna(value):
        return True
    return isinstance(value, str) and value.strip().lower() in MISSING_MARKERS


def _to_number(text: str, decimal: str) -> float:
    cleaned = re.sub(rf"{_SPACE}|{_CURRENCY}", "", text)
    if decimal == ",":
        cleaned = cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    return float(cleaned)


def _number_column(values: pd.Series, default_decimal: str) -> tuple[pd.Series, str] | None:
    """Convert text to numbers if every value is a number in one convention, else None."""
    texts = values.str.strip()
    if texts.map(lambda t: bool(_LEADING_ZERO.match(t.lstrip("+-")))).any():
        if not texts.str.contains(r"[.,]").any():
            return None  # codes such as "01" or "007" would lose their zeros
    fits = {
        mark: bool(texts.map(lambda t, p=pattern: bool(p.match(t)) and any(c.isdigit() for c in t)).all())
        for mark, pattern in _NUMBER_PATTERNS.items()
    }
    if fits["."] and fits[","]:
        decimal = default_decimal
    elif fits["."] or fits[","]:
        decimal = "." if fits["."] else ","
    else:
        return None
    numbers = texts.map(lambda t: _to_number(t, decimal))
    has_decimals = texts.str.contains(re.escape(decimal), regex=True).any()
    if not has_decimals and numbers.abs().max() < 2**53:
        return numbers.astype("int64"), decimal
    return numbers.astype("float64"), decimal


def _date_column(values: pd.Series, column: object) -> pd.Series | None:
    """The column read as dates by the library's one date rule, or None if it is not all dates."""
    texts = values.str.strip()
    if not texts.map(lambda t: bool(_DATE_SHAPE.match(t))).all():
        return None
    try:
        return read_dates(texts, column=column)
    except DataError:
        return None  # not dates after all (e.g. "31/02/2024" or codes shaped like dates): kept as text


def _default_decimal(frame: pd.DataFrame, separator: str | None) -> str:
    """The decimal mark a file uses, from the values that can only be read one way."""
    votes = Counter()
    for column in frame.columns:
        for value in frame[column].dropna().astype(str).head(200):
            v = value.strip()
            if re.fullmatch(r"[+-]?\d*,\d{1,2}|[+-]?\d+,\d{4,}|[+-]?\d{1,3}(\.\d{3})+,\d+", v):
                votes[","] += 1
            elif re.fullmatch(r"[+-]?\d*\.\d{1,2}|[+-]?\d+\.\d{4,}|[+-]?\d{1,3}(,\d{3})+\.\d+", v):
                votes["."] += 1
    if votes:
        return max(votes, key=lambda mark: votes[mark])
    return "," if separator in ("semicolon", "tab") else "."


def _clean(raw: pd.DataFrame, info: dict, *, parse_dates: bool, source: str) -> pd.DataFrame:
    frame = raw.map(lambda v: pd.NA if _is_missing(v) else v)
    decimal = _default_decimal(frame, info.get("separator"))
    numeric, dates, decimals = [], [], set()
    out = {}
    for column in frame.columns:
        series = frame[column]
        present = series.dropna()
        if present.empty:
            out[column] = pd.Series(pd.NA, index=series.index, dtype="float64")
            continue
        if all(isinstance(v, bool) for v in present):
            out[column] = series.astype("boolean")
            continue
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
            numbers = pd.to_numeric(series, errors="coerce")
            if all(float(v).is_integer() for v in present):
                numbers = numbers.astype("Int64" if numbers.isna().any() else "int64")
            out[column] = numbers
            numeric.append(column)
            continue
        if all(isinstance(v, pd.Timestamp) for v in present):
            out[column] = pd.to_datetime(series)
            dates.append(column)
            continue
        texts = present.map(str)
        converted = _number_column(texts, decimal)
        if converted is not None:
            values, mark = converted
            if values.dtype == "int64" and len(values) == len(series):
                out[column] = values.reindex(series.index)
            else:
                full = pd.Series(float("nan"), index=series.index, dtype="float64")
                full[values.index] = values.astype("float64")
                out[column] = full.astype("Int64") if values.dtype == "int64" else full
            numeric.append(column)
            if texts.str.contains(re.escape(mark), regex=True).any():
                decimals.add(mark)
            continue
        if parse_dates:
            parsed = _date_column(texts, column)
            if parsed is not None:
                full = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
                full[parsed.index] = parsed
                out[column] = full
                dates.append(column)
                continue
        out[column] = series.map(lambda v: v if _is_missing(v) else str(v).strip()).astype("str")
        out[column] = out[column].where(series.notna(), None)
    result = pd.DataFrame(out, index=frame.index)
    result.attrs["read_table"] = dict(
        info,
        source=source,
        decimal=("comma" if decimals == {","} else "dot" if decimals == {"."} else
                 "mixed" if decimals else None),
        numeric_columns=numeric,
        date_columns=dates,
    )
    return result
