"""The local store's one removal: refused before an object's retention ends, for a
permanent one, and under a legal hold (each with its code, removing nothing); allowed
after; and called by nothing in the product."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from evidence.errors import StillRetained, UnderLegalHold
from storage.local_blobs import LocalBlobStore
from tests.storage.test_local_blobs import put

NOW = datetime(2027, 3, 12, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).parent.parent.parent


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
        store.remove_expired(locator, removable_at=removable_at, holds=holds, now=NOW)
    assert refused.value.code == code
    assert b"".join(store.read(locator, 64)) == b"footage"


def test_the_refusal_says_until_when_and_which_holds(tmp_path):
    store = LocalBlobStore(tmp_path / "store")
    locator = put(store, tmp_path, b"footage")
    until = NOW + timedelta(days=30)
    with pytest.raises(StillRetained) as refused:
        store.remove_expired(locator, removable_at=until, holds=(), now=NOW)
    assert refused.value.details == {"until": until.isoformat()}
    with pytest.raises(UnderLegalHold) as refused_hold:
        store.remove_expired(locator, removable_at=NOW, holds=(4, 9), now=NOW)
    assert refused_hold.value.details == {"holds": [4, 9]}


def test_an_object_whose_retention_ended_may_be_removed(tmp_path):
    store = LocalBlobStore(tmp_path / "store")
    locator = put(store, tmp_path, b"footage")
    store.remove_expired(locator, removable_at=NOW, holds=(), now=NOW)
    assert store.size(locator) is None
    store.remove_expired(locator, removable_at=NOW, holds=(), now=NOW)  # gone already: done


def test_nothing_in_the_product_calls_the_removal():
    callers = [
        path.relative_to(ROOT)
        for folder in ("evidence", "storage", "ingest", "liuhen", "agent", "runtime")
        for path in (ROOT / folder).rglob("*.py")
        if re.search(r"\bremove_expired\(", path.read_text("utf-8"))
    ]
    assert callers == [Path("storage/local_blobs.py")]  # its definition alone
