"""What a device writes into its footage's ``creation_time`` tag is a claim: one out of
range (year 1 east of UTC, 9999 west of it, year 500) claims nothing, and neither the
finalize that indexes it nor any later read of the index fails. Real server on loopback."""

import dataclasses
from datetime import UTC, datetime

import pytest

from evidence.footage_span import claimed_start
from evidence.wire import RECORDINGS
from storage.sqlite.rows import moment, when
from tests.builders import media_lasting
from tests.ingest.test_finalize import finalize_path
from tests.ingest.test_late_uploads import store

TAGS = ["0001-01-01T00:30:00+01:00", "9999-12-31T23:00:00-05:00", "0500-01-01T00:00:00Z"]


@pytest.mark.parametrize("tag", TAGS)
def test_a_tag_outside_1900_to_9000_claims_no_start(tag):
    assert claimed_start(tag) is None


def test_the_index_writes_every_year_with_four_digits_and_reads_it_back():
    early = datetime(500, 1, 1, 12, tzinfo=UTC)
    assert when(early) == "0500-01-01T12:00:00.000000Z"
    assert moment(when(early)) == early


@pytest.mark.parametrize("tag", TAGS)
async def test_a_wild_creation_time_tag_is_stored_and_leaves_the_index_readable(server, tag):
    media = dataclasses.replace(media_lasting(647), creation_time=tag)
    ready = await store(server, media=media)  # every PATCH, the last one finalizing, is a 204
    receipt = await server.send("POST", finalize_path(ready.signed), token=ready.token)
    assert receipt.status == 200, receipt.body
    clerk = await server.add_user()
    listed = await server.send("GET", RECORDINGS, token=clerk)
    assert listed.status == 200, listed.body
    [recording] = listed.json()["recordings"]
    assert recording["claimed_started_at"] is None
    assert recording["evidence_id"] == str(ready.signed.manifest.evidence_id)
