"""Photos for email: an upload checked with Pillow and re-encoded at the email widths.

``prepare(data, name, settings)`` refuses with a UserError on the ``file`` field anything that
is not a JPEG, PNG or WebP photo, is damaged or truncated, is larger than
``[media] max_upload_bytes`` or decodes to more than ``[media] max_pixels`` (a decompression
bomb: a few kilobytes that claim a gigapixel). Pillow is only given its JPEG, PNG and WebP
decoders, so no other decoder ever sees uploaded bytes, and the size is checked from the header
before any pixel is decoded.

What comes out is always our own encoding, never the uploaded bytes: the EXIF orientation
applied, colours converted to sRGB, then every bit of metadata dropped (EXIF with GPS and camera
serials, XMP, ICC profiles, comments, PNG text). Photos with real transparency stay PNG; all else
becomes JPEG, which every email client shows (Outlook shows no WebP). Versions are made at each
configured width the photo reaches; a photo narrower than all of them is kept at its own width,
never upscaled.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from newsletter.core.config import MediaConfig
from newsletter.core.errors import ConfigError, UserError

# Pillow's name of each accepted format and what we call it. MPO is how Pillow names the
# multi-picture JPEGs some cameras write; the first picture is the photo.
FORMATS = ("JPEG", "PNG", "WEBP")
ACCEPTED = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
MIN_WIDTH = 100  # narrower is an icon, not a photo; also keeps file names to 3-4 digit widths
WIDTH_RANGE = (100, 4000)
JPEG_QUALITY = 82  # no visible loss at these widths, about half the bytes of quality 95
SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class Version:
    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class Prepared:
    """A photo ready to store: its kind, its size after orientation, its encoded versions."""

    extension: str  # jpg | png
    width: int  # of the photo as uploaded, turned upright
    height: int
    versions: tuple[Version, ...]  # narrowest first

    @property
    def bytes(self) -> int:
        return sum(len(v.data) for v in self.versions)


def megabytes(count: int, up: bool = False) -> str:
    """A size as people read it: "15 MiB", "2.5 MiB", "110 KiB". A file's size is rounded up
    (``up``) and a limit down, so a file just over the limit never reads as equal to it."""
    mib = 1024 * 1024
    unit, name, steps = (1024, "KiB", 1) if count < mib else (mib, "MiB", 10)
    scaled = count * steps / unit
    value = (math.ceil(scaled) if up else math.floor(scaled)) / steps
    return f"{value:g} {name}"


def stored_widths(settings: MediaConfig) -> list[int]:
    """The configured widths, checked: file names and the email need 100-4000 px."""
    low, high = WIDTH_RANGE
    widths = sorted(set(settings.widths))
    if not widths or any(not low <= w <= high for w in widths):
        raise ConfigError(
            f"[media] widths: {settings.widths} must list widths from {low} to {high} pixels"
        )
    return widths


def targets(width: int, widths: list[int]) -> list[int]:
    """The widths stored for a photo ``width`` wide: those it reaches, else its own."""
    return [w for w in widths if w <= width] or [width]


def prepare(data: bytes, name: str, settings: MediaConfig) -> Prepared:
    """The checked, cleaned and resized photo; UserError "file: …" when it is refused."""
    label = name or "the file"
    if len(data) > settings.max_upload_bytes:
        raise UserError(
            f"file: {label} is {megabytes(len(data), up=True)}; photos up to "
            f"{megabytes(settings.max_upload_bytes)} are accepted"
        )
    widths = stored_widths(settings)
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            return _encode(image, label, settings.max_pixels, widths)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own limit (about 179 million pixels) caught it before ours could.
        raise _bomb(label, settings.max_pixels) from None
    except UnidentifiedImageError:
        raise UserError(f"file: {label} is not a JPEG, PNG or WebP photo") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError):
        raise UserError(
            f"file: {label} is damaged or incomplete and cannot be read as a JPEG, PNG or WebP "
            "photo"
        ) from None


def _bomb(label: str, max_pixels: int) -> UserError:
    return UserError(
        f"file: {label} would decode to more than {max_pixels:,} pixels; this looks like a "
        "decompression bomb, or a photo far larger than an email needs: resize it first"
    )


def _encode(image: Image.Image, label: str, max_pixels: int, widths: list[int]) -> Prepared:
    # The header's size, before anything is decoded.
    if image.width * image.height > max_pixels:
        raise _bomb(label, max_pixels)
    if image.format not in ACCEPTED:
        raise UserError(f"file: {label} is not a JPEG, PNG or WebP photo")
    upright = _upright_size(image)
    wanted = targets(upright[0], widths)
    if upright[0] < MIN_WIDTH:
        raise UserError(
            f"file: {label} is only {upright[0]} px wide; upload a photo at least "
            f"{MIN_WIDTH} px wide"
        )
    if image.format in ("JPEG", "MPO"):
        # Decode big JPEGs at 1/2, 1/4 or 1/8 scale, never below the widest version needed.
        image.draft(image.mode, (max(wanted), max(wanted)))
    image.load()  # a truncated file fails here, inside prepare's error handling
    image = ImageOps.exif_transpose(image)
    image = _to_srgb(image)
    image.info.clear()  # EXIF, GPS, XMP, ICC, comments: copies made from here inherit nothing
    png = image.mode == "RGBA"
    width, height = upright
    versions = []
    for target in wanted:
        size = (target, max(1, round(height * target / width)))
        version = image if image.size == size else _resized(image, size)
        versions.append(Version(size[0], size[1], _save(version, png)))
    return Prepared("png" if png else "jpg", width, height, tuple(versions))


def _upright_size(image: Image.Image) -> tuple[int, int]:
    """The size once turned as the camera meant (EXIF orientations 5-8 swap the sides)."""
    orientation = image.getexif().get(0x0112, 1)
    w, h = image.size
    return (h, w) if orientation in (5, 6, 7, 8) else (w, h)


def _transparent(image: Image.Image) -> bool:
    """Whether any pixel is see-through: an opaque PNG is as well off as a JPEG."""
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info:
        alpha = image.convert("RGBA").getchannel("A")
        low, _high = alpha.getextrema()  # type: ignore[misc]
        return bool(low < 255)
    return False


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB (or RGBA when transparent), in sRGB: dropping a wide-gamut profile (phones write
    Display P3) without converting would leave the colours dull."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")  # 16-bit grey
    if _transparent(image):
        return image.convert("RGBA")
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            converted = ImageCms.profileToProfile(image, source, SRGB, outputMode="RGB")
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # an unreadable profile: the pixels as they are are the best guess
    return image.convert("RGB")


def _resized(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _save(image: Image.Image, png: bool) -> bytes:
    out = io.BytesIO()
    options: dict[str, Any] = {"optimize": True}
    if png:
        image.save(out, "PNG", **options)
    else:
        options.update(quality=JPEG_QUALITY, progressive=True)
        image.save(out, "JPEG", **options)
    return out.getvalue()
