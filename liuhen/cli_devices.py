"""``liuhen devices simulate``: test footage without writing Python. A simulated body
camera records real H.264 + AAC clips (or broken ones, on purpose) and docks them into a
bay folder with their sidecars (JSON or XML, right or malformed, with the camera's digest
and clock); with ``--dock`` its whole storage appears in a bay as a docked camera's does;
or a simulated interview-room recorder writes one session as consecutive segments. Point
an agent's ``agent.watch`` (or ``agent.bays``) at the folder to see them go."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from devices.camera_mount import LAYOUT, CameraMount
from devices.room_recorder import RoomRecorder
from devices.simulator import BROKEN_KINDS, SIDECAR_SHAPES, BodyCamera, SimulatedClip
from evidence.errors import BadRequest
from evidence.strict_json import parse_time
from liuhen.settings import Settings

__all__ = ["add_device_commands"]

_GAP = timedelta(seconds=5)  # between one clip's end and the next one's start


def _count(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError("from 1 to 1000")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("more than 0 and at most 3600")
    return value


def _start(settings: Settings, args: argparse.Namespace) -> datetime:
    if args.start is None:
        clips: int = args.clips
        span = clips * timedelta(seconds=args.seconds) + (clips - 1) * _GAP
        now = datetime.now(settings.compliance.zone).replace(microsecond=0)
        return now - span  # just recorded, so it is not late
    try:
        return parse_time(args.start)
    except ValueError:
        raise BadRequest(
            f"--start {args.start!r} is not RFC 3339 with an offset, such as "
            "2026-03-12T09:30:00+08:00"
        ) from None


def _print(path: Path, seconds: float, broken: str | None, sidecar: Path | None = None) -> None:
    what = f"broken on purpose: {broken}" if broken else f"{seconds:g} s"
    print(f"{path}  ({what}; sidecar {(sidecar or path.with_suffix('.json')).name})")


async def _room_session(args: argparse.Namespace, start: datetime) -> None:
    session_id = args.session_id or f"room-{start:%Y%m%d-%H%M%S}"
    if (args.into / session_id).exists():
        raise FileExistsError(f"{args.into / session_id} exists already")
    written = await asyncio.to_thread(
        RoomRecorder(args.into).record_session,
        session_id,
        started_at=start,
        segments=args.clips,
        segment_seconds=args.seconds,
        case_number=args.case_number,
        officer_id=args.officer,
    )
    for path in written:
        _print(path, args.seconds, None)
    print(f"room session {session_id}: {len(written)} segment(s)")


async def _simulate(settings: Settings, args: argparse.Namespace) -> int:
    if args.case_number is not None:
        settings.case_numbers.rule().parse(args.case_number)  # bad_case_number, exit 2
    start = _start(settings, args)
    try:
        if args.room_session:
            await _room_session(args, start)
        else:
            await _body_camera(args, start)
    except FileExistsError as exc:
        raise BadRequest(
            f"{exc}: the simulator never writes over footage; give another --start"
        ) from exc
    return 0


def _camera(args: argparse.Namespace, folder: Path) -> BodyCamera:
    return BodyCamera(
        folder,
        device_serial=args.camera or "BWC-00042",
        officer_id=args.officer,
        officer_name=args.officer_name,
        clock_offset=args.clock_offset,
        sidecar_shape=args.sidecar,
    )


async def _body_camera(args: argparse.Namespace, start: datetime) -> None:
    if args.dock:
        await _docked_camera(args, start)
        return
    camera = _camera(args, args.into)
    for n in range(args.clips):
        clip = await asyncio.to_thread(_record, camera, args, start, n)
        _print(clip.media, args.seconds, args.broken, clip.sidecar)


def _record(camera: BodyCamera, args: argparse.Namespace, start: datetime, n: int) -> SimulatedClip:
    return camera.record(
        started_at=start + n * (timedelta(seconds=args.seconds) + _GAP),
        seconds=args.seconds,
        case_number=args.case_number,
        place=args.place,
        proves=args.proves,
        broken=args.broken,
        important=args.important,
        check_value=args.check_value,
        wrong_check_value=args.wrong_check_value,
        malformed_sidecar=args.malformed_sidecar,
    )


async def _docked_camera(args: argparse.Namespace, start: datetime) -> None:
    bay: Path = args.into
    clips = await asyncio.to_thread(_dock, args, start)
    for clip in clips:
        docked = bay / LAYOUT
        _print(docked / clip.media.name, args.seconds, args.broken, docked / clip.sidecar.name)
    print(f"camera {args.camera or 'BWC-00042'} docked in {bay}")


def _dock(args: argparse.Namespace, start: datetime) -> list[SimulatedClip]:
    """The camera records into its own storage, then docks: all of it appears at once in
    ``--into``, the bay's mount point (empty or absent)."""
    bay: Path = args.into
    if bay.exists() and any(bay.iterdir()):
        raise BadRequest(f"{bay} holds a camera already: a bay takes one (undock it first)")
    bay.parent.mkdir(parents=True, exist_ok=True)
    storage = Path(tempfile.mkdtemp(prefix=".camera-", dir=bay.parent)) / "storage"
    mount = CameraMount(_camera(args, storage / LAYOUT), storage)
    clips = [_record(mount.camera, args, start, n) for n in range(args.clips)]
    mount.dock(bay)
    storage.parent.rmdir()
    return clips


def add_device_commands(groups: Any) -> None:
    """Add ``devices simulate`` to the ``liuhen`` parser."""
    devices = groups.add_parser("devices", help="simulated capture devices").add_subparsers(
        dest="command", required=True
    )
    simulate: argparse.ArgumentParser = devices.add_parser(
        "simulate", help="record test footage into a dock bay folder, with sidecars"
    )
    simulate.set_defaults(run=_simulate)
    simulate.add_argument("--into", type=Path, required=True, help="the bay folder")
    simulate.add_argument("--clips", type=_count, default=3, help="clips, or session segments")
    simulate.add_argument("--seconds", type=_seconds, default=10.0, help="length of each")
    simulate.add_argument("--case-number", help="checked against case_numbers.patterns")
    simulate.add_argument("--officer", default="130102001", help="the officer's id")
    simulate.add_argument("--officer-name", default="张伟")
    simulate.add_argument("--place")
    simulate.add_argument("--proves", help="what the recording proves")
    simulate.add_argument("--camera", help="the body camera's serial (default BWC-00042)")
    simulate.add_argument("--start", help="RFC 3339 with offset (default: just now)")
    kind = simulate.add_mutually_exclusive_group()
    kind.add_argument("--broken", choices=BROKEN_KINDS, help="write broken footage instead")
    kind.add_argument(
        "--room-session", action="store_true", help="an interview-room session of segments"
    )
    simulate.add_argument("--session-id", help="the room session's id (default from --start)")
    _camera_options(simulate)


def _camera_options(simulate: argparse.ArgumentParser) -> None:
    camera = simulate.add_argument_group("the body camera's sidecar, clock and docking")
    camera.add_argument("--sidecar", choices=SIDECAR_SHAPES, default="json", help="its shape")
    camera.add_argument(
        "--malformed-sidecar", action="store_true", help="start time without a UTC offset"
    )
    camera.add_argument("--important", action="store_true", help="marked important (重要标记)")
    camera.add_argument("--check-value", choices=("md5", "sha256"), help="the camera's digest")
    camera.add_argument(
        "--wrong-check-value", action="store_true", help="a digest the file will not match"
    )
    camera.add_argument(
        "--clock-offset",
        type=float,
        help="seconds the camera's clock runs ahead (negative: behind)",
    )
    camera.add_argument(
        "--dock", action="store_true", help="--into is a bay: the camera's storage appears there"
    )
