"""The search page in a real Chromium: query, facet, chart toggle, article, keyboard, phone width.

The app runs under gunicorn on a free loopback port over the sample index. Console errors and
Content-Security-Policy violations fail the test; screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_gunicorn import running_gunicorn

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (make test installs Debian's)"),
]

# Runs before any page script; records CSP violations, which CDP-injected code is not subject to.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture(scope="module")
def server(sample_index_dir):
    with running_gunicorn(sample_index_dir, workers=1) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class Watched:
    """A page whose console errors, uncaught exceptions and CSP violations are collected."""

    def __init__(self, browser, viewport):
        self.context = browser.new_context(viewport=viewport)
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda msg: msg.type == "error" and self.problems.append(f"console: {msg.text}"))
        self.page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))

    def check_clean(self):
        violations = self.page.evaluate("window.__cspViolations || []")
        assert not violations, f"CSP violations: {violations}"
        assert not self.problems, self.problems

    def close(self):
        self.context.close()


@pytest.fixture()
def desktop(browser):
    watched = Watched(browser, DESKTOP)
    yield watched
    watched.close()


@pytest.fixture()
def phone(browser):
    watched = Watched(browser, PHONE)
    yield watched
    watched.close()


def total(page) -> int:
    return int(page.locator("strong.total").inner_text())


def facet_count(page, facet: str, value: str) -> int:
    return int(page.locator(f"[data-facet='{facet}'] a[data-value='{value}']").get_attribute("data-count"))


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_search_facet_chart_and_article(server, desktop):
    page = desktop.page
    page.goto(server + "/")
    box = page.get_by_role("searchbox", name="Search articles")
    assert page.evaluate("document.activeElement.id") == "q"  # focused on the empty page
    box.fill("CSTO")
    box.press("Enter")
    page.wait_for_url(re.compile(r"\?q=CSTO"))
    assert total(page) == 5
    hits_before = page.locator("li.hit").count()
    assert hits_before >= 3
    assert page.locator("li.hit mark").count() > 0
    assert facet_count(page, "author", "AFP") == 2

    # The chart shows counts, then share of corpus, in place and kept in the address.
    chart = page.locator("#volume-chart")
    assert chart.is_visible()
    assert page.locator("#volume-chart .series-count rect").count() >= 2
    assert page.locator("#volume-chart .series-count").is_visible()
    assert not page.locator("#volume-chart .series-share").is_visible()
    assert page.locator("#volume-chart .y-max:visible").inner_text() == "1"
    page.locator("#chart-toggle").click()
    assert "mode-share" in chart.get_attribute("class")
    assert page.locator("#volume-chart .series-share").is_visible()
    assert not page.locator("#volume-chart .series-count").is_visible()
    assert page.locator("#volume-chart .y-max:visible").inner_text() == "100%"
    assert "chart=share" in page.url
    shot(page, "search-desktop")

    # Picking an outlet narrows the results and its chip appears; the chart keeps its mode.
    page.locator("[data-facet='outlet'] a[data-value='The Moscow Times']").click()
    page.wait_for_url(re.compile(r"outlet=The\+Moscow\+Times"))
    assert total(page) == 3
    assert page.locator("li.hit").count() < hits_before
    assert facet_count(page, "author", "AFP") < 2 or page.locator("[data-facet='author'] a").count() < 3
    assert page.get_by_role("link", name=re.compile("Remove filter Outlet: The Moscow Times")).is_visible()
    assert "mode-share" in page.locator("#volume-chart").get_attribute("class")
    assert all(t == "The Moscow Times" for t in page.locator("li.hit .outlet").all_inner_texts())

    # Removing the chip widens again.
    page.get_by_role("link", name=re.compile("Remove filter Outlet")).click()
    page.wait_for_load_state()
    assert total(page) == 5

    # The full article: headline, byline, captions with credits, related articles section.
    page.locator("li.hit h3 a").first.click()
    page.wait_for_url(re.compile(r"/article/[0-9a-f]{16}$"))
    assert page.locator("article.full-article h1").is_visible()
    assert page.get_by_role("heading", name="Same story in other articles").is_visible()
    assert page.locator("link[rel='alternate'][type='application/json']").count() == 1
    shot(page, "article-desktop")
    desktop.check_clean()


def test_story_link_did_you_mean_and_keyboard(server, desktop):
    page = desktop.page
    page.goto(server + "/?q=Pashinin")
    page.get_by_role("link", name="Pashinyan").click()
    page.wait_for_url(re.compile(r"q=Pashinyan"))
    assert total(page) == 5
    page.get_by_role("link", name="Also in 1 other article").click()
    page.wait_for_url(re.compile(r"story=[0-9a-f]{16}&group=off"))
    assert total(page) == 2 and page.locator("li.hit").count() == 2

    # Keyboard: the first Tab reaches the visible skip link, which moves focus to the results.
    page.goto(server + "/?q=CSTO")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.textContent]")
    assert focused[0] == "skip-link" and "results" in focused[1]
    assert page.locator(".skip-link").bounding_box()["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "results"
    # "/" jumps back to the search box.
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    # The date range narrows the chart's selection and the results.
    page.fill("#date-from", "2024-01-01")
    page.locator("form.dates button").click()
    page.wait_for_url(re.compile(r"from=2024-01-01"))
    assert total(page) == 1
    assert page.locator("#volume-chart .series-count rect.outside").count() > 0
    desktop.check_clean()


def test_phone_width(server, phone):
    page = phone.page
    page.goto(server + "/?q=CSTO")
    assert total(page) == 5
    no_sideways_scroll = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(no_sideways_scroll)
    assert page.locator("#volume-chart").is_visible()
    box = page.locator("#volume-chart").bounding_box()
    assert box["width"] <= PHONE["width"]
    assert page.locator("a[href='#filters']").is_visible()
    shot(page, "search-phone")
    page.locator("li.hit h3 a").first.click()
    page.wait_for_url(re.compile(r"/article/"))
    assert page.evaluate(no_sideways_scroll)
    shot(page, "article-phone")
    phone.check_clean()
