"""course.py, the README's two commands: arguments reach JupyterLab and pytest unchanged."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def course(monkeypatch):
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    calls = []
    monkeypatch.setattr(module, "install", lambda: Path("python"))
    # Every command runs its program through supervise() (which stops it when the command is stopped).
    monkeypatch.setattr(module, "supervise", lambda command, cwd, **options: calls.append(command) or 0)
    module.calls = calls
    return module


def test_lab_opens_the_french_course_map_by_default_and_the_english_one_on_request(course):
    assert course.main(["lab"]) == 0
    assert course.main(["lab", "--lang", "en"]) == 0
    assert course.calls == [["python", "-m", "jupyter", "lab", "notebooks/fr/00-course-map.ipynb"],
                            ["python", "-m", "jupyter", "lab", "notebooks/en/00-course-map.ipynb"]]
    for language in ("fr", "en"):
        assert (course.ROOT / course.LANDING.format(language=language)).is_file()


def test_lab_passes_options_to_jupyterlab(course):
    course.main(["lab", "notebooks/x.ipynb", "--port", "8899"])
    assert course.calls[0][-3:] == ["notebooks/x.ipynb", "--port", "8899"]


def test_test_runs_pytest_in_parallel_with_extra_arguments(course):
    course.main(["test", "-k", "data"])
    assert course.calls[0][:3] == ["python", "-m", "pytest"]
    assert course.calls[0][-5:] == ["auto", "--dist", "loadfile", "-k", "data"]


def test_handouts_builds_the_student_or_the_instructor_edition_in_french_or_english(course):
    course.main(["handouts"])
    course.main(["handouts", "--instructor", "--lang", "en"])
    assert course.calls[0][1].endswith("handouts.py") and course.calls[0][2:] == ["--lang", "fr"]
    assert course.calls[1][2:] == ["--lang", "en", "--instructor"]


def test_execute_runs_each_notebook_in_a_fresh_kernel(course):
    assert course.main(["execute", "notebooks/a.ipynb", "notebooks/b.ipynb"]) == 0
    assert [command[-1] for command in course.calls] == ["notebooks/a.ipynb", "notebooks/b.ipynb"]
    assert all("--execute" in command for command in course.calls)


def test_unknown_options_are_refused_elsewhere(course):
    with pytest.raises(SystemExit):
        course.main(["execute", "--nope"])


@pytest.mark.parametrize("spark", ["", "1"])
def test_environment_is_rebuilt_when_the_lock_changes(course, tmp_path, monkeypatch, spark):
    # MLMARKETING_SPARK=1 (CI sets it) installs requirements-spark.lock instead of requirements.lock.
    monkeypatch.setenv("MLMARKETING_SPARK", spark)
    lock = tmp_path / ("requirements-spark.lock" if spark else "requirements.lock")
    lock.write_text("pandas==3.0.0\n")
    (tmp_path / "pyproject.toml").write_text("[project]\n")
    monkeypatch.setattr(course, "SPARK_LOCK" if spark else "LOCK", lock)
    monkeypatch.setattr(course, "ROOT", tmp_path)
    before = course.install_fingerprint()
    lock.write_text("pandas==3.1.0\n")
    assert course.install_fingerprint() != before
