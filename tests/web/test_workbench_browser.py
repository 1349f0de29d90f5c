"""The analyst's workbench in a real browser: search that finds what was typed, a keyboard-only
walk (login, search, an object page, the phone menu), and no console error on any page the
navigation reaches. Screenshots in test-artifacts/screens/."""

from __future__ import annotations

import io
import json
import uuid
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from instances import Instance
from pypdf import PdfReader
from webtools import DESKTOP, PHONE, demo_password, login, screenshot

from liaison import accounts
from liaison.stix.tlp import TLP2_EXTENSION_ID

NAV = ("/", "/search", "/graph", "/map", "/timeline", "/drafts", "/import", "/hits", "/requests")
#: Pages of the crawl; one page of each path shape (an object page stands for all of them).
CRAWL_LIMIT = 45
PARTNER_PASSWORD = "partner-analyst-password-2025"
#: The links of a page as absolute URLs (an SVG link's href is an object, not a string).
_HREFS = (
    "els => els.filter(e => !e.hasAttribute('download')).map(e => new URL(e.getAttribute('href'), location.href).href)"
)


def test_search_finds_a_misspelt_name_first_counts_facets_and_saves_the_search(page_as):
    page = page_as("ctd.analyst")
    page.goto("/search?q=Zarafhson")  # two letters swapped
    first = page.locator(".hit").first
    assert "Zarafshon Network" in first.inner_text() and "near a name" in first.inner_text()
    assert page.locator(".facets .chip").count() >= 2
    page.goto("/search?q=Osh")
    assert page.locator(".hit .object-link").first.inner_text().endswith("Osh")
    assert "exact name" in page.locator(".hit").first.inner_text()
    page.fill(".save-search input[name=name]", "Osh #watch")
    page.click(".save-search button[type=submit]")
    page.wait_for_url("**/search?q=Osh&done=*")
    assert "Saved as “Osh #watch”" in page.inner_text(".alert.success")
    assert page.locator(".saved-searches a", has_text="Osh #watch").count() == 1
    page.click(".facets .chip >> nth=0")  # narrow by the first facet value
    page.wait_for_load_state("networkidle")
    screenshot(page, "search-facets-saved")
    assert page.locator(".facets .chip.chosen").count() == 1


def test_a_keyboard_walk_through_login_search_an_object_and_the_phone_menu(page_as):
    page = page_as(viewport=PHONE)
    page.goto("/login")
    assert page.evaluate("document.activeElement.name") == "username"  # the form has the focus
    page.keyboard.type("ctd.analyst")
    page.keyboard.press("Tab")
    page.keyboard.type(demo_password("ctd.analyst"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    page.keyboard.press("Tab")  # the skip link comes first, and leads to the content
    assert page.evaluate("document.activeElement.className").startswith("skip-link")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.goto("/")
    # The phone menu: reached with Tab, opened with Enter, its first link focused, closed by Escape.
    assert not page.is_visible(".mainnav")
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('nav-toggle')"):
            break
    assert page.evaluate("document.activeElement.classList.contains('nav-toggle')")
    page.keyboard.press("Enter")
    assert page.is_visible(".mainnav") and page.get_attribute(".nav-toggle", "aria-expanded") == "true"
    assert page.evaluate("document.activeElement.closest('.mainnav') !== null")
    screenshot(page, "phone-menu-open")
    page.keyboard.press("Escape")
    assert not page.is_visible(".mainnav")
    assert page.evaluate("document.activeElement.classList.contains('nav-toggle')")
    page.keyboard.press("Enter")
    page.locator(".mainnav a", has_text="Search").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/search")
    page.keyboard.type("Zarafsh")  # the search box has the focus
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=Zarafsh*")
    page.locator(".hit .object-link").first.focus()
    # The live search still fires half a second after the last key and swaps the results: the
    # focus must stay on the same hit (it has an id), or Enter would go nowhere.
    page.wait_for_timeout(1200)
    assert page.evaluate("document.activeElement.classList.contains('object-link')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/objects/threat-actor--*")
    assert "Zarafshon Network" in page.inner_text("h1")
    screenshot(page, "keyboard-object-phone")
    assert page.server_errors == []


def test_the_graph_has_a_list_view_a_keyboard_can_use(page_as):
    page = page_as("ctd.analyst")
    page.goto("/search?q=Zarafshon&type=threat-actor")
    actor = page.get_attribute(".hit .object-link", "href").split("/objects/")[1]
    page.goto(f"/graph?id={actor}", wait_until="networkidle")
    rows = page.locator(".graph-list tbody tr")
    assert rows.count() >= 3
    centre = page.locator(".graph-list a", has_text="centre here").first
    other = centre.get_attribute("href")
    centre.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(other) and actor not in page.url
    screenshot(page, "graph-list-view")


def test_no_console_error_on_any_page_the_navigation_reaches(page_as, live_server):
    page = page_as("ctd.analyst")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    base = live_server.url
    queue, seen, shapes, visited = deque(urljoin(base, p) for p in NAV), set(), set(), []
    while queue and len(visited) < CRAWL_LIMIT:
        url = queue.popleft()
        parts = urlsplit(url)
        shape = (parts.path.split("--")[0], tuple(sorted(k.split("=")[0] for k in parts.query.split("&") if k)))
        if url in seen or shape in shapes or parts.path.startswith(("/static/", "/api/", "/logout", "/vendor/")):
            continue
        seen.add(url)
        shapes.add(shape)
        answer = page.goto(url, wait_until="networkidle")
        if answer is None or "text/html" not in answer.headers.get("content-type", ""):
            continue
        visited.append(url)
        for href in page.eval_on_selector_all("a[href]", _HREFS):
            if urlsplit(href).netloc == urlsplit(base).netloc:
                queue.append(href.split("#")[0])
    assert len(visited) >= 20, visited
    assert errors == []
    assert page.server_errors == []


def _refs(value) -> set[str]:
    """Every identifier under a *_ref(s) key of a STIX object (extensions' bodies included), and
    the extension definitions it names."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "extensions" and isinstance(item, dict):
                found |= {k for k in item if k.startswith("extension-definition--")}
            if key.endswith("_ref") and isinstance(item, str):
                found.add(item)
            elif key.endswith("_refs") and isinstance(item, list):
                found |= {i for i in item if isinstance(i, str)}
            else:
                found |= _refs(item)
    elif isinstance(value, list):
        for item in value:
            found |= _refs(item)
    return found


def test_a_report_exported_with_its_references_imports_into_a_partner_organisation_whole(
    page_as, browser, live_server, tmp_path
):
    """Customs exports a report it reads whole; an organisation on a partner instance (which
    holds nothing yet) imports the file through its own web UI and finds every reference of the
    report resolved. The report prints with its marking and grading on every page."""
    exporter = page_as("customs.analyst")
    exporter.goto("/search?type=report&order=newest")
    reports = [h.split("/objects/")[1] for h in exporter.eval_on_selector_all(".hit .object-link", _HREFS)]
    chosen = next(
        r
        for r in reports
        if exporter.request.get(f"{live_server.url}/objects/{r}/export").headers["x-liaison-unresolved-references"]
        == "0"
    )
    exporter.goto(f"/reports/{chosen}")
    with exporter.expect_download() as download:
        exporter.click("text=Export (STIX, with what it refers to)")
    bundle = json.loads(Path(download.value.path()).read_text())
    ids = {o["id"] for o in bundle["objects"]}
    assert bundle["objects"][0]["id"] == chosen and len(ids) > 3
    # No dangling reference (the TLP 2.0 extension's definition is OASIS's, known to every consumer).
    assert _refs(bundle["objects"]) - ids <= {TLP2_EXTENSION_ID}

    partner = Instance("partner", "Partner Agency", "partner.analyst", tmp_path)
    with partner.engine.begin() as conn:
        accounts.create_user(conn, "partner.reviewer", "Partner Agency", "analyst", PARTNER_PASSWORD)
    partner.server.start()
    try:
        context = browser.new_context(viewport=DESKTOP, base_url=partner.server.url)
        importer = context.new_page()
        login(importer, partner.server.url, "partner.reviewer", PARTNER_PASSWORD)
        importer.goto("/import")
        importer.set_input_files("#bundle-form input[name=file]", download.value.path())
        importer.select_option("#bundle-form select[name=audience]", "org")
        importer.click("#bundle-form button[type=submit]")
        importer.wait_for_selector("#import-result > *")
        assert importer.locator("#import-result .alert.error").count() == 0, importer.inner_text("#import-result")
        assert importer.inner_text("#import-result [data-figure=new_versions]") == str(len(ids))
        importer.goto(f"/reports/{chosen}")
        assert importer.locator(".refs li").count() == len(bundle["objects"][0]["object_refs"])
        assert importer.locator(".refs .unseen").count() == 0
        screenshot(importer, "report-imported-by-partner")
        context.close()
    finally:
        partner.server.stop()

    # Printing: the marking and the grading on every page of the PDF.
    exporter.emulate_media(media="print")
    screenshot(exporter, "report-print")
    band = exporter.inner_text(".print-top")
    assert band.startswith("TLP:") and " · graded " in band
    pdf = PdfReader(io.BytesIO(exporter.pdf(format="A4")))
    assert all(band.split(" · ")[0] in p.extract_text() and "graded" in p.extract_text() for p in pdf.pages)
    assert exporter.server_errors == []


def _pick(page, field: str, typed: str, expect: str) -> None:
    """Type `typed` in the picker of `field`, and pick the option naming `expect` with the keyboard."""
    box = page.locator(f"[data-picker][data-name='{field}']")
    box.locator(".picker-input").fill(typed)
    option = box.locator(".picker-options li", has_text=expect).first
    option.wait_for()
    while box.locator(".picker-options li[aria-selected=true]").inner_text() != option.inner_text():
        box.locator(".picker-input").press("ArrowDown")
    box.locator(".picker-input").press("Enter")
    assert expect in box.locator(".picker-chosen").inner_text()


def test_create_a_seizure_with_a_route_and_a_person_edit_relate_find_and_map_it(page_as):
    page = page_as("customs.analyst")
    suffix = uuid.uuid4().hex[:6]
    page.goto("/objects/new")
    page.click("text=Trafficking route")
    page.fill("input[name=name]", f"Caspian ferry line {suffix}")
    page.fill("input[name=commodity]", "drugs")
    _pick(page, "waypoint_refs", "Aktau", "Aktau")
    _pick(page, "waypoint_refs", "Baku", "Baku")
    page.click("#object-form button[type=submit]")
    page.wait_for_url("**/objects/trafficking-route--*?done=made")
    route = page.url.split("/objects/")[1].split("?")[0]

    page.goto("/objects/new/drug-seizure")
    page.fill("input[name=name]", f"Heroin in a ferry truck {suffix}")
    page.fill("input[name=seized_at]", "2025-06-02T09:15")
    page.fill("input[name=drug_type]", "heroin")
    page.fill("input[name=quantity]", "48.5")
    page.select_option("select[name=quantity_unit]", "kg")
    _pick(page, "location_ref", "Aktau", "Aktau")
    _pick(page, "route_ref", f"Caspian ferry line {suffix}", "Caspian ferry line")
    _pick(page, "object_refs", "Zafar Yusupof", "Zafar Yusupov")  # a typo: found all the same
    screenshot(page, "seizure-form")
    page.click("#object-form button[type=submit]")
    page.wait_for_url("**/objects/drug-seizure--*?done=made")
    seizure = page.url.split("/objects/")[1].split("?")[0]
    assert "Made." in page.inner_text(".alert.success")

    # Edit: the difference is shown before anything is saved.
    page.click("text=Change")
    page.fill("input[name=quantity]", "51")
    page.click("#object-form button[type=submit]")
    assert "48.5" in page.inner_text(".diff") and "51" in page.inner_text(".diff")
    screenshot(page, "seizure-change-diff")
    page.click("#object-form button[type=submit]")
    page.wait_for_url(f"**/objects/{seizure}?done=changed")
    assert "51" in page.inner_text(".card >> nth=0")

    # Relate it to a person picked by another transliteration of the name (J for Y).
    page.click("text=Add a relationship")
    _pick(page, "other", "Jusupov", "Zafar Yusupov")
    page.click("#relate-form button[type=submit]")
    page.wait_for_url(f"**/objects/{seizure}?done=related*")
    page.wait_for_selector(".relations-table")
    assert "Zafar Yusupov" in page.inner_text(".relations-table")

    # Found by a misspelt name, then mapped around.
    page.goto(f"/search?q=Heroin in a ferri truck {suffix}")
    assert seizure in page.get_attribute(".hit .object-link", "href")
    page.goto(f"/objects/{seizure}")
    page.click("nav.object-actions a:text('Map')")
    page.wait_for_url(f"**/map?around={seizure}")
    page.wait_for_selector("#map svg .marker, svg .marker", state="attached")
    assert page.locator("#map .map-label", has_text="Aktau").count() == 1  # places are named
    page.focus("#map .marker-drug-seizure")  # a marker is reached and opened from the keyboard
    page.keyboard.press("Enter")
    assert "Heroin in a ferry truck" in page.inner_text("#map-popup")
    screenshot(page, "seizure-map-around")
    assert route and page.server_errors == []
