"""The course kit's commands, the same on Windows, macOS and Linux.

    python course.py lab        install everything, then open the course in JupyterLab
    python course.py test       install everything, then run the whole test suite
    python course.py execute    re-run notebooks top to bottom and save them with outputs
    python course.py handouts   build HTML handouts and slide decks of every notebook in build/
    python course.py lock       refresh requirements.lock from pyproject.toml
    python course.py lowest     check the kit at the lowest versions pyproject.toml allows (CI)

"Install everything" makes a virtual environment in ``.venv`` (once; again only when
``requirements.lock`` or ``pyproject.toml`` change) with the exact versions of the lock,
then installs the kit itself in it. Only Python 3.11 or newer is needed to start.

Every command that starts a program (JupyterLab, pytest, nbconvert) stops it, and whatever it
started (kernels), when the command itself is stopped: Ctrl+C, a terminate signal, the terminal
closing. See :func:`supervise`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
# requirements.lock plus the Spark extra (about 400 MB, needs Java): installed instead of the lock
# where MLMARKETING_SPARK=1 (CI sets it), or by hand with `pip install -r requirements-spark.lock`.
SPARK_LOCK = ROOT / "requirements-spark.lock"
STAMP = VENV / "mlmarketing-install.txt"
# One folder per edition, same file names; French is the course's language and the default.
EDITIONS = ("fr", "en")
LANDING = "notebooks/{language}/00-course-map.ipynb"
LOWEST = ROOT / ".venv-lowest"
LOWEST_PYTHON = "3.11"  # the oldest Python pyproject.toml allows: the lowest versions are resolved for it
# Failures at the lowest versions that are the library modules' to fix (their owners know): reported
# on every run, but not failing it, so that each fix can land on its own. `lowest --strict` fails them.
# Failures at the lowest versions that are known and accepted while their fix is under way:
# keep it empty (every entry is a bound in pyproject.toml that is not true).
KNOWN_LOWEST_FAILURES: dict[str, str] = {}
STOP_GRACE = 10.0  # seconds a program has to stop cleanly before it and its processes are killed


def venv_python(venv_dir: Path = VENV) -> Path:
    if os.name == "nt":
        return venv_dir / "Scripts" / "python.exe"
    return venv_dir / "bin" / "python"


def run(*args: str | Path, **kwargs) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, **kwargs)


def _lock() -> Path:
    return SPARK_LOCK if os.environ.get("MLMARKETING_SPARK") == "1" else LOCK


def install_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in (_lock(), ROOT / "pyproject.toml"):
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
    run(*pip, "install", "-r", _lock())
    run(*pip, "install", "--no-deps", "--no-build-isolation", "-e", ROOT)
    STAMP.write_text(fingerprint)
    return python


# ---------------------------------------------------------------------------------------------
# What a command starts stops with it
# ---------------------------------------------------------------------------------------------


class _Stopped(Exception):
    """This command received a terminate or hang-up signal (Ctrl+C is KeyboardInterrupt)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stopped(signum: int, frame: object) -> None:
    raise _Stopped(signum)


# SIGBREAK: Windows' Ctrl+Break, or CTRL_BREAK_EVENT sent to this command's process group.
_STOP_SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP", "SIGBREAK") if hasattr(signal, n))


def supervise(command: list[str], cwd: Path, *, server: bool = False, grace: float = STOP_GRACE,
              env: dict[str, str] | None = None) -> int:
    """Run ``command`` to its end and return its exit code; if this command is stopped first, stop it.

    Stopped means Ctrl+C, a terminate signal (SIGTERM), the terminal closing (SIGHUP) or, on
    Windows, Ctrl+Break. The program is then asked to stop the clean way, has ``grace`` seconds
    to do so (JupyterLab shuts its kernels down), and is killed after that, with every process
    it started.

    ``server=True`` (JupyterLab): the program gets a process group of its own, so that Ctrl+C in
    the terminal reaches only this command, which stops the server with SIGTERM (Windows:
    CTRL_BREAK_EVENT to its new process group); JupyterLab would otherwise ask for a
    confirmation first. Otherwise (pytest, nbconvert) the program shares the terminal: Ctrl+C
    reaches it directly, a debugger can read the keyboard, and a terminate signal is passed on
    as SIGINT, which they handle by cleaning up (a kernel is shut down).

    On Windows the program also runs in a job object that is closed with this process, so
    that what it started dies with it even if this command is killed. On Linux the program
    gets the clean stop signal if this command dies without a chance to pass it on.
    """
    print("+", " ".join(command), flush=True)
    clean_signal = signal.SIGTERM if server else signal.SIGINT
    options: dict = {"cwd": cwd, "env": env}
    if os.name == "nt":
        if server:
            options["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
    else:
        if server:
            options["process_group"] = 0
        if sys.platform.startswith("linux"):
            options["preexec_fn"] = _die_with_parent(clean_signal)
    previous = {}
    try:
        for signum in _STOP_SIGNALS:
            previous[signum] = signal.signal(signum, _raise_stopped)
    except ValueError:  # not the main thread: no handler can be installed, run as is
        pass
    process = None
    try:
        process = subprocess.Popen(command, **options)
        job = _windows_job(process) if os.name == "nt" else None
        try:
            return _wait(process)
        except (KeyboardInterrupt, _Stopped) as stop:
            _stop(process, stop, server=server, grace=grace, job=job)
            return 130 if isinstance(stop, KeyboardInterrupt) else 128 + stop.signum
    except (KeyboardInterrupt, _Stopped) as stop:  # before the program even started
        if process is not None and process.poll() is None:
            _kill_tree(process, {}, None)
        return 130 if isinstance(stop, KeyboardInterrupt) else 128 + stop.signum
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _wait(process: subprocess.Popen) -> int:
    if os.name != "nt":
        return process.wait()
    while True:  # Windows does not interrupt an endless wait for Ctrl+C: wait in short steps
        try:
            return process.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            pass


def _stop(process: subprocess.Popen, stop: BaseException, *, server: bool, grace: float, job) -> None:
    for signum in _STOP_SIGNALS:  # a second terminate signal must not cut the clean stop short
        signal.signal(signum, signal.SIG_IGN)
    name = Path(process.args[0]).name if isinstance(process.args, list) else "the program"
    # Before the program goes: once it has exited, what it started no longer shows as its own.
    tree = _descendants(process.pid) if os.name != "nt" else {}
    try:
        if process.poll() is None:
            if os.name == "nt":
                if server:
                    process.send_signal(signal.CTRL_BREAK_EVENT)
            elif server:
                process.send_signal(signal.SIGTERM)
            elif not isinstance(stop, KeyboardInterrupt):  # Ctrl+C in the terminal reached it already
                process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop within {grace:g} s: killing it and the processes it started.",
                  flush=True)
    except KeyboardInterrupt:
        print(f"Interrupted again: killing {name} and the processes it started.", flush=True)
    _kill_tree(process, tree, job)


def _kill_tree(process: subprocess.Popen, tree: dict[int, str], job) -> None:
    """Kill ``process`` and what it started (``tree``: as seen before it went, and as seen now)."""
    if os.name == "nt":
        if job is not None:
            _terminate_job(job)
        elif process.poll() is None:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(process.pid)],
                           capture_output=True, check=False)
        process.wait()
        return
    if process.poll() is None:
        tree = {**tree, **_descendants(process.pid)}
        process.kill()
    process.wait()
    # Processes that outlive their parent by a moment (a kernel told to shut down) get that moment.
    deadline = time.monotonic() + 3
    while tree and time.monotonic() < deadline:
        table = _process_table()
        tree = {pid: start for pid, start in tree.items() if pid in table and table[pid][1] == start}
        if tree:
            time.sleep(0.2)
    for pid in tree:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, start time) of every process (the start time tells a reused pid apart)."""
    table = {}
    if Path("/proc/self/stat").exists():  # Linux
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    fields = Path("/proc", entry, "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                table[int(entry)] = (int(fields[1]), fields[19])
        return table
    result = subprocess.run(["ps", "-A", "-o", "pid=", "-o", "ppid=", "-o", "lstart="],
                            capture_output=True, text=True, check=False)
    for line in result.stdout.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
            table[int(parts[0])] = (int(parts[1]), parts[2].strip())
    return table


def _descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid``: pid -> start time (POSIX)."""
    table = _process_table()
    children: dict[int, list[int]] = {}
    for child, (parent, _start) in table.items():
        children.setdefault(parent, []).append(child)
    found, todo = {}, list(children.get(pid, []))
    while todo:
        child = todo.pop()
        if child not in found:
            found[child] = table[child][1]
            todo.extend(children.get(child, []))
    return found


def _die_with_parent(signum: int):
    """Linux: the child receives ``signum`` if this process dies (even killed) before stopping it."""
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:  # runs in the child, between fork and exec
        prctl(1, int(signum), 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before the line above
            os.kill(os.getpid(), signum)

    return preexec


def _windows_job(process: subprocess.Popen):
    """Windows: put ``process`` (and so what it starts) in a job killed when this process ends."""
    import ctypes
    from ctypes import wintypes

    class IoCounters(ctypes.Structure):
        _fields_ = [(name, ctypes.c_ulonglong) for name in (
            "ReadOperationCount", "WriteOperationCount", "OtherOperationCount",
            "ReadTransferCount", "WriteTransferCount", "OtherTransferCount")]

    class BasicLimits(ctypes.Structure):
        _fields_ = [
            ("PerProcessUserTimeLimit", ctypes.c_int64),
            ("PerJobUserTimeLimit", ctypes.c_int64),
            ("LimitFlags", wintypes.DWORD),
            ("MinimumWorkingSetSize", ctypes.c_size_t),
            ("MaximumWorkingSetSize", ctypes.c_size_t),
            ("ActiveProcessLimit", wintypes.DWORD),
            ("Affinity", ctypes.c_size_t),
            ("PriorityClass", wintypes.DWORD),
            ("SchedulingClass", wintypes.DWORD),
        ]

    class ExtendedLimits(ctypes.Structure):
        _fields_ = [
            ("BasicLimitInformation", BasicLimits),
            ("IoInfo", IoCounters),
            ("ProcessMemoryLimit", ctypes.c_size_t),
            ("JobMemoryLimit", ctypes.c_size_t),
            ("PeakProcessMemoryUsed", ctypes.c_size_t),
            ("PeakJobMemoryUsed", ctypes.c_size_t),
        ]

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.CreateJobObjectW.restype = wintypes.HANDLE
    kernel32.CreateJobObjectW.argtypes = [ctypes.c_void_p, wintypes.LPCWSTR]
    kernel32.SetInformationJobObject.argtypes = [
        wintypes.HANDLE, ctypes.c_int, ctypes.c_void_p, wintypes.DWORD]
    kernel32.AssignProcessToJobObject.argtypes = [wintypes.HANDLE, wintypes.HANDLE]
    kernel32.CloseHandle.argtypes = [wintypes.HANDLE]
    job = kernel32.CreateJobObjectW(None, None)
    if not job:
        return None
    limits = ExtendedLimits()
    limits.BasicLimitInformation.LimitFlags = 0x2000  # JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
    extended_limit_information = 9  # JobObjectExtendedLimitInformation
    if not (kernel32.SetInformationJobObject(job, extended_limit_information, ctypes.byref(limits),
                                             ctypes.sizeof(limits))
            and kernel32.AssignProcessToJobObject(job, int(process._handle))):
        kernel32.CloseHandle(job)  # e.g. a job that forbids nested jobs: the tree kill still works
        return None
    return job


def _terminate_job(job) -> None:
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.TerminateJobObject.argtypes = [wintypes.HANDLE, wintypes.UINT]
    kernel32.TerminateJobObject(job, 1)


def cmd_lab(args: argparse.Namespace) -> int:
    python = install()
    target = args.notebook or LANDING.format(language=args.lang)
    return supervise([str(python), "-m", "jupyter", "lab", target, *args.jupyter_args], cwd=ROOT, server=True)


def cmd_test(args: argparse.Namespace) -> int:
    python = install()
    command = [str(python), "-m", "pytest", "-n", "auto", "--dist", "loadfile", *args.pytest_args]
    return supervise(command, cwd=ROOT, grace=30)


def execute_command(python: Path, notebook: str) -> list[str]:
    return [str(python), "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
            "--ExecutePreprocessor.kernel_name=python3",
            "--ExecutePreprocessor.record_timing=False", notebook]


def all_notebooks(editions: tuple[str, ...] = EDITIONS) -> list[Path]:
    """Every notebook of the given editions, edition by edition, in course order."""
    return [path for language in editions for path in sorted((ROOT / "notebooks" / language).glob("*.ipynb"))]


def cmd_execute(args: argparse.Namespace) -> int:
    python = install()
    notebooks = args.notebooks or [str(p) for p in all_notebooks()]
    for notebook in notebooks:
        status = supervise(execute_command(python, notebook), cwd=ROOT)
        if status:
            return status
    return 0


def cmd_handouts(args: argparse.Namespace) -> int:
    python = install()
    options = ["--instructor"] if args.instructor else []
    command = [str(python), str(ROOT / "tools" / "handouts.py"), "--lang", args.lang, *options]
    return supervise(command, cwd=ROOT)


def uv(python: Path) -> tuple[str, ...]:
    """uv, installed in the course's environment the first time it is needed.

    uv does not read pip's configuration: it asks PyPI itself (UV_INDEX_URL and the other UV_*
    variables change that), which is where pip finds the course's packages too.
    """
    check = subprocess.run([str(python), "-m", "uv", "--version"], capture_output=True, check=False)
    if check.returncode != 0:
        run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "uv")
    return (str(python), "-m", "uv")


def cmd_lock(args: argparse.Namespace) -> int:
    python = install()
    upgrade = ["--upgrade"] if args.upgrade else []
    run(*uv(python), "pip", "compile", "pyproject.toml", "--extra", "test", "--universal",
        "--python-version", "3.11", *upgrade, "--output-file", LOCK.name, cwd=ROOT)
    # The Spark extra on top of the same pins (-c): it only adds packages.
    run(*uv(python), "pip", "compile", "pyproject.toml", "--extra", "test", "--extra", "spark",
        "--universal", "--python-version", "3.11", "-c", LOCK.name, "--output-file", SPARK_LOCK.name,
        cwd=ROOT)
    return 0


def cmd_lowest(args: argparse.Namespace) -> int:
    """The unit tests and every notebook at the lowest versions pyproject.toml allows.

    A fresh environment in .venv-lowest with the lowest allowed version of every direct
    dependency (their own dependencies as new as those allow), then: the unit tests without
    the notebooks' stored-output comparison and without the browser, and every notebook run
    top to bottom in a temporary copy (nothing is saved over the committed notebooks; an
    error or a warning fails it). Fails if anything fails.
    """
    started = time.monotonic()
    tool = uv(install())
    if LOWEST.exists() and not args.reuse:
        shutil.rmtree(LOWEST)
    python = venv_python(LOWEST)
    if not python.exists():
        interpreter = sys.executable if sys.version_info[:2] == (3, 11) else LOWEST_PYTHON
        run(*tool, "venv", "--quiet", "--python", interpreter, LOWEST)
    requirements = LOWEST / "requirements-lowest.txt"
    run(*tool, "pip", "compile", "--quiet", "pyproject.toml", "--extra", "test",
        "--resolution", "lowest-direct", "--python-version", LOWEST_PYTHON, "--output-file", requirements,
        cwd=ROOT)
    run(*tool, "pip", "install", "--quiet", "--python", python, "-r", requirements)
    run(*tool, "pip", "install", "--quiet", "--python", python, "--no-deps", "--no-build-isolation",
        "-e", ROOT)
    env = {**os.environ, "VIRTUAL_ENV": str(LOWEST),
           "PATH": os.pathsep.join([str(python.parent), os.environ.get("PATH", "")])}
    env.pop("PYTHONHOME", None)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # an old ipykernel's debugger notice on every kernel start

    # -o addopts=: not pyproject's --nbval; the notebooks run below, without the comparison of
    # outputs that only the locked versions reproduce. "server" tests start `course.py lab`, which
    # runs the locked environment, not this one.
    junit = LOWEST / "unit-tests.xml"
    junit.unlink(missing_ok=True)
    unit = [str(python), "-m", "pytest", "tests", "-o", "addopts=", "-p", "no:cacheprovider",
            "-m", "not browser and not server and not own_data and not spark",
            "-n", "auto", "--dist", "loadfile", "-q",
            f"--junitxml={junit}", *args.pytest_args]
    unit_status = supervise(unit, cwd=ROOT, env=env, grace=30)
    failed = _failed_tests(junit)
    if unit_status not in (0, 1) or (unit_status == 1 and not failed):
        failed.add(f"the unit tests (pytest exit code {unit_status})")
    report = LOWEST / "notebooks.json"
    report.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="mlmarketing-lowest-") as scratch:
        copy = Path(scratch) / "notebooks"
        shutil.copytree(ROOT / "notebooks", copy, ignore=shutil.ignore_patterns("outputs"))
        # Both editions: their code is the same (tests/editions.py), their printed sentences are not.
        notebooks = [str(copy / path.relative_to(ROOT / "notebooks")) for path in all_notebooks()]
        command = [str(python), str(ROOT / "tools" / "run_notebooks.py"), f"--report={report}", *notebooks]
        notebook_status = supervise(command, cwd=copy, env=env)
    failed |= {f"notebooks/{name}" for name in json.loads(report.read_text())} if report.exists() else set()
    if notebook_status and not report.exists():
        failed.add(f"the notebooks (exit code {notebook_status})")

    versions = ", ".join(
        line.strip() for line in requirements.read_text().splitlines()
        if line.split("==")[0].lower() in {"numpy", "pandas", "scikit-learn", "scipy", "statsmodels",
                                           "matplotlib", "nbconvert", "jupyterlab", "ruff"}
    )
    known = failed & KNOWN_LOWEST_FAILURES.keys()
    unexpected = sorted(failed - known) + (sorted(known) if args.strict else [])
    print(f"\nLowest versions: {versions}; {time.monotonic() - started:.0f} s.")
    for name in sorted(known):
        print(f"  known failure, to be fixed by its module's owner: {name}: {KNOWN_LOWEST_FAILURES[name]}")
    for name in sorted(KNOWN_LOWEST_FAILURES.keys() - failed):
        print(f"  listed as a known failure but passed (or did not run): {name}: remove it from"
              " KNOWN_LOWEST_FAILURES in course.py")
    for name in unexpected:
        print(f"  FAILED: {name}")
    print("Lowest-versions check: " + ("FAILED" if unexpected else "passed"), flush=True)
    return 1 if unexpected else 0


def _failed_tests(junit: Path) -> set[str]:
    """The ids (tests/test_x.py::test_y[param]) of the tests that failed or errored in a JUnit report."""
    if not junit.exists():
        return set()
    import xml.etree.ElementTree as ElementTree

    failed = set()
    for case in ElementTree.parse(junit).iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            module = case.get("classname", "").replace(".", "/")
            failed.add(f"{module}.py::{case.get('name')}")
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    lab = sub.add_parser("lab", help="install everything, then open the course in JupyterLab")
    lab.add_argument("notebook", nargs="?",
                     help=f"notebook to open (default: {LANDING.format(language='fr')})")
    lab.add_argument("--lang", choices=EDITIONS, default="fr",
                     help="edition of the course: fr (French, the default) or en (English)")
    lab.set_defaults(func=cmd_lab)
    test = sub.add_parser("test", help="install everything, then run the whole test suite")
    test.set_defaults(func=cmd_test)
    execute = sub.add_parser("execute", help="re-run notebooks in a fresh kernel and save them")
    execute.add_argument("notebooks", nargs="*", help="notebooks (default: all)")
    execute.set_defaults(func=cmd_execute)
    handouts = sub.add_parser("handouts", help="build HTML handouts and slide decks in build/ (offline)")
    handouts.add_argument("--instructor", action="store_true", help="include the exercise solutions")
    handouts.add_argument("--lang", choices=EDITIONS, default="fr", help="edition: fr (default) or en")
    handouts.set_defaults(func=cmd_handouts)
    lock = sub.add_parser("lock", help="refresh requirements.lock from pyproject.toml")
    lock.add_argument("--upgrade", action="store_true", help="take the newest allowed versions")
    lock.set_defaults(func=cmd_lock)
    lowest = sub.add_parser("lowest", help="run the tests and notebooks at the lowest allowed versions")
    lowest.add_argument("--reuse", action="store_true", help="keep .venv-lowest if it exists (faster)")
    lowest.add_argument("--strict", action="store_true", help="fail on the known failures too")
    lowest.set_defaults(func=cmd_lowest)
    # Options after `lab` go to JupyterLab (e.g. --port 8899), after `test` and `lowest` to pytest.
    args, extra = parser.parse_known_args(argv)
    if extra and args.command not in ("lab", "test", "lowest"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.jupyter_args = args.pytest_args = extra
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
