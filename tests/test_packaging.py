"""Packaging: the conda file, the lock and the wheel agree with pyproject.toml."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~; \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


# Extras pinned in a lock of their own (requirements-<extra>.lock), not in requirements.lock nor
# in environment.yml: Spark weighs about 400 MB and needs Java, which students' laptops lack.
SEPARATE_EXTRAS = ("spark",)


def _declared(*, separate: bool = False) -> set[str]:
    project = _pyproject()["project"]
    names = set() if separate else {_name(r) for r in project["dependencies"]}
    for extra, requirements in project["optional-dependencies"].items():
        if (extra in SEPARATE_EXTRAS) == separate:
            names |= {_name(r) for r in requirements}
    return names


def _pins(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {_name(line): line.split(";")[0].strip() for line in lines if re.match(r"^[A-Za-z0-9]", line)}


def test_environment_yml_names_the_same_packages_as_pyproject():
    lines = (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines()
    start = lines.index("dependencies:")
    conda = {_name(line.strip()[2:]) for line in lines[start + 1 :] if re.match(r"^  - [A-Za-z][^:]*$", line)}
    # Packages conda does not have are installed by pip, from the environment's pip: list.
    listed = lines[start + 1 :]
    from_pip = {_name(line.strip()[2:]) for line in listed if re.match(r"^      - [A-Za-z]", line)}
    assert (conda | from_pip) - {"python", "pip"} == _declared()


def test_lock_pins_every_declared_package_exactly():
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = {_name(line) for line in lock.splitlines() if re.match(r"^[A-Za-z0-9]", line)}
    assert _declared() <= pinned
    for line in lock.splitlines():
        if re.match(r"^[A-Za-z0-9]", line):
            assert "==" in line, f"not an exact pin: {line}"


def test_each_separate_extra_has_a_lock_that_adds_it_to_the_main_lock():
    main = _pins(ROOT / "requirements.lock")
    for extra in SEPARATE_EXTRAS:
        extended = _pins(ROOT / f"requirements-{extra}.lock")
        requirements = _pyproject()["project"]["optional-dependencies"][extra]
        assert {_name(r) for r in requirements} <= extended.keys() - main.keys()
        # Every package of the main lock, at the same version: the extra only adds packages.
        assert {name: main[name] for name in main} == {name: extended[name] for name in main}


def test_pyproject_keeps_lower_bounds_only():
    project = _pyproject()["project"]
    for requirement in project["dependencies"] + sum(project["optional-dependencies"].values(), []):
        assert ">=" in requirement and "==" not in requirement and "<" not in requirement.replace("<=", "")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    from hatchling.builders.wheel import WheelBuilder

    out = tmp_path_factory.mktemp("wheel")
    return Path(next(WheelBuilder(str(ROOT)).build(directory=str(out), versions=["standard"])))


def test_wheel_ships_the_datasets_inside_the_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    csvs = sorted(p.name for p in (ROOT / "datasets").glob("*.csv"))
    for csv in csvs:
        assert f"mlmarketing/datasets/{csv}" in names


def test_installed_wheel_loads_datasets_from_anywhere(wheel, tmp_path):
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)  # a wheel is a zip laid out as site-packages
    code = (
        "import mlmarketing, pathlib;"
        "from mlmarketing.data import dataset_dir;"
        f"assert pathlib.Path(mlmarketing.__file__).parent.parent == pathlib.Path(r'{target}');"
        "assert dataset_dir().parent.name == 'mlmarketing', dataset_dir();"
        "print(len(mlmarketing.load_dataset('customers')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 0


def test_code_is_ruff_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "mlmarketing", "tests", "benchmarks", "tools", "course.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
