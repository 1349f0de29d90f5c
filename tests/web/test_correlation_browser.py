"""The correlations panel in a real browser, over the demo world: the CERT's analyst opens a domain
it holds and sees the indicators that carry it; another agency, which holds none of them, sees
none."""

from __future__ import annotations

from webtools import screenshot

DOMAIN = "domain-name--248fc9ae-af1d-5dee-8a8e-21e0488bdb05"  # gov-portal-update.example, the CERT's


def test_the_object_page_shows_what_correlates(page_as):
    page = page_as("cert.analyst")
    page.goto(f"/objects/{DOMAIN}")
    page.wait_for_selector("#correlations .correlations-table")
    rows = page.locator("#correlations .correlations-table tbody tr")
    assert rows.count() == 2
    assert all("gov-portal-update.example" in rows.nth(i).inner_text() for i in range(2))
    assert "Anatolia National CERT" in rows.first.inner_text()
    page.locator("#correlations").scroll_into_view_if_needed()
    screenshot(page, "object-correlations")
    assert page.server_errors == []


def test_an_agency_that_holds_none_of_it_sees_nothing(page_as):
    page = page_as("customs.analyst")
    answer = page.goto(f"/objects/{DOMAIN}")
    assert answer.status == 404
