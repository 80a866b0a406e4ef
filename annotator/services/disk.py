"""Disk you can plan for: refuse frames that would not fit, and measure what media takes.

    check_room(estimate_bytes, what="the frames of 'clip'")   # OutOfSpace (400) when they would not fit
    usage = storage_usage()                                    # StorageUsage(used, quota, free, reserve)

Two limits, both from settings (docs/operations.md, "Disk"): the local disk's free space less
SIAMLABEL_DISK_RESERVE_MB (kept free for the database, logs and exports), and an optional global
quota SIAMLABEL_STORAGE_QUOTA_MB on the media store's videos, exports and imports (0: none), in
MEDIA_ROOT or in a bucket alike. The free space is measured on `local_dir`, the store's local
scratch folder by default (MEDIA_ROOT, or the cache of a bucket: the only local disk that
extraction then fills).
"""

import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from annotator import media_store
from annotator.services.errors import ServiceError
from annotator.services.storage import OWNERS

MB = 2**20


class OutOfSpace(ServiceError):
    """Frames that would not fit the disk or the storage quota; the message says by how much."""


@dataclass(frozen=True)
class StorageUsage:
    used_bytes: int  # the media store's videos (uploads, frames), exports and imports
    quota_bytes: int  # 0: no quota
    free_bytes: int  # the local scratch disk's free space, before the reserve
    reserve_bytes: int


def check_room(needed_bytes: int, *, what: str, local_dir: Path | None = None) -> None:
    """Raise OutOfSpace unless `needed_bytes` fit in free space less the reserve, and in the quota."""
    reserve = settings.SIAMLABEL_DISK_RESERVE_MB * MB
    free = free_bytes(local_dir or media_store.get().scratch_dir)
    if needed_bytes > free - reserve:
        raise OutOfSpace(
            f"not enough disk space: {what} need about {_mb(needed_bytes)}, and {_mb(max(free - reserve, 0))} "
            f"is free after the {_mb(reserve)} kept in reserve; free some space or ask an administrator"
        )
    quota = settings.SIAMLABEL_STORAGE_QUOTA_MB * MB
    if quota:
        used = media_bytes()
        if used + needed_bytes > quota:
            raise OutOfSpace(
                f"over the storage quota: {what} need about {_mb(needed_bytes)}; {_mb(used)} of the "
                f"{_mb(quota)} quota is used; delete videos or exports, or ask an administrator"
            )


def storage_usage() -> StorageUsage:
    return StorageUsage(
        used_bytes=media_bytes(),
        quota_bytes=settings.SIAMLABEL_STORAGE_QUOTA_MB * MB,
        free_bytes=free_bytes(media_store.get().scratch_dir),
        reserve_bytes=settings.SIAMLABEL_DISK_RESERVE_MB * MB,
    )


def free_bytes(path: Path) -> int:
    """Return the free space of the disk that holds `path` (or would: it may not exist yet)."""
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


def media_bytes() -> int:
    """Return the bytes of the store's videos, exports and imports (a listing of every file)."""
    store = media_store.get()
    return sum(folder.bytes for kind in OWNERS for folder in store.folders(kind))


def _mb(n: int) -> str:
    return f"{n / MB:,.0f} MB" if n >= 10 * MB else f"{n / MB:.1f} MB"
