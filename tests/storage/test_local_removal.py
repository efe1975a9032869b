"""The local store's one removal: refused before an object's retention ends, for a
permanent one, and under a legal hold (each with its code, removing nothing); allowed
after; and called by nothing in the product."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from evidence.errors import StillRetained, StorageFailure, UnderLegalHold
from evidence.identifiers import EvidenceId
from storage.hold_records import ObjectKeeping, Referring
from storage.local_blobs import LocalBlobStore
from tests.storage.test_local_blobs import put

NOW = datetime(2027, 3, 12, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).parent.parent.parent


def one(locator: str, removable_at: datetime | None, holds: tuple[int, ...]) -> ObjectKeeping:
    """The object as one recording that refers to it judged it."""
    until = removable_at or NOW + timedelta(days=100 * 366)
    return ObjectKeeping(locator, (Referring(EvidenceId.new(), removable_at, until, holds),))


@pytest.mark.parametrize(
    ("removable_at", "holds", "error", "code"),
    [
        (NOW + timedelta(seconds=1), (), StillRetained, "still_retained"),
        (None, (), StillRetained, "still_retained"),  # permanent
        (NOW - timedelta(days=1), (3,), UnderLegalHold, "under_legal_hold"),
        (None, (1, 2), UnderLegalHold, "under_legal_hold"),
    ],
)
def test_removal_is_refused_before_its_date_or_under_a_hold(
    tmp_path, removable_at, holds, error, code
):
    store = LocalBlobStore(tmp_path / "store")
    locator = put(store, tmp_path, b"footage")
    with pytest.raises(error) as refused:
        store.remove_expired(locator, keeping=one(locator, removable_at, holds), now=NOW)
    assert refused.value.code == code
    assert b"".join(store.read(locator, 64)) == b"footage"


def test_the_refusal_says_until_when_and_which_holds(tmp_path):
    store = LocalBlobStore(tmp_path / "store")
    locator = put(store, tmp_path, b"footage")
    until = NOW + timedelta(days=30)
    with pytest.raises(StillRetained) as refused:
        store.remove_expired(locator, keeping=one(locator, until, ()), now=NOW)
    assert refused.value.details == {"until": until.isoformat()}
    with pytest.raises(UnderLegalHold) as refused_hold:
        store.remove_expired(locator, keeping=one(locator, NOW, (4, 9)), now=NOW)
    assert refused_hold.value.details == {"holds": [4, 9]}


def test_an_object_whose_retention_ended_may_be_removed(tmp_path):
    store = LocalBlobStore(tmp_path / "store")
    locator = put(store, tmp_path, b"footage")
    store.remove_expired(locator, keeping=one(locator, NOW, ()), now=NOW)
    assert store.size(locator) is None
    store.remove_expired(locator, keeping=one(locator, NOW, ()), now=NOW)  # gone already: done


@pytest.mark.parametrize(
    ("second", "error", "code"),
    [
        ((NOW - timedelta(days=1), (7,)), UnderLegalHold, "under_legal_hold"),
        ((NOW + timedelta(days=1), ()), StillRetained, "still_retained"),
        ((None, ()), StillRetained, "still_retained"),  # the other is permanent
    ],
)
def test_a_shared_object_is_refused_while_any_recording_referring_to_it_keeps_it(
    tmp_path, second, error, code
):
    store = LocalBlobStore(tmp_path / "store")
    locator = put(store, tmp_path, b"footage")
    removable_at, holds = second
    until = removable_at or NOW + timedelta(days=100 * 366)
    done = Referring(EvidenceId.new(), NOW - timedelta(days=30), NOW - timedelta(days=30), ())
    other = Referring(EvidenceId.new(), removable_at, until, holds)
    with pytest.raises(error) as refused:
        store.remove_expired(locator, keeping=ObjectKeeping(locator, (done, other)), now=NOW)
    assert refused.value.code == code
    assert b"".join(store.read(locator, 64)) == b"footage"


def test_a_removal_needs_the_object_s_own_retention_from_the_index(tmp_path):
    store = LocalBlobStore(tmp_path / "store")
    locator = put(store, tmp_path, b"footage")
    with pytest.raises(StillRetained, match="no recording in the index refers to it"):
        store.remove_expired(locator, keeping=ObjectKeeping(locator, ()), now=NOW)
    other = f"sha256/00/00/{'0' * 64}"  # another object's
    with pytest.raises(StorageFailure, match="not"):
        store.remove_expired(locator, keeping=one(other, NOW, ()), now=NOW)
    assert store.size(locator) == len(b"footage")


def test_nothing_in_the_product_calls_the_removal():
    callers = [
        path.relative_to(ROOT)
        for folder in ("evidence", "storage", "ingest", "liuhen", "agent", "runtime")
        for path in (ROOT / folder).rglob("*.py")
        if re.search(r"\bremove_expired\(", path.read_text("utf-8"))
    ]
    assert callers == [Path("storage/local_blobs.py")]  # its definition alone
