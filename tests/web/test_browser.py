"""The web UI in a real browser: headless Chromium against `liaison serve` over the demo world."""

from __future__ import annotations

import json
import re
import uuid
from urllib.parse import urljoin, urlsplit

from stixdata import bundle, relationship, sdo
from webtools import DESKTOP, PHONE, screenshot

NAV = ("/", "/search", "/graph", "/map", "/timeline", "/drafts", "/import", "/admin")


def csrf_of(page) -> str:
    return json.loads(page.get_attribute("body", "hx-headers"))["X-CSRF-Token"]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_login_failed_and_successful(page_as):
    page = page_as()
    page.goto("/search?q=heroin")
    assert urlsplit(page.url).path == "/login"
    page.fill("input[name=username]", "ctd.analyst")
    page.fill("input[name=password]", "not-the-password")
    page.click("form button[type=submit]")
    assert page.inner_text("[role=alert]") == "Wrong user name or password."
    screenshot(page, "login-failed")
    page.fill("input[name=password]", "demo-ctd.analyst-2025")
    page.click("form button[type=submit]")
    page.wait_for_url("**/search?q=heroin")
    assert page.inner_text(".whoami .user") == "ctd.analyst"
    assert page.inner_text(".whoami .org") == "Amudarya Counter-Terrorism Directorate"
    assert page.locator(".hit").count() > 0
    phone = page_as(viewport=PHONE)
    phone.goto("/login")
    screenshot(phone, "login-phone")
    assert no_horizontal_scroll(phone)


def test_import_search_open_and_give_an_opinion(page_as, tmp_path):
    page = page_as("dcs.analyst")
    name = f"Shirak Couriers {uuid.uuid4().hex[:6]}"
    actor = sdo("intrusion-set", name=name, description="Couriers seen on the Shirak road", level="amber")
    path = tmp_path / "couriers.json"
    path.write_bytes(json.dumps(bundle(actor)).encode())

    page.goto("/import")
    page.set_input_files("#bundle-form input[type=file]", str(path))
    page.select_option("#bundle-form select[name=audience]", "group:narcotics-taskforce")
    page.click("#bundle-form button[type=submit]")
    page.wait_for_selector(".import-report")
    assert page.inner_text("[data-figure=received]") == "1"
    assert page.inner_text("[data-figure=new_versions]") == "1"
    assert page.get_attribute(".upload-progress", "value") == "100"
    assert "group:narcotics-taskforce" in page.inner_text(".import-report")
    screenshot(page, "import")

    page.goto("/search")
    page.fill("input[name=q]", "shirak couriers")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector(f".hit >> text={name}")
    assert urlsplit(page.url).query == "q=shirak+couriers"
    screenshot(page, "search")
    page.click(f".hit a >> text={name}")
    page.wait_for_url(f"**/objects/{actor['id']}")
    assert page.inner_text("h1") == name

    page.click("summary >> text=Add an opinion")
    page.check("input[name=opinion][value=strongly-agree]")
    page.fill("textarea[name=explanation]", "Matches our border reports")
    page.click("button >> text=Add opinion")
    page.wait_for_selector(".opinions >> text=Matches our border reports")
    assert "strongly-agree" in page.inner_text(".opinions")
    screenshot(page, "object")
    page.reload()
    assert "Matches our border reports" in page.inner_text(".opinions")

    # The importer shares its object with the whole instance from the page, then withdraws it.
    assert "group:narcotics-taskforce" in page.inner_text("#sharing")
    page.select_option(".share-form select[name=audience]", "instance")
    page.click(".share-form button[type=submit]")
    page.wait_for_selector("#sharing .reach >> text=instance")
    screenshot(page, "object-sharing")
    page.click("#sharing .reach li:has-text('instance') button >> text=Withdraw")
    page.wait_for_load_state()
    assert "instance" not in page.inner_text("#sharing .reach")
    assert page.server_errors == []


def test_admin_creates_a_user_of_its_organisation_who_can_log_in(page_as, live_server):
    page = page_as("psc.admin")
    page.goto("/admin")
    assert page.locator("tr:has(td:text-is('cert.analyst'))").count() == 0  # another organisation's
    user = f"new.analyst.{uuid.uuid4().hex[:6]}"
    page.click("summary >> text=Add a user")
    page.fill("#add-user input[name=name]", user)
    page.fill("#add-user input[name=password]", "a-long-enough-password")
    page.click("#add-user button[type=submit]")
    page.wait_for_selector(f"text=User {user} added.")
    assert page.locator(f"tr:has(td:text-is('{user}'))").count() == 1
    screenshot(page, "admin")
    # The admin chose the password: the newcomer replaces it at the first login.
    newcomer = page_as()
    newcomer.goto("/login")
    newcomer.fill("input[name=username]", user)
    newcomer.fill("input[name=password]", "a-long-enough-password")
    newcomer.click("form button[type=submit]")
    assert "choose your own" in newcomer.inner_text("[role=alert]")
    newcomer.fill("input[name=password]", "a-long-enough-password")
    newcomer.fill("input[name=new_password]", "my-very-own-password")
    screenshot(newcomer, "login-new-password")
    newcomer.click("form button[type=submit]")
    newcomer.wait_for_url(f"{live_server.url}/")
    assert newcomer.inner_text(".whoami .org") == "Pamir Security Council"
    assert newcomer.locator(".mainnav a >> text=Admin").count() == 0


def test_the_operator_has_the_administration_and_nothing_else(page_as, live_server):
    page = page_as()
    page.goto("/login")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", "demo-operator-2025")
    page.click("form button[type=submit]")
    page.wait_for_url("**/admin")
    assert [a.inner_text() for a in page.locator(".mainnav a").all()] == ["Admin"]
    assert page.locator("#orgs li").count() >= 5 and page.locator("#partners").count() == 1
    screenshot(page, "admin-operator")
    assert page.server_errors == []


def test_main_screens_fit_a_desktop_and_a_phone(page_as):
    for viewport, suffix in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = page_as("ctd.analyst", viewport)
        page.goto("/")
        screenshot(page, f"dashboard-{suffix}")
        assert no_horizontal_scroll(page)
        page.goto("/search?q=heroin")
        screenshot(page, f"search-{suffix}")
        assert no_horizontal_scroll(page)
        page.click(".hit a >> nth=0")
        page.wait_for_load_state("networkidle")
        screenshot(page, f"object-{suffix}")
        assert no_horizontal_scroll(page)
        assert page.server_errors == []


def _links(html: str, base: str) -> set[str]:
    """Same-site page links and htmx fragment URLs in `html`."""
    found = set()
    for href in re.findall(r'(?:href|hx-get)="([^"#]+)', html):
        url = urljoin(base, href.replace("&amp;", "&"))
        if urlsplit(url).netloc == urlsplit(base).netloc and not urlsplit(url).path.startswith("/static/"):
            found.add(url)
    return found


def test_an_outsider_sees_nothing_of_a_private_object_anywhere(page_as, live_server):
    # CERT keeps an actor to itself, linked to a public actor and a public place.
    owner = page_as("cert.analyst")
    owner.goto("/search?q=zarafshon&type=threat-actor")
    public_actor = owner.get_attribute(".hit a", "href").split("/objects/")[1]
    owner.goto("/search?q=bishkek&type=location")
    public_place = owner.get_attribute(".hit a", "href").split("/objects/")[1]
    name = f"Quillwort Circle {uuid.uuid4().hex[:8]}"
    secret = sdo("intrusion-set", name=name, description="CERT-only investigation", level="amber")
    links = [
        relationship(secret, {"id": public_actor}, "related-to"),
        relationship(secret, {"id": public_place}, "located-at"),
    ]
    upload = {"name": "s.json", "mimeType": "application/json", "buffer": json.dumps(bundle(secret, *links)).encode()}
    imported = owner.request.post(
        f"{live_server.url}/import",
        headers={"X-CSRF-Token": csrf_of(owner)},
        multipart={"audience": "org", "file": upload},
    )
    assert imported.status == 200 and 'data-figure="new_versions">3<' in imported.text()
    owner.goto(f"/objects/{secret['id']}")
    assert owner.inner_text("h1") == name  # the owner does see it
    secrets = [secret["id"], name, "Quillwort"] + [link["id"] for link in links]

    # dcs.admin (Alatau, an admin outside CERT) crawls everything reachable from the navigation.
    page = page_as("dcs.admin")
    bodies: dict[str, str] = {}
    fetched: list[str] = []  # what the pages' scripts loaded (graph neighbourhoods, map features, fragments)

    def keep(response) -> None:
        kind = response.request.resource_type
        if kind in ("document", "xhr", "fetch") and response.status < 300:
            bodies[response.url] = response.text()
            if kind != "document":
                fetched.append(urlsplit(response.url).path)

    page.on("response", keep)
    start = [
        *NAV,
        f"/search?q={name}",
        "/search?q=quillwort",
        f"/graph?id={public_actor}",
        f"/map?around={public_place}",
        f"/timeline?id={public_actor}",
        f"/objects/{public_actor}",
        f"/objects/{public_place}",
    ]
    for path in start:
        page.goto(path, wait_until="networkidle")
        assert page.locator(".mainnav").count() == 1, path
    hidden = page.request.get(f"{live_server.url}/objects/{secret['id']}")
    assert hidden.status == 404
    bodies[hidden.url] = hidden.text()

    to_visit = set().union(*(_links(body, url) for url, body in list(bodies.items()))) - set(bodies)
    for url in sorted(to_visit):
        answer = page.request.get(url)
        assert answer.status < 500, url
        bodies[url] = answer.text()
    assert len(bodies) > 60
    assert {"/graph/neighbourhood", "/map/features", f"/objects/{public_actor}/relations"} <= set(fetched)
    for url, body in bodies.items():
        if urlsplit(url).path == "/search" and "quillwort" in url.lower():
            # The page repeats the query typed; what it found is in the results, which are empty.
            body = re.sub(r"<q>.*?</q>", "", body.split('id="results"', 1)[1])
            assert "0 results" in body
        for secret_text in secrets:
            assert secret_text not in body, f"{secret_text} leaked at {url}"
    assert page.server_errors == []
