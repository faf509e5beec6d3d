"""The notebook harness catches what it is there to catch.

Proved on small fixture notebooks in tests/fixtures: one executed and correct, one whose
stored output no longer matches what the code produces, one whose cells were never run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.notebook_checks import execution_problems, load, slideshow_problems, template_problems

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SANITIZE = Path(__file__).resolve().parent / "sanitize.cfg"


def run_nbval(pytester: pytest.Pytester, notebook: str) -> pytest.RunResult:
    shutil.copy(FIXTURES / notebook, pytester.path / notebook)
    return pytester.runpytest_subprocess(
        "--nbval",
        "--nbval-current-env",
        f"--nbval-sanitize-with={SANITIZE}",
        "-p",
        "no:cacheprovider",
        notebook,
    )


def test_nbval_passes_a_correct_notebook(pytester):
    run_nbval(pytester, "executed_ok.ipynb").assert_outcomes(passed=2)


def test_nbval_fails_a_notebook_whose_compared_output_changed(pytester):
    result = run_nbval(pytester, "changed_output.ipynb")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*3.5*", "*3.333*"])


def test_guard_fails_a_notebook_that_was_never_run(pytester):
    # nbval alone lets it through: there is no stored output to compare...
    run_nbval(pytester, "unexecuted.ipynb").assert_outcomes(passed=2)
    # ...so the guard that tests/test_notebooks.py applies to every notebook catches it.
    assert execution_problems(load(FIXTURES / "unexecuted.ipynb")) == ["2 code cell(s) never executed"]
    assert execution_problems(load(FIXTURES / "executed_ok.ipynb")) == []


def test_guard_catches_out_of_order_errors_paths_and_kernel():
    nb = load(FIXTURES / "executed_ok.ipynb")
    nb["cells"][0]["execution_count"] = 5
    nb["cells"][1]["outputs"].append(
        {"output_type": "error", "ename": "KeyError", "evalue": "", "traceback": []}
    )
    nb["cells"][1]["outputs"].append(
        {"output_type": "stream", "name": "stdout", "text": "saved to /home/alice/report.csv"}
    )
    nb["metadata"]["kernelspec"]["name"] = "myenv"
    problems = " | ".join(execution_problems(nb))
    for expected in ["kernel is 'myenv'", "stored error (KeyError)", "machine path", "not 1..2"]:
        assert expected in problems


def test_template_check_names_what_is_missing():
    problems = template_problems(load(FIXTURES / "executed_ok.ipynb"))
    assert "the first cell is not a markdown title ('# English title')" in problems
    assert "no 'Exercises' heading" in problems
    assert "no setup cell calling setup_notebook()" in problems


def _slideshow_notebook(**rise) -> dict:
    def cell(kind, text, slide, **meta):
        return {"cell_type": kind, "source": text, "metadata": {"slideshow": {"slide_type": slide}, **meta}}

    return {
        "metadata": {"rise": {"scroll": True, "theme": "white", **rise}},
        "cells": [
            cell("markdown", "# Title\n## Titre", "slide"),
            cell("code", "setup_notebook()\nDATA = None", "skip"),
            cell("markdown", "## 1. The data", "slide"),
            cell("markdown", "**Speaker notes.** Ask the room.", "notes"),
            cell("markdown", "## Exercises", "slide"),
            cell("code", "# Solution", "skip", jupyter={"source_hidden": True}),
        ],
    }


def test_slideshow_check_accepts_a_complete_notebook():
    assert slideshow_problems(_slideshow_notebook()) == []


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda nb: nb["cells"].pop(3), "section '## 1. The data' has no speaker notes cell"),
        (lambda nb: nb["cells"][1]["metadata"]["slideshow"].update(slide_type="-"), "setup cell"),
        (lambda nb: nb["cells"][5]["metadata"]["slideshow"].update(slide_type="-"), "exercise solution"),
        (lambda nb: nb["cells"][2]["metadata"].pop("slideshow"), "slide type None"),
        (lambda nb: nb["cells"][2]["metadata"]["slideshow"].update(slide_type="subslide"), "not a slide"),
        (lambda nb: nb["metadata"]["rise"].update(theme="simple"), "loads fonts from the internet"),
        (lambda nb: nb["metadata"].pop("rise"), "no 'rise' settings"),
        (lambda nb: nb["cells"][3].update(source="Ask the room."), "notes cell"),
        (lambda nb: nb["cells"].insert(3, {"cell_type": "code", "source": "active = df[df.open]",
                                           "metadata": {"slideshow": {"slide_type": "skip"}}}),
         "neither the setup cell nor a solution"),
    ],
)
def test_slideshow_check_names_what_is_missing(change, expected):
    nb = _slideshow_notebook()
    change(nb)
    problems = slideshow_problems(nb)
    assert any(expected in p for p in problems), problems
