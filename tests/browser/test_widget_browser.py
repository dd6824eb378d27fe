"""The website widget in a real browser: headless Debian Chromium driven by Playwright.

Starts the real action server and Rasa (tests/stack.py) and the web server, opens the demo page,
asks questions through the widget (Rasa's socket.io channel), clicks a quick reply, votes on an
answer, reloads, and checks the layout at phone width. Screenshots: models/widget.png and
models/widget-mobile.png.

    .venv/kb/bin/python -m pytest -q tests/browser
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from tests.stack import REPO, Stack

pw = pytest.importorskip("playwright.sync_api")

from bot.web import server as web  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Flags that keep Chromium off the network (this machine has none) and quiet.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = REPO / "models"
TIMEOUT_MS = 60_000
HOST = "#zusm-chat-widget"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    s = Stack(logs_dir=tmp_path_factory.mktemp("logs"))
    try:
        s.start()
    except Exception:
        s.stop()
        raise
    yield s
    s.stop()


@pytest.fixture(scope="module")
def site(stack, tmp_path_factory):
    db = tmp_path_factory.mktemp("feedback") / "feedback.db"
    rasa = f"http://127.0.0.1:{stack.rasa_port}"
    httpd = web.make_server("127.0.0.1", 0, rasa_url=rasa, socket_url=rasa, feedback_db=db)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield {"url": f"http://127.0.0.1:{httpd.server_address[1]}/", "db": db}
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: `make browser-deps` installs Debian's chromium")
    with pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def page(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    pg.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    pg.errors = errors
    pg.goto(site["url"])
    yield pg
    context.close()


def bot_messages(pg):
    return pg.locator(f"{HOST} .zw-bot:not(.zw-typing)")


def ask(pg, text: str):
    """Type a question and press Enter; return the locator of the first new bot message."""
    before = bot_messages(pg).count()
    box = pg.locator(f"{HOST} .zw-input")
    box.fill(text)
    box.press("Enter")
    new = bot_messages(pg).nth(before)
    new.wait_for()
    return new


def test_page_shows_widget_open_with_suggestions(page):
    assert "Zhejiang University School of Medicine" in page.title()
    panel = page.locator(f"{HOST} .zw-panel")
    panel.wait_for(state="visible")
    assert page.locator(f"{HOST} .zw-input").is_visible()
    assert page.locator(f"{HOST} .zw-suggestion").count() >= 3
    assert "emergency call 120" in bot_messages(page).first.inner_text()
    # the widget sits in the bottom-right corner and leaves the page readable
    box = panel.bounding_box()
    assert box["x"] > 1280 / 2 and box["width"] <= 440 and box["y"] + box["height"] <= 800
    page.wait_for_function("() => !!window.io")  # socket.io client served from node_modules


def test_quick_reply_button(page):
    # the widget shows a typing indicator while it waits (watched with a MutationObserver)
    page.evaluate("""() => {
        const root = document.querySelector('#zusm-chat-widget').shadowRoot;
        window.__typingSeen = false;
        new MutationObserver(() => { if (root.querySelector('.zw-typing')) window.__typingSeen = true; })
          .observe(root, {childList: true, subtree: true});
    }""")
    msg = ask(page, "how many beds does the hospital have?")
    assert page.evaluate("window.__typingSeen") is True
    quick = page.locator(f"{HOST} .zw-quick")
    quick.first.wait_for()
    assert quick.count() >= 2, msg.inner_text()
    assert page.locator(f"{HOST} .zw-suggestion").count() == 0  # suggestions only before the first question
    before = bot_messages(page).count()
    page.locator(f"{HOST} .zw-quick", has_text="Children").first.click()
    answer = bot_messages(page).nth(before)
    answer.wait_for()
    assert page.locator(f"{HOST} .zw-user").last.inner_text().strip().endswith("Children's Hospital")
    assert "Children" in answer.inner_text()
    assert "Source:" in answer.locator(".zw-source").inner_text()
    assert quick.first.is_disabled()  # a used button group is disabled


def test_answer_with_source_and_screenshot(page):
    msg = ask(page, "How many beds does the Second Affiliated Hospital have?")
    text = msg.locator(".zw-text").inner_text()
    assert "3,200" in text or "3200" in text
    source = msg.locator(".zw-source")
    assert source.inner_text().startswith("Source:")
    assert source.evaluate("e => getComputedStyle(e).fontSize") != msg.locator(".zw-text").evaluate(
        "e => getComputedStyle(e).fontSize")  # shown apart, smaller
    SHOTS.mkdir(exist_ok=True)
    page.locator(f"{HOST} .zw-input").blur()
    page.screenshot(path=str(SHOTS / "widget.png"))


def test_feedback_is_stored(page, site):
    msg = bot_messages(page).last
    msg.get_by_role("button", name="Not helpful").click()
    assert msg.get_by_role("button", name="Not helpful").get_attribute("aria-pressed") == "true"
    deadline = time.monotonic() + 10
    rows = []
    while time.monotonic() < deadline and not rows:
        if site["db"].exists():
            with sqlite3.connect(site["db"]) as conn:
                rows = conn.execute("SELECT question, answer, source, vote, time FROM feedback").fetchall()
        time.sleep(0.2)
    assert rows, "no feedback row"
    question, answer, source, vote, when = rows[-1]
    assert question == "How many beds does the Second Affiliated Hospital have?"
    assert "3,200" in answer or "3200" in answer
    assert source.startswith("Source:") and vote == -1 and when.endswith("+00:00")


def test_markup_is_shown_as_text(page):
    evil = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b>bold</b>'
    msg = ask(page, evil)
    assert page.locator(f"{HOST} .zw-user .zw-bubble").last.inner_text() == evil
    assert msg.inner_text()  # the bot answered normally
    root = "document.querySelector('#zusm-chat-widget').shadowRoot"
    assert page.evaluate(f"{root}.querySelectorAll('.zw-log img, .zw-log script, .zw-log b').length") == 0
    assert page.evaluate("window.__xss") is None


def test_reload_keeps_conversation_and_context(page):
    before = page.locator(f"{HOST} .zw-msg").count()
    # A bot message with markup and a link, as if Rasa had sent it: rendered as text, link as <a>.
    page.evaluate("""() => {
        const h = JSON.parse(localStorage.getItem('zusm-widget:history'));
        h.push({id: 'injected0001', from: 'bot', question: 'x',
                text: '<b>bold</b><img src=x onerror="window.__xss=3"> see https://www.zju.edu.cn/.' +
                      '\\nSource: <script>window.__xss=4</script>'});
        localStorage.setItem('zusm-widget:history', JSON.stringify(h));
    }""")
    page.reload()
    page.locator(f"{HOST} .zw-panel").wait_for(state="visible")
    assert page.locator(f"{HOST} .zw-msg").count() == before + 1
    injected = page.locator(f"{HOST} [data-id='injected0001']")
    assert '<b>bold</b><img src=x onerror="window.__xss=3">' in injected.inner_text()
    assert injected.locator("a").get_attribute("href") == "https://www.zju.edu.cn/"
    assert injected.locator("a").get_attribute("rel") == "noopener noreferrer nofollow"
    assert injected.locator(".zw-source").inner_text() == "Source: <script>window.__xss=4</script>"
    assert page.evaluate("window.__xss") is None
    # Same Rasa session after the reload: a follow-up is resolved against the earlier question.
    msg = ask(page, "how many campuses does it have?")
    text = msg.inner_text()
    assert "campus" in text.lower() and "Second Affiliated" in text, text


def test_keyboard_only(page):
    launcher = page.locator(f"{HOST} .zw-launcher")
    page.locator(f"{HOST} .zw-input").focus()
    page.keyboard.press("Escape")
    assert page.locator(f"{HOST} .zw-panel").is_hidden()
    assert launcher.evaluate("e => e.getRootNode().activeElement === e")
    assert launcher.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    page.locator(f"{HOST} .zw-panel").wait_for(state="visible")
    assert page.evaluate("document.querySelector('#zusm-chat-widget').shadowRoot.activeElement.className") \
        == "zw-input"
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('#zusm-chat-widget').shadowRoot.activeElement.className") \
        == "zw-send"
    page.locator(f"{HOST} .zw-input").focus()
    page.keyboard.type("When was ZUSM founded?")
    before = bot_messages(page).count()
    page.keyboard.press("Enter")
    bot_messages(page).nth(before).wait_for()
    assert "1912" in bot_messages(page).nth(before).inner_text()
    assert not page.errors, page.errors


def test_phone_width_layout(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    try:
        pg.goto(site["url"])
        panel = pg.locator(f"{HOST} .zw-panel")
        panel.wait_for(state="visible")
        box = panel.bounding_box()
        assert box["x"] == 0 and abs(box["width"] - 390) < 1 and abs(box["height"] - 844) < 1
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        ask(pg, "When was ZUSM founded?")
        pg.screenshot(path=str(SHOTS / "widget-mobile.png"))
        pg.locator(f"{HOST} .zw-close").click()
        launcher = pg.locator(f"{HOST} .zw-launcher")
        assert launcher.is_visible() and launcher.bounding_box()["x"] + launcher.bounding_box()["width"] <= 390
    finally:
        context.close()
