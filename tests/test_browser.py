"""The app in a real browser: Debian's chromium (Playwright) against `streamlit run` on 127.0.0.1.

Tells a story, sees the reply and the tracker, reloads ?c=ID, checks that markup in a
message runs nothing, kills the server with SIGKILL mid-conversation and finds every
message again; saves screenshots in the test's tmp dir, or in COACH_SCREENSHOTS_DIR
(`make screenshots` points it at docs/screenshots/ for the README).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from coach.settings import get_settings
from coach.store import JournalEntry, Store
from tests.openai_stub import Behaviour, OpenAIStub

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parent.parent
SHOTS = Path(os.environ.get("COACH_SCREENSHOTS_DIR") or tempfile.mkdtemp(prefix="coach-shots-"))
MAIN = '[data-testid="stMainBlockContainer"]'  # the main column, not the sidebar
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
STORY = ("I'm a freelance translator. I told my biggest agency, Lexa, that my rate goes from "
         "0.10 to 0.13 per word next month. Their project manager, Jonas, wrote back "
         "\"we can't accept that\" and that was it.")
TURNS = ["Lexa rejected my new rate. I got a no.",
         "I'm annoyed. I almost wrote back right now telling them to find someone else.",
         "Ok, I slept on it. Calmer now."]
HOSTILE = ("<script>window.__x=1</script> and <img src=x onerror=\"window.__y=1\"> **not bold** "
           "[a link](http://example.com/) ![an image](http://example.com/i.png) :red[red] $x^2$")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="no /usr/bin/chromium: apt-get install chromium (.ci/run does)"),
]


@dataclass
class Server:
    """One `streamlit run app.py` process and the seconds it took to serve a usable page."""

    proc: subprocess.Popen[bytes]
    url: str
    started: float

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path, log: Path) -> Server:
    port = _free_port()
    env = {**os.environ, "COACH_DATA_DIR": str(data_dir)}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
           "--server.port", str(port), "--server.headless", "true",
           "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log.open("ab"),
                            stderr=subprocess.STDOUT)
    server = Server(proc, f"http://127.0.0.1:{port}", started)
    deadline = started + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"streamlit exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise AssertionError("streamlit did not become healthy within 60 s")


@pytest.fixture
def data_dir() -> Path:
    return get_settings().data_dir  # conftest's fresh one: the app and Store() share it


@pytest.fixture
def server(data_dir: Path, tmp_path: Path) -> Iterator[Server]:
    srv = start_server(data_dir, tmp_path / "streamlit.log")
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1000})
            pg = context.new_page()
            pg.set_default_timeout(90_000)
            yield pg
        finally:
            browser.close()


def chat_ready(page: Page, timeout: float = 90) -> None:
    """Until one chat input is on screen (a rerun that switches mode briefly shows two)."""
    boxes = page.locator('[data-testid="stChatInputTextArea"]')
    deadline = time.monotonic() + timeout
    while boxes.count() != 1:
        assert time.monotonic() < deadline, "no single chat input on the page"
        time.sleep(0.2)
    boxes.wait_for(state="visible")


def send(page: Page, text: str) -> None:
    """Type a message, send it, and wait until its reply is complete."""
    messages = page.locator('[data-testid="stChatMessage"]')
    before = messages.count()
    box = page.locator('[data-testid="stChatInputTextArea"]')
    box.fill(text)
    box.press("Enter")
    messages.nth(before + 1).wait_for(state="visible")
    wait_idle(page)


def wait_idle(page: Page, timeout: float = 90) -> None:
    """Until the script run is over: no 'Running' status and the transcript stops changing."""
    status = page.locator('[data-testid="stStatusWidget"]')
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        now = transcript(page)
        if now == last and now and now[-1] and status.count() == 0:
            return
        last = now
        time.sleep(0.5)
    raise AssertionError(f"the app was still busy after {timeout} s")


def settle(page: Page, timeout: float = 120) -> None:
    """Until no script run is going on (a click mid-run can be lost in the rerun)."""
    status = page.locator('[data-testid="stStatusWidget"]')
    deadline, quiet = time.monotonic() + timeout, 0
    while quiet < 3:
        assert time.monotonic() < deadline, f"the app was still running after {timeout} s"
        quiet = quiet + 1 if status.count() == 0 else 0
        time.sleep(0.2)


def transcript(page: Page) -> list[str]:
    """The text of each message on screen (not its badge, cards or feedback), in order."""
    messages = page.locator('[data-testid="stChatMessageContent"]')
    first = ':is([data-testid="stText"], [data-testid="stMarkdownContainer"])'
    texts = []
    for i in range(messages.count()):
        shown = messages.nth(i).locator(first)
        texts.append(shown.first.inner_text().strip() if shown.count() else "")
    return texts


def conv_id(page: Page) -> str:
    match = re.search(r"[?&]c=([A-Za-z0-9_-]+)", page.url)
    assert match, f"no ?c= in {page.url}"
    return match.group(1)


def test_coach_story_reply_tracker_exports_resume_and_markup_as_text(server: Server,
                                                                     page: Page) -> None:
    page.goto(server.url)
    chat_ready(page)
    usable = time.monotonic() - server.started
    print(f"\nstreamlit run -> usable page (chat input visible): {usable:.1f} s")
    assert usable < 60

    send(page, STORY)
    said = transcript(page)
    assert said[0].startswith("I'm a freelance translator") and len(said) == 2
    assert len(said[1]) > 40  # a real reply, not an empty bubble
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert "Acknowledge the rejection" in sidebar.inner_text()
    assert "Stay persistent, but smart" in sidebar.inner_text()
    page.wait_for_url(re.compile(r"[?&]c="))
    cid = conv_id(page)
    for turn in TURNS:
        send(page, turn)
    current = sidebar.locator("strong").filter(has_text=re.compile(r"^\d\. "))
    assert current.inner_text() == "3. Reframe the narrative"
    page.get_by_text("Guide cards this draws on").last.click()
    page.locator('[data-testid="stExpanderDetails"]').last.wait_for(state="visible")
    page.locator('[data-testid="stChatMessage"]').nth(2 * len(TURNS) - 1).evaluate(
        "e => e.scrollIntoView({block: 'start'})")  # the screenshot starts at a reply
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "coach.png"))

    with page.expect_download() as download:
        sidebar.get_by_role("button", name="Markdown").click()
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert "I'm a freelance translator" in markdown and "**Coach (step 2, detach):**" in markdown
    with page.expect_download() as download:
        sidebar.get_by_role("button", name="JSON").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["id"] == cid and len(exported["messages"]) == 2 + 2 * len(TURNS)

    send(page, HOSTILE)
    said = transcript(page)
    assert HOSTILE in said, said  # shown exactly as typed
    assert page.evaluate("typeof window.__x") == "undefined"
    assert page.evaluate("typeof window.__y") == "undefined"
    chat = page.locator('[data-testid="stChatMessageContent"]')
    assert chat.locator("img, a[href*='example.com'], script, .katex").count() == 0

    page.goto(f"{server.url}/?c={cid}")
    chat_ready(page)
    page.locator('[data-testid="stChatMessage"]').nth(len(said) - 1).wait_for(state="visible")
    wait_idle(page)
    assert transcript(page) == said
    assert page.evaluate("typeof window.__x") == "undefined"

    # a title made of markup is listed as text too (button labels render markdown)
    sidebar.get_by_role("button", name="New conversation").click()
    settle(page)
    send(page, "![t](http://example.com/t.png) [l](http://example.com/) my landlord said no")
    sidebar.get_by_role("button", name="New conversation").click()
    settle(page)
    listed = sidebar.get_by_role("button").filter(has_text="t.png")
    assert "![t](http://example.com/t.png)" in listed.inner_text().replace("\u2060", "")
    assert sidebar.locator("img[src*='example.com'], a[href*='example.com']").count() == 0


def test_the_page_fetches_nothing_from_outside_the_machine(server: Server, page: Page) -> None:
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((server.url, "data:", "blob:")) else None)
    page.goto(server.url)
    chat_ready(page)
    send(page, STORY)
    wait_idle(page)
    assert outside == []  # no fonts, icons or telemetry from anywhere else


def test_sigkill_mid_reply_loses_nothing_on_screen(data_dir: Path, tmp_path: Path,
                                                   page: Page,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "streamlit.log"
    with OpenAIStub() as stub:  # a model that can be made slow, so the kill lands mid-reply
        monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)
        first = start_server(data_dir, log)
        try:
            page.goto(first.url)
            chat_ready(page)
            send(page, STORY)
            send(page, "Lexa rejected my new rate. I got a no.")
            page.wait_for_url(re.compile(r"[?&]c="))
            cid = conv_id(page)
            stub.default = Behaviour(delay=60)
            asked = len(stub.requests)
            box = page.locator('[data-testid="stChatInputTextArea"]')
            box.fill("I'm annoyed. I almost wrote back: fine, find someone else.")
            box.press("Enter")
            page.get_by_text("I almost wrote back").wait_for(state="visible")
            deadline = time.monotonic() + 30
            while len(stub.requests) == asked and time.monotonic() < deadline:
                time.sleep(0.1)
            assert len(stub.requests) > asked, "the reply was not being generated"
            on_screen = [t for t in transcript(page) if t]
            first.proc.kill()  # SIGKILL while the reply is being written
            first.proc.wait(10)
        finally:
            first.stop()
    assert len(on_screen) == 5 and on_screen[-1].startswith("I'm annoyed")

    monkeypatch.delenv("OPENAI_BASE_URL")
    second = start_server(data_dir, log)
    try:
        page.goto(f"{second.url}/?c={cid}")
        chat_ready(page)
        page.locator('[data-testid="stChatMessage"]').nth(5).wait_for(state="visible")
        wait_idle(page)
        after = transcript(page)
    finally:
        second.stop()
    assert after[:5] == on_screen  # every message that was on screen is back
    assert len(after) == 6 and after[5]  # and the interrupted reply was written on reopening


def test_journal_page_shows_the_chart_and_the_follow_ups(data_dir: Path, server: Server,
                                                         page: Page) -> None:
    store = Store()
    today = date.today()
    for i, (context, ago, ahead) in enumerate([("job_offer", 70, None),
                                                ("business_deal", 40, 12),
                                                ("business_deal", 10, 20),
                                                ("personal_request", 2, 30)]):
        cid = store.create("coach", f"story {i}")
        store.record_journal(JournalEntry(
            cid, context, today - timedelta(days=ago),
            today + timedelta(days=ahead) if ahead else None,
            f"Plan {i}: come back with a smaller first step; stop after two Nos."))
    page.goto(f"{server.url}/journal")
    page.locator('[data-testid="stVegaLiteChart"] :is(canvas, svg)').first.wait_for()
    page.get_by_text("Add the follow-ups to my calendar (.ics)").wait_for(state="visible")
    body = page.locator('[data-testid="stAppViewContainer"]').inner_text()
    assert "Upcoming follow-ups" in body and "a business deal" in body
    with page.expect_download() as download:
        page.get_by_text("Add the follow-ups to my calendar (.ics)").click()
    ics = Path(download.value.path()).read_text(encoding="utf-8")
    assert ics.startswith("BEGIN:VCALENDAR") and ics.count("BEGIN:VEVENT") == 3
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "journal.png"), full_page=True)


def test_rehearsal_feedback_meter_and_debrief(server: Server, page: Page) -> None:
    page.goto(server.url)
    chat_ready(page)
    settle(page)
    page.get_by_text("Rehearse the conversation").first.click()
    start = page.get_by_role("button", name="Start the rehearsal")
    start.wait_for(state="visible")
    settle(page)
    start.click()
    page.wait_for_url(re.compile(r"[?&]c="))
    chat_ready(page)
    for move in ("Is it the budget?",
                 "Can you walk me through what's preventing you from moving forward?",
                 "What would need to change for this to work?"):
        send(page, move)
    main = page.locator('[data-testid="stAppViewContainer"]')
    assert "Your move: closed question" in main.inner_text()
    assert "Try: Can you walk me through" in main.inner_text()
    meter = page.locator(f'{MAIN} [data-testid="stProgress"]')
    assert re.search(r"\(\d/3\)", meter.inner_text())
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "rehearsal.png"))

    page.get_by_role("button", name="End and debrief").click()
    page.get_by_text("Next step:").wait_for(state="visible")
    wait_idle(page)
    assert "Score" in main.inner_text()
    page.get_by_text("Debrief").last.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "debrief.png"))


def _uncovered(page: Page, selector: str) -> bool:
    """The element is inside the viewport and is what a tap at its centre reaches."""
    return bool(page.evaluate("""sel => {
        const e = document.querySelector(sel); if (!e) return false;
        const r = e.getBoundingClientRect();
        if (!r.width || r.bottom > innerHeight || r.top < 0 || r.right > innerWidth) return false;
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return hit !== null && (e === hit || e.contains(hit) || hit.contains(e));
    }""", selector))


def test_phone_layout_shows_the_step_and_the_rehearsal_controls_in_the_chat(
        server: Server, tmp_path: Path) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            phone = browser.new_context(viewport={"width": 390, "height": 844},
                                        device_scale_factor=2, is_mobile=True, has_touch=True)
            page = phone.new_page()
            page.set_default_timeout(90_000)
            page.goto(server.url)
            chat_ready(page)
            send(page, STORY)
            send(page, TURNS[0])
            main = page.locator(MAIN)
            step = main.locator('[data-testid="stProgress"]')
            assert "Step 2 of 6: Detach emotionally" in step.inner_text()
            assert _uncovered(page, f'{MAIN} [data-testid="stProgress"]')
            assert not page.locator('[data-testid="stSidebar"]').is_visible()  # folded away
            box = '[data-testid="stChatInputTextArea"]'
            assert _uncovered(page, box)
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "phone.png"))

            page.goto(server.url)
            chat_ready(page)
            settle(page)
            page.get_by_text("Rehearse the conversation").first.click()
            page.get_by_role("button", name="Start the rehearsal").click()
            page.wait_for_url(re.compile(r"[?&]c="))
            chat_ready(page)
            send(page, "Can you walk me through what's preventing you from moving forward?")
            meter = main.locator('[data-testid="stProgress"]')
            assert re.search(r"Uncovered: .*\(\d/3\)", meter.inner_text())
            end = main.get_by_role("button", name="End and debrief")
            assert end.is_visible() and _uncovered(page, box)
            end.click()
            page.get_by_text("Next step:").wait_for(state="visible")
            settle(page)
            assert "Score" in main.inner_text()
            last = page.locator('[data-testid="stChatMessageContent"]').last
            assert last.inner_text().strip() == "end"  # the debrief is a card of its own
        finally:
            browser.close()
