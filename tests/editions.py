"""The French and English editions of a notebook are the same notebook in two languages.

What may differ: the markdown text, comments and string literals in code (printed sentences,
figure titles, labels), and how numbers are written in the outputs (``49,770`` in English,
``49 770`` in French). What may not: the cells, their order, types and metadata (slides,
hidden solutions, tags), the code once comments and strings are set aside, and the numbers each
compared output shows. ``parity_problems`` lists every difference of the second kind.

Run it on two files while translating::

    python -m tests.editions notebooks/en/02-04-churn-prediction.ipynb \
        notebooks/fr/02-04-churn-prediction.ipynb
"""

from __future__ import annotations

import configparser
import io
import json
import re
import sys
import tokenize
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
EDITIONS = ("fr", "en")  # the first is the default one: `course.py lab` opens it
SANITIZE = Path(__file__).resolve().parent / "sanitize.cfg"
# Cell metadata that Jupyter writes by itself; everything else must be the same in both editions.
VOLATILE_METADATA = {"execution", "ExecuteTime", "collapsed", "scrolled", "id"}
IGNORED_OUTPUT_TAGS = {"nbval-ignore-output", "nbval-skip"}

# Numbers as each edition writes them. A minus sign counts only where it cannot be a hyphen
# ("2024-05-06" is three numbers, all positive); digits glued to letters (ids like P0001) are not numbers.
_START = r"(?<![\w.,\u202f\xa0])"
_PATTERNS = {
    "en": re.compile(_START + r"(-?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?"),
    # French: thousands separated by a (narrow) no-break space, decimals by a comma; a table that
    # pandas prints keeps its decimal point, so a point is a decimal point too.
    "fr": re.compile(_START + r"(-?)(\d{1,3}(?:[\u202f\xa0]\d{3})+|\d+)([.,]\d+)?"),
}


def numbers_in(text: str, language: str) -> list[float]:
    """The numbers of ``text`` as written in ``language`` ("en" or "fr"), in order.

    >>> numbers_in("3,909 calls earn 49,770.5 EUR (26.7 %)", "en")
    [3909.0, 49770.5, 26.7]
    >>> numbers_in("3\u202f909 appels rapportent 49\u202f770,5\xa0€ (26,7\xa0%)", "fr")
    [3909.0, 49770.5, 26.7]
    """
    found = []
    for sign, whole, decimals in _PATTERNS[language].findall(text):
        digits = re.sub(r"[,\u202f\xa0]", "", whole)
        found.append(float(f"{sign}{digits}.{decimals[1:]}" if decimals else f"{sign}{digits}"))
    return found


def _sanitizers() -> list[tuple[re.Pattern, str]]:
    config = configparser.ConfigParser(interpolation=None)
    config.read(SANITIZE, encoding="utf-8")
    return [(re.compile(config[s]["regex"]), config[s]["replace"]) for s in config.sections()]


def output_text(cell: dict) -> str:
    """The text that nbval compares in a code cell's outputs (sanitized as nbval does)."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append("".join(output.get("text", "")))
        elif output.get("output_type") in ("execute_result", "display_data"):
            parts.append("".join(output.get("data", {}).get("text/plain", "")))
        elif output.get("output_type") == "error":
            parts.append(output.get("ename", ""))
    text = "\n".join(parts)
    for pattern, replacement in _sanitizers():
        text = pattern.sub(replacement, text)
    return text


def code_shape(source: str) -> list[str]:
    """The code's tokens with comments dropped and each run of string literals (f-strings too) as ``STR``.

    >>> code_shape('print("Hello", n)  # greet') == code_shape("print('Bonjour ' 'à tous', n)")
    True
    """
    lines = [("pass  # " + line) if line.lstrip().startswith(("%", "!")) else line
             for line in source.splitlines()]  # IPython magics are not Python
    shape: list[str] = []
    depth = 0  # inside an f-string (Python 3.12+ splits them into several tokens)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline))
    except (tokenize.TokenError, SyntaxError) as error:
        return [f"<untokenizable: {error}>"]
    for token in tokens:
        name = tokenize.tok_name[token.type]
        if name == "FSTRING_START":
            depth += 1
        if depth or name == "STRING":
            if not shape or shape[-1] != "STR":
                shape.append("STR")
        elif name not in ("COMMENT", "NL", "ENDMARKER"):
            shape.append(token.string if name != "NEWLINE" else "\\n")
        if name == "FSTRING_END":
            depth -= 1
    return shape


def _metadata(cell: dict) -> dict:
    return {k: v for k, v in cell.get("metadata", {}).items() if k not in VOLATILE_METADATA}


def parity_problems(french: dict, english: dict) -> list[str]:
    """Every way the two editions of one notebook differ other than in their words."""
    problems = []
    for key in ("kernelspec", "rise"):
        if french.get("metadata", {}).get(key) != english.get("metadata", {}).get(key):
            problems.append(f"notebook metadata {key!r} differs")
    fr_cells, en_cells = french.get("cells", []), english.get("cells", [])
    if len(fr_cells) != len(en_cells):
        problems.append(f"{len(fr_cells)} cells in the French edition, {len(en_cells)} in the English one")
    for index, (fr_cell, en_cell) in enumerate(zip(fr_cells, en_cells, strict=False)):
        where = f"cell {index}"
        if fr_cell["cell_type"] != en_cell["cell_type"]:
            problems.append(f"{where}: {fr_cell['cell_type']} in French, {en_cell['cell_type']} in English")
            continue
        if _metadata(fr_cell) != _metadata(en_cell):
            problems.append(f"{where}: metadata {_metadata(fr_cell)} in French, "
                            f"{_metadata(en_cell)} in English")
        if fr_cell["cell_type"] != "code":
            continue
        fr_code, en_code = code_shape("".join(fr_cell["source"])), code_shape("".join(en_cell["source"]))
        if fr_code != en_code:
            at = next((i for i, (a, b) in enumerate(zip(fr_code, en_code, strict=False)) if a != b),
                      min(len(fr_code), len(en_code)))
            problems.append(f"{where}: the code differs beyond strings and comments, near "
                            f"{' '.join(en_code[max(0, at - 4):at + 4])!r} (English) / "
                            f"{' '.join(fr_code[max(0, at - 4):at + 4])!r} (French)")
            continue
        if IGNORED_OUTPUT_TAGS & set(en_cell.get("metadata", {}).get("tags", [])):
            continue
        # A line printed the same in both editions (a customer's message, a table of data) is the
        # same; only the other lines are read, each the way its edition writes numbers.
        fr_lines = Counter(output_text(fr_cell).splitlines())
        en_lines = Counter(output_text(en_cell).splitlines())
        fr_numbers = Counter(numbers_in("\n".join((fr_lines - en_lines).elements()), "fr"))
        en_numbers = Counter(numbers_in("\n".join((en_lines - fr_lines).elements()), "en"))
        if fr_numbers != en_numbers:
            only_en = sorted((en_numbers - fr_numbers).elements())[:8]
            only_fr = sorted((fr_numbers - en_numbers).elements())[:8]
            problems.append(f"{where}: the outputs show other numbers: only in English {only_en}, "
                            f"only in French {only_fr}")
    return problems


def edition_path(name: str, language: str) -> Path:
    """Where the ``language`` edition of notebook ``name`` lives."""
    return NOTEBOOKS / language / name


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m tests.editions ENGLISH.ipynb FRENCH.ipynb", file=sys.stderr)
        return 2
    english, french = (json.loads(Path(p).read_text(encoding="utf-8")) for p in argv)
    problems = parity_problems(french, english)
    print("\n".join(problems) if problems else "same notebook in both languages")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
