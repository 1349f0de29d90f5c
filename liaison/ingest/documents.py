"""Plain text from the documents analysts bring: .txt, .html (main text only), .pdf and .docx.

Whatever the input, the text loses its boilerplate lines (cookie notices, 'Related posts', share
buttons, repeated mastheads: `boilerplate`) unless the caller keeps them; the document says what
was dropped, and why.

Each reader is bounded: a file over the size limit, a .docx whose parts inflate beyond it, a PDF
with too many pages or a text too long to review are refused with a clear error before they can
exhaust memory or time.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from liaison.errors import InvalidInput, PayloadTooLarge
from liaison.ingest.boilerplate import Dropped, strip_boilerplate

#: Largest file accepted, and largest uncompressed content of a .docx.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
#: Largest extracted text (characters): some 15,000 words, far beyond any article or bulletin.
MAX_TEXT_CHARS = 100_000
MAX_PDF_PAGES = 300
SUFFIXES = (".txt", ".text", ".md", ".html", ".htm", ".pdf", ".docx")
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")
#: Control characters (NUL included, which PostgreSQL text cannot hold) but tab and new line.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
#: Lines at a text's start that are not its title: a date, a byline, 'Published: …'.
_NOT_A_TITLE = re.compile(
    r"(?i:(?:first published|published|posted|last updated|updated|date)(?:\s*:|(?:\s+on)?\s+\d"
    r"|(?:\s+on)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*\b))"
    r"|(?:By|BY)\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}\s*(?:[,|].{0,80})?$"
    r"|[\d\s:.,/-]+$|\d{1,2} \w+ \d{4}\b"
)


@dataclass(frozen=True, slots=True)
class Document:
    """A document's text, with the title and date it declares (when it declares them) and the
    boilerplate lines its text was read without."""

    text: str
    title: str | None = None
    published: str | None = None
    dropped: tuple[Dropped, ...] = ()


def read_document(filename: str, content: bytes, *, keep_boilerplate: bool = False) -> Document:
    """The text of a document by its file name's suffix; InvalidInput for what cannot be read."""
    if len(content) > MAX_DOCUMENT_BYTES:
        raise PayloadTooLarge(f"document larger than {MAX_DOCUMENT_BYTES} bytes", limit=MAX_DOCUMENT_BYTES)
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput(f"cannot read '{filename}': send one of {', '.join(SUFFIXES)}", filename=filename)
    try:
        if suffix in (".html", ".htm"):
            document = _html(content)
        elif suffix == ".pdf":
            document = _pdf(content)
        elif suffix == ".docx":
            document = _docx(content)
        else:
            document = Document(decode(content))
    except (InvalidInput, PayloadTooLarge):
        raise
    except Exception as exc:  # each library raises its own errors for broken files
        raise InvalidInput(
            f"cannot read '{filename}' as {suffix[1:]}: {exc.__class__.__name__}: {exc}", filename=filename
        ) from None
    return checked(document, filename, keep_boilerplate=keep_boilerplate)


def checked(document: Document, source: str = "the text", *, keep_boilerplate: bool = False) -> Document:
    """The document with tidy white space and without boilerplate lines (unless `keep_boilerplate`),
    refused when empty or too long."""
    text = unicodedata.normalize("NFC", document.text.replace("\r\n", "\n"))
    text = _BLANK_LINES.sub("\n\n", _CONTROL.sub(" ", text)).strip()
    if not text:
        raise InvalidInput(f"no text found in {source}")
    if len(text) > MAX_TEXT_CHARS:
        raise PayloadTooLarge(f"{source} has more than {MAX_TEXT_CHARS} characters of text", limit=MAX_TEXT_CHARS)
    dropped: tuple[Dropped, ...] = ()
    if not keep_boilerplate:
        filtered = strip_boilerplate(text)
        text, dropped = filtered.text, filtered.dropped
    title = (document.title or _first_line(text)).strip()[:300]
    return Document(text, title, document.published, dropped)


def decode(content: bytes) -> str:
    """Bytes as text: UTF-8 (with or without BOM), else the detected encoding."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(content).best()
        if best is None:
            raise InvalidInput("the file is not text in any encoding recognised") from None
        return str(best)


def _first_line(text: str) -> str:
    """The text's first line that may be its title (not a date or a byline), else its first line."""
    lines = [line.strip() for line in text[:5000].split("\n", 8)[:8] if line.strip()]
    line = next((x for x in lines if not _NOT_A_TITLE.match(x)), lines[0] if lines else "")
    return line if len(line) <= 200 else line[:200].rsplit(" ", 1)[0] + "…"


def _html(content: bytes) -> Document:
    import trafilatura

    found = trafilatura.bare_extraction(
        content, with_metadata=True, include_comments=False, include_tables=True, favor_precision=True
    )
    if found is None or not found.text:
        raise InvalidInput("no article text found in the HTML page")
    return Document(found.text, found.title, found.date)


def _pdf(content: bytes) -> Document:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    if len(reader.pages) > MAX_PDF_PAGES:
        raise PayloadTooLarge(f"PDF with more than {MAX_PDF_PAGES} pages", limit=MAX_PDF_PAGES)
    parts, size = [], 0
    for page in reader.pages:
        part = page.extract_text() or ""
        size += len(part)
        if size > MAX_TEXT_CHARS:
            raise PayloadTooLarge(f"the PDF has more than {MAX_TEXT_CHARS} characters of text", limit=MAX_TEXT_CHARS)
        parts.append(part)
    title = reader.metadata.title if reader.metadata else None
    return Document("\n\n".join(parts), title)


def _docx(content: bytes) -> Document:
    from docx import Document as Docx

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        inflated = sum(info.file_size for info in archive.infolist())
    if inflated > MAX_DOCUMENT_BYTES:
        raise PayloadTooLarge(f"the .docx inflates to more than {MAX_DOCUMENT_BYTES} bytes", limit=MAX_DOCUMENT_BYTES)
    doc = Docx(io.BytesIO(content))
    paragraphs = [p.text for p in doc.paragraphs if p.text.strip()]
    for table in doc.tables:
        paragraphs.extend(" | ".join(cell.text for cell in row.cells) for row in table.rows)
    return Document("\n\n".join(paragraphs), doc.core_properties.title or None)
