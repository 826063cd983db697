"""In headless Chromium: the map names a song on hover or with the keyboard and opens it."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.serving.catalogue import Catalogue
from tests.serving.conftest import assert_no_console_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hover_names_a_song_and_click_opens_it(
    browser: WebDriver, live_server, catalogue: Catalogue, active_version
) -> None:
    wait = WebDriverWait(browser, 15, ignored_exceptions=[StaleElementReferenceException])
    browser.set_window_size(1280, 1600)  # the whole canvas on screen, for the pointer sweep
    browser.get(live_server.url + "/map")
    status = browser.find_element(By.ID, "map-status")
    wait.until(lambda d: "48 most played songs" in status.text)
    legend = browser.find_elements(By.CSS_SELECTOR, "#map-legend button")
    assert "country" in [button.text for button in legend]
    canvas = browser.find_element(By.ID, "song-map")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    tip = browser.find_element(By.ID, "map-tip")
    assert not tip.is_displayed()
    # The keyboard picks a song: its name shows, and its position is on the canvas.
    canvas.send_keys(Keys.ARROW_RIGHT)
    canvas.send_keys(Keys.ARROW_DOWN)
    wait.until(lambda d: tip.is_displayed())
    title = tip.find_element(By.TAG_NAME, "strong").text
    assert title in catalogue.ids
    x = float(canvas.get_attribute("data-focus-x") or "nan")
    y = float(canvas.get_attribute("data-focus-y") or "nan")
    canvas.send_keys(Keys.ESCAPE)
    wait.until(lambda d: not tip.is_displayed())
    # The pointer on that spot names the same song; a click opens it.
    size = canvas.size
    offset = (round(x - size["width"] / 2), round(y - size["height"] / 2))
    ActionChains(browser).move_to_element_with_offset(canvas, *offset).perform()
    wait.until(lambda d: tip.is_displayed())
    assert tip.find_element(By.TAG_NAME, "strong").text == title
    ActionChains(browser).click().perform()
    wait.until(lambda d: "/songs/" in d.current_url)
    heading = browser.find_element(By.CSS_SELECTOR, "h1.song-heading").text
    assert heading == title
    assert_no_console_errors(browser)
