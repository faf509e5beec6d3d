"""The notebook harness catches what it is there to catch.

Proved on small fixture notebooks in tests/fixtures: one executed and correct, one whose
stored output no longer matches what the code produces, one whose cells were never run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.notebook_checks import execution_problems, load, template_problems

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
