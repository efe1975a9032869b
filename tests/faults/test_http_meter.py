"""The proxy reads what it forwards as HTTP: requests and body bytes by method, answers by
status. The same stream gives the same tally however it is cut into pieces; and through a
real aiohttp server and client the tally matches what was sent."""

from __future__ import annotations

import itertools

import aiohttp
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st

from liuhen.faults.http_meter import HttpTally, RequestMeter, ResponseMeter
from liuhen.faults.proxy import FaultProxy

REQUESTS = (
    b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
    b"HEAD /files/1 HTTP/1.1\r\nHost: x\r\n\r\n"
    b"PATCH /files/1 HTTP/1.1\r\ncontent-length: 12\r\nUpload-Offset: 0\r\n\r\n0123456789ab"
    b"PATCH /files/1 HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz"
)
ANSWERS = (
    b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}"
    b"HTTP/1.1 200 OK\r\nContent-Length: 9999\r\nUpload-Offset: 0\r\n\r\n"  # a HEAD: no body
    b"HTTP/1.1 204 No Content\r\nUpload-Offset: 12\r\n\r\n"
    b"HTTP/1.1 100 Continue\r\n\r\n"
    b"HTTP/1.1 507 Insufficient Storage\r\nContent-Length: 4\r\n\r\nfull"
)


def pieces(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(data), *(cut % (len(data) + 1) for cut in cuts)})
    return [data[a:b] for a, b in itertools.pairwise(points)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0), max_size=30), st.lists(st.integers(min_value=0)))
def test_the_tally_does_not_depend_on_how_the_stream_is_cut(request_cuts, answer_cuts):
    tally = HttpTally()
    requests = RequestMeter(tally)
    answers = ResponseMeter(tally, requests)
    for piece in pieces(REQUESTS, request_cuts):
        requests.feed(piece)
    for piece in pieces(ANSWERS, answer_cuts):
        answers.feed(piece)
    assert tally.requests == {"POST": 1, "HEAD": 1, "PATCH": 2}
    assert tally.body_bytes == {"POST": 5, "PATCH": 15}
    assert tally.statuses == {201: 1, 200: 1, 204: 1, 100: 1, 507: 1}
    assert tally.answers == {
        ("POST", 201): 1,
        ("HEAD", 200): 1,
        ("PATCH", 204): 1,
        ("PATCH", 507): 1,
    }
    assert tally.unframed == 0


def test_a_chunked_request_is_counted_whole_and_an_unframed_answer_is_said_so():
    tally = HttpTally()
    requests = RequestMeter(tally)
    answers = ResponseMeter(tally, requests)
    requests.feed(b"PATCH /u HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
    answers.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
    assert tally.body_bytes == {"PATCH": len(b"5\r\nhello\r\n0\r\n\r\n")}
    assert tally.statuses == {200: 1} and tally.unframed == 1


async def test_through_a_real_server_the_tally_matches_what_was_sent():
    async def patch(request: web.Request) -> web.Response:
        body = await request.read()
        return web.Response(status=204, headers={"Upload-Offset": str(len(body))})

    async def full(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"error": {"code": "insufficient_storage"}}, status=507)

    app = web.Application()
    app.router.add_patch("/files/{id}", patch)
    app.router.add_head("/files/{id}", patch)
    app.router.add_post("/files/", full)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with (
            FaultProxy(f"http://127.0.0.1:{port}") as proxy,
            aiohttp.ClientSession() as session,
        ):
            for size in (1_000_000, 3):
                async with session.patch(f"{proxy.url}/files/1", data=b"p" * size) as reply:
                    assert reply.status == 204
            async with session.head(f"{proxy.url}/files/1") as reply:
                assert reply.status == 204
            async with session.post(f"{proxy.url}/files/", data=b"{}") as reply:
                assert reply.status == 507
    finally:
        await runner.cleanup()
    assert proxy.http.requests == {"PATCH": 2, "HEAD": 1, "POST": 1}
    assert proxy.http.body_bytes == {"PATCH": 1_000_003, "POST": 2}
    assert proxy.http.statuses == {204: 3, 507: 1}
    assert proxy.http.answers == {("PATCH", 204): 2, ("HEAD", 204): 1, ("POST", 507): 1}
    assert proxy.http.unframed == 0
