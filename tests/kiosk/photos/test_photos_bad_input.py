"""Bad input: every broken, hostile or unexpected photo is a PhotoError with a stable reason."""

from __future__ import annotations

import pickle
import zlib

import pytest
from PIL import Image

from kiosk.photos import PhotoError, PhotoErrorReason, prepare_photo
from tests.kiosk.photos.samples import encode, png_chunk, raw_png, with_jpeg_size


@pytest.fixture(scope="module")
def jpeg() -> bytes:
    return encode(Image.effect_noise((256, 192), 40).convert("RGB"), quality=90)


def reason_for(source, **kwargs) -> PhotoErrorReason:
    with pytest.raises(PhotoError) as caught:
        prepare_photo(source, **kwargs)
    return caught.value.reason


def test_reason_codes_are_stable():
    # The UI and the server key on these strings: changing one is a breaking change.
    assert [r.value for r in PhotoErrorReason] == [
        "empty",
        "too_large",
        "unreadable",
        "not_an_image",
        "too_many_pixels",
        "truncated",
        "corrupt",
        "unsupported",
    ]


def test_zero_bytes_are_empty():
    assert reason_for(b"") == "empty"


def test_zero_byte_file_is_empty(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"")

    assert reason_for(path) == "empty"


def test_missing_file_is_unreadable(tmp_path):
    assert reason_for(tmp_path / "nope.jpg") == "unreadable"


def test_directory_is_unreadable(tmp_path):
    assert reason_for(tmp_path) == "unreadable"


def test_text_is_not_an_image():
    assert reason_for(b"Hello, this is not a photo at all.\n" * 10) == "not_an_image"


def test_format_outside_the_accepted_list_is_not_an_image():
    ico = encode(Image.new("RGB", (32, 32), "red"), "ICO")  # Pillow reads it; we do not

    assert reason_for(ico) == "not_an_image"


def test_bytes_over_the_limit_are_too_large(jpeg):
    assert reason_for(jpeg, max_bytes=len(jpeg) - 1) == "too_large"


def test_file_over_the_limit_is_too_large(tmp_path, jpeg):
    path = tmp_path / "photo.jpg"
    path.write_bytes(jpeg)

    assert reason_for(path, max_bytes=1000) == "too_large"


def test_truncated_jpeg_is_truncated(jpeg):
    assert reason_for(jpeg[: len(jpeg) // 2]) == "truncated"


def test_jpeg_cut_inside_its_header_is_truncated(jpeg):
    assert reason_for(jpeg[:40]) == "truncated"


def test_truncated_png_is_truncated():
    png = encode(Image.effect_noise((128, 128), 40), "PNG")

    assert reason_for(png[: len(png) // 2]) == "truncated"


def test_jpeg_with_garbage_after_soi_is_corrupt():
    assert reason_for(b"\xff\xd8\xff" + bytes(range(256)) * 4) == "corrupt"


def test_png_with_damaged_pixel_data_is_corrupt():
    # Valid chunks and checksums, but the IDAT is not a zlib stream.
    assert reason_for(raw_png(16, 16, 8, 2, b"", idat=b"not zlib" * 8)) == "corrupt"


def test_png_with_bad_header_checksum_is_corrupt():
    png = bytearray(raw_png(16, 16, 8, 2, b"\x00\x00\x00"))
    png[29] ^= 0xFF  # inside the IHDR CRC

    assert reason_for(bytes(png)) == "corrupt"


def test_png_claiming_too_many_pixels_is_refused_before_decoding():
    # 8000x8000 = 64 MP: over our 50 MP, under Pillow's own warning threshold.
    bomb = raw_png(8000, 8000, 8, 2, b"", idat=zlib.compress(b""))

    assert reason_for(bomb) == "too_many_pixels"


def test_jpeg_claiming_too_many_pixels_is_a_bomb(jpeg):
    # 60000x60000: Pillow raises DecompressionBombError itself while opening.
    assert reason_for(with_jpeg_size(jpeg, 60000, 60000)) == "too_many_pixels"


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_size_in_pillow_warning_range_is_too_many_pixels():
    # 10000x10000 = 100 MP: Pillow only warns (up to 2x its 89 MP limit); we refuse.
    bomb = raw_png(10000, 10000, 8, 0, b"", idat=zlib.compress(b""))

    assert reason_for(bomb) == "too_many_pixels"


def test_pixel_limit_is_configurable(jpeg):
    assert reason_for(jpeg, max_pixels=256 * 192 - 1) == "too_many_pixels"


def test_png_with_huge_compressed_text_is_refused():
    # A zTXt chunk that inflates past Pillow's text limit: a metadata bomb.
    text = b"Comment\x00\x00" + zlib.compress(b"A" * 20_000_000)
    png = raw_png(4, 4, 8, 2, b"\x00\x00\x00")
    bomb = png[:33] + png_chunk(b"zTXt", text) + png[33:]

    with pytest.raises(PhotoError):
        prepare_photo(bomb)


def test_error_message_never_contains_the_input():
    with pytest.raises(PhotoError) as caught:
        prepare_photo(b"SECRET-PAYLOAD " * 20)

    assert "SECRET" not in str(caught.value)


def test_photo_error_survives_pickling():
    error = PhotoError(PhotoErrorReason.CORRUPT, "damaged")

    copy = pickle.loads(pickle.dumps(error))

    assert (copy.reason, copy.message, str(copy)) == (error.reason, error.message, str(error))


def test_photo_error_is_a_value_error():
    assert issubclass(PhotoError, ValueError)


@pytest.mark.parametrize("kwargs", [{"long_edge": 0}, {"quality": 0}, {"quality": 96}])
def test_bad_arguments_are_a_value_error(jpeg, kwargs):
    with pytest.raises(ValueError) as caught:
        prepare_photo(jpeg, **kwargs)

    assert not isinstance(caught.value, PhotoError)


def test_unsupported_source_type_is_a_type_error():
    with pytest.raises(TypeError):
        prepare_photo(12345)  # type: ignore[arg-type]
