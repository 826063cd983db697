"""In headless Chromium: search, pick seeds, watch the recommendations change, open a song."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.serving.catalogue import Catalogue
from tests.serving.conftest import assert_no_console_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]


def result_ids(driver: WebDriver) -> list[str]:
    rows = driver.find_elements(By.CSS_SELECTOR, "#results > li.song-row")
    return [row.get_attribute("data-song-id") or "" for row in rows]


def pick(driver: WebDriver, wait: WebDriverWait, query: str, title: str) -> None:
    box = driver.find_element(By.ID, "song-search")
    box.send_keys(query)
    option = wait.until(
        ec.element_to_be_clickable(
            (By.XPATH, f"//ul[@id='song-options']/li[@role='option'][span[.='{title}']]")
        )
    )
    option.click()
    wait.until(
        lambda d: any(
            chip.find_element(By.CSS_SELECTOR, ".chip-title").text == title
            for chip in d.find_elements(By.CSS_SELECTOR, "#seed-chips .chip")
        )
    )


def test_pick_billie_jean_then_a_second_seed_then_open_a_song(
    browser: WebDriver, live_server, catalogue: Catalogue, active_version
) -> None:
    wait = WebDriverWait(browser, 15, ignored_exceptions=[StaleElementReferenceException])
    browser.get(live_server.url + "/")
    pick(browser, wait, "billie", "Billie Jean")

    wait.until(lambda d: len(result_ids(d)) >= 10)
    rows = browser.find_elements(By.CSS_SELECTOR, "#results > li.song-row")
    assert all(row.find_element(By.CSS_SELECTOR, ".song-artist").text for row in rows)
    assert all(row.find_element(By.CSS_SELECTOR, ".strength-fill") for row in rows)
    first_list = result_ids(browser)
    assert str(catalogue.id("Billie Jean")) not in first_list
    status = browser.find_element(By.ID, "results-status").text
    assert f"model v{active_version.id}" in status

    pick(browser, wait, "fade to", "Fade To Black")
    wait.until(lambda d: result_ids(d) and result_ids(d) != first_list)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#seed-chips .chip")) == 2
    second_list = result_ids(browser)
    assert str(catalogue.id("Fade To Black")) not in second_list
    assert "seeds=" in browser.current_url

    if os.environ.get("SONGREC_SAVE_SCREENSHOTS") == "1":
        browser.save_screenshot(str(REPO / "docs" / "screenshot-browser-test.png"))

    assert_no_console_errors(browser)
    link = browser.find_element(By.CSS_SELECTOR, "#results > li.song-row a.song-title")
    title = link.text
    link.click()
    heading = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "h1.song-heading")))
    assert heading.text == title
    assert "/songs/" in browser.current_url
    assert browser.find_elements(By.CSS_SELECTOR, ".song-list li.song-row")


def test_keyboard_only_pick_and_remove(
    browser: WebDriver, live_server, catalogue: Catalogue, active_version
) -> None:
    wait = WebDriverWait(browser, 15, ignored_exceptions=[StaleElementReferenceException])
    browser.get(live_server.url + "/")
    box = browser.find_element(By.ID, "song-search")
    box.send_keys("metallica")
    wait.until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#song-options li[role=option]")) == 4
    )
    assert box.get_attribute("aria-expanded") == "true"
    box.send_keys(Keys.ARROW_DOWN)
    active = box.get_attribute("aria-activedescendant")
    chosen = browser.find_element(By.ID, active).find_element(By.CSS_SELECTOR, ".option-title").text
    box.send_keys(Keys.ENTER)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#seed-chips .chip")) == 1)
    assert browser.find_element(By.CSS_SELECTOR, "#seed-chips .chip-title").text == chosen
    wait.until(lambda d: len(result_ids(d)) >= 10)
    assert box.get_attribute("aria-expanded") == "false"

    box.send_keys("ozzy")
    box.send_keys(Keys.ESCAPE)
    box.send_keys(Keys.ESCAPE)
    assert box.get_attribute("value") == ""
    box.send_keys(Keys.BACKSPACE)
    wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "#seed-chips .chip"))
    wait.until(lambda d: not result_ids(d))
