"""Which answers the terminal takes as final: only our server's, with a protocol code.

The rules of docs/sync-protocol.md ("Trust"), on plain values: ``kiosk.sync.client.error_for``
for an answer that is not a 2xx, ``kiosk.sync.verdicts.judge`` for the results of a push.
"""

from __future__ import annotations

import email.utils
import json

import pytest

from kiosk.sync.client import error_for
from kiosk.sync.errors import (
    ForeignAnswer,
    IncompatibleServer,
    NotEnrolled,
    RequestRefused,
    ServerUnavailable,
    TerminalRevoked,
)
from kiosk.sync.protocol import MAX_RETRY_AFTER_S, retry_after_s
from kiosk.sync.verdicts import judge

OURS = {"X-Kiosk-Protocol": "1", "Content-Type": "application/json"}
HTML = {"Content-Type": "text/html", "Server": "nginx"}
PAGE = b"<html><body><h1>403 Forbidden</h1></body></html>"


def ours(code: str, **extra: object) -> bytes:
    return json.dumps({"error": {"code": code, "message": "words for people", **extra}}).encode()


# Answers that are not a 2xx ----------------------------------------------------------


@pytest.mark.parametrize("status", [403, 404, 408, 413, 429, 502])
def test_an_html_page_is_foreign_whatever_its_status(status):
    assert isinstance(error_for(status, HTML, PAGE), ForeignAnswer)


def test_our_error_body_without_the_protocol_header_is_foreign():
    headers = {"Content-Type": "application/json"}  # a proxy replaying a cached answer
    assert isinstance(error_for(422, headers, ours("invalid_request")), ForeignAnswer)


def test_a_code_outside_the_protocol_is_not_final_even_with_the_header():
    assert isinstance(error_for(400, OURS, ours("http_error")), ForeignAnswer)


def test_a_revocation_from_a_firewall_does_not_stop_the_terminal():
    assert isinstance(error_for(403, HTML, ours("terminal_revoked")), ForeignAnswer)


def test_a_revocation_from_our_server_does():
    assert isinstance(error_for(403, OURS, ours("terminal_revoked")), TerminalRevoked)


@pytest.mark.parametrize("code", ["invalid_token", "auth_required", "token_expired"])
def test_our_servers_token_refusals_mean_enroll_again(code):
    assert isinstance(error_for(401, OURS, ours(code)), NotEnrolled)


def test_our_servers_protocol_version_refusal_is_incompatible():
    assert isinstance(error_for(400, OURS, ours("protocol_version", supported=[2])),
                      IncompatibleServer)


@pytest.mark.parametrize(("status", "code"), [(413, "payload_too_large"),
                                              (422, "invalid_request"),
                                              (422, "invalid_image"), (400, "invalid_cursor")])
def test_our_servers_refusals_with_a_protocol_code_are_final(status, code):
    refused = error_for(status, OURS, ours(code))
    assert isinstance(refused, RequestRefused)
    assert (refused.status, refused.code) == (status, code)


def test_damaged_json_reaching_our_server_means_try_later():
    later = error_for(400, OURS, ours("malformed_json"))
    assert type(later) is ServerUnavailable and later.code == "malformed_json"


def test_our_upload_quota_means_try_later_after_its_retry_after():
    later = error_for(429, {**OURS, "Retry-After": "30"}, ours("upload_quota_exceeded"))
    assert type(later) is ServerUnavailable
    assert (later.code, later.retry_after_s) == ("upload_quota_exceeded", 30.0)


def test_a_foreign_429_keeps_its_retry_after():
    assert error_for(429, {**HTML, "retry-after": "12"}, PAGE).retry_after_s == 12.0


# Retry-After ----------------------------------------------------------------------------


def test_retry_after_in_seconds():
    assert retry_after_s("5") == 5.0


def test_retry_after_as_an_http_date_counts_from_now():
    now = 1_800_000_000.0
    assert retry_after_s(email.utils.formatdate(now + 40, usegmt=True), now=now) == 40.0


def test_retry_after_in_the_past_means_now():
    assert retry_after_s(email.utils.formatdate(1_000_000_000, usegmt=True)) == 0.0


@pytest.mark.parametrize("value", ["soon", "", "nan", None])
def test_retry_after_that_is_not_a_delay_is_ignored(value):
    assert retry_after_s(value) is None


def test_retry_after_is_capped():
    assert retry_after_s("864000") == MAX_RETRY_AFTER_S


# Push results ----------------------------------------------------------------------------

A, B, C = ("6f1c1c1e-0000-4000-8000-00000000000a", "6f1c1c1e-0000-4000-8000-00000000000b",
           "6f1c1c1e-0000-4000-8000-00000000000c")
REFUSAL = {"code": "not_in_contact_list", "message": "not a contact"}


def test_accepted_and_duplicates_of_accepted_items_are_sent():
    verdicts = judge([A, B], [{"id": A, "status": "accepted"},
                              {"id": B, "status": "duplicate", "original_status": "accepted"}])
    assert (verdicts.sent, verdicts.kept, verdicts.rejected) == ([A, B], [], [])


def test_a_rejection_with_a_protocol_code_is_final():
    verdicts = judge([A], [{"id": A, "status": "rejected", "error": REFUSAL}])
    assert verdicts.rejected == [(A, REFUSAL)]


def test_a_duplicate_of_a_rejected_item_is_rejected_with_its_error():
    verdicts = judge([A], [{"id": A, "status": "duplicate", "original_status": "rejected",
                            "error": REFUSAL}])
    assert verdicts.rejected == [(A, REFUSAL)]


def test_a_rejection_with_an_unknown_code_keeps_the_item():
    verdicts = judge([A], [{"id": A, "status": "rejected", "error": {"code": "moon_phase"}}])
    assert (verdicts.kept, verdicts.rejected) == ([A], [])
    assert list(verdicts.puzzles) == ["rejection code 'moon_phase'"]


def test_a_duplicate_without_a_known_original_status_keeps_the_item():
    assert judge([A], [{"id": A, "status": "duplicate"}]).kept == [A]


def test_an_unknown_status_keeps_the_items_and_is_one_puzzle():
    verdicts = judge([A, B], [{"id": A, "status": "parked"}, {"id": B, "status": "parked"}])
    assert verdicts.kept == [A, B]
    assert verdicts.puzzles == {"status 'parked'": 2}


def test_an_item_missing_from_the_answer_stays_queued():
    verdicts = judge([A, B], [{"id": A, "status": "accepted"}])
    assert (verdicts.sent, verdicts.kept) == ([A], [B])


def test_deferred_items_stay_queued_and_say_how_long_to_wait():
    deferred = {"code": "rate_limited", "message": "slow down", "retry_after_s": 7}
    verdicts = judge([A, B, C], [{"id": A, "status": "accepted"},
                                 {"id": B, "status": "deferred", "error": deferred},
                                 {"id": C, "status": "deferred", "error": deferred}])
    assert (verdicts.sent, verdicts.kept, verdicts.retry_after_s) == ([A], [B, C], 7.0)
    assert not verdicts.puzzles


def test_a_deferral_longer_than_ten_minutes_is_capped():
    deferred = {"code": "rate_limited", "retry_after_s": 86400}
    assert judge([A], [{"id": A, "status": "deferred", "error": deferred}]).retry_after_s == 600


def test_a_rejection_that_means_not_now_is_a_deferral():
    error = {"code": "rate_limited", "retry_after_s": 3}
    verdicts = judge([A], [{"id": A, "status": "rejected", "error": error}])
    assert (verdicts.kept, verdicts.rejected, verdicts.retry_after_s) == ([A], [], 3.0)
