"""The web console in a real headless browser: Debian's Chromium and chromedriver, driven by selenium.

Selenium is pointed at /usr/bin/chromedriver (nothing is downloaded at run time); scripts/test.sh
installs the ``chromium`` and ``chromium-driver`` packages when the driver is missing. Screenshots
of every page go to a temporary directory (printed; set CHARTER_UI_SCREENSHOTS to keep them
elsewhere) so a person can look at them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.process import RegistryProcess
from support.ui import avro_record, register

DRIVER = Path("/usr/bin/chromedriver")
BROWSER = Path("/usr/bin/chromium")

pytestmark = pytest.mark.skipif(
    not DRIVER.exists() or not BROWSER.exists(),
    reason="needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)",
)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wanted = os.environ.get("CHARTER_UI_SCREENSHOTS")
    path = Path(wanted) if wanted else tmp_path_factory.mktemp("ui-screenshots")
    path.mkdir(parents=True, exist_ok=True)
    print(f"\nconsole screenshots in {path}")
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(BROWSER)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}", "--window-size=1366,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=str(DRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def seeded(registry: RegistryProcess) -> str:
    """A small catalogue: two versions of an orders subject, plus a few others to list."""
    prefix = f"shop-{uuid.uuid4().hex[:6]}"
    orders = f"{prefix}-orders-value"
    register(registry.url, orders, avro_record("Order", ("id", "string"), ("customer", "string")))
    register(registry.url, orders, avro_record("Order", ("id", "string"), ("customer", "string"), ("total", "double")))
    register(registry.url, f"{prefix}-customers-value", avro_record("Customer", ("id", "string"), ("email", "string")))
    register(registry.url, f"{prefix}-events-value",
             '{"type": "object", "properties": {"at": {"type": "integer"}}}', schemaType="JSON")
    register(registry.url, f"{prefix}-payments-value",
             'syntax = "proto3";\npackage shop;\n\nmessage Payment {\n  string id = 1;\n  int64 cents = 2;\n}\n',
             schemaType="PROTOBUF")
    return prefix


def test_subject_list(browser, registry: RegistryProcess, seeded: str, shots: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{registry.url}/ui/subjects")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Subjects"
    # Keyboard: "/" focuses the search box; typing and Enter filters the list.
    browser.find_element(By.TAG_NAME, "body").send_keys("/")
    active = browser.switch_to.active_element
    assert active.get_attribute("id") == "q"
    old = browser.find_element(By.TAG_NAME, "html")
    active.send_keys(seeded, Keys.ENTER)
    WebDriverWait(browser, 15).until(expected_conditions.staleness_of(old))
    rows = browser.find_elements(By.CSS_SELECTOR, "table.list tbody tr")
    assert len(rows) == 4
    assert any("PROTOBUF" in r.text for r in rows) and any("JSON" in r.text for r in rows)
    browser.save_screenshot(str(shots / "subjects.png"))


def test_subject_page(browser, registry: RegistryProcess, seeded: str, shots: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(f"{registry.url}/ui/subjects?q={seeded}-orders")
    browser.find_element(By.LINK_TEXT, f"{seeded}-orders-value").click()
    assert "version 2" in browser.find_element(By.TAG_NAME, "h1").text
    code = browser.find_element(By.CSS_SELECTOR, "pre.code")
    assert '"total"' in code.text
    assert browser.find_elements(By.CSS_SELECTOR, "pre.code .tok-k")  # highlighted keys
    assert "BACKWARD" in browser.find_element(By.CSS_SELECTOR, ".side").text
    browser.save_screenshot(str(shots / "subject.png"))


def test_diff(browser, registry: RegistryProcess, seeded: str, shots: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(f"{registry.url}/ui/subjects/{seeded}-orders-value")
    _submit(browser, "form[action$='/diff'] button")
    assert "version 1 → version 2" in browser.find_element(By.TAG_NAME, "h1").text
    assert "Compatible" in browser.find_element(By.CSS_SELECTOR, ".verdict").text
    added = browser.find_elements(By.CSS_SELECTOR, ".d-add")
    assert any('"total"' in a.text for a in added)
    assert "/fields[total]" in browser.find_element(By.CSS_SELECTOR, "#struct-h + table").text
    browser.save_screenshot(str(shots / "diff.png"))


def _submit(browser, selector: str) -> None:  # type: ignore[no-untyped-def]
    """Click a submit button and wait until the next page has replaced this one."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, selector).click()

    def replaced(driver) -> bool:  # type: ignore[no-untyped-def]
        # staleness_of only knows StaleElementReferenceException; Chrome may instead answer that the
        # node "does not belong to the document" when the page is swapped mid-check: replaced too.
        try:
            return bool(expected_conditions.staleness_of(old)(driver))
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise

    WebDriverWait(browser, 15).until(replaced)


def _check(browser, url: str, subject: str, schema: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(f"{url}/ui/check?subject={subject}")
    assert browser.find_element(By.ID, "subject").get_attribute("value") == subject
    area = browser.find_element(By.ID, "schema")
    area.clear()
    browser.execute_script("arguments[0].value = arguments[1];", area, schema)
    _submit(browser, "button[value='check']")


def test_check_a_change_failing(browser, registry: RegistryProcess, seeded: str, shots: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    breaking = avro_record("Order", ("id", "int"), ("customer", "string"), ("total", "double"))
    _check(browser, registry.url, f"{seeded}-orders-value", breaking)
    verdict = browser.find_element(By.CSS_SELECTOR, ".verdict.bad")
    assert "Incompatible" in verdict.text
    messages = browser.find_element(By.CSS_SELECTOR, "ul.messages").text
    assert "TYPE_MISMATCH" in messages and "/fields/0/type" in messages
    browser.save_screenshot(str(shots / "check-failing.png"))
    # A schema that does not parse: the parser's message and the marked line.
    _check(browser, registry.url, f"{seeded}-orders-value", '{"type": "record",\n "name": "X",\n "fields": [}')
    assert "line 3" in browser.find_element(By.CSS_SELECTOR, ".verdict.bad").text
    assert browser.find_element(By.CSS_SELECTOR, ".err-line .lno").text == "3"
    browser.save_screenshot(str(shots / "check-invalid.png"))


def test_check_a_change_passing_then_register(browser, registry: RegistryProcess, seeded: str, shots: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    fine = avro_record("Order", ("id", "string"), ("customer", "string"), ("total", "double"), ("note", "string"))
    _check(browser, registry.url, f"{seeded}-orders-value", fine)
    assert "Compatible with" in browser.find_element(By.CSS_SELECTOR, ".verdict.ok").text
    browser.save_screenshot(str(shots / "check-passing.png"))
    _submit(browser, "button[value='register']")
    assert "Registered" in browser.find_element(By.CSS_SELECTOR, ".verdict.ok").text
    browser.find_element(By.PARTIAL_LINK_TEXT, "version 3").click()
    assert "version 3" in browser.find_element(By.TAG_NAME, "h1").text
