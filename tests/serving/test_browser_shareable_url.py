"""In headless Chromium: the home page's list lives in its address, so a link, Back and Forward
show the same list; the list downloads and copies, and "Start radio" links to /radio."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.serving.catalogue import Catalogue
from tests.serving.conftest import assert_no_console_errors
from tests.serving.playlist_files import assert_valid_jspf, assert_valid_m3u8, assert_valid_xspf
from tests.serving.test_browser_home import pick, result_ids

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
UNKNOWN_ID = 999_999


def chip_titles(driver: WebDriver) -> list[str]:
    return [chip.text for chip in driver.find_elements(By.CSS_SELECTOR, "#seed-chips .chip-title")]


def seeds_in(url: str) -> list[str]:
    return parse_qs(urlsplit(url).query).get("seeds", [""])[0].split(",")


def loaded(driver: WebDriver) -> bool:
    page = driver.find_element(By.CSS_SELECTOR, "[data-recommender]")
    return "is-loading" not in (page.get_attribute("class") or "").split()


def wait_for_list(
    driver: WebDriver, wait: WebDriverWait, *, other_than: list[str] | None = None
) -> list[str]:
    """The list once it is drawn (and differs from `other_than`, the one shown before)."""
    wait.until(lambda d: loaded(d) and result_ids(d) and result_ids(d) != other_than)
    return result_ids(driver)


def test_a_shared_link_back_and_forward_show_the_same_lists(
    browser: WebDriver, live_server, catalogue: Catalogue, active_version
) -> None:
    # Rows are redrawn while a list arrives: a row read mid-redraw is read again.
    wait = WebDriverWait(browser, 15, ignored_exceptions=[StaleElementReferenceException])
    browser.get(live_server.url + "/")
    radio = browser.find_element(By.ID, "start-radio")
    assert radio.get_attribute("href") is None
    assert radio.get_attribute("aria-disabled") == "true"
    assert "Pick a song first" in browser.find_element(By.ID, "radio-help").text

    pick(browser, wait, "billie", "Billie Jean")
    one_seed = wait_for_list(browser, wait)
    pick(browser, wait, "fade to", "Fade To Black")
    two_seeds = wait_for_list(browser, wait, other_than=one_seed)
    shared = browser.current_url
    billie, fade = str(catalogue.id("Billie Jean")), str(catalogue.id("Fade To Black"))
    assert seeds_in(shared) == [billie, fade]

    browser.back()
    wait.until(lambda d: chip_titles(d) == ["Billie Jean"])
    assert wait_for_list(browser, wait, other_than=two_seeds) == one_seed
    assert seeds_in(browser.current_url) == [billie]
    browser.forward()
    wait.until(lambda d: chip_titles(d) == ["Billie Jean", "Fade To Black"])
    assert wait_for_list(browser, wait, other_than=one_seed) == two_seeds
    assert browser.current_url == shared

    # A fresh load of the link, as someone it was sent to would open it.
    browser.get("about:blank")
    browser.get(shared)
    wait.until(lambda d: chip_titles(d) == ["Billie Jean", "Fade To Black"])
    assert wait_for_list(browser, wait) == two_seeds
    assert not browser.find_elements(By.CSS_SELECTOR, "#link-notes .notice")

    # Each download link exports the list shown, in order, under a title naming the seeds.
    links = browser.find_elements(By.CSS_SELECTOR, "#results-share a[download]")
    assert [link.text for link in links] == ["M3U8", "XSPF", "JSPF"]
    for link, fmt in zip(links, ("m3u8", "xspf", "jspf"), strict=True):
        href = urlsplit(link.get_attribute("href") or "")
        assert href.path == f"/api/playlists/export.{fmt}"
        assert parse_qs(href.query) == {
            "songs": [",".join(two_seeds)],
            "title": ["Songs for Billie Jean, Fade To Black"],
        }
    # Each file, as the browser would download it, is valid in its format.
    files = {}
    for link, fmt in zip(links, ("m3u8", "xspf", "jspf"), strict=True):
        with urllib.request.urlopen(link.get_attribute("href") or "", timeout=10) as response:
            files[fmt] = response.read()
    m3u8 = files["m3u8"].decode()
    assert m3u8.splitlines()[1] == "#PLAYLIST:Songs for Billie Jean, Fade To Black"
    tracks = assert_valid_m3u8(m3u8)
    assert [urlsplit(url).path for _, url in tracks] == [f"/songs/{song}" for song in two_seeds]
    assert_valid_xspf(files["xspf"])
    jspf = json.loads(files["jspf"])
    assert_valid_jspf(jspf)
    assert [urlsplit(track["info"]).path for track in jspf["playlist"]["track"]] == [
        f"/songs/{song}" for song in two_seeds
    ]
    copy = browser.find_element(By.CSS_SELECTOR, "#results-share .copy-text")
    first_row = browser.find_element(By.CSS_SELECTOR, "#results > li.song-row")
    first_line = (copy.get_attribute("data-copy") or "").splitlines()[0]
    artist = first_row.find_element(By.CSS_SELECTOR, ".song-artist").text
    title = first_row.find_element(By.CSS_SELECTOR, ".song-title").text
    assert first_line == f"{artist} \u2013 {title}"

    radio = browser.find_element(By.ID, "start-radio")
    href = urlsplit(radio.get_attribute("href") or "")
    assert href.path == "/radio"
    assert parse_qs(href.query) == {"seeds": [f"{billie},{fade}"], "familiarity": ["0.5"]}
    assert radio.get_attribute("aria-disabled") is None

    # "Copy link" puts the page's address on the clipboard.
    browser.execute_cdp_cmd(  # type: ignore[attr-defined]
        "Browser.grantPermissions",
        {
            "origin": live_server.url,
            "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
        },
    )
    browser.find_element(By.ID, "copy-link").click()
    wait.until(lambda d: d.find_element(By.ID, "copy-link-status").text == "Link copied.")
    clipboard = browser.execute_async_script(
        "navigator.clipboard.readText().then(arguments[0], (e) => arguments[0]('error: ' + e))"
    )
    assert clipboard == shared

    # Tall enough for the whole list and its download links (the window's frame included).
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, height + 200)
    if os.environ.get("SONGREC_SAVE_SCREENSHOTS") == "1":
        browser.save_screenshot(str(REPO / "docs" / "screenshot-home-shared.png"))
    assert_no_console_errors(browser)


def test_a_link_with_an_unknown_id_and_familiarity_keeps_both_in_history(
    browser: WebDriver, live_server, catalogue: Catalogue, active_version
) -> None:
    # Rows are redrawn while a list arrives: a row read mid-redraw is read again.
    wait = WebDriverWait(browser, 15, ignored_exceptions=[StaleElementReferenceException])
    billie = catalogue.id("Billie Jean")
    browser.get(f"{live_server.url}/?seeds={billie},{UNKNOWN_ID}&familiarity=0.2")
    wait.until(lambda d: chip_titles(d) == ["Billie Jean"])
    left_out = [f"Not in the catalogue, left out: song id {UNKNOWN_ID}."]
    # The notes are redrawn when the list arrives: read them until they hold still.
    wait.until(lambda d: shown_notices(d) == left_out)
    slider = browser.find_element(By.ID, "familiarity")
    assert slider.get_attribute("value") == "0.2"
    assert browser.find_element(By.ID, "familiarity-value").text == "0.2 · more discoveries"
    # The address now holds what is shown.
    assert seeds_in(browser.current_url) == [str(billie)]

    # The page shows what the API answers for this request.
    answer = Client().post(
        "/api/recommendations",
        {"seeds": [billie], "k": 20, "max_per_artist": None, "familiarity": 0.2},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    expected = [str(item["song"]["id"]) for item in answer.json()["results"]]
    wait.until(lambda d: result_ids(d) == expected)

    slider.send_keys(Keys.ARROW_RIGHT)
    wait.until(lambda d: parse_qs(urlsplit(d.current_url).query).get("familiarity") == ["0.3"])
    assert not browser.find_elements(By.CSS_SELECTOR, "#link-notes .notice")
    radio = urlsplit(browser.find_element(By.ID, "start-radio").get_attribute("href") or "")
    assert parse_qs(radio.query)["familiarity"] == ["0.3"]
    slider.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    # Back at the default: it leaves the address, and the API gets no familiarity field.
    wait.until(lambda d: "familiarity" not in parse_qs(urlsplit(d.current_url).query))
    wait_for_list(browser, wait)

    # One history entry a step: 0.2 (the link), 0.3, 0.4, 0.5.
    browser.back()
    wait.until(lambda d: slider.get_attribute("value") == "0.4")
    browser.execute_script("history.go(-2)")
    wait.until(lambda d: slider.get_attribute("value") == "0.2")
    wait.until(lambda d: shown_notices(d) == left_out)
    state = json.loads(browser.execute_script("return JSON.stringify(history.state)"))
    assert [song["id"] for song in state["seeds"]] == [billie]
    assert_no_console_errors(browser)


def shown_notices(browser: WebDriver) -> list[str]:
    """The texts of the link's notes that are on screen (a hidden note does not count)."""
    notes = browser.find_elements(By.CSS_SELECTOR, "#link-notes .notice")
    return [note.text for note in notes if note.is_displayed()]
