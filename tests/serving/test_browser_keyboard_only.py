"""In headless Chromium, with the keyboard alone: skip to the search, pick a song, add one of
its list, open another, start a radio from that song's page and grow the station with "More".
Every link and button the focus lands on shows a focus ring, and going back up a long list with
Shift+Tab never leaves the focus under the sticky header."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from playlists.models import Song
from tests.serving.conftest import assert_no_console_errors
from tests.serving.test_browser_accessibility import SCREENSHOTS
from tests.serving.test_browser_home import result_ids
from tests.serving.test_browser_radio import catalogue, rows  # noqa: F401 (catalogue: 114 songs)
from tests.serving.test_browser_shareable_url import wait_for_list

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
# More than any page here has focusable elements before the one a step looks for (the radio
# has 50 song links before "More").
MAX_TABS = 150

# What has the focus, and whether it is drawn so that a sighted keyboard user can see it.
FOCUSED = """
const el = document.activeElement;
const style = getComputedStyle(el);
const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
return {
  tag: el.tagName.toLowerCase(), id: el.id, classes: String(el.className),
  text: (el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 60),
  ring: outlined || style.boxShadow !== "none",
};
"""

Focused = dict[str, Any]


def press(driver: WebDriver, *keys: str) -> None:
    ActionChains(driver).send_keys(*keys).perform()


def tab_to(driver: WebDriver, wanted: Callable[[Focused], bool], unringed: list[str]) -> Focused:
    """Press Tab until `wanted` has the focus; note every link or button passed without a ring."""
    passed: list[str] = []
    for _ in range(MAX_TABS):
        press(driver, Keys.TAB)
        focused: Focused = driver.execute_script(FOCUSED)
        where = f"{focused['tag']}#{focused['id']}.{focused['classes']} {focused['text']!r}"
        if focused["tag"] in ("a", "button") and not focused["ring"]:
            unringed.append(where)
        if wanted(focused):
            return focused
        passed.append(where)
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached the element wanted: {passed}")


def test_search_pick_open_a_song_start_its_radio_and_grow_it_by_keyboard(
    browser: WebDriver, live_server, active_version
) -> None:
    # Lists are redrawn as they arrive: a row read mid-redraw is read again.
    wait = WebDriverWait(browser, 20, ignored_exceptions=[StaleElementReferenceException])
    unringed: list[str] = []
    browser.get(live_server.url + "/")

    # The skip link comes first and leads into the page, where the search box is first.
    skip = tab_to(browser, lambda f: True, unringed)
    assert skip["text"] == "Skip to content"
    press(browser, Keys.ENTER)
    tab_to(browser, lambda f: f["id"] == "song-search", unringed)
    press(browser, "billie")
    wait.until(
        lambda d: any(
            option.text.startswith("Billie Jean")
            for option in d.find_elements(By.CSS_SELECTOR, "#song-options li[role=option]")
        )
    )
    box = browser.find_element(By.ID, "song-search")
    while True:
        press(browser, Keys.ARROW_DOWN)
        option = browser.find_element(By.ID, box.get_attribute("aria-activedescendant") or "")
        if option.find_element(By.CSS_SELECTOR, ".option-title").text == "Billie Jean":
            break
    press(browser, Keys.ENTER)
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#seed-chips .chip-title").text)
    assert browser.find_element(By.CSS_SELECTOR, "#seed-chips .chip-title").text == "Billie Jean"
    one_seed = wait_for_list(browser, wait)

    # A song of the list joins the picked ones with its "+" (Space); the focus goes back to
    # the search box, not to the page, as the list is redrawn.
    added = tab_to(browser, lambda f: "add-seed" in f["classes"].split(), unringed)
    assert added["text"] == "+"
    press(browser, Keys.SPACE)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#seed-chips .chip")) == 2)
    assert browser.execute_script("return document.activeElement.id") == "song-search"
    wait_for_list(browser, wait, other_than=one_seed)

    # Into the list: the first song's title, Enter opens its page.
    first = tab_to(browser, lambda f: "song-title" in f["classes"].split(), unringed)
    song_id = result_ids(browser)[0]
    press(browser, Keys.ENTER)
    heading = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "h1.song-heading"))
    assert heading.text == first["text"]
    assert browser.current_url.endswith(f"/songs/{song_id}")

    tab_to(browser, lambda f: f["text"] == "Start radio", unringed)
    press(browser, Keys.ENTER)
    wait.until(lambda d: len(rows(d)) == 50)
    assert browser.current_url.endswith(f"/radio?seeds={song_id}")

    tab_to(browser, lambda f: f["id"] == "radio-more", unringed)
    press(browser, Keys.SPACE)
    wait.until(lambda d: len(rows(d)) == 75)
    assert "25 songs added: 51\u201375" in browser.find_element(By.ID, "radio-status").text
    # While the next songs load the button says it is busy, but keeps the focus: a button
    # that is disabled drops it, and the next Tab would start again at the top of the page.
    assert browser.execute_script("return document.activeElement.id") == "radio-more"
    press(browser, Keys.ENTER)
    wait.until(lambda d: len(rows(d)) == 100)
    assert browser.execute_script("return document.activeElement.id") == "radio-more"
    assert not unringed, f"focused without a visible focus ring: {unringed}"
    assert_no_console_errors(browser)

    if os.environ.get("SONGREC_SAVE_SCREENSHOTS") == "1":
        # "More" still has the focus (and its ring), below the songs it added.
        browser.execute_script("document.activeElement.scrollIntoView({block: 'center'})")
        browser.save_screenshot(str(REPO / "docs" / "screenshot-keyboard.png"))


# The focused element's box against the sticky header's: covered when its top is above the
# header's bottom (WCAG 2.4.11, focus not obscured).
UNDER_HEADER = """
const el = document.activeElement;
if (!el.closest("main")) return null;
const header = document.querySelector(".site-header").getBoundingClientRect();
const top = el.getBoundingClientRect().top;
const name = el.textContent.trim();
return top < header.bottom - 0.5 ? `${name}: top ${top}px, header to ${header.bottom}px` : null;
"""


@pytest.mark.parametrize("width", [1280, 390])
def test_shift_tab_up_a_long_station_never_hides_the_focus_under_the_header(
    browser: WebDriver, live_server, active_version, width: int
) -> None:
    wait = WebDriverWait(browser, 20)
    browser.set_window_size(width, 844)
    billie = Song.objects.get(title="Billie Jean").id
    browser.get(f"{live_server.url}/radio?seeds={billie}")
    wait.until(lambda d: len(rows(d)) == 50)
    unringed: list[str] = []
    tab_to(browser, lambda f: f["id"] == "radio-more", unringed)
    hidden = []
    for _ in range(30):
        ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
        covered = browser.execute_script(UNDER_HEADER)
        if covered is not None:
            hidden.append(covered)
    assert not hidden, f"focused under the sticky header: {hidden}"
    assert not unringed, f"focused without a visible focus ring: {unringed}"

    if os.environ.get("SONGREC_SAVE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOTS / f"keyboard-shift-tab-{width}.png"))
