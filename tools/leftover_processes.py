"""List the processes still running from this clone: a server, a kernel or a worker left behind.

    python tools/leftover_processes.py [--kill] [--wait SECONDS]

A process counts when its command line or its working directory points into the clone (the
clone's .venv python, a notebook, a connection file...). This process and its parents (the CI
run that asks) do not count. Exits 1 and prints them if there is any, after waiting up to
``--wait`` seconds for processes that are just ending; ``--kill`` then kills them.
Uses psutil where it is installed (every platform), else /proc (Linux).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _processes() -> dict[int, tuple[int, str, str]]:
    """pid -> (parent pid, command line, working directory)."""
    try:
        import psutil
    except ImportError:
        psutil = None
    table = {}
    if psutil is not None:
        for process in psutil.process_iter(["ppid", "cmdline", "cwd"]):
            info = process.info
            table[process.pid] = (info["ppid"] or 0, " ".join(info["cmdline"] or []), info["cwd"] or "")
        return table
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        base = Path("/proc", entry)
        try:
            ppid = int(base.joinpath("stat").read_text().rsplit(")", 1)[1].split()[1])
            raw = base.joinpath("cmdline").read_bytes()
            cmdline = raw.replace(b"\0", b" ").decode(errors="replace").strip()
        except (OSError, IndexError, ValueError):
            continue
        try:
            cwd = os.readlink(base / "cwd")
        except OSError:
            cwd = ""
        table[int(entry)] = (ppid, cmdline, cwd)
    return table


def leftovers(root: Path = ROOT) -> dict[int, str]:
    table = _processes()
    mine, pid = set(), os.getpid()
    while pid and pid not in mine:  # this process and its parents
        mine.add(pid)
        pid = table.get(pid, (0, "", ""))[0]
    clone = str(root)
    found = {}
    for pid, (_, cmdline, cwd) in table.items():
        inside = clone in cmdline or cwd == clone or cwd.startswith(clone + os.sep)
        if inside and pid not in mine and cmdline:
            found[pid] = cmdline if clone in cmdline else f"{cmdline}  (in {cwd})"
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--kill", action="store_true", help="kill what is left after listing it")
    parser.add_argument("--wait", type=float, default=10.0, help="seconds to wait for ending processes")
    args = parser.parse_args(argv)
    deadline = time.monotonic() + args.wait
    found = leftovers()
    while found and time.monotonic() < deadline:
        time.sleep(0.5)
        found = leftovers()
    if not found:
        print(f"No process left running from {ROOT}.")
        return 0
    print(f"{len(found)} process(es) left running from {ROOT}:")
    for pid, cmdline in sorted(found.items()):
        print(f"  {pid}: {cmdline[:300]}")
    if args.kill:
        import signal

        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
            except OSError:
                pass
    return 1


if __name__ == "__main__":
    sys.exit(main())
