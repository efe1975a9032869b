"""Debian's headless Chromium, driven through Debian's chromedriver by Selenium (no browser
is downloaded at test time: both paths are given). WebDriver calls block, and the server
runs on the test's event loop, so every call goes through a worker thread (``call``).

Screenshots go to a temporary folder, or to ``LIUHEN_CONSOLE_SCREENSHOTS`` (the README's
pictures: ``LIUHEN_CONSOLE_SCREENSHOTS=docs/console pytest tests/console -k browser``)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def why_not() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        return (
            "Debian's chromium and chromium-driver are not installed (./scripts/test installs them)"
        )
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


def start(folder: Path) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",  # root in CI containers
        "--disable-dev-shm-usage",
        "--window-size=1200,900",
        "--autoplay-policy=no-user-gesture-required",
        f"--user-data-dir={folder}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


async def call(function: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.to_thread(function, *args)


async def until(driver: Any, script: str, seconds: float = 15) -> Any:
    """Poll ``script`` (a JavaScript expression) until it is truthy; fail after ``seconds``."""
    for _ in range(int(seconds * 10)):
        value = await call(driver.execute_script, f"return {script};")
        if value:
            return value
        await asyncio.sleep(0.1)
    pytest.fail(f"never true in the browser: {script}")


def media_exchanges(driver: Any, url_part: str) -> list[tuple[str | None, int | None]]:
    """(Range header sent, status answered) of each request the page made to ``url_part``,
    read from Chromium's DevTools log."""
    sent: dict[str, str | None] = {}
    answered: dict[str, int] = {}
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSentExtraInfo":
            headers = {k.lower(): v for k, v in params.get("headers", {}).items()}
            if url_part in headers.get(":path", "") or params["requestId"] in sent:
                sent[params["requestId"]] = headers.get("range")
        elif message["method"] == "Network.requestWillBeSent":
            if url_part in params["request"]["url"]:
                headers = {k.lower(): v for k, v in params["request"]["headers"].items()}
                sent.setdefault(params["requestId"], headers.get("range"))
        elif (
            message["method"] == "Network.responseReceived"
            and url_part in params["response"]["url"]
        ):
            answered[params["requestId"]] = params["response"]["status"]
    return [(sent.get(key), answered.get(key)) for key in sorted(set(sent) | set(answered))]


def screenshots() -> Path | None:
    folder = os.environ.get("LIUHEN_CONSOLE_SCREENSHOTS")
    return None if not folder else Path(folder)
