"""Hit/no-hit queries and a request for information in a real browser, over the demo world: the CERT's
analyst makes an e-mail address it holds discoverable on the object's page; the customs service,
which cannot see it, asks about the address, sees the hit and asks the CERT for it; the CERT approves
in its inbox and customs opens what was shared. Screenshots go to the test's tmp dir."""

from __future__ import annotations

from webtools import PHONE

from liaison.db.engine import make_engine

EMAIL = "email-addr--e1b59207-b5c3-51a8-a0a2-71ef444061a5"  # qalam.front@qalam-front.example, the CERT's alone
TYPED = "Qalam.Front@qalam-front[.]example"  # defanged, mixed case: the answer says how it was read
CERT = "Anatolia National CERT"


def shot(page, tmp_path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def overdue(live_server, request_id: str) -> None:
    """Two days go by: the request's deadline passes."""
    engine = make_engine(live_server.db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE info_request SET deadline = '2000-01-01T00:00:00.000000Z' WHERE id = ?", (request_id,)
        )
    engine.dispose()


def test_a_hit_a_request_and_its_approval(page_as, live_server, tmp_path):
    customs = page_as("customs.analyst")
    assert customs.goto(f"/objects/{EMAIL}").status == 404  # not shared with customs

    cert = page_as("cert.analyst")
    cert.goto(f"/objects/{EMAIL}")
    section = cert.locator("#discoverable")
    assert "cert-network" in section.locator(".discoverable-by").inner_text()  # the demo's default for CERT
    section.locator("input[name=scope][value=instance]").check()  # ticking a scope chooses "only"
    assert section.locator("input[name=mode][value=only]").is_checked()
    section.get_by_role("button", name="Save").click()
    cert.wait_for_url(f"**/objects/{EMAIL}#discoverable")
    assert "this instance's other organisations" in cert.locator("#discoverable .discoverable-by").inner_text()
    cert.locator("#discoverable").scroll_into_view_if_needed()
    shot(cert, tmp_path, "object-discoverable")

    customs.goto("/hits")
    assert customs.locator("nav.mainnav a[aria-current=page]").inner_text() == "Hits"
    customs.fill("textarea[name=values]", f"{TYPED}\n203.0.113.300")
    customs.select_option("select[name=type]", "email-addr")
    customs.get_by_role("button", name="Ask", exact=True).click()
    assert "'203.0.113.300' is not a valid email-addr" in customs.locator("#hits-error").inner_text()
    assert customs.locator("textarea[name=values]").input_value() == f"{TYPED}\n203.0.113.300"  # nothing lost
    assert customs.locator("select[name=type]").input_value() == "email-addr"
    shot(customs, tmp_path, "hits-refused")
    customs.fill("textarea[name=values]", f"{TYPED}\nnobody@nowhere.example")
    customs.get_by_role("button", name="Ask", exact=True).click()
    customs.wait_for_url("**/hits#query-*")
    rows = customs.locator(".hit-query").first.locator("tbody tr")
    assert rows.count() == 2
    hit, miss = rows.nth(0), rows.nth(1)
    assert "hit" == hit.locator(".badge").inner_text() and CERT in hit.inner_text()
    assert "qalam.front@qalam-front.example" in hit.inner_text() and "refanged" in hit.inner_text()
    assert "no hit" == miss.locator(".badge").inner_text()
    assert EMAIL not in customs.content()
    shot(customs, tmp_path, "hits-answer")

    hit.locator("summary", has_text="Request information").click()
    hit.locator("textarea[name=reason]").fill("Front company paying a ferry operator; customs case KZ-2291.")
    assert hit.locator("input[name=hours]").input_value() == "48"
    shot(customs, tmp_path, "hits-request-form")
    hit.get_by_role("button", name=f"Send the request to {CERT}").click()
    customs.wait_for_url("**/requests?done=*")
    assert f"Request sent to {CERT}" in customs.locator(".alert.success").inner_text()
    sent = customs.locator("#sent .info-request").first
    assert "open" in sent.locator(".request-status").inner_text()
    shot(customs, tmp_path, "requests-sent")
    overdue(live_server, customs.url.rsplit("#request-", 1)[1])

    cert.goto("/requests")
    item = cert.locator("#inbox .info-request").first
    assert item.locator(".badge.overdue").inner_text().lower() == "overdue"
    assert "Caspian Customs Intelligence Service" in item.inner_text() and "KZ-2291" in item.inner_text()
    shot(cert, tmp_path, "requests-inbox")
    item.locator("textarea[name=message]").fill("Shared under case #17; keep it within customs.")
    item.get_by_role("button", name="Approve and share").click()
    cert.wait_for_url("**/requests?done=*")
    assert "shared 1 object" in cert.locator(".alert.success").inner_text()
    assert "case #17" in cert.locator(".alert.success").inner_text()
    shot(cert, tmp_path, "requests-approved")

    customs.goto("/requests")
    sent = customs.locator("#sent .info-request").first
    assert "approved" in sent.locator(".request-status").inner_text()
    assert "case #17" in sent.locator(".request-message").inner_text()
    sent.locator(f".shared-objects a[href='/objects/{EMAIL}']").click()
    customs.wait_for_url(f"**/objects/{EMAIL}")
    assert "qalam.front@qalam-front.example" in customs.locator("h1").inner_text()
    assert customs.server_errors == [] and cert.server_errors == []


def test_an_admin_sees_the_organisation_default(page_as, tmp_path):
    admin = page_as("dcs.admin")
    admin.goto("/requests")
    section = admin.locator("#discoverability")
    assert "partner instances" in section.locator("strong").inner_text()  # the demo's default for DCS
    assert section.locator("input[name=mode][value=only]").is_checked()
    assert section.locator("input[name=scope][value=instance]").is_checked()
    assert section.locator("input[name=scope][value='group:narcotics-taskforce']").count() == 1
    shot(admin, tmp_path, "requests-admin")
    analyst = page_as("dcs.analyst")
    analyst.goto("/requests")
    assert analyst.locator("#discoverability").count() == 0


def test_the_hits_page_on_a_phone(page_as, tmp_path):
    page = page_as("ctd.reader", viewport=PHONE)
    page.goto("/hits")
    page.fill("textarea[name=values]", "198.51.100.17\n+992 93 555 0344")
    page.get_by_role("button", name="Ask", exact=True).click()
    page.wait_for_url("**/hits#query-*")
    assert page.locator(".hit-query").first.locator("tbody tr").count() == 2
    assert page.locator("summary", has_text="Request information").count() == 0  # a reader sends no requests
    shot(page, tmp_path, "hits-phone")
    assert page.server_errors == []
