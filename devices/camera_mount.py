"""A body camera docked as USB mass storage. Its own storage, laid out as the camera keeps
it (``DCIM/100MEDIA/`` with a sidecar beside each file), appears whole in a dock bay when
the camera docks, and is gone when it is pulled: the bay is an empty mount point again.
As it docks, the camera's clock is read into each sidecar it can read (``camera_clock``),
on the camera's own clock, as a dock exporting the camera's metadata writes it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from devices.sidecar import SIDECAR_SUFFIXES, BadSidecar
from devices.sidecars import read_any_sidecar
from devices.simulator import BodyCamera, write_shaped

__all__ = ["LAYOUT", "CameraMount"]

LAYOUT = Path("DCIM") / "100MEDIA"


@dataclass
class CameraMount:
    camera: BodyCamera  # records into ``storage / LAYOUT`` while off the dock
    storage: Path
    docked_in: Path | None = None

    @classmethod
    def off_the_dock(
        cls,
        storage: Path,
        *,
        device_serial: str = "BWC-00042",
        officer_id: str = "130102001",
        clock_offset: float | None = 0.0,
        sidecar_shape: str = "json",
    ) -> CameraMount:
        """A camera whose storage is ``storage`` while it is off the dock; its clock is
        modelled (``clock_offset`` seconds ahead of true time) unless that is None."""
        camera = BodyCamera(
            storage / LAYOUT,
            device_serial=device_serial,
            officer_id=officer_id,
            clock_offset=clock_offset,
            sidecar_shape=sidecar_shape,
        )
        return cls(camera, storage)

    @property
    def media_folder(self) -> Path:
        return (self.docked_in or self.storage) / LAYOUT

    def dock(self, bay: Path) -> None:
        """The camera docks: its storage appears in ``bay`` all at once."""
        if self.docked_in is not None:
            raise RuntimeError(f"the camera is docked in {self.docked_in} already")
        self._read_clock_into_sidecars()
        bay.parent.mkdir(parents=True, exist_ok=True)
        os.rename(self.storage, bay)  # onto an empty mount point, or where none was
        self.docked_in = bay

    def undock(self) -> None:
        """The camera is pulled: the bay is an empty mount point again."""
        if self.docked_in is None:
            raise RuntimeError("the camera is not docked")
        os.rename(self.docked_in, self.storage)
        self.docked_in.mkdir()
        self.docked_in = None

    def _read_clock_into_sidecars(self) -> None:
        now = self.camera.now()
        for path in sorted(self.media_folder.iterdir()) if self.media_folder.is_dir() else ():
            if path.suffix not in SIDECAR_SUFFIXES:
                continue
            try:
                sidecar = read_any_sidecar(path)
            except BadSidecar:
                continue  # a malformed one stays as it is
            if self.camera.clock_offset is not None:
                write_shaped(path, replace(sidecar, camera_clock=now))
