"""Uploaded images made safe to publish: decoded with Pillow, bounded in pixels, turned upright,
resized and encoded again from their pixels alone, so EXIF (GPS position, camera, dates), XMP,
ICC and text chunks never leave with them.

Thread safety: every Pillow object here is created and dropped inside one call (no module-level
image or plugin state is changed; Image.MAX_IMAGE_PIXELS is left as it is), so calls from
several threads at once share nothing.
"""
import io
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from app.core.storage import Refused

LONG_SIDE = 1600
THUMB_SIDE = 480
# 40 megapixels: any phone photo; a small file claiming more is a decompression bomb.
DEFAULT_MAX_PIXELS = 40_000_000
FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


@dataclass(frozen=True)
class Resized:
    data: bytes
    thumbnail: bytes
    width: int
    height: int


def max_pixels() -> int:
    return int(current_app.config.get("IMAGE_MAX_PIXELS") or DEFAULT_MAX_PIXELS)


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    elif fmt == "WEBP":
        image.save(out, "WEBP", quality=85, method=4)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image with the same pixels and nothing else (no info, EXIF or profile)."""
    return Image.frombytes(image.mode, image.size, image.tobytes())


def resize(data: bytes, content_type: str, name: str) -> Resized:
    """The image at most LONG_SIDE pixels on its long side, upright, without metadata, in its own
    format; and a THUMB_SIDE thumbnail. Raises Refused for what cannot be published safely."""
    fmt = FORMATS.get(content_type)
    if fmt is None:
        raise Refused(_("«%(name)s»: send images as JPEG, PNG or WebP.", name=name))
    limit = max_pixels()
    too_big = Refused(_(
        "«%(name)s» has too many pixels to be processed (at most %(megapixels)d megapixels). "
        "Send a smaller version of the image.", name=name, megapixels=limit // 1_000_000))
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as source:
            width, height = source.size  # read from the header, before any pixel is decoded
            if width * height > limit or width <= 0 or height <= 0:
                raise too_big
            source.load()
            image = ImageOps.exif_transpose(source)  # upright as the camera meant, then no EXIF
            if fmt == "JPEG":
                image = image.convert("RGB")
            elif image.mode not in ("RGB", "RGBA"):
                image = image.convert("RGBA" if "A" in image.getbands() or
                                      "transparency" in image.info else "RGB")
            image = _pixels_only(image)
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_big from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise Refused(_("«%(name)s» could not be read as an image. Save it again as JPEG, PNG or "
                        "WebP and send it again.", name=name)) from None
    image.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return Resized(_encode(image, fmt), _encode(thumb, fmt), image.width, image.height)
