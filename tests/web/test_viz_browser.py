"""Graph explorer, map and timeline in a real browser over the demo world (screenshots in
test-artifacts/screens/)."""

from __future__ import annotations

from playwright.sync_api import expect
from webtools import screenshot

from liaison.demo.world import _id as demo_id

HNW = demo_id("intrusion-set", "group/hnw")
SHARIPOV = demo_id("threat-actor", "person/sharipov")


def _node_count(page) -> int:
    return page.evaluate("window.liaisonGraph.nodes().length")


def test_graph_draws_and_expands_on_click(page_as):
    page = page_as("psc.analyst")
    expected = page.request.get(f"/graph/neighbourhood?id={HNW}").json()
    page.goto(f"/graph?id={HNW}")
    page.wait_for_selector("#graph canvas")
    page.wait_for_function("document.getElementById('graph').dataset.expanded === '1'")
    first = _node_count(page)
    assert first == len(expected["nodes"]) > 10
    assert page.locator("#graph-legend li").count() >= 4
    assert page.locator("#graph-filters input[type=checkbox]").count() == len({e["label"] for e in expected["edges"]})
    assert "objects" in page.locator("#graph-status").inner_text()
    screenshot(page, "graph")

    # Click a member of the group: its own links are fetched and merged.
    point = page.evaluate(
        """id => { const n = window.liaisonGraph.getElementById(id); const p = n.renderedPosition();
                   const box = document.getElementById('graph').getBoundingClientRect();
                   return {x: box.left + p.x, y: box.top + p.y}; }""",
        SHARIPOV,
    )
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function("document.getElementById('graph').dataset.expanded === '2'")
    assert _node_count(page) > first
    assert SHARIPOV in page.locator("#graph-info").inner_html()
    # Hiding a link type hides its edges.
    page.locator("#graph-filters input[value='member-of']").uncheck()
    displays = page.evaluate("window.liaisonGraph.edges().map(e => [e.data('label'), e.style('display')])")
    assert {d for label, d in displays if label == "member-of"} == {"none"}
    assert {d for label, d in displays if label != "member-of"} == {"element"}
    screenshot(page, "graph-expanded")
    assert page.server_errors == []


def test_graph_start_from_search(page_as):
    page = page_as("psc.analyst")
    page.goto("/graph")
    assert "Pick an object" in page.locator("#graph-empty").inner_text()
    page.fill("#graph-find", "Zarafshon")
    page.locator("#graph-picks button").first.click()
    page.wait_for_url("**/graph?id=*")
    page.wait_for_function("document.getElementById('graph').dataset.expanded === '1'")
    assert _node_count(page) > 1


def test_map_draws_countries_markers_and_routes(page_as):
    page = page_as("customs.analyst")
    page.goto("/map")
    page.wait_for_selector("#map[data-ready=true]")
    assert page.locator("#map path.country").count() > 150
    seizures = page.locator("#map .marker-drug-seizure")
    assert seizures.count() > 5
    assert page.locator("#map g.route path.route-line").count() >= 1
    assert page.locator("#map .marker-incident").count() == 0  # attacks are not shared with customs
    screenshot(page, "map")

    seizures.first.click()
    popup = page.locator("#map-popup")
    popup.wait_for(state="visible")
    assert "drug seizure" in popup.inner_text().lower()
    assert popup.locator("a[href^='/objects/drug-seizure--']").count() == 1

    shown = int(page.get_attribute("#map", "data-shown"))
    page.locator("#map-filters input[value='drug-seizure']").uncheck()
    expect(page.locator("#map")).to_have_attribute("data-shown", str(shown - seizures.count()))
    expect(seizures.first).to_be_hidden()
    page.locator("#map-filters input[value='drug-seizure']").check()
    page.fill("#map-filters input[name=until]", "2020-12-31")
    page.dispatch_event("#map-filters input[name=until]", "change")
    assert (
        seizures.filter(has=page.locator("use")).evaluate_all(
            "items => items.filter(g => g.style.display !== 'none').length"
        )
        == 0
    )
    # Zoom with the wheel: the map is redrawn at another scale.
    before = page.get_attribute("#map path.country >> nth=0", "d")
    page.mouse.move(640, 400)
    page.mouse.wheel(0, -400)
    page.wait_for_function("d => document.querySelector('#map path.country').getAttribute('d') !== d", arg=before)
    assert page.server_errors == []


def test_map_around_an_entity_for_counter_terrorism(page_as):
    page = page_as("ctd.analyst")
    page.goto(f"/map?around={HNW}")
    page.wait_for_selector("#map[data-ready=true]")
    assert page.locator("#map .marker-incident").count() >= 5
    assert page.locator("#map .marker-drug-seizure").count() == 0
    screenshot(page, "map-around")


def test_timeline_renders_by_month(page_as):
    page = page_as("psc.analyst")
    page.goto(f"/timeline?id={HNW}")
    events = page.locator(".tl-event")
    assert events.count() > 10
    assert page.locator(".tl-month h2").count() >= 5
    assert page.locator(".tl-overview rect.tl-bar").count() >= 5
    screenshot(page, "timeline")
    incidents = page.locator(".tl-event[data-type=incident]")
    page.locator(".tl-toggle[data-type=incident]").click()
    expect(incidents.first).to_be_hidden()
    expect(page.locator(".tl-event[data-type=report]").first).to_be_visible()
    empty = page_as("cert.analyst")
    empty.goto("/timeline?q=Kunduz")
    assert "No dated events you may see" in empty.locator("main").inner_text()
    screenshot(empty, "timeline-empty")


def test_object_page_lists_relations(page_as):
    page = page_as("cert.analyst")
    page.goto(f"/objects/{HNW}")
    rows = page.locator(".relations tbody tr")
    rows.first.wait_for()
    # CERT sees the group's public links only: none of the memberships or attacks.
    assert rows.count() == 4
    assert "member-of" not in page.locator(".relations").inner_text()
    screenshot(page, "object-relations")


def test_map_around_a_single_seizure_centres_on_it(page_as):
    """A seizure and its place share one point: the map zooms on it instead of fitting a box of
    no size (which drew every country with NaN coordinates)."""
    page = page_as("customs.analyst")
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto("/map")
    page.wait_for_selector("#map[data-ready=true]")
    page.locator("#map .marker-drug-seizure").first.click()
    href = page.locator("#map-popup a[href^='/objects/drug-seizure--']").get_attribute("href")
    seizure = href.rsplit("/", 1)[1]
    page.goto(f"/map?around={seizure}")
    page.wait_for_selector("#map[data-ready=true]")
    shapes = page.locator("#map path.country").evaluate_all("paths => paths.map(p => p.getAttribute('d') || '')")
    assert len(shapes) > 150 and not any("NaN" in d for d in shapes)
    marker = page.locator("#map .marker-drug-seizure").first.bounding_box()
    frame = page.locator("#map").bounding_box()
    centre = (frame["x"] + frame["width"] / 2, frame["y"] + frame["height"] / 2)
    assert abs(marker["x"] + marker["width"] / 2 - centre[0]) < frame["width"] / 4
    assert abs(marker["y"] + marker["height"] / 2 - centre[1]) < frame["height"] / 4
    assert not [p for p in problems if "NaN" in p], problems
    screenshot(page, "map-around-seizure")
