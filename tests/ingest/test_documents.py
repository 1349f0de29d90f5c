"""Text from the documents analysts bring, and refusal of what cannot or must not be read."""

from __future__ import annotations

import io
import zipfile

import pytest

from liaison.errors import InvalidInput, PayloadTooLarge
from liaison.ingest.documents import MAX_DOCUMENT_BYTES, read_document

ARTICLE = (
    "Border guards in Khorog seized 42 kilograms of heroin on Tuesday, the State Committee for "
    "National Security said. The courier, a 34-year-old man, was detained at the checkpoint."
)


def test_html_keeps_the_article_and_drops_the_boilerplate():
    page = f"""<html><head><title>Heroin seized in Khorog | Pamir Wire</title>
    <meta property="article:published_time" content="2026-03-10"></head><body>
    <nav><a href="/">Home</a> <a href="/world">World news</a> <a href="/sport">Sport</a></nav>
    <div class="cookie-banner">We use cookies to improve your experience. Accept all cookies?</div>
    <article><h1>Heroin seized in Khorog</h1><p>{ARTICLE}</p>
    <p>Officials said the consignment had crossed the Panj river from Afghanistan at night.</p></article>
    <aside class="related"><h3>Related posts</h3><ul><li><a href="/a">Football results from the weekend</a></li>
    <li><a href="/b">Ten recipes for plov</a></li></ul></aside>
    <footer>Copyright Pamir Wire. All rights reserved. Subscribe to our newsletter.</footer></body></html>"""
    document = read_document("story.html", page.encode())
    assert "42 kilograms of heroin" in document.text and "Panj river" in document.text
    for boilerplate in ("cookies", "Related posts", "plov", "Football", "Subscribe", "World news"):
        assert boilerplate not in document.text
    assert document.title.startswith("Heroin seized in Khorog")
    assert document.published == "2026-03-10"


def test_docx_paragraphs_and_tables():
    from docx import Document

    doc = Document()
    doc.core_properties.title = "Weekly bulletin"
    doc.add_paragraph(ARTICLE)
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Phone", "+992 93 555 0147"
    buffer = io.BytesIO()
    doc.save(buffer)
    document = read_document("bulletin.docx", buffer.getvalue())
    assert ARTICLE in document.text and "+992 93 555 0147" in document.text
    assert document.title == "Weekly bulletin"


def _pdf(text: str) -> bytes:
    """A one-page PDF showing `text` in Helvetica, with a correct cross-reference table."""
    stream = f"BT /F1 11 Tf 40 780 Td ({text}) Tj ET".encode()
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return bytes(out)


def test_pdf_text():
    document = read_document("report.pdf", _pdf("Patrushev met Afghan officials in Kabul"))
    assert "Patrushev met Afghan officials in Kabul" in document.text


def test_text_in_another_encoding():
    assert read_document("note.txt", "Gülnara Şahin met officials in Türkiye.".encode("cp1254")).text.startswith("G")
    assert read_document("note.txt", ARTICLE.encode()).title.startswith("Border guards in Khorog")


@pytest.mark.parametrize(
    "name, content, error",
    [
        ("virus.exe", b"MZ", InvalidInput),
        ("broken.pdf", b"%PDF-1.4 this is not a pdf", InvalidInput),
        ("broken.docx", b"PK\x03\x04 not a zip", InvalidInput),
        ("empty.txt", b"   \n\n ", InvalidInput),
        ("huge.txt", b"a" * (MAX_DOCUMENT_BYTES + 1), PayloadTooLarge),
    ],
)
def test_unreadable_documents_are_refused_clearly(name, content, error):
    with pytest.raises(error) as caught:
        read_document(name, content)
    assert caught.value.message


def test_a_docx_that_inflates_beyond_the_limit_is_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<" + b" " * (MAX_DOCUMENT_BYTES + 10))
    assert len(buffer.getvalue()) < 100_000
    with pytest.raises(PayloadTooLarge):
        read_document("bomb.docx", buffer.getvalue())
