"""The HTML preview in a real browser: headless Debian chromium, driven through chromedriver.

.ci/run installs chromium and chromium-driver and sets MINER_REQUIRE_BROWSER=1, so in CI a
missing browser fails; elsewhere the test skips, saying why. Screenshots go to
$MINER_ARTIFACTS when it is set, else to the test's temporary directory.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from test_render import build_db

from miner.render import render_pages

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
]
DESKTOP = (1280, 1000)
PHONE = (390, 844)
PAGE = "flask-helpers-make-response-examples.html"


def _browser_missing() -> str | None:
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            return f"{path} is missing: apt-get install {package} (.ci/run installs it)"
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    missing = _browser_missing()
    if missing:
        if os.environ.get("MINER_REQUIRE_BROWSER"):
            pytest.fail(f"MINER_REQUIRE_BROWSER is set but {missing}")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("preview")
    report = render_pages(
        build_db(), root / "site", intros=root / "no-intros", formats=("html",)
    )
    assert report.failures == ()
    return root / "site" / "flask"


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = os.environ.get("MINER_ARTIFACTS")
    path = Path(directory) if directory else tmp_path_factory.mktemp("artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


def open_page(driver, path: Path, size: tuple[int, int] = DESKTOP) -> None:
    """Load `path` and check that it logged no error: console, script or failed load."""
    driver.set_window_size(*size)
    driver.get(path.as_uri())
    assert driver.execute_script("return document.readyState") == "complete"
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == [], f"{path.name}: {errors}"


def internal_links(driver) -> list[str]:
    """Every URL of a link, style sheet, script or image that stays on file://."""
    urls = driver.execute_script(
        "return [...document.querySelectorAll('a[href], link[href], script[src], img[src]')]"
        ".map((element) => element.href || element.src)"
    )
    return [url for url in urls if url.startswith("file:")]


def style(driver, selector: str, property_name: str) -> str:
    return driver.execute_script(
        "return getComputedStyle(document.querySelector(arguments[0]))[arguments[1]]",
        selector,
        property_name,
    )


@pytest.mark.parametrize("name", [PAGE, "index.html", "flask.helpers.html"])
def test_pages_load_without_errors_and_every_internal_link_resolves(browser, site, name) -> None:
    open_page(browser, site / name)
    assert style(browser, "body", "margin") == "0px", "miner.css did not load"
    links = internal_links(browser)
    assert links
    for url in links:
        parts = urlsplit(url)
        target = Path(unquote(parts.path))
        assert target.is_file(), f"{name}: {url} does not resolve"
        if parts.fragment and target.name == name:
            assert browser.execute_script(
                "return document.getElementById(arguments[0]) !== null", parts.fragment
            ), f"{name}: no element for #{parts.fragment}"


def test_highlighted_lines_and_markers_are_visibly_marked(browser, site, artifacts) -> None:
    open_page(browser, site / PAGE)
    highlighted = style(browser, ".highlight .hll", "backgroundColor")
    plain = style(browser, ".highlight pre", "backgroundColor")
    assert highlighted != plain
    assert highlighted not in ("rgba(0, 0, 0, 0)", "transparent")
    marker = style(browser, ".highlight .marker", "backgroundColor")
    assert marker not in (highlighted, plain)
    assert style(browser, ".highlight .marker .c1", "fontStyle") == "italic"
    # a highlighted line spans the code block's width, not just its text
    widths = browser.execute_script(
        "const line = document.querySelector('.highlight .hll');"
        "return [line.getBoundingClientRect().width,"
        " line.closest('pre').getBoundingClientRect().width];"
    )
    assert widths[0] >= widths[1] - 2
    assert "~~" not in browser.find_element("tag name", "body").text
    browser.save_screenshot(str(artifacts / "make_response-desktop.png"))


def test_the_index_filter_narrows_the_pages(browser, site, artifacts) -> None:
    open_page(browser, site / "index.html")
    field = browser.find_element("id", "filter")
    assert field.is_displayed()

    def visible_names() -> list[str]:
        return [
            row.find_element("css selector", "a.name").text
            for row in browser.find_elements("css selector", "li[data-name]")
            if row.is_displayed()
        ]

    def visible_modules() -> list[str]:
        return [
            section.get_attribute("id")
            for section in browser.find_elements("css selector", "section.module")
            if section.is_displayed()
        ]

    status = browser.find_element("id", "filter-status")
    assert len(visible_names()) == 5
    assert status.text == "5 pages"
    field.send_keys("make")
    assert visible_names() == ["make_response"]
    assert visible_modules() == ["flask.helpers"]
    assert status.text == "1 of 5 pages"
    field.clear()
    field.send_keys("flask.globals")  # qualnames match too
    assert visible_names() == ["request"]
    field.clear()
    field.send_keys("nothing-like-this")
    assert visible_names() == []
    assert browser.find_element("id", "filter-empty").is_displayed()
    field.clear()
    field.send_keys(" ")
    assert len(visible_names()) == 5
    browser.save_screenshot(str(artifacts / "index-desktop.png"))


@pytest.mark.parametrize("name", [PAGE, "index.html"])
def test_phone_width_needs_no_sideways_scrolling(browser, site, artifacts, name) -> None:
    open_page(browser, site / name, PHONE)
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name} is {overflow}px wider than a phone screen"
    browser.save_screenshot(str(artifacts / f"{Path(name).stem}-phone.png"))


@pytest.fixture(scope="module")
def pelican_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Markdown pages built by Pelican's default theme with the settings docs/pelican.md
    gives, the highlight style sheet included."""
    from pelican import Pelican
    from pelican.settings import read_settings
    from test_pelican import SETTINGS

    from miner.pelican_plugin import STATIC_DIR

    root = tmp_path_factory.mktemp("pelican")
    report = render_pages(build_db(), root / "rendered", intros=root / "no-intros")
    assert report.failures == ()
    pages = root / "content" / "pages"
    pages.mkdir(parents=True)
    for page in report.pages:
        (pages / page.name).write_bytes(page.read_bytes())
    settings = read_settings(override={
        **SETTINGS, "PATH": str(root / "content"), "OUTPUT_PATH": str(root / "output"),
        "THEME_STATIC_PATHS": ["static", str(STATIC_DIR)], "CSS_FILE": "miner-pelican.css",
        "SITEURL": (root / "output").as_uri(),  # absolute links that work from file://
    })  # fmt: skip
    Pelican(settings).run()
    return root / "output"


def test_highlighted_lines_are_visible_in_pelicans_default_theme(
    browser, pelican_site, artifacts
) -> None:
    open_page(browser, pelican_site / PAGE)
    plain = style(browser, ".highlight pre", "backgroundColor")
    assert plain == "rgb(238, 238, 238)", "the theme's own main.css did not load"
    highlighted = style(browser, ".highlight .hll", "backgroundColor")
    assert highlighted == "rgb(255, 242, 168)"
    browser.execute_script(
        "document.querySelector('.highlight .hll').scrollIntoView({block: 'center'})"
    )
    browser.save_screenshot(str(artifacts / "pelican-default-theme.png"))
