"""Canonical JSON for documents we sign, and a strict reader for documents we check.

Writing: UTF-8, keys sorted, no insignificant whitespace, no NaN. The bytes written are the
bytes signed and kept; readers never re-serialise them.

Reading: duplicate keys, NaN/Infinity, non-UTF-8 and a non-object top level are refused,
and ``Fields`` checks each field's type and refuses unknown fields, naming the field. Its
integers and times are checked against their ranges (``evidence.ranges``): an integer
fits a signed 64-bit column unless a narrower range is given. Ranges are an admission
rule: a reader of a document accepted before a range existed (``ranges=False``) checks
types and minimums only, as the reader of that time did.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from evidence.errors import BadRequest, LiuhenError
from evidence.ranges import INT64_MAX, in_range, time_in_range

__all__ = ["Fields", "canonical_bytes", "format_time", "loads_object", "parse_time"]


def canonical_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(
        document, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads_object(body: bytes, error: type[LiuhenError], what: str) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except UnicodeDecodeError:
        raise error(f"{what} is not UTF-8") from None
    except (ValueError, RecursionError) as exc:
        raise error(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise error(f"{what} must be a JSON object")
    return value


def format_time(moment: datetime) -> str:
    """RFC 3339, keeping the offset the time was given with (a device's claimed zone is
    part of its claim); UTC is written with a Z."""
    if moment.tzinfo is None:
        raise ValueError("refusing to format a naive datetime")
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def parse_time(text: str) -> datetime:
    """Parse RFC 3339 with an explicit offset; a time without a zone is ambiguous evidence."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time {text!r} has no UTC offset")
    return moment


class Fields:
    """Typed access to one JSON object; every error names the dotted path of the field."""

    def __init__(
        self,
        data: dict[str, Any],
        error: type[LiuhenError],
        where: str = "",
        *,
        ranges: bool = True,
    ) -> None:
        self._data = data
        self._error = error
        self._where = where
        self._ranges = ranges
        self._seen: set[str] = set()

    def _child(self, data: dict[str, Any], where: str) -> Fields:
        return Fields(data, self._error, where, ranges=self._ranges)

    def _path(self, key: str) -> str:
        return f"{self._where}.{key}" if self._where else key

    def _get(self, key: str, nullable: bool) -> Any:
        self._seen.add(key)
        if key not in self._data:
            raise self._error(f"missing field {self._path(key)}", field=self._path(key))
        value = self._data[key]
        if value is None and not nullable:
            raise self._error(f"field {self._path(key)} must not be null", field=self._path(key))
        return value

    def _typed(self, key: str, kind: type | tuple[type, ...], label: str, nullable: bool) -> Any:
        value = self._get(key, nullable)
        if value is None:
            return None
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise self._error(f"field {self._path(key)} must be {label}", field=self._path(key))
        return value

    def text(self, key: str, *, max_length: int = 1024) -> str:
        value: str = self._typed(key, str, "a string", nullable=False)
        self._check_length(key, value, max_length)
        return value

    def optional_text(self, key: str, *, max_length: int = 1024) -> str | None:
        value: str | None = self._typed(key, str, "a string or null", nullable=True)
        if value is not None:
            self._check_length(key, value, max_length)
        return value

    def _check_length(self, key: str, value: str, max_length: int) -> None:
        if not value or len(value) > max_length:
            raise self._error(
                f"field {self._path(key)} must be 1-{max_length} characters", field=self._path(key)
            )

    def integer(self, key: str, *, minimum: int = 0, maximum: int = INT64_MAX) -> int:
        value: int = self._typed(key, int, "an integer", nullable=False)
        self._check_range(key, value, minimum, maximum)
        return value

    def optional_integer(
        self, key: str, *, minimum: int = 0, maximum: int = INT64_MAX
    ) -> int | None:
        value: int | None = self._typed(key, int, "an integer or null", nullable=True)
        if value is not None:
            self._check_range(key, value, minimum, maximum)
        return value

    def integer_if_present(
        self, key: str, *, minimum: int = 0, maximum: int = INT64_MAX
    ) -> int | None:
        """A field a later version added: absent (or null) is None, otherwise an integer."""
        if key not in self._data:
            return None
        return self.optional_integer(key, minimum=minimum, maximum=maximum)

    def _check_range(self, key: str, value: int, minimum: int, maximum: int) -> None:
        # Without ranges only the minimum, which is older than them, is checked.
        if not (in_range(value, minimum, maximum) if self._ranges else value >= minimum):
            path = self._path(key)
            raise self._error(
                f"field {path} must be an integer from {minimum} to {maximum}",
                field=path,
                minimum=minimum,
                maximum=maximum,
            )

    def boolean(self, key: str) -> bool:
        value: bool = self._typed(key, bool, "true or false", nullable=False)
        return value

    def time(self, key: str) -> datetime:
        return self._time(self.text(key, max_length=64), key)

    def optional_time(self, key: str) -> datetime | None:
        text = self.optional_text(key, max_length=64)
        return None if text is None else self._time(text, key)

    def _time(self, text: str, key: str) -> datetime:
        try:
            moment = parse_time(text)
        except ValueError:
            moment = None
        if moment is None or (self._ranges and not time_in_range(moment)):
            raise self._error(
                f"field {self._path(key)} must be an RFC 3339 time with offset from 1900 to 9000",
                field=self._path(key),
            )
        return moment

    def section(self, key: str) -> Fields:
        value: dict[str, Any] = self._typed(key, dict, "an object", nullable=False)
        return self._child(value, self._path(key))

    def optional_section(self, key: str) -> Fields | None:
        value: dict[str, Any] | None = self._typed(key, dict, "an object or null", nullable=True)
        return None if value is None else self._child(value, self._path(key))

    def free_object(self, key: str) -> dict[str, Any]:
        """An object whose keys the document leaves open, as it is (its values unchecked)."""
        value: dict[str, Any] = self._typed(key, dict, "an object", nullable=False)
        return value

    def omissible_section(self, key: str) -> Fields | None:
        """A section added to a document after its first version: absent and null both
        mean none, so documents written before it existed keep their exact bytes."""
        if key not in self._data:
            self._seen.add(key)
            return None
        return self.optional_section(key)

    def raw_list(self, key: str, *, max_items: int) -> list[Any]:
        value: list[Any] = self._typed(key, list, "a list", nullable=False)
        if len(value) > max_items:
            raise self._error(
                f"field {self._path(key)} holds more than {max_items} items", field=self._path(key)
            )
        return value

    def section_list(self, key: str, *, max_items: int) -> list[Fields]:
        items = self.raw_list(key, max_items=max_items)
        if not all(isinstance(item, dict) for item in items):
            raise self._error(
                f"field {self._path(key)} must be a list of objects", field=self._path(key)
            )
        return [self._child(item, f"{self._path(key)}[{n}]") for n, item in enumerate(items)]

    def text_list(self, key: str, *, max_items: int) -> list[str]:
        items = self.raw_list(key, max_items=max_items)
        if not all(isinstance(item, str) for item in items):
            raise self._error(
                f"field {self._path(key)} must be a list of strings", field=self._path(key)
            )
        return items

    def constant(self, key: str, expected: object) -> None:
        value = self._get(key, nullable=True)
        if value != expected or type(value) is not type(expected):
            raise self._error(
                f"field {self._path(key)} must be {expected!r}, not {value!r}",
                field=self._path(key),
            )

    def convert(self, key: str, value: Any, parse: Callable[[Any], Any]) -> Any:
        """Run a value-object constructor; its error keeps its own code and names the field."""
        try:
            return parse(value)
        except BadRequest as exc:
            path = self._path(key)
            raise type(exc)(f"field {path}: {exc.message}", field=path) from exc

    def done(self) -> None:
        unknown = sorted(set(self._data) - self._seen)
        if unknown:
            names = ", ".join(self._path(key) for key in unknown)
            raise self._error(f"unknown field(s): {names}", fields=unknown)
