"""Small real files of every accepted type, built here, and a few that must be refused."""
import io
import struct
import zipfile
import zlib


def png() -> bytes:
    """A valid 1×1 RGB PNG."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x0b\x5d\x6b")  # filter byte, then one teal pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def gif() -> bytes:
    """A valid 1×1 GIF89a."""
    return (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
            b"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


def webp() -> bytes:
    """A valid 1×1 lossless WebP (RIFF container, VP8L chunk)."""
    vp8l = bytes.fromhex("2f 00 00 00 10 07 10 11 11 88 88 fe 07")
    chunk = b"VP8L" + struct.pack("<I", len(vp8l)) + vp8l + (b"\x00" if len(vp8l) % 2 else b"")
    body = b"WEBP" + chunk
    return b"RIFF" + struct.pack("<I", len(body)) + body


def jpeg() -> bytes:
    """The start and end of a JFIF JPEG (SOI, APP0 JFIF segment, EOI)."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def pdf() -> bytes:
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
            b"trailer << /Root 1 0 R >>\n%%EOF\n")


def _zip(members: list[tuple[str, bytes]], first_stored: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, (name, data) in enumerate(members):
            kind = zipfile.ZIP_STORED if first_stored and i == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=kind)
    return buffer.getvalue()


CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def ooxml(folder: str, part: str) -> bytes:
    return _zip([("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", b"<Relationships/>"),
                 (f"{folder}{part}", b"<document/>")])


def odf(mimetype: str) -> bytes:
    return _zip([("mimetype", mimetype.encode()), ("META-INF/manifest.xml", b"<manifest/>"),
                 ("content.xml", b"<office:document-content/>")], first_stored=True)


def ole() -> bytes:
    """The 512-byte header block of a compound file (legacy .doc and .xls)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    return header + b"\x00" * (512 - len(header))


ODF = "application/vnd.oasis.opendocument."
OOXML = "application/vnd.openxmlformats-officedocument."

# (file name, content, content type it is stored with)
ACCEPTED = [
    ("informe.pdf", pdf(), "application/pdf"),
    ("foto.png", png(), "image/png"),
    ("foto.jpg", jpeg(), "image/jpeg"),
    ("FOTO.JPEG", jpeg(), "image/jpeg"),
    ("grafica.webp", webp(), "image/webp"),
    ("animacion.gif", gif(), "image/gif"),
    ("avance.csv", "municipio,avance\nDurango,40 %\nGómez Palacio,20 %\n".encode(), "text/csv"),
    ("notas.txt", "\ufeffInforme de avance — ñandú 🌵\n".encode(), "text/plain"),
    ("acta.odt", odf(ODF + "text"), ODF + "text"),
    ("tabla.ods", odf(ODF + "spreadsheet"), ODF + "spreadsheet"),
    ("presentacion.odp", odf(ODF + "presentation"), ODF + "presentation"),
    ("acta.docx", ooxml("word/", "document.xml"), OOXML + "wordprocessingml.document"),
    ("tabla.xlsx", ooxml("xl/", "workbook.xml"), OOXML + "spreadsheetml.sheet"),
    ("lamina.pptx", ooxml("ppt/", "presentation.xml"), OOXML + "presentationml.presentation"),
    ("acta.doc", ole(), "application/msword"),
    ("tabla.xls", ole(), "application/vnd.ms-excel"),
]

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"

# (file name, content): each must be refused with a message naming the file.
REFUSED = [
    ("programa.exe", EXE),                                   # type not accepted
    ("informe.pdf", EXE),                                    # a program renamed .pdf
    ("informe-falso.pdf", HTML),                             # an HTML page renamed .pdf
    ("pagina.html", HTML),                                   # HTML itself
    ("grafica.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("foto.png", jpeg()),                                    # a JPEG called .png
    ("acta.docx", _zip([("word/document.xml", b"<d/>")])),    # a ZIP that is no Word file
    ("tabla.xlsx", ooxml("word/", "document.xml")),          # a Word file called .xlsx
    ("acta.odt", odf(ODF + "spreadsheet")),                  # a spreadsheet called .odt
    ("archivo.zip", _zip([("a.txt", b"a")])),                 # archives are not accepted
    ("datos.csv", "municipio,avance\nGómez,1\n".encode("latin-1")),  # not UTF-8
    ("notas.txt", b"texto\x00binario"),                      # NUL bytes
    ("vacio.pdf", b""),                                      # empty
    ("sin-extension", pdf()),                                # no extension
]
