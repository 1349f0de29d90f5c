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
    # Publishing asks first, saying with whom and at what TLP; cancelling publishes nothing.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("#publish-form button[type=submit]")
    assert "It will be shared with" in asked[0] and "central-asia-ct" in asked[0].lower() and "TLP:AMBER" in asked[0]
    assert "/drafts/" in page.url and page.locator("#publish-form").count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
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


def test_a_pasted_page_loses_its_boilerplate_and_its_date_is_corrected(page_as):
    from pathlib import Path

    text = (Path(__file__).parents[1] / "ingest" / "fixtures" / "boilerplate" / "dushanbe_seizure.txt").read_text()
    page = page_as("dcs.analyst")
    page.goto("/drafts")
    page.fill("#paste-form textarea[name=text]", text)
    page.click("#paste-form button[type=submit]")
    page.wait_for_url("**/drafts/*")
    assert "We use cookies" not in page.inner_text(".article")
    assert page.inner_text("#article-date") == "2025-03-14" and "dateline" in page.inner_text(".meta")
    assert not page.is_visible(".dropped-lines")
    page.click("#dropped summary")
    assert page.is_visible(".dropped-lines") and "cookie notice" in page.inner_text(".dropped-lines")
    screenshot(page, "draft-review-dropped")
    page.fill("#date-form input[name=published]", "2025-03-20")
    page.click("#date-form button[type=submit]")
    page.wait_for_function("document.querySelector('#article-date').textContent === '2025-03-20'")
    assert "corrected in the review" in page.inner_text(".meta")
    page.click("#dropped summary")
    page.click("#restore-form button")
    page.wait_for_selector("p#dropped")
    assert "Related posts" in page.inner_text(".article")
    assert page.server_errors == []


def _select(page, words: str) -> None:
    """Select the first occurrence of `words` in the article (across its highlights), as a mouse
    would, and let go."""
    page.evaluate(
        """(words) => {
          const article = document.querySelector('.reading .article');
          const at = article.textContent.indexOf(words);
          if (at < 0) throw new Error('not in the article: ' + words);
          const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
          const range = document.createRange();
          let seen = 0;
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const length = node.textContent.length;
            if (seen <= at && at < seen + length) range.setStart(node, at - seen);
            if (seen < at + words.length && at + words.length <= seen + length) {
              range.setEnd(node, at + words.length - seen);
              break;
            }
            seen += length;
          }
          const selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          article.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
        }""",
        words,
    )


def test_select_words_to_add_a_person_then_relate_it(page_as):
    page = page_as("dcs.analyst")
    page.goto("/drafts")
    page.fill("#paste-form input[name=title]", "Money changer in Kara-Suu")
    page.fill(
        "#paste-form textarea[name=text]",
        "Police in Osh detained a courier on Monday. He said the cash came from a money changer known "
        "only as Tolib-aka, through the Golden Crescent exchange in Kara-Suu.",
    )
    page.fill("#paste-form input[name=published]", "2025-11-05")
    page.click("#paste-form button[type=submit]")
    page.wait_for_url("**/drafts/*")
    toolbar = page.locator("#selection-toolbar")
    assert toolbar.is_hidden()
    # The recogniser misread the name; the analyst selects it whole and adds a person.
    _select(page, "Tolib-aka")
    toolbar.wait_for(state="visible")
    assert toolbar.is_visible() and "Tolib-aka" in toolbar.inner_text()
    screenshot(page, "draft-add-selection")
    toolbar.locator("button", has_text="Add as person").click()
    page.wait_for_url("**#e*")
    key = page.url.rsplit("#", 1)[1]
    card = page.locator(f"#{key}")
    assert "Tolib-aka" in card.inner_text() and "added by the analyst" in card.inner_text()
    assert page.locator(".article mark.kind-person", has_text="Tolib-aka").count() == 1

    # Keyboard: with words selected, Tab reaches the toolbar; Escape closes it.
    _select(page, "money changer")
    toolbar.wait_for(state="visible")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Add as person"
    page.keyboard.press("Escape")
    assert toolbar.is_hidden()

    form = page.locator("#add-relationship-form")
    form.locator("select[name=source]").select_option(key)
    form.locator("select[name=type]").select_option("located-at")
    place = page.locator(".finding", has=page.locator("header strong", has_text="Kara Suu")).get_attribute("id")
    form.locator("select[name=target]").select_option(place)
    form.locator("button[type=submit]").click()
    page.wait_for_url("**#r*")
    relationship = page.locator(f"#{page.url.rsplit('#', 1)[1]}")
    assert "Tolib-aka" in relationship.inner_text() and "located-at" in relationship.inner_text()
    assert "added by the analyst" in relationship.inner_text()
    screenshot(page, "draft-add-relationship")
    assert page.server_errors == []
