"""What a course.py command starts stops with it: JupyterLab and its kernels, or any other program.

``course.py lab`` is started as a student does, then stopped as a terminal or a system stops a
program: Ctrl+C, SIGTERM, SIGHUP (terminal closed), and CTRL_BREAK_EVENT on Windows. Nothing it
started may be left running.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

psutil = pytest.importorskip("psutil")

ROOT = Path(__file__).resolve().parent.parent
WINDOWS = os.name == "nt"
posix_only = pytest.mark.skipif(WINDOWS, reason="POSIX signals")


def _gone(processes, timeout: float) -> list:
    """Wait for ``processes`` to end; kill and return those still running after ``timeout``."""
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    return alive


def _command_line(process) -> str:
    """The command line of ``process``, or "" for one that ended or is a zombie (short-lived helpers do)."""
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


def _describe(processes) -> list[str]:
    described = []
    for process in processes:
        try:
            described.append(f"{process.pid}: {' '.join(process.cmdline())[:200]}")
        except psutil.Error:
            described.append(str(process.pid))
    return described


# ---------------------------------------------------------------------------------------------
# supervise(), with a stand-in program that starts a "kernel" of its own
# ---------------------------------------------------------------------------------------------

PROGRAM = textwrap.dedent(
    """
    import signal, subprocess, sys, time
    # Like a kernel: a process of its own session, which the terminal's signals do not reach.
    kernel = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"], start_new_session=True)
    def clean_stop(signum, frame):
        kernel.terminate()
        kernel.wait()
        sys.exit(0)
    signal.signal(signal.SIGTERM, clean_stop if sys.argv[1] == "clean" else signal.SIG_IGN)
    print("ready", flush=True)
    time.sleep(300)
    """
)


def _supervised(tmp_path: Path, behaviour: str) -> subprocess.Popen:
    (tmp_path / "program.py").write_text(PROGRAM)
    driver = (
        "import sys; sys.path.insert(0, sys.argv[1]); import course; "
        "sys.exit(course.supervise([sys.executable, 'program.py', sys.argv[2]], cwd='.',"
        " server=True, grace=2))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", driver, str(ROOT), behaviour],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    assert process.stdout.readline().startswith("+ ")  # supervise() shows the command
    assert process.stdout.readline().strip() == "ready"
    return process


@posix_only
@pytest.mark.parametrize("behaviour", ["clean", "stubborn"])
def test_a_stopped_command_stops_its_program_and_what_that_started(tmp_path, behaviour):
    command = _supervised(tmp_path, behaviour)
    tree = psutil.Process(command.pid).children(recursive=True)
    assert len(tree) == 2  # the program and its "kernel"
    command.send_signal(signal.SIGTERM)
    output, _ = command.communicate(timeout=30)
    assert command.returncode == 128 + signal.SIGTERM
    assert _describe(_gone(tree, timeout=5)) == []
    killed = "did not stop within 2 s: killing it" in output
    assert killed == (behaviour == "stubborn"), output


# ---------------------------------------------------------------------------------------------
# python course.py lab, as a student starts it
# ---------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(url: str, token: str, method: str = "GET", body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"token {token}"}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read() or b"{}")


def _start_lab(tmp_path: Path) -> tuple[subprocess.Popen, str, str, Path]:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    course_map = ROOT / "notebooks" / "fr" / "00-course-map.ipynb"
    (notebooks / "00-course-map.ipynb").write_bytes(course_map.read_bytes())
    port, token = _free_port(), "mlmarketing-stop-test"
    command = [
        sys.executable, str(ROOT / "course.py"), "lab", str(notebooks / "00-course-map.ipynb"),
        "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={notebooks}",
        f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    # Its own process group, like a program started from a shell: the test's signals reach it alone
    # (on Windows that is also what lets CTRL_BREAK_EVENT be sent to it).
    group = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if WINDOWS else {"process_group": 0}
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env, **group)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        if process.poll() is not None:
            pytest.fail(f"course.py lab stopped (exit {process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            _request(f"{base}/api/status", token)
            return process, base, token, log
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"JupyterLab did not answer within 180 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)


STOPS = ["CTRL_BREAK_EVENT"] if WINDOWS else ["SIGTERM", "SIGHUP", "Ctrl+C"]


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.parametrize("how", STOPS)
def test_stopping_course_py_lab_stops_jupyterlab_and_its_kernels(tmp_path, how):
    process, base, token, log = _start_lab(tmp_path)
    tree = []
    try:
        _request(f"{base}/api/kernels", token, method="POST", body={"name": "python3"})
        deadline = time.monotonic() + 60
        while True:  # the server answers at once; the kernel's process follows
            tree = psutil.Process(process.pid).children(recursive=True)
            kernels = [p for p in tree if "ipykernel" in _command_line(p)]
            if kernels:
                break
            assert time.monotonic() < deadline, f"no kernel process: {_describe(tree)}"
            time.sleep(0.5)
        assert len(kernels) == 1, _describe(tree)
        time.sleep(2)  # let it finish starting: a stop must also work on a kernel at work

        if how == "CTRL_BREAK_EVENT":
            process.send_signal(signal.CTRL_BREAK_EVENT)
        elif how == "Ctrl+C":  # the terminal sends SIGINT to the whole foreground process group
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(getattr(signal, how))
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        left = _gone(tree, timeout=10)
    output = log.read_text()
    assert _describe(left) == [], output[-3000:]
    # The server stopped cleanly (it shut its kernel down itself), it was not killed.
    assert "did not stop within" not in output, output[-3000:]
    if not WINDOWS:  # on Windows the server does not handle Ctrl+Break: the kernel ends with it
        assert "Shutting down 1 kernel" in output, output[-3000:]
