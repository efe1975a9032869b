"""The XML sidecar shape, modelled on what 采集站 (docking-station) vendors export in the
manner of GA/T 947: one ``<FileInfo>`` per recording with the device serial (产品序号), the
officer's card number (警号), the case code, the collect time with its UTC offset, the
important mark (重要标记), an integrity check value (完整性校验值, MD5 or SHA-256) and the
device's clock. The element names are ours (docs/sidecar.md); no vendor's file was copied.

Parsed with the standard library's expat, safely: at most 64 KiB is read, and any
DOCTYPE or entity declaration is refused outright, so entity expansion ("billion laughs")
and external entities cannot happen; a sidecar has no use for a DTD. That is all
defusedxml would add here, so it is not a dependency. Vendors write GBK or GB2312 as often
as UTF-8: the declared encoding is decoded with Python's codecs, since expat reads
no multi-byte encoding but UTF-8 and UTF-16.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from devices.sidecar import (
    BadSidecar,
    Sidecar,
    check_value,
    read_bounded,
    text_value,
    time_value,
)
from evidence.strict_json import format_time

__all__ = ["ROOT", "read_xml_sidecar", "write_xml_sidecar"]

ROOT = "FileInfo"
TEXTS = {
    "DeviceSerial": "device_serial",
    "DeviceModel": "device_model",
    "PoliceId": "officer_id",
    "PoliceName": "officer_name",
    "CaseCode": "case_number",
    "Place": "place",
    "Purpose": "proves",
}
TIMES = {
    "CollectTime": "started_at",
    "EndTime": "ended_at",
    "DeviceTime": "camera_clock",
    "StationTime": "station_clock",
}
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")
_GB = {"gb2312", "gbk", "gb18030", "cp936"}


@dataclass
class _Collected:
    """The root's direct children: text and attributes. Deeper elements are skipped."""

    texts: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    path: list[str] = field(default_factory=list)


def _refuse(what: str) -> Any:
    def handler(*_args: Any) -> None:
        raise BadSidecar(f"an XML sidecar may not carry {what}")

    return handler


def _decode(body: bytes) -> str:
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        declared = _DECLARED.match(body.removeprefix(codecs.BOM_UTF8))
        encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    codec = "gb18030" if encoding in _GB else encoding
    try:
        return body.decode("utf-8-sig" if codec in ("utf-8", "utf8") else codec)
    except LookupError:
        raise BadSidecar(f"unknown encoding {encoding!r}", field="encoding") from None
    except UnicodeDecodeError as exc:
        raise BadSidecar(f"not {encoding} at byte {exc.start}", field="encoding") from None


def _collect(text: str) -> _Collected:
    found = _Collected()
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse("a DOCTYPE")
    parser.EntityDeclHandler = _refuse("entity declarations")

    def start(name: str, attributes: dict[str, str]) -> None:
        found.path.append(name)
        if len(found.path) == 1 and name != ROOT:
            raise BadSidecar(f"the root element must be {ROOT}, not {name}", field=name)
        if len(found.path) == 2:
            if name in found.texts:
                raise BadSidecar(f"element {name} appears twice", field=name)
            found.texts[name], found.attributes[name] = "", attributes

    def data(chunk: str) -> None:
        if len(found.path) == 2:
            found.texts[found.path[1]] += chunk

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda _name: found.path.pop()
    parser.CharacterDataHandler = data
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        raise BadSidecar(f"not well-formed XML: {exc}") from None
    return found


def _important(text: str | None) -> bool:
    if text is None:
        return False
    if text.strip() not in ("0", "1"):
        raise BadSidecar("element ImportantFlag must be 0 or 1", field="ImportantFlag")
    return text.strip() == "1"


def _sidecar(found: _Collected) -> Sidecar:
    texts = found.texts
    values: dict[str, Any] = {
        name: text_value(element, texts.get(element)) for element, name in TEXTS.items()
    }
    values.update(
        {name: time_value(element, texts.get(element)) for element, name in TIMES.items()}
    )
    digest = None
    if "CheckValue" in texts:
        attributes = found.attributes["CheckValue"]
        digest = check_value(attributes.get("Type"), texts["CheckValue"], "CheckValue")
    return Sidecar(**values, important=_important(texts.get("ImportantFlag")), check_value=digest)


def read_xml_sidecar(path: Path) -> Sidecar:
    """Read the XML shape. Every error names the file, and the element when there is one."""
    try:
        return _sidecar(_collect(_decode(read_bounded(path))))
    except BadSidecar as exc:
        if exc.details.get("file") == path.name:
            raise
        raise BadSidecar(
            f"sidecar {path.name}: {exc.message}", file=path.name, **exc.details
        ) from None


def write_xml_sidecar(path: Path, sidecar: Sidecar, *, encoding: str = "UTF-8") -> None:
    """Write the shape as a dock would (the simulator's, and the test samples' maker)."""
    lines = [f'<?xml version="1.0" encoding="{encoding}"?>', f"<{ROOT}>"]
    for element, name in (*TEXTS.items(), *TIMES.items()):
        value = getattr(sidecar, name)
        if value is not None:
            text = value if isinstance(value, str) else format_time(value)
            lines.append(f"  <{element}>{escape(text)}</{element}>")
    lines.append(f"  <ImportantFlag>{int(sidecar.important)}</ImportantFlag>")
    if sidecar.check_value is not None:
        kind = quoteattr(sidecar.check_value.algorithm.upper())
        lines.append(f"  <CheckValue Type={kind}>{sidecar.check_value.value}</CheckValue>")
    lines.append(f"</{ROOT}>\n")
    path.write_bytes("\n".join(lines).encode("gb18030" if encoding.lower() in _GB else encoding))
