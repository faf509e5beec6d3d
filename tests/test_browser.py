"""What students and the instructor see, checked in a real browser.

Headless Chromium (the system's own: Debian's ``chromium`` package, never a downloaded build),
driven by Playwright. Without Chromium these tests are skipped, so a student's
``python course.py test`` passes; ``.ci/run`` installs Chromium and sets
``MLMARKETING_REQUIRE_BROWSER=1``, which turns the skip into a failure.

Screenshots go to ``build/screenshots/`` (look at them after a change of the notebooks or
the handout templates).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from tools import handouts

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "screenshots"
USE_CASE = "04-02-campaign-ab-test.ipynb"  # a short story that runs in a few seconds
# As root in a container Chromium needs --no-sandbox; the other flags stop it from calling
# Google's services, which a closed network refuses one connection at a time.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    """The system's Chromium or Chrome: $MLMARKETING_CHROMIUM, else the usual command names."""
    configured = os.environ.get("MLMARKETING_CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


class ProcessGuard:
    """What this module started: every new process below the test process, and any process whose
    command line names one of the watched folders (a kernel's connection file is in the lab's)."""

    def __init__(self) -> None:
        self.psutil = pytest.importorskip("psutil")
        self.me = self.psutil.Process()
        self.before = {p.pid for p in self.me.children(recursive=True)}
        self.folders: list[str] = []
        self.seen: dict[int, object] = {}

    def watch(self, folder: Path) -> None:
        self.folders.append(str(folder))

    def remember(self) -> None:
        """Note the processes started so far (call it while they run: an orphan has no parent)."""
        for process in self.me.children(recursive=True):
            if process.pid not in self.before:
                self.seen[process.pid] = process

    def left(self) -> list:
        psutil = self.psutil
        candidates = dict(self.seen)
        for process in self.me.children(recursive=True):
            if process.pid not in self.before:
                candidates[process.pid] = process
        for process in psutil.process_iter():
            try:
                if any(folder in " ".join(process.cmdline()) for folder in self.folders):
                    candidates[process.pid] = process
            except psutil.Error:
                pass
        candidates.pop(self.me.pid, None)
        _, alive = psutil.wait_procs(list(candidates.values()), timeout=15)
        return alive


@pytest.fixture(scope="module")
def process_guard():
    """Fails the module if the server, a kernel or the browser is still running after its teardown."""
    guard = ProcessGuard()
    yield guard
    left = guard.left()
    described = []
    for process in left:
        try:
            described.append(f"{process.pid}: {' '.join(process.cmdline())[:200]}")
            process.kill()
        except guard.psutil.Error:
            pass
    assert described == [], "left running after the browser tests (now killed)"


@pytest.fixture(scope="module")
def browser(process_guard):
    executable = find_chromium()
    required = os.environ.get("MLMARKETING_REQUIRE_BROWSER") == "1"
    if executable is None:
        message = "no Chromium found (install Debian's 'chromium' or set MLMARKETING_CHROMIUM)"
        if required:
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        process_guard.remember()
        try:
            yield chromium
        finally:
            process_guard.remember()
            chromium.close()


class PageWatch:
    """A page with every failed request, remote request, script error and console error recorded."""

    def __init__(self, browser, width: int = 1400, height: int = 900, context=None) -> None:
        # A page of an existing context shares its cookies (JupyterLab's login).
        self.context = context or browser.new_context()
        self.page = self.context.new_page()
        self.page.set_viewport_size({"width": width, "height": height})
        self.failed: list[str] = []
        self.remote: list[str] = []
        self.errors: list[str] = []
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.on("request", self._request)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def _request(self, request) -> None:
        if not request.url.startswith(("file:", "data:", "blob:", "about:", "http://127.0.0.1")):
            self.remote.append(request.url)

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        self.page.screenshot(path=str(path))
        return path


# ---------------------------------------------------------------------------------------------
# JupyterLab, started with the README's first command
# ---------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(url: str, process: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab stopped (exit {process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory, process_guard):
    """``python course.py lab`` on a copy of the notebooks, so the browser never saves over the repo's."""
    home = tmp_path_factory.mktemp("lab")
    process_guard.watch(home)
    notebooks = home / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    settings = home / "settings" / "@jupyterlab" / "docmanager-extension"
    settings.mkdir(parents=True)
    (settings / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    news = home / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text(
        json.dumps({"checkForUpdates": False, "fetchNews": "false"})
    )
    port, token = _free_port(), "mlmarketing-browser-test"
    command = [
        sys.executable, str(ROOT / "course.py"), "lab", str(notebooks / "fr" / "00-course-map.ipynb"),
        "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}",
        f"--LabApp.user_settings_dir={home / 'settings'}", f"--LabApp.workspaces_dir={home / 'workspaces'}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
    log = home / "jupyterlab.log"
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(f"{base}/api/status?token={token}", process, log)
        yield {"base": base, "token": token, "notebooks": notebooks, "log": log}
    finally:
        # The kernels the tests started, noted while the server is still their parent.
        process_guard.remember()
        # SIGTERM (Windows: TerminateProcess, the job object takes the rest): course.py stops the
        # server, which shuts its kernels down; the guard checks that nothing is left.
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _open_notebook(watch: PageWatch, lab: dict, name: str) -> None:
    page = watch.page
    # ?reset: only this notebook, not the tabs an earlier test left open in the saved workspace.
    page.goto(f"{lab['base']}/lab/tree/{name}?reset&token={lab['token']}")
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=90_000)
    # The kernel is ready when the status bar says so (the toolbar says "idle" before it connects).
    page.wait_for_selector(".jp-StatusBar-Widget :text-matches('\\| Idle$')", timeout=90_000)


PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
_PROMPTS = f"""() => [...document.querySelectorAll('{PANEL} .jp-CodeCell .jp-InputArea-prompt')]
    .map(e => e.textContent.trim())"""
_ALL_RAN = (
    f"() => {{ const p = ({_PROMPTS})(); "
    "return p.length > 0 && p.every(s => /^\\[\\d+\\]:$/.test(s)); }"
)


def _wait_for_frame(page, part: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            if part in frame.url:
                return frame
        page.wait_for_timeout(250)
    pytest.fail(f"no frame whose address contains {part!r}: {[f.url for f in page.frames]}")


def _menu(page, menu: str, item: str) -> None:
    page.get_by_role("menuitem", name=menu, exact=True).click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def test_the_course_map_opens_in_jupyterlab(browser, jupyterlab):
    watch = PageWatch(browser)
    # JupyterLab serves the folder of the notebook it opens: notebooks/fr/, the default edition.
    _open_notebook(watch, jupyterlab, "00-course-map.ipynb")
    title = watch.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownOutput h1").first
    course_map = ROOT / "notebooks" / "fr" / "00-course-map.ipynb"
    expected, _ = handouts.title_of(nbformat.read(course_map, as_version=4))
    assert title.inner_text().strip() == expected
    watch.screenshot("jupyterlab-course-map.png")
    assert watch.remote == []


def test_a_use_case_runs_to_the_end_and_becomes_a_slideshow(browser, jupyterlab):
    watch = PageWatch(browser)
    page = watch.page
    _open_notebook(watch, jupyterlab, USE_CASE)
    # The notebook is committed with outputs: clear them so that the prompts prove this run.
    _menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(f"() => ({_PROMPTS})().every(p => p === '[ ]:')", timeout=30_000)
    # The kernel started with the page; its execution counts start at 1, so 1..n proves a full run.
    _menu(page, "Run", "Run All Cells")
    try:
        page.wait_for_function(
            _ALL_RAN, timeout=240_000
        )
    except Exception:
        watch.screenshot("jupyterlab-use-case-timeout.png")
        pytest.fail(f"the notebook did not finish; prompts: {page.evaluate(_PROMPTS)}")
    page.wait_for_selector(".jp-StatusBar-Widget :text-matches('\\| Idle$')", timeout=60_000)
    prompts = page.evaluate(_PROMPTS)
    assert prompts == [f"[{i}]:" for i in range(1, len(prompts) + 1)], "cells ran out of order"
    errors = page.locator(f"{PANEL} [data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, errors.first.inner_text()[:2000]
    figures = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedImage img")
    try:
        figures.first.wait_for(timeout=30_000)
    except Exception:
        watch.screenshot("jupyterlab-use-case-no-figure.png")
        kinds = page.eval_on_selector_all(
            ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output",
            "els => els.map(e => e.getAttribute('data-mime-type') + ':' + e.className)",
        )
        pytest.fail(f"no figure was drawn; outputs: {kinds}")
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.click()
    page.keyboard.press("Escape")
    page.keyboard.press("Home")
    watch.screenshot("jupyterlab-use-case-run.png")
    figures.last.scroll_into_view_if_needed()
    watch.screenshot("jupyterlab-use-case-last-figure.png")

    # RISE: Alt+R renders the notebook as a slideshow, in a panel beside it, with the live kernel.
    page.keyboard.press("Alt+r")
    page.wait_for_function(
        "() => [...document.querySelectorAll('iframe')].some(f => f.src.includes('/rise/'))", timeout=60_000
    )
    rise = _wait_for_frame(page, "/rise/")
    rise.wait_for_selector(".reveal .slides section.present", timeout=60_000)
    rise.wait_for_function("() => document.querySelector('.reveal.ready') !== null", timeout=60_000)
    watch.screenshot("rise-preview-beside-the-notebook.png")

    # The same slideshow full screen, as the instructor shows it: title, then the next slide.
    show = PageWatch(browser, width=1280, height=800, context=watch.context)
    show.page.goto(rise.url)
    show.page.wait_for_selector(".reveal.ready .slides section.present", timeout=60_000)
    time.sleep(1)  # reveal.js finishes its layout after it says it is ready
    show.screenshot("rise-slideshow-title.png")
    show.page.keyboard.press("ArrowRight")
    time.sleep(1)
    show.screenshot("rise-slideshow-next.png")
    assert show.page.locator(".reveal .slides section.present").count() >= 1
    assert show.remote == [], f"the slideshow fetched from the internet: {show.remote[:5]}"
    assert watch.remote == [], f"the slideshow fetched from the internet: {watch.remote[:5]}"


# ---------------------------------------------------------------------------------------------
# Handouts and slide decks, opened from file://
# ---------------------------------------------------------------------------------------------


# The pages the browser opens: the course map, the use case run above and the notebook with the
# most images. tests/test_handouts.py builds every page and checks that none loads from the internet.
RENDERED = ("00-course-map.ipynb", USE_CASE, "03-04-image-recognition.ipynb")


@pytest.fixture(scope="module")
def built_handouts(tmp_path_factory) -> Path:
    notebooks = [path for path in handouts.course_notebooks() if path.name in RENDERED]
    return handouts.build(tmp_path_factory.mktemp("handouts") / "handouts", notebooks=notebooks)


def test_handouts_and_decks_render_offline(browser, built_handouts):
    pages = sorted(built_handouts.glob("*.html"))
    decks = [p for p in pages if p.name.endswith(".slides.html")]
    assert len(decks) == len(RENDERED)
    for path in pages:
        watch = PageWatch(browser, width=1280, height=800)
        page = watch.page
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        if path.name == "index.html":
            assert page.locator("a[href$='.slides.html']").count() == len(decks)
            shot = "handouts-index.png"
        elif path.name.endswith(".slides.html"):
            page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
            assert page.evaluate("Reveal.getTotalSlides()") > 3, f"{path.name} has almost no slides"
            shot = f"deck-{path.name.removesuffix('.slides.html')}.png"
            if path.name == USE_CASE.replace(".ipynb", ".slides.html"):
                page.evaluate(
                    """() => { const s = Reveal.getSlides().find(s => s.querySelector('img'));
                               const i = Reveal.getIndices(s); Reveal.slide(i.h, i.v); }"""
                )
                page.wait_for_timeout(500)
                watch.screenshot("deck-with-a-figure.png")
                page.evaluate("Reveal.slide(0, 0)")
                page.wait_for_timeout(300)
        else:
            assert page.locator(".jp-Notebook .jp-Cell").count() > 5
            assert page.locator("h1").first.is_visible()
            shot = f"handout-{path.stem}.png"
        watch.screenshot(shot)
        assert watch.failed == [], f"{path.name}: failed requests {watch.failed[:5]}"
        assert watch.remote == [], f"{path.name}: requests to the internet {watch.remote[:5]}"
        assert watch.errors == [], f"{path.name}: script errors {watch.errors[:5]}"
        page.close()


def test_deck_speaker_notes_come_from_the_notes_cells(browser, built_handouts):
    watch = PageWatch(browser, width=1280, height=800)
    watch.page.goto((built_handouts / USE_CASE.replace(".ipynb", ".slides.html")).as_uri())
    watch.page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
    notes = watch.page.locator("aside.notes")
    assert notes.count() >= 3
    assert re.match(r"Notes de l'intervenant\.", notes.first.inner_text().strip())  # the French edition
    # S opens the speaker view (current and next slide, the notes, a clock) in a second window.
    first_notes = watch.page.evaluate(
        """() => { const s = Reveal.getSlides().find(s => s.querySelector('aside.notes'));
                   const i = Reveal.getIndices(s); Reveal.slide(i.h, i.v);
                   return s.querySelector('aside.notes').textContent.trim(); }"""
    )
    with watch.page.expect_popup(timeout=30_000) as popup:
        watch.page.keyboard.press("s")
    speaker = popup.value
    speaker.set_viewport_size({"width": 1280, "height": 800})
    speaker.wait_for_function(
        "start => document.querySelector('.speaker-controls-notes')?.textContent.includes(start)",
        arg=first_notes[:20], timeout=30_000,
    )
    assert first_notes[:40] in speaker.locator(".speaker-controls-notes").inner_text()
    speaker.wait_for_timeout(1000)
    speaker.screenshot(path=str(SCREENSHOTS / "deck-speaker-view.png"))
    watch.page.close()
