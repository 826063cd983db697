"""In headless Chromium: a picked song's chip keeps a short artist whole beside a long title."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.serving.catalogue import Catalogue
from tests.serving.conftest import assert_no_console_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_TITLE = "California Love (w/ Dr. Dre & Roger Troutman)"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_2pac_chip_shows_the_whole_artist(
    browser: WebDriver, live_server, catalogue: Catalogue, active_version, width: int
) -> None:
    browser.set_window_size(width, 900)
    browser.get(f"{live_server.url}/?seeds={catalogue.id(LONG_TITLE)}")
    wait = WebDriverWait(browser, 15, ignored_exceptions=[StaleElementReferenceException])
    chip = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#seed-chips .chip"))
    artist = chip.find_element(By.CSS_SELECTOR, ".chip-artist")

    assert artist.text == "2Pac"
    fits = browser.execute_script(
        "const el = arguments[0]; return [el.scrollWidth, el.clientWidth];", artist
    )
    assert fits[0] <= fits[1], fits
    assert fits[1] > 0
    # The chip itself stays inside the page; the title gives way (ellipsis) where it must.
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"
    )
    assert overflow <= 0
    assert_no_console_errors(browser)
