"""Pixel formats: any decoded Pillow mode to 8-bit RGB in sRGB, alpha flattened on white."""

from __future__ import annotations

import io
import logging

from PIL import Image

from kiosk.photos.errors import PhotoError, PhotoErrorReason

try:  # Pillow can be built without LittleCMS; then profiles are dropped, not applied.
    from PIL import ImageCms
except ImportError:  # pragma: no cover - every Pillow wheel ships LittleCMS
    ImageCms = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

WHITE = (255, 255, 255)

# Modes the rest of the pipeline works in: Pillow resizes them correctly (RGBA with
# premultiplied alpha) and LittleCMS can transform RGB, L and CMYK.
WORKING_MODES = frozenset({"RGB", "L", "CMYK", "RGBA"})

# Image mode -> the ICC colour space a profile must describe to apply to it.
_ICC_SPACES = {"RGB": "RGB", "L": "GRAY", "CMYK": "CMYK"}


def to_working_mode(im: Image.Image) -> Image.Image:
    """Return ``im`` as RGB, L, CMYK or RGBA with 8 bits per channel.

    Transparency of any kind (alpha band, palette or single-colour ``transparency``)
    becomes RGBA, to be flattened after the resize. 16-bit and 32-bit samples are
    scaled down rather than clipped (Pillow's plain ``convert("L")`` clips them at 255,
    which turns a normal 16-bit photo white).
    """
    try:
        return _convert(im)
    except (ValueError, OSError) as exc:
        raise PhotoError(
            PhotoErrorReason.UNSUPPORTED, f"cannot convert {im.mode} pixels to RGB"
        ) from exc


def _convert(im: Image.Image) -> Image.Image:
    mode = im.mode
    if "transparency" in im.info and mode in ("1", "L", "P", "RGB"):
        return im.convert("RGBA")
    if mode in WORKING_MODES:
        return im
    if mode == "La":  # premultiplied; Pillow only converts it to LA
        return im.convert("LA").convert("RGBA")
    if mode in ("LA", "PA", "RGBa"):
        return im.convert("RGBA")
    if mode == "P":
        return im.convert("RGB")
    if mode == "1":
        return im.convert("L")
    if mode.startswith("I;16"):
        # Full 16-bit range onto 0..255. Via "I" because point() only handles
        # native-endian I;16 directly.
        return im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if mode in ("I", "F"):
        return _stretch_to_l(im)
    # YCbCr, LAB, HSV, RGBX and anything newer: Pillow knows how to get RGB.
    return im.convert("RGB")


def _stretch_to_l(im: Image.Image) -> Image.Image:
    """32-bit integer or float greyscale to L, guessing the sample range from the data."""
    lo, hi = im.getextrema()
    if im.mode == "F" and 0 <= lo and hi <= 1:
        scale, offset = 255.0, 0.0  # normalised float
    elif 0 <= lo and hi <= 255:
        scale, offset = 1.0, 0.0  # already 8-bit values
    elif 0 <= lo and hi <= 65535:
        scale, offset = 1 / 256, 0.0  # 16-bit values in a 32-bit container
    else:  # anything else: stretch what is there
        scale = 255 / (hi - lo) if hi > lo else 0.0
        offset = -lo * scale
    return im.point(lambda v: v * scale + offset).convert("L")


def flatten(im: Image.Image) -> Image.Image:
    """Composite an RGBA image on white (JPEG has no alpha); other modes pass through."""
    if im.mode != "RGBA":
        return im
    background = Image.new("RGBA", im.size, WHITE + (255,))
    background.alpha_composite(im)
    return background.convert("RGB")


def to_srgb(im: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Return ``im`` as RGB in sRGB, applying ``icc_profile`` when there is a usable one.

    Pixels are converted with LittleCMS from the embedded profile to sRGB (perceptual
    intent), so a Display P3 or CMYK photo keeps its colours once the profile is
    stripped. A profile that is missing, unparsable, or does not match the pixel mode
    is dropped and the pixels are taken as sRGB, the web's default: either way the
    output never carries a profile and means sRGB.
    """
    if icc_profile and ImageCms is not None and im.mode in _ICC_SPACES:
        converted = _apply_profile(im, icc_profile)
        if converted is not None:
            return converted
    return im if im.mode == "RGB" else im.convert("RGB")


def _apply_profile(im: Image.Image, icc_profile: bytes) -> Image.Image | None:
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        space = source.profile.xcolor_space.strip()
        if space != _ICC_SPACES[im.mode]:
            log.info("ICC profile for %s does not fit %s pixels; dropped", space, im.mode)
            return None
        description = source.profile.profile_description or ""
        if im.mode == "RGB" and "srgb" in description.lower():
            # Already sRGB (most phone photos say so): converting would only cost time.
            return im
        converted = ImageCms.profileToProfile(
            im, source, ImageCms.createProfile("sRGB"), outputMode="RGB"
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
        log.info("unusable ICC profile dropped (%s)", type(exc).__name__)
        return None
    return converted
