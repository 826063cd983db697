"""In headless Chromium: a song's reason opens, with the keyboard alone, to the signals that
made its score, on the home page's list (drawn by home.js) and on a song page (the template).
The same shares are the reason's hover text."""

from __future__ import annotations

import re

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.serving.catalogue import Catalogue
from tests.serving.conftest import assert_no_console_errors
from tests.serving.test_browser_home import pick
from tests.serving.test_browser_keyboard_only import press, tab_to
from tests.serving.test_browser_shareable_url import wait_for_list

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# "Made of: played-after 62% · sounds-like 30%": kinds with whole percentages.
SHARES = re.compile(r"^Made of: [a-z-]+ \d{1,3}%( · [a-z-]+ \d{1,3}%)*$")


def open_first_reason_by_keyboard(browser: WebDriver, wait: WebDriverWait, key: str) -> None:
    unringed: list[str] = []
    summary = tab_to(browser, lambda f: f["tag"] == "summary", unringed)
    assert summary["ring"], "the reason shows no focus ring"
    details = browser.find_element(By.CSS_SELECTOR, "details.song-reason")
    shares = details.find_element(By.CSS_SELECTOR, ".reason-shares")
    assert details.get_attribute("open") is None and not shares.is_displayed()
    assert details.find_element(By.TAG_NAME, "summary").text == summary["text"]
    press(browser, key)
    wait.until(lambda d: shares.is_displayed())
    assert SHARES.match(shares.text), shares.text
    hover = details.find_element(By.TAG_NAME, "summary").get_attribute("title")
    assert shares.text == f"Made of: {hover}"
    assert_no_console_errors(browser)


def test_a_reason_on_the_home_page_opens_with_enter(
    browser: WebDriver, live_server, catalogue: Catalogue, active_version
) -> None:
    wait = WebDriverWait(browser, 15, ignored_exceptions=[StaleElementReferenceException])
    browser.get(live_server.url + "/")
    pick(browser, wait, "billie", "Billie Jean")
    wait_for_list(browser, wait)
    browser.find_element(By.ID, "song-search").click()
    open_first_reason_by_keyboard(browser, wait, Keys.ENTER)


def test_a_reason_on_a_song_page_opens_with_space(
    browser: WebDriver, live_server, catalogue: Catalogue, active_version
) -> None:
    wait = WebDriverWait(browser, 15)
    browser.get(f"{live_server.url}/songs/{catalogue.id('Billie Jean')}")
    open_first_reason_by_keyboard(browser, wait, Keys.SPACE)
