"""In headless Chromium: axe-core finds no serious or critical violation on any page of the
site (with and without a model) or the admin, in the light and the dark colour scheme, each
checked once its scripts have drawn what a visitor sees."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.serving.axe import axe_violations, describe
from tests.serving.catalogue import Catalogue
from tests.serving.conftest import TrainVersion, assert_no_console_errors
from tests.serving.test_browser_admin_list_and_model_fit import log_in
from tests.serving.test_browser_home import pick, result_ids

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots of every checked page are for a person looking into a failure, not for docs/.
SCREENSHOTS = Path(os.environ.get("RECOMMENDER_VAR_DIR", "var")) / "screenshots"

Ready = Callable[[WebDriver, WebDriverWait], None]


def home_with_a_list_and_open_options(driver: WebDriver, wait: WebDriverWait) -> None:
    pick(driver, wait, "billie", "Billie Jean")
    wait.until(lambda d: len(result_ids(d)) >= 10)
    driver.find_element(By.ID, "song-search").send_keys("metal")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#song-options li[role=option]"))


def shown(selector: str) -> Ready:
    def ready(driver: WebDriver, wait: WebDriverWait) -> None:
        wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, selector)))

    return ready


def station_drawn(driver: WebDriver, wait: WebDriverWait) -> None:
    panel = driver.find_element(By.CSS_SELECTOR, ".radio-station")
    wait.until(lambda d: panel.get_attribute("aria-busy") == "false")
    assert driver.find_elements(By.CSS_SELECTOR, "#station > li.station-row")


def map_drawn(driver: WebDriver, wait: WebDriverWait) -> None:
    wait.until(lambda d: "most played songs" in d.find_element(By.ID, "map-status").text)


# path (with {song} for Billie Jean's id) -> what to wait for before axe looks.
PAGES: dict[str, Ready] = {
    "/": home_with_a_list_and_open_options,
    "/songs/{song}": shown("h1.song-heading"),
    "/radio?seeds={song}": station_drawn,
    "/radio?q=billie": shown(".radio-matches"),
    "/radio?seeds=999999": shown(".notice"),
    "/map": map_drawn,
    "/model": shown("table.metrics"),
    "/api/docs": shown(".endpoint"),
}
ADMIN_PAGES: dict[str, Ready] = {
    "/admin/": shown("#site-name"),
    "/admin/recommender/modelversion/": shown("#result_list"),
    "/admin/recommender/modelversion/train/": shown("input[type=submit][value=Train]"),
}


def check(driver: WebDriver, url: str, ready: Ready) -> None:
    wait = WebDriverWait(driver, 20, ignored_exceptions=[StaleElementReferenceException])
    found = []
    for scheme in ("dark", "light"):
        # The stylesheets follow prefers-color-scheme. Each scheme gets a fresh load: switched
        # under a drawn page, the admin's transitions leave colours half-way for a moment.
        driver.execute_cdp_cmd(  # type: ignore[attr-defined]
            "Emulation.setEmulatedMedia",
            {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
        )
        driver.get(url)
        ready(driver, wait)
        violations = axe_violations(driver)
        if violations:
            found.append(f"axe-core on {url} in the {scheme} scheme:\n{describe(violations)}")
    if os.environ.get("SONGREC_SAVE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^a-z0-9]+", "-", url.split("/", 3)[-1]).strip("-") or "home"
        driver.save_screenshot(str(SCREENSHOTS / f"accessibility-{name}.png"))
    assert not found, "\n".join(found)
    assert_no_console_errors(driver)


@pytest.mark.parametrize("path", list(PAGES))
def test_site_page_has_no_serious_or_critical_violation(
    browser: WebDriver, live_server, catalogue: Catalogue, active_version, path: str
) -> None:
    url = live_server.url + path.format(song=catalogue.id("Billie Jean"))
    check(browser, url, PAGES[path])


@pytest.mark.parametrize("path", list(ADMIN_PAGES))
def test_admin_page_has_no_serious_or_critical_violation(
    browser: WebDriver, live_server, train_version: TrainVersion, path: str
) -> None:
    train_version()
    log_in(browser, live_server)
    check(browser, live_server.url + path, ADMIN_PAGES[path])


@pytest.mark.parametrize("path", ["/", "/songs/{song}", "/map", "/model"])
def test_a_page_without_a_model_has_no_serious_or_critical_violation(
    browser: WebDriver, live_server, catalogue: Catalogue, path: str
) -> None:
    url = live_server.url + path.format(song=catalogue.id("Billie Jean"))
    check(browser, url, shown(".empty-state"))
