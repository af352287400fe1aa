"""One-page PDFs standing in for the demo's signed records, built by hand (no dependency):
Helvetica in WinAnsiEncoding, so the Spanish text keeps its accents; long lines are wrapped."""
import hashlib
import textwrap

from app.core import storage

# Characters of an 11-point Helvetica line between the margins of an A4 page, and its lines.
LINE_WIDTH = 95
PAGE_LINES = 52


def _literal(line: str) -> bytes:
    """A PDF string literal of `line` in WinAnsiEncoding (cp1252)."""
    data = line.encode("cp1252", "replace")
    return b"(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def one_page_pdf(paragraphs: list[str]) -> bytes:
    """A valid one-page PDF showing `paragraphs`, each wrapped to the page's width (an empty one
    is a blank line). ValueError if they do not fit on the page."""
    lines = [line for paragraph in paragraphs
             for line in (textwrap.wrap(paragraph, LINE_WIDTH) or [""])]
    if len(lines) > PAGE_LINES:
        raise ValueError(f"{len(lines)} lines do not fit on one page ({PAGE_LINES})")
    text = (b"BT /F1 11 Tf 50 790 Td 14 TL "
            + b" ".join(_literal(line) + b" '" for line in lines) + b" ET")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def pdf_upload(filename: str, paragraphs: list[str]) -> storage.Upload:
    """The PDF of `paragraphs`, ready for a service that takes an uploaded file."""
    data = one_page_pdf(paragraphs)
    return storage.Upload(filename, "application/pdf", data, hashlib.sha256(data).hexdigest())
