"""The console in a real browser: Debian's headless Chromium driven by Selenium. Few and
broad, to stay fast: a reviewer signs in, searches, is refused a page of the auditor's,
plays the review copy only after stating a purpose and seeks through a Range request; a
supervisor sees the known gap on the timeline, resolves a flag and reads the report; an
auditor reads the views just made in the access log."""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.footage import write_clip
from evidence.manifest import Capture, Officer, TimeSource
from ingest.console.timeline import LABEL_WIDTH, WIDTH
from tests.builders import CASE, media_lasting, signed_for
from tests.compliance.helpers import add_act, add_case, at, recording
from tests.console import browser
from tests.console.browser import call, until
from tests.ingest.helpers import SMALL_CHUNK, Prepared, created, upload_all

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(browser.why_not() is not None, reason=str(browser.why_not())),
]

SECONDS = 8  # the clip; the act lasts a minute, so 52 s of it are a gap
PURPOSE = "复核执法过程：投诉核查"


async def real_recording(server, folder: Path) -> Prepared:
    path = folder / "clip.mp4"
    write_clip(path, seconds=SECONDS, started_at=at(0), width=320, height=180, faststart=True)
    data = path.read_bytes()
    device = await server.add_device()
    token = await server.token_for(device)
    capture = Capture(
        started_at=at(0),
        ended_at=at(SECONDS / 60),
        time_source=TimeSource.SIDECAR,
        place="石家庄市长安区中山东路12号",
        captured_by=Officer("130102001", "张伟"),
        proves="强制拆除现场全过程",
    )
    signed = signed_for(
        data,
        device.device_id,
        device.key,
        chunk_size=SMALL_CHUNK,
        capture=capture,
        media=media_lasting(SECONDS),
    )
    assert (await server.register(signed, token)).status == 201
    ready = Prepared(device, token, data, signed)
    await upload_all(server, ready, await created(server, ready))
    return ready


@pytest.fixture
async def chromium(tmp_path):
    driver = await call(browser.start, tmp_path / "profile")
    yield driver
    await call(driver.quit)


async def sign_in(driver, server, name: str) -> None:
    await call(driver.get, server.url + "/console/sign-in")
    await fill(driver, "name", name)
    await fill(driver, "password", "correct horse battery")
    await click(driver, "sign-in")
    await until(driver, "document.getElementById('who') !== null")


async def element(driver, element_id: str):
    from selenium.webdriver.common.by import By

    return await call(driver.find_element, By.ID, element_id)


async def click(driver, element_id: str) -> None:
    await call((await element(driver, element_id)).click)


async def fill(driver, element_id: str, value: str) -> None:
    await call((await element(driver, element_id)).send_keys, value)


async def shot(driver, folder: Path, name: str) -> None:
    target = browser.screenshots() or folder
    target.mkdir(parents=True, exist_ok=True)
    await call(driver.save_screenshot, str(target / f"{name}.png"))


async def text(driver) -> str:
    return await call(driver.execute_script, "return document.body.innerText")


async def test_a_reviewer_watches_only_after_a_purpose_and_an_auditor_sees_it(
    server, chromium, tmp_path
):
    ready = await real_recording(server, tmp_path)
    evidence_id = str(ready.signed.manifest.evidence_id)
    await server.add_person("li", "reviewer")
    await server.add_person("sun", "auditor")
    await sign_in(chromium, server, "li")
    await shot(chromium, tmp_path, "cases")

    await fill(chromium, "officer", "130102")
    await click(chromium, "search")
    await until(chromium, "document.getElementById('recordings') !== null")
    found = "document.querySelector('a.recording-link').getAttribute('href')"
    assert await call(chromium.execute_script, f"return {found}") == (
        f"/console/recordings/{evidence_id}"
    )
    await shot(chromium, tmp_path, "search")

    await call(chromium.get, f"{server.url}/console/audit")  # the auditor's page
    assert "forbidden" in await text(chromium)

    await call(chromium.get, f"{server.url}/console/recordings/{evidence_id}")
    assert await call(chromium.execute_script, "return document.querySelector('video')") is None
    logged = await server.ctx.index.log.size()
    await click(chromium, "watch-original")  # no purpose: the browser will not send it
    assert await call(chromium.execute_script, "return document.querySelector('video')") is None
    assert await server.ctx.index.log.size() == logged  # no access, no grant
    await shot(chromium, tmp_path, "recording")
    await fill(chromium, "purpose-original", PURPOSE)
    await click(chromium, "watch-original")
    await until(chromium, "document.getElementById('player') !== null")
    await call(
        chromium.execute_script,
        "const v = document.getElementById('player'); v.muted = true; v.play();",
    )
    await until(chromium, "document.getElementById('player').currentTime > 1")
    await shot(chromium, tmp_path, "watch")

    await call(
        chromium.execute_script, f"document.getElementById('player').currentTime = {SECONDS - 2}"
    )
    await until(chromium, f"document.getElementById('player').currentTime >= {SECONDS - 2}")
    exchanges = browser.media_exchanges(chromium, "/api/v1/grants/")
    assert exchanges, "the player asked for nothing"
    assert all(sent is not None and sent.startswith("bytes=") for sent, _ in exchanges), exchanges
    assert 206 in {status for _, status in exchanges}, exchanges

    await click(chromium, "sign-out")
    await sign_in(chromium, server, "sun")
    await call(chromium.get, f"{server.url}/console/audit?case_number={CASE}")
    seen = await text(chromium)
    assert PURPOSE in seen and "li (reviewer)" in seen
    await shot(chromium, tmp_path, "audit")


async def test_a_supervisor_sees_the_gap_resolves_a_flag_and_reads_the_report(
    server, chromium, tmp_path
):
    clerk = await server.add_user("wang", "custodian")
    await add_case(server, clerk)
    act = await add_act(server, clerk, "forced_demolition", 0, 1)  # a minute
    await real_recording(server, tmp_path)  # its first 8 s; late, so flagged
    await add_act(server, clerk, "seizure", 2, 3)  # and a covered act, for the report
    await recording(server, 2, 3)
    await server.add_person("zhao", "supervisor")
    await sign_in(chromium, server, "zhao")

    await call(chromium.get, f"{server.url}/console/cases/{CASE}")
    gap = await until(
        chromium,
        f"(() => {{ const g = document.querySelector('#timeline-{act} .gap'); "
        "return g && [g.x.baseVal.value, g.width.baseVal.value]; })()",
    )
    room = WIDTH - LABEL_WIDTH
    assert gap[0] == pytest.approx(LABEL_WIDTH + room * SECONDS / 60, abs=1)
    assert gap[1] == pytest.approx(room * (60 - SECONDS) / 60, abs=1)
    assert "缺口 52 s" in await text(chromium)
    await shot(chromium, tmp_path, "case")

    await call(chromium.get, f"{server.url}/console/flags")
    from selenium.webdriver.common.by import By

    reason = (await call(chromium.find_elements, By.NAME, "reason"))[0]
    await call(reason.send_keys, "站点断网，已补传")
    await call(reason.submit)
    await until(chromium, "location.search === '?open=false'")
    assert "站点断网，已补传" in await text(chromium) and "zhao" in await text(chromium)
    await call(chromium.get, f"{server.url}/console/flags")
    assert len(await call(chromium.find_elements, By.NAME, "reason")) == 1  # one left open
    await shot(chromium, tmp_path, "flags")

    await call(chromium.get, f"{server.url}/console/report?lang=en")
    await until(chromium, "document.querySelectorAll('svg.chart').length === 4")
    assert "Weak links" in await text(chromium)
    await shot(chromium, tmp_path, "report")
