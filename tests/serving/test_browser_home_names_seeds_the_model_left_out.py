"""In headless Chromium: a link whose songs the model does not all know shows the list for the
others and a note naming the song left out (the API's warnings, shown with the link's notes)."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from playlists.models import Song
from tests.serving.catalogue import Catalogue
from tests.serving.conftest import assert_no_console_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def notes(driver: WebDriver) -> list[str]:
    return [note.text for note in driver.find_elements(By.CSS_SELECTOR, "#link-notes .notice")]


def test_a_song_newer_than_the_model_is_named_in_a_note_and_the_rest_answer(
    browser: WebDriver, live_server, catalogue: Catalogue, active_version
) -> None:
    # In the catalogue, so the link keeps it as a chip, but added after the model was trained.
    newer = Song.objects.create(
        id=max(catalogue.ids.values()) + 1, title="Newer Song", artist="Late Band"
    )
    billie = catalogue.id("Billie Jean")
    wait = WebDriverWait(browser, 15, ignored_exceptions=[StaleElementReferenceException])
    browser.get(f"{live_server.url}/?seeds={billie},{newer.id},999999")

    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#results > li.song-row"))
    wait.until(lambda d: len(notes(d)) == 2)
    assert notes(browser) == [
        "Not in the catalogue, left out: song id 999999.",
        "The model does not know “Newer Song” by Late Band yet: left out of this list.",
    ]
    status = browser.find_element(By.ID, "results-status").text
    assert " for 1 song · " in status
    assert_no_console_errors(browser)
