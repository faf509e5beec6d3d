"""The French and English editions are the same notebooks in two languages (tests/editions.py).

Same cells in the same order with the same metadata, the same code apart from strings and
comments, the same numbers in every compared output. nbval re-executes both editions; the
real-data runs (tests/test_own_data_*.py) use the French one, and this test carries them over
to the English one, whose code is the same.
"""

import json
from pathlib import Path

import pytest

from tests.editions import EDITIONS, NOTEBOOKS, code_shape, numbers_in, parity_problems

NAMES = sorted({p.name for language in EDITIONS for p in (NOTEBOOKS / language).glob("*.ipynb")})


def _load(language: str, name: str) -> dict:
    return json.loads((NOTEBOOKS / language / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", NAMES)
def test_both_editions_have_the_notebook(name):
    missing = [language for language in EDITIONS if not (NOTEBOOKS / language / name).exists()]
    assert missing == [], f"{name} has no {' and no '.join(missing)} edition: write it, or delete the other"


@pytest.mark.parametrize("name", NAMES)
def test_the_editions_are_the_same_notebook(name):
    if not all((NOTEBOOKS / language / name).exists() for language in EDITIONS):
        pytest.skip("one edition is missing (test_both_editions_have_the_notebook fails)")
    assert parity_problems(_load("fr", name), _load("en", name)) == []


# ------------------------------------------------------------------ the parity check itself

def _notebook(code: str, output: str, markdown: str = "Hello") -> dict:
    return {"metadata": {"kernelspec": {"name": "python3"}}, "cells": [
        {"cell_type": "markdown", "metadata": {"slideshow": {"slide_type": "slide"}}, "source": markdown},
        {"cell_type": "code", "metadata": {}, "source": code,
         "outputs": [{"output_type": "stream", "name": "stdout", "text": output}]},
    ]}


def test_words_strings_comments_and_number_formats_may_differ():
    english = _notebook('gain = 49770.5\nprint(f"We earn {gain:,.1f} EUR")  # the gain',
                        "We earn 49,770.5 EUR\n")
    french = _notebook("gain = 49770.5\nprint(f\"Nous gagnons {fr.euros(gain, 1)}\")  # le gain",
                       "Nous gagnons 49\u202f770,5\xa0€\n", markdown="Bonjour")
    assert parity_problems(french, english) == []


def test_other_code_another_number_or_other_cells_are_found():
    english = _notebook("x = 3\nprint(x)", "3 customers\n")
    assert parity_problems(_notebook("x = 4\nprint(x)", "3 clients\n"), english)  # code
    assert parity_problems(_notebook("x = 3\nprint(x)", "trois clients\n"), english)  # a number spelt out
    assert parity_problems(_notebook("x = 3\nprint(x)", "3,0 clients\n"), english) == []
    fewer = _notebook("x = 3\nprint(x)", "3 clients\n")
    fewer["cells"] = fewer["cells"][1:]
    assert parity_problems(fewer, english)
    tagged = _notebook("x = 3\nprint(x)", "3 clients\n")
    tagged["cells"][0]["metadata"]["slideshow"]["slide_type"] = "subslide"
    assert parity_problems(tagged, english)


def test_english_thousands_in_a_french_sentence_are_caught():
    english = _notebook("print(n)", "3,909 calls\n")
    assert parity_problems(_notebook("print(n)", "3,909 appels\n"), english)  # reads as 3.909 in French
    assert parity_problems(_notebook("print(n)", "3\u202f909 appels\n"), english) == []


def test_a_line_printed_the_same_in_both_editions_is_not_read_again():
    message = "Commande de 19,99 € jamais reçue\n"  # data, printed as it is in both editions
    assert parity_problems(_notebook("print(m)", message), _notebook("print(m)", message)) == []


def test_string_runs_and_magics():
    shape = ["print", "(", "STR", ")", "\\n"]
    assert code_shape('print("a" "b")') == code_shape('print("a"\n      "b" "c")') == shape
    assert code_shape("%timeit f()") == code_shape("%timeit f()  # mesure")
    assert numbers_in("2024-05-06, P0001, -3", "en") == [2024.0, 5.0, 6.0, -3.0]


def test_the_default_edition_is_french():
    assert EDITIONS[0] == "fr"
    assert Path(NOTEBOOKS).name == "notebooks"
