"""The enrollment file: the token is private to the terminal's user."""

import stat

import pytest

from kiosk.sync.credentials import Enrollment, load_enrollment, save_enrollment

ENROLLMENT = Enrollment("http://127.0.0.1:8080", "secret-token", 3, {"id": 1, "name": "Nord"})


def test_the_enrollment_file_is_readable_by_its_owner_only(tmp_path):
    path = save_enrollment(tmp_path, ENROLLMENT)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_saved_enrollment_loads_back(tmp_path):
    save_enrollment(tmp_path, ENROLLMENT)
    assert load_enrollment(tmp_path) == ENROLLMENT


def test_no_file_means_not_enrolled(tmp_path):
    assert load_enrollment(tmp_path) is None


def test_a_damaged_file_says_to_enroll_again(tmp_path):
    (tmp_path / "enrollment.json").write_text("{not json")
    with pytest.raises(ValueError, match="enroll the terminal again"):
        load_enrollment(tmp_path)
