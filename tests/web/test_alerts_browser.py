"""Watchlists and alerts in a real browser, against a real `liaison serve` whose worker raises the
alerts: watch a type and an object, make a change that matches, see the header's counter and the
alerts page, mark read; an admin registers a webhook, sends a test and reads its log.
Screenshots in test-artifacts/screens/."""

from __future__ import annotations

import time
import uuid

from webtools import screenshot


def _counter(page) -> int:
    badge = page.locator(".mainnav .counter")
    return int(badge.inner_text()) if badge.count() else 0


def test_watch_a_type_and_an_object_then_read_the_alerts(page_as):
    page = page_as("dcs.analyst")
    page.goto("/watchlists")
    page.fill(".watch-form input[name=type][required]", "drug-seizure")
    page.click(".watch-form:has(input[value=type]) button[type=submit]")
    page.wait_for_url("**/watchlists?done=*")
    assert "Watching every drug-seizure" in page.inner_text(".alert.success")
    page.goto("/search?q=Zarafshon")
    page.click(".hit .object-link >> nth=0")
    page.click("#watch button[type=submit]")
    page.wait_for_url("**/objects/*?done=watching*")
    assert "Watching this object" in page.inner_text(".alert.success")
    assert page.inner_text("#watch button").startswith("Watching")  # the button says so, and stops it
    screenshot(page, "alerts-object-watched")
    before = _counter(page)

    suffix = uuid.uuid4().hex[:6]
    page.goto("/objects/new/drug-seizure")
    page.fill("input[name=name]", f"Opium in a melon lorry {suffix}")
    page.fill("input[name=seized_at]", "2025-07-14T06:40")
    page.fill("input[name=drug_type]", "opium")
    page.fill("input[name=quantity]", "120")
    page.select_option("select[name=quantity_unit]", "kg")
    page.click("#object-form button[type=submit]")
    page.wait_for_url("**/objects/drug-seizure--*?done=made")

    deadline = time.monotonic() + 15
    while _counter(page) <= before:  # the server's worker raises the alert within a second or so
        assert time.monotonic() < deadline, "no alert was counted in the header"
        time.sleep(0.5)
        page.goto("/alerts")
    page.goto("/alerts?unread=1")
    item = page.locator(".alert-item", has_text=f"Opium in a melon lorry {suffix}")
    assert item.count() == 1 and "a drug-seizure" in item.inner_text()
    screenshot(page, "alerts-list")
    item.locator("button", has_text="mark read").click()
    page.wait_for_url("**/alerts?done=*")
    assert "1 alert(s) marked read" in page.inner_text(".alert.success")
    assert page.locator(".alert-item.unread", has_text=suffix).count() == 0
    page.goto("/alerts/digest")
    assert page.locator("text=every drug-seizure").count() >= 1
    screenshot(page, "alerts-digest")
    assert page.server_errors == []


def test_an_admin_registers_a_webhook_tests_it_and_reads_its_log(page_as):
    page = page_as("dcs.admin")
    page.goto("/admin")
    page.click("nav.tabs a:text('Webhooks')")
    page.wait_for_url("**/admin/webhooks")
    page.fill("input[name=url]", "http://192.0.2.1/not-allowed")
    page.click("form[action='/admin/webhooks'] button[type=submit]")
    assert "does not allow" in page.inner_text(".alert.error")
    page.fill("input[name=url]", "http://127.0.0.1:9/liaison")  # allowed, but nothing listens there
    page.click("form[action='/admin/webhooks'] button[type=submit]")
    secret = page.inner_text(".token-once code")
    assert len(secret) >= 32
    page.goto("/admin/webhooks")
    assert secret not in page.content()  # shown once
    page.click("form[action$='/test'] button >> nth=-1")
    page.wait_for_url("**/admin/webhooks?done=*")
    deadline = time.monotonic() + 15
    while "could not reach the receiver" not in page.inner_text("section[id^=hook-] >> nth=-1"):
        assert time.monotonic() < deadline, "the test delivery's attempt was not logged"
        time.sleep(0.5)
        page.reload()
    screenshot(page, "webhooks-log")
    assert page.server_errors == []
