"""Evidence files: which types are accepted, how their content is recognised, where they live.

A file is accepted only when its extension is on the list AND its first bytes are what that
extension promises (a renamed program or an HTML page called "informe.pdf" is refused). Files
are written under a random name in the uploads directory (config UPLOAD_DIR, by default
`<instance>/uploads`); the name the user gave is kept only in the database, for display.
"""
import hashlib
import io
import logging
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from flask import current_app
from flask_babel import gettext as _

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
NAME_MAX = 255
STORED_NAME = re.compile(r"^[0-9a-f]{32}$")


class Refused(Exception):
    """A file that may not be stored; the message names the file and says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------- recognising content

def _is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-")


def _is_png(data: bytes) -> bool:
    return data.startswith(b"\x89PNG\r\n\x1a\n")


def _is_jpeg(data: bytes) -> bool:
    return data.startswith(b"\xff\xd8\xff")


def _is_gif(data: bytes) -> bool:
    return data[:6] in (b"GIF87a", b"GIF89a")


def _is_webp(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


def _is_ole(data: bytes) -> bool:
    """The compound file of legacy Word and Excel documents."""
    return data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _zip_names(data: bytes) -> zipfile.ZipFile | None:
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return None


def _ooxml(folder: str) -> Callable[[bytes], bool]:
    """A Word, Excel or PowerPoint document: a ZIP with a content-types part and its folder."""

    def check(data: bytes) -> bool:
        archive = _zip_names(data)
        if archive is None:
            return False
        names = archive.namelist()
        return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)

    return check


def _odf(mimetype: str) -> Callable[[bytes], bool]:
    """An OpenDocument file: a ZIP whose `mimetype` member names the document type."""

    def check(data: bytes) -> bool:
        archive = _zip_names(data)
        if archive is None:
            return False
        try:
            info = archive.getinfo("mimetype")
            if info.file_size > 200:
                return False
            return archive.read(info).strip() == mimetype.encode("ascii")
        except (KeyError, zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError,
                RuntimeError):
            return False

    return check


@dataclass(frozen=True)
class FileType:
    content_type: str
    label: str  # what the user would call it, for messages
    matches: Callable[[bytes], bool]


_ODT = "application/vnd.oasis.opendocument.text"
_ODS = "application/vnd.oasis.opendocument.spreadsheet"
_ODP = "application/vnd.oasis.opendocument.presentation"
_OOXML = "application/vnd.openxmlformats-officedocument."

TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", "PDF", _is_pdf),
    "png": FileType("image/png", "PNG", _is_png),
    "jpg": FileType("image/jpeg", "JPEG", _is_jpeg),
    "jpeg": FileType("image/jpeg", "JPEG", _is_jpeg),
    "webp": FileType("image/webp", "WebP", _is_webp),
    "gif": FileType("image/gif", "GIF", _is_gif),
    "csv": FileType("text/csv", "CSV", _is_text),
    "txt": FileType("text/plain", "TXT", _is_text),
    "odt": FileType(_ODT, "ODT", _odf(_ODT)),
    "ods": FileType(_ODS, "ODS", _odf(_ODS)),
    "odp": FileType(_ODP, "ODP", _odf(_ODP)),
    "docx": FileType(_OOXML + "wordprocessingml.document", "DOCX", _ooxml("word/")),
    "xlsx": FileType(_OOXML + "spreadsheetml.sheet", "XLSX", _ooxml("xl/")),
    "pptx": FileType(_OOXML + "presentationml.presentation", "PPTX", _ooxml("ppt/")),
    "doc": FileType("application/msword", "DOC", _is_ole),
    "xls": FileType("application/vnd.ms-excel", "XLS", _is_ole),
}

ALLOWED_CONTENT_TYPES = frozenset(t.content_type for t in TYPES.values())
# Shown in the browser; every other type is downloaded. PDFs are downloaded too: the sandbox
# that evidence is served under stops some browsers' PDF viewers.
INLINE_CONTENT_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# For <input type=file accept="...">: extensions and their content types.
ACCEPT = ",".join(
    ["." + ext for ext in TYPES] + sorted(ALLOWED_CONTENT_TYPES)
)


# ---------------------------------------------------------------- names

_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def clean_filename(name: str | None) -> str:
    """The last path component, without control or direction-changing characters, at most 255."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in _INVISIBLE)
    name = " ".join(name.split()).strip(" .")
    if not name:
        return "archivo"
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: NAME_MAX - len(ext) - 1] + "." + ext
        else:
            name = name[:NAME_MAX]
    return name


def extension_of(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def content_disposition(original_name: str | None, inline: bool) -> str:
    """`attachment` (or `inline`) with an ASCII fallback name and the exact one per RFC 5987."""
    name = clean_filename(original_name).replace('"', "'")
    # Accents drop to their base letter ("Gómez" → "Gomez"); anything else becomes "_".
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_name = "".join(c for c in decomposed if not unicodedata.combining(c))
    ascii_name = re.sub(r"[^A-Za-z0-9._() -]", "_", ascii_name).strip(" .") or "archivo"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


# ---------------------------------------------------------------- reading an upload

@dataclass(frozen=True)
class Upload:
    """A file read, checked and ready to be written."""

    original_name: str
    content_type: str
    data: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def max_bytes() -> int:
    return int(current_app.config.get("UPLOAD_MAX_BYTES") or DEFAULT_MAX_BYTES)


def human_size(size: int | None) -> str:
    """1536 → "1.5 KB" in the reader's number format."""
    from flask_babel import format_decimal

    if size is None:
        return ""
    if size < 1024:
        return _("%(n)s bytes", n=format_decimal(size))
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{format_decimal(round(size, 1))} {unit}"
    return ""  # pragma: no cover


def inspect(file, limit: int | None = None) -> Upload:
    """Read one uploaded file (a werkzeug FileStorage) and check its type, content and size."""
    limit = limit or max_bytes()
    name = clean_filename(getattr(file, "filename", None))
    file_type = TYPES.get(extension_of(name))
    if file_type is None:
        raise Refused(_(
            "«%(name)s»: this type of file is not accepted. Send PDF, images (PNG, JPEG, WebP, "
            "GIF), CSV, plain text or office documents (ODT, ODS, ODP, DOCX, XLSX, PPTX, DOC, XLS).",
            name=name,
        ))
    stream = file.stream
    if hasattr(stream, "seek"):
        stream.seek(0)  # the form's validation may have read it already
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise Refused(_("«%(name)s» is larger than the limit of %(limit)s per file.",
                        name=name, limit=human_size(limit)))
    if not data:
        raise Refused(_("«%(name)s» is empty.", name=name))
    if not file_type.matches(data):
        raise Refused(_(
            "«%(name)s»: its content is not a %(type)s file, as its name says. "
            "Export it again in that format, or give it the right extension.",
            name=name, type=file_type.label,
        ))
    return Upload(name, file_type.content_type, data, hashlib.sha256(data).hexdigest())


def inspect_all(files) -> tuple[list[Upload], list[str]]:
    """Every chosen file checked; returns the good ones and one message per refused file."""
    chosen = [f for f in (files or []) if f is not None and getattr(f, "filename", None)]
    if len(chosen) > MAX_FILES:
        return [], [_("You can attach at most %(max)d files to a note; you chose %(count)d.",
                      max=MAX_FILES, count=len(chosen))]
    uploads, errors = [], []
    limit = max_bytes()
    for file in chosen:
        try:
            uploads.append(inspect(file, limit))
        except Refused as refused:
            errors.append(refused.message)
    return uploads, errors


# ---------------------------------------------------------------- the uploads directory

def upload_dir() -> Path:
    # A relative UPLOAD_DIR is taken inside the instance folder, not the working directory.
    configured = current_app.config.get("UPLOAD_DIR") or "uploads"
    path = Path(current_app.instance_path) / configured
    path.mkdir(parents=True, exist_ok=True)
    return path


def write(upload: Upload) -> str:
    """Write the file under a new random name (never an existing one) and return that name."""
    directory = upload_dir()
    while True:
        stored_name = secrets.token_hex(16)
        try:
            fd = os.open(directory / stored_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        except FileExistsError:  # pragma: no cover - 128 random bits
            continue
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(upload.data)
        except BaseException:
            delete([stored_name])
            raise
        return stored_name


def delete(stored_names, directory: Path | None = None) -> None:
    directory = directory or upload_dir()
    for stored_name in stored_names:
        if not STORED_NAME.match(stored_name or ""):
            continue
        try:
            (directory / stored_name).unlink(missing_ok=True)
        except OSError:
            log.exception("could not delete evidence file %s", stored_name)


def delete_if_rolled_back(stored_names) -> None:
    """Files written for the current unit of work go again if the unit is rolled back (a later
    step of the request failed); its commit keeps them. A savepoint's end settles nothing."""
    names = list(stored_names)
    if not names:
        return
    from sqlalchemy import event

    from app.extensions import db

    directory, settled = upload_dir(), []

    def committed(session):
        if not session.in_nested_transaction():
            settled.append(True)

    def rolled_back(session, previous_transaction):
        if not settled and previous_transaction.parent is None:
            settled.append(True)
            delete(names, directory)

    session = db.session()
    event.listen(session, "after_commit", committed)
    event.listen(session, "after_soft_rollback", rolled_back)


def delete_when_committed(stored_names) -> None:
    """Files whose rows the current unit of work deletes go when it commits; a rollback keeps
    them (their rows are back). A savepoint's end settles nothing."""
    names = list(stored_names)
    if not names:
        return
    from sqlalchemy import event

    from app.extensions import db

    directory, settled = upload_dir(), []

    def committed(session):
        if not settled and not session.in_nested_transaction():
            settled.append(True)
            delete(names, directory)

    def rolled_back(session, previous_transaction):
        if not settled and previous_transaction.parent is None:
            settled.append(True)

    session = db.session()
    event.listen(session, "after_commit", committed)
    event.listen(session, "after_soft_rollback", rolled_back)


def path_of(stored_name: str | None) -> Path | None:
    """The file of a stored name; names are ours (random hex), never a path from the user."""
    if not stored_name or not STORED_NAME.match(stored_name):
        return None
    path = upload_dir() / stored_name
    return path if path.is_file() else None
