"""In headless Chromium: start a radio from Billie Jean's song page, grow it with "More",
move the familiarity slider, and read it on a phone-wide window."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.serving.catalogue import Catalogue, catalogue_create
from tests.serving.conftest import assert_no_console_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
ARTIST_GAP = 3  # what the page asks of the API


@pytest.fixture
def catalogue(db: None) -> Catalogue:
    # The six named groups hold 50 songs: too few for 100 after Billie Jean. Eight extra
    # groups of four artists each make 114, and `active_version` trains on them all.
    return catalogue_create(extra_groups=8)


def rows(driver: WebDriver) -> list[tuple[str, str]]:
    """(song id, artist) of each station row, in order."""
    return [
        (row.get_attribute("data-song-id") or "", row.get_attribute("data-artist") or "")
        for row in driver.find_elements(By.CSS_SELECTOR, "#station > li.station-row")
    ]


def status(driver: WebDriver) -> str:
    return driver.find_element(By.ID, "radio-status").text


def assert_station_rules(seed_artist: str, station: list[tuple[str, str]]) -> None:
    ids = [song for song, _ in station]
    assert len(set(ids)) == len(ids), "a song played twice"
    artists = [seed_artist, *(artist for _, artist in station)]
    for i in range(1, len(artists)):
        assert artists[i] not in artists[max(0, i - ARTIST_GAP) : i], (i, artists)


def test_radio_from_a_song_page_grows_keeps_its_rules_and_follows_the_slider(
    browser: WebDriver, live_server, catalogue: Catalogue, active_version
) -> None:
    wait = WebDriverWait(browser, 20, ignored_exceptions=[StaleElementReferenceException])
    billie = catalogue.id("Billie Jean")
    browser.get(f"{live_server.url}/songs/{billie}")
    browser.find_element(By.LINK_TEXT, "Start radio").click()

    wait.until(lambda d: len(rows(d)) == 50)
    assert browser.current_url.endswith(f"/radio?seeds={billie}")
    seeds = browser.find_elements(By.CSS_SELECTOR, ".radio-seeds .chip-title")
    assert [seed.text for seed in seeds] == ["Billie Jean"]
    assert "50 songs after Billie Jean" in status(browser)
    assert f"model v{active_version.id}" in status(browser)
    first = rows(browser)
    assert str(billie) not in [song for song, _ in first]
    positions = [
        rank.text for rank in browser.find_elements(By.CSS_SELECTOR, "#station .station-row .rank")
    ]
    assert positions == [str(n) for n in range(1, 51)]
    link = browser.find_element(By.CSS_SELECTOR, "#station .song-title")
    assert (link.get_attribute("href") or "").endswith(f"/songs/{first[0][0]}")

    more = browser.find_element(By.ID, "radio-more")
    more.click()
    wait.until(lambda d: len(rows(d)) == 75)
    assert rows(browser)[:50] == first, "More changed the songs already on the station"
    assert_station_rules("Michael Jackson", rows(browser))
    assert "25 songs added: 51\u201375" in status(browser)

    # The second "More" from the keyboard: the button keeps the focus after the first.
    wait.until(lambda d: more.get_attribute("aria-disabled") == "false")
    more.send_keys(Keys.ENTER)
    wait.until(lambda d: len(rows(d)) == 100)
    station = rows(browser)
    assert_station_rules("Michael Jackson", station)
    assert not {song for song, _ in station} & {str(billie)}
    export = browser.find_element(By.CSS_SELECTOR, ".radio-export a[data-format=m3u8]")
    query = parse_qs(urlsplit(export.get_attribute("href") or "").query)
    assert query["songs"] == [",".join(song for song, _ in station)]

    # Familiarity 1.0 from the keyboard (End): one rebuild, said in the status line.
    slider = browser.find_element(By.ID, "familiarity")
    slider.send_keys(Keys.END)
    wait.until(lambda d: "Station rebuilt for familiarity 1.0" in status(d))
    rebuilt = rows(browser)
    assert len(rebuilt) == 50
    assert rebuilt != first
    assert_station_rules("Michael Jackson", rebuilt)
    assert browser.find_element(By.ID, "familiarity-value").text == "1.0"
    assert "familiarity=1.0" in browser.current_url
    assert_no_console_errors(browser)

    if os.environ.get("SONGREC_SAVE_SCREENSHOTS") == "1":
        browser.execute_script("window.scrollTo(0, 0)")
        browser.save_screenshot(str(REPO / "docs" / "screenshot-radio.png"))


def test_radio_fits_a_phone_and_a_reload_keeps_the_familiarity(
    browser: WebDriver, live_server, catalogue: Catalogue, active_version
) -> None:
    wait = WebDriverWait(browser, 20, ignored_exceptions=[StaleElementReferenceException])
    browser.set_window_size(390, 844)
    seeds = f"{catalogue.id('Jolene')},{catalogue.id('Ring of Fire')}"
    browser.get(f"{live_server.url}/radio?seeds={seeds}&familiarity=0.2")
    wait.until(lambda d: len(rows(d)) == 50)
    assert browser.find_element(By.ID, "familiarity").get_attribute("value") == "0.2"
    assert "familiarity 0.2" in status(browser)
    wide = browser.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert wide[0] <= wide[1], f"the page is {wide[0]}px wide in a {wide[1]}px window"
    more = wait.until(ec.element_to_be_clickable((By.ID, "radio-more")))
    assert more.size["width"] <= wide[1]
    assert_no_console_errors(browser)
