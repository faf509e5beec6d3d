"""The course kit's commands, the same on Windows, macOS and Linux.

    python course.py lab        install everything, then open the course in JupyterLab
    python course.py test       install everything, then run the whole test suite
    python course.py execute    re-run notebooks top to bottom and save them with outputs
    python course.py handouts   build HTML handouts and slide decks of every notebook in build/
    python course.py lock       refresh requirements.lock from pyproject.toml

"Install everything" makes a virtual environment in ``.venv`` (once; again only when
``requirements.lock`` or ``pyproject.toml`` change) with the exact versions of the lock,
then installs the kit itself in it. Only Python 3.11 or newer is needed to start.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / "mlmarketing-install.txt"
LANDING = "notebooks/00-course-map.ipynb"


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def run(*args: str | Path, **kwargs) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, **kwargs)


def install_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in (LOCK, ROOT / "pyproject.toml"):
        digest.update(path.read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def install() -> Path:
    """Create .venv from the lock and install the kit in it, unless that is already done."""
    if sys.version_info < (3, 11):  # noqa: UP036  (students may start it with an old Python)
        sys.exit(f"The course needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    python = venv_python()
    fingerprint = install_fingerprint()
    if python.exists() and STAMP.exists() and STAMP.read_text() == fingerprint:
        return python
    if not python.exists():
        print(f"Creating the virtual environment in {VENV.name}/ ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    pip = (python, "-m", "pip", "--disable-pip-version-check")
    run(*pip, "install", "-r", LOCK)
    run(*pip, "install", "--no-deps", "--no-build-isolation", "-e", ROOT)
    STAMP.write_text(fingerprint)
    return python


def cmd_lab(args: argparse.Namespace) -> int:
    python = install()
    target = args.notebook or LANDING
    return subprocess.call([str(python), "-m", "jupyter", "lab", target, *args.jupyter_args], cwd=ROOT)


def cmd_test(args: argparse.Namespace) -> int:
    python = install()
    command = [str(python), "-m", "pytest", "-n", "auto", "--dist", "loadfile", *args.pytest_args]
    print("+", " ".join(command), flush=True)
    return subprocess.call(command, cwd=ROOT)


def cmd_execute(args: argparse.Namespace) -> int:
    python = install()
    notebooks = args.notebooks or sorted(str(p) for p in (ROOT / "notebooks").glob("*.ipynb"))
    for notebook in notebooks:
        run(python, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
            "--ExecutePreprocessor.kernel_name=python3",
            "--ExecutePreprocessor.record_timing=False", notebook, cwd=ROOT)
    return 0


def cmd_handouts(args: argparse.Namespace) -> int:
    python = install()
    options = ["--instructor"] if args.instructor else []
    return subprocess.call([str(python), str(ROOT / "tools" / "handouts.py"), *options], cwd=ROOT)


def cmd_lock(args: argparse.Namespace) -> int:
    python = install()
    run(python, "-m", "pip", "install", "--quiet", "uv")
    upgrade = ["--upgrade"] if args.upgrade else []
    run(python, "-m", "uv", "pip", "compile", "pyproject.toml", "--extra", "test", "--universal",
        "--python-version", "3.11", *upgrade, "--output-file", LOCK.name, cwd=ROOT)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    lab = sub.add_parser("lab", help="install everything, then open the course in JupyterLab")
    lab.add_argument("notebook", nargs="?", help=f"notebook to open (default: {LANDING})")
    lab.set_defaults(func=cmd_lab)
    test = sub.add_parser("test", help="install everything, then run the whole test suite")
    test.set_defaults(func=cmd_test)
    execute = sub.add_parser("execute", help="re-run notebooks in a fresh kernel and save them")
    execute.add_argument("notebooks", nargs="*", help="notebooks (default: all)")
    execute.set_defaults(func=cmd_execute)
    handouts = sub.add_parser("handouts", help="build HTML handouts and slide decks in build/ (offline)")
    handouts.add_argument("--instructor", action="store_true", help="include the exercise solutions")
    handouts.set_defaults(func=cmd_handouts)
    lock = sub.add_parser("lock", help="refresh requirements.lock from pyproject.toml")
    lock.add_argument("--upgrade", action="store_true", help="take the newest allowed versions")
    lock.set_defaults(func=cmd_lock)
    # Options after `lab` go to JupyterLab (e.g. --port 8899), after `test` to pytest (e.g. -k data).
    args, extra = parser.parse_known_args(argv)
    if extra and args.command not in ("lab", "test"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.jupyter_args = args.pytest_args = extra
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
