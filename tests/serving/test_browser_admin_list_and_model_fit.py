"""In headless Chromium: the admin's version list fits 1280 px, and /model fits a 390 px phone."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from recommender.models import ModelVersion
from tests.serving.conftest import TrainVersion, assert_no_console_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every element's right edge, but for what sits in a scroll box the page made on purpose.
OVERFLOWING = """
const limit = document.documentElement.clientWidth;
return [...document.querySelectorAll("body *")]
  .filter((el) => !el.closest(".table-scroll"))
  .filter((el) => el.getBoundingClientRect().right > limit + 0.5)
  .map((el) => el.tagName + "." + el.className);
"""


def log_in(browser: WebDriver, live_server) -> None:
    User.objects.create_superuser("boss", password="a long password")
    browser.get(live_server.url + "/admin/login/")
    browser.find_element(By.ID, "id_username").send_keys("boss")
    browser.find_element(By.ID, "id_password").send_keys("a long password")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    # The login page has the site name too; only a logged-in page has the user tools. Waiting
    # for the name let the next page load start before the login's cookie was set.
    WebDriverWait(browser, 15).until(ec.presence_of_element_located((By.ID, "user-tools")))


def test_the_version_list_fits_the_table_at_1280_px(
    browser: WebDriver, live_server, train_version: TrainVersion
) -> None:
    # Real versions with every headline figure, and one still queued (its progress text).
    train_version(seed=1)
    train_version(seed=2, epochs=1, activate=False)
    ModelVersion.objects.create(epochs=1)
    browser.set_window_size(1280, 900)
    log_in(browser, live_server)
    browser.get(live_server.url + "/admin/recommender/modelversion/")
    table = WebDriverWait(browser, 15).until(ec.presence_of_element_located((By.ID, "result_list")))
    assert len(table.find_elements(By.CSS_SELECTOR, "tbody tr")) == 3
    assert "HR@10" in table.find_element(By.CSS_SELECTOR, "thead").text

    container = table.find_element(By.XPATH, "..")
    sizes = browser.execute_script(
        "const c = arguments[0], t = arguments[1];"
        "return [c.scrollWidth, c.clientWidth, t.getBoundingClientRect().right,"
        " document.documentElement.clientWidth];",
        container,
        table,
    )
    assert sizes[0] <= sizes[1], sizes
    assert sizes[2] <= sizes[3], sizes
    assert browser.execute_script(OVERFLOWING) == []
    assert_no_console_errors(browser)


def test_nothing_on_the_model_page_overflows_a_390_px_phone(
    browser: WebDriver, live_server, train_version: TrainVersion
) -> None:
    train_version()
    browser.set_window_size(390, 900)
    browser.get(live_server.url + "/model")
    WebDriverWait(browser, 15).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "table.metrics"))
    )

    width = browser.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];"
    )
    assert width[0] <= width[1], width
    assert browser.execute_script(OVERFLOWING) == []
    assert_no_console_errors(browser)
