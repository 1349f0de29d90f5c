"""Draft reports in a real browser: paste a text, review the demo article, publish, read the report."""

from __future__ import annotations

from urllib.parse import urlsplit

from webtools import PHONE, screenshot


def finding(page, name: str):
    """The review card whose heading names `name`."""
    return page.locator(".finding").filter(has=page.locator("header", has_text=name))


def test_review_and_publish_the_demo_article(page_as):
    page = page_as("psc.analyst")
    page.goto("/drafts")
    page.click("text=Tajik and Afghan officials discuss militants in Badakhshan")
    page.wait_for_selector(".article mark")
    # Known names in other spellings are resolved and linked; the text is highlighted.
    leader = finding(page, "Abdulvosit Qahhorov")
    assert "known" in leader.inner_text()
    assert page.locator(".article mark.kind-person", has_text="Kakhkhorov").count() >= 1
    assert page.locator(".article mark.kind-location", has_text="Khorog").count() == 1
    screenshot(page, "draft-review")

    new_person = finding(page, "Rustam Nazarzoda")
    assert "new" in new_person.inner_text()
    key = new_person.get_attribute("id")
    new_person.locator("button", has_text="Drop").click()
    page.wait_for_url(f"**#{key}")
    assert "dropped" in page.get_attribute(f"#{key}", "class")

    page.select_option("#publish-form select[name=audience]", "group:central-asia-ct")
    page.select_option("#publish-form select[name=level]", "amber")
    page.select_option("#publish-form select[name=reliability]", "B")
    page.select_option("#publish-form select[name=credibility]", "2")
    page.click("#publish-form button[type=submit]")
    page.wait_for_url("**/reports/report--*")
    assert page.inner_text(".grading") == "B2"
    assert "group:central-asia-ct" in page.inner_text(".meta")
    assert page.locator(".article mark a[href^='/objects/']").count() >= 5
    assert "Nazarzoda" not in page.inner_text(".findings")
    screenshot(page, "report-reader")
    assert page.server_errors == []

    # A partner in the group reads it; an agency outside it gets the same page as for no report at all.
    report_path = urlsplit(page.url).path
    partner = page_as("ctd.analyst")
    partner.goto(report_path)
    assert partner.inner_text(".grading") == "B2"
    assert "not shared with you" not in partner.inner_text(".findings")  # all it refers to is theirs to open
    outsider = page_as("customs.analyst")
    response = outsider.goto(report_path)
    assert response.status == 404 and "Badakhshan" not in outsider.content()


def test_paste_a_text_on_a_phone(page_as):
    page = page_as("dcs.analyst", viewport=PHONE)
    page.goto("/drafts")
    page.fill("#paste-form input[name=title]", "Courier detained at Kyzyl-Art")
    page.fill(
        "#paste-form textarea[name=text]",
        "Border guards detained a courier at the Kyzyl-Art pass on Monday. Police spokesman Talant "
        "Asanov said the man carried 12 kg of hashish and a phone registered to +996 555 010 448.",
    )
    page.fill("#paste-form input[name=published]", "2025-11-05")
    page.click("#paste-form button[type=submit]")
    page.wait_for_url("**/drafts/*")
    assert finding(page, "Talant Asanov").count() == 1
    assert finding(page, "+996555010448").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "draft-review-phone")
    page.goto("/drafts")
    page.fill("#paste-form textarea[name=text]", "   ")
    page.click("#paste-form button[type=submit]")
    assert "no text" in page.inner_text("[role=alert]")
    assert page.server_errors == []
