"""Metadata: nothing but pixels leaves the terminal; colour profiles are applied, not kept."""

from __future__ import annotations

import logging

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from kiosk.photos import prepare_photo
from tests.kiosk.photos.samples import (
    decode,
    encode,
    exif_bytes,
    insert_segment,
    jpeg_segments,
    swapped_red_green_icc,
)

XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="47,22.5N"/></rdf:RDF></x:xmpmeta>'
)
IPTC = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x0c\x1c\x02\x78\x00\x07Hall 7!"
SRGB_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


@pytest.fixture(scope="module")
def tagged_jpeg() -> bytes:
    """A JPEG carrying every kind of metadata a phone or an editor writes."""
    im = Image.new("RGB", (48, 32), (90, 140, 200))
    data = encode(
        im,
        quality=90,
        exif=exif_bytes(1, gps=True, make="SecretCam"),
        xmp=XMP,
        icc_profile=SRGB_ICC,
        comment=b"secret comment",
    )
    return insert_segment(data, 0xED, IPTC)  # APP13, IPTC via Photoshop


def test_source_fixture_really_carries_metadata(tagged_jpeg):
    # Guards the tests below against passing because the input was clean.
    info = decode(tagged_jpeg).info
    assert {"exif", "xmp", "icc_profile", "comment", "photoshop"} <= info.keys()


def test_output_has_no_exif_and_no_gps(tagged_jpeg):
    out = decode(prepare_photo(tagged_jpeg).data)

    assert "exif" not in out.info
    assert len(out.getexif()) == 0
    assert not out.getexif().get_ifd(0x8825)


def test_output_has_no_xmp(tagged_jpeg):
    data = prepare_photo(tagged_jpeg).data

    assert "xmp" not in decode(data).info
    assert b"http://ns.adobe.com/xap/1.0/" not in data


def test_output_has_no_icc_profile(tagged_jpeg):
    data = prepare_photo(tagged_jpeg).data

    assert "icc_profile" not in decode(data).info
    assert b"ICC_PROFILE" not in data


def test_output_has_no_comment(tagged_jpeg):
    data = prepare_photo(tagged_jpeg).data

    assert "comment" not in decode(data).info
    assert b"secret comment" not in data


def test_output_has_no_segments_but_jfif_and_image_data(tagged_jpeg):
    segments = jpeg_segments(prepare_photo(tagged_jpeg).data)

    app_and_comment = [(m, p[:5]) for m, p in segments if 0xE0 <= m <= 0xEF or m == 0xFE]
    assert app_and_comment == [(0xE0, b"JFIF\x00")]


def test_output_is_baseline_jpeg_ending_at_eoi(tagged_jpeg):
    data = prepare_photo(tagged_jpeg).data
    markers = [m for m, _ in jpeg_segments(data)]

    assert 0xC0 in markers  # SOF0: baseline, not progressive (SOF2)
    assert data.endswith(b"\xff\xd9")


def test_png_text_exif_and_profile_are_not_carried():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret comment")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    source = encode(
        Image.new("RGB", (40, 30), "teal"),
        "PNG",
        pnginfo=info,
        exif=exif_bytes(1, gps=True, make="SecretCam"),
        icc_profile=SRGB_ICC,
    )
    data = prepare_photo(source).data

    segments = jpeg_segments(data)
    assert [m for m, _ in segments if 0xE1 <= m <= 0xEF or m == 0xFE] == []
    assert b"secret" not in data and b"SecretCam" not in data


def test_non_srgb_profile_is_converted_to_srgb():
    # (200, 30, 30) means green in the swapped profile: after conversion it must be green.
    source = encode(
        Image.new("RGB", (32, 32), (200, 30, 30)), "PNG", icc_profile=swapped_red_green_icc()
    )
    r, g, b = decode(prepare_photo(source).data).getpixel((16, 16))

    assert g > r + 100 and g > b + 100


def test_srgb_profile_leaves_colours_unchanged():
    source = encode(Image.new("RGB", (32, 32), (200, 30, 30)), "PNG", icc_profile=SRGB_ICC)
    r, g, b = decode(prepare_photo(source).data).getpixel((16, 16))

    assert abs(r - 200) <= 6 and g <= 40 and b <= 40


def test_unusable_profile_is_dropped_and_pixels_kept(caplog):
    source = encode(Image.new("RGB", (32, 32), (200, 30, 30)), "PNG", icc_profile=b"junk" * 40)
    with caplog.at_level(logging.INFO, logger="kiosk.photos"):
        data = prepare_photo(source).data

    r, g, b = decode(data).getpixel((16, 16))
    assert abs(r - 200) <= 6 and g <= 40 and b <= 40
    assert "icc_profile" not in decode(data).info
    assert "ICC profile dropped" in caplog.text


def test_logs_never_contain_image_content(tagged_jpeg, caplog):
    with caplog.at_level(logging.DEBUG, logger="kiosk.photos"):
        prepare_photo(tagged_jpeg)
        prepare_photo(encode(Image.new("RGB", (8, 8)), "PNG", icc_profile=b"SecretICC" * 20))

    assert caplog.records, "expected a debug summary line"
    assert "Secret" not in caplog.text and "secret" not in caplog.text
    assert "\\x" not in caplog.text and "b'" not in caplog.text


def test_repr_of_result_does_not_dump_the_bytes(tagged_jpeg):
    photo = prepare_photo(tagged_jpeg)

    assert "data" not in repr(photo)
    assert len(repr(photo)) < 200
