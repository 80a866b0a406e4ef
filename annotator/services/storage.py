"""Media nobody owns any more: folders left by an upload cut off mid-write or by deletes made
before deletes removed their files on commit, and half-received uploads in FILE_UPLOAD_TEMP_DIR
left by a crashed web server. `manage.py cleanup_media` removes them.

Media holds one folder per object: videos/<pk>, exports/<pk>, imports/<pk>. A folder whose row
does not exist is an orphan once it is older than a grace period (an upload in progress writes
its folder before its row commits, so a young folder may still be claimed).
"""

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from annotator.models import ExportJob, ImportJob, Video

OWNERS = {"videos": Video, "exports": ExportJob, "imports": ImportJob}
GRACE_SECONDS = 3600


@dataclass(frozen=True)
class Orphan:
    path: Path
    bytes: int


def find_orphans(grace_seconds: float = GRACE_SECONDS) -> list[Orphan]:
    media = Path(settings.MEDIA_ROOT)
    cutoff = time.time() - grace_seconds
    orphans = []
    for kind, model in OWNERS.items():
        folders = {int(p.name): p for p in (media / kind).glob("*") if p.is_dir() and p.name.isdigit()}
        owned = set(model.objects.filter(pk__in=folders).values_list("pk", flat=True))
        for pk, folder in sorted(folders.items()):
            if pk not in owned and _newest_mtime(folder) < cutoff:
                orphans.append(Orphan(folder, _size(folder)))
    # Django deletes a finished request's temporary upload; one still here after the grace period
    # belonged to a request that never finished.
    uploads = Path(settings.FILE_UPLOAD_TEMP_DIR)
    for path in sorted(uploads.glob("*.upload*")) if uploads.is_dir() else []:
        if path.is_file() and path.stat().st_mtime < cutoff:
            orphans.append(Orphan(path, path.stat().st_size))
    return orphans


def remove(orphan: Orphan) -> None:
    if orphan.path.is_dir():
        shutil.rmtree(orphan.path, ignore_errors=True)
    else:
        orphan.path.unlink(missing_ok=True)


def _newest_mtime(folder: Path) -> float:
    return max([folder.stat().st_mtime] + [p.stat().st_mtime for p in folder.rglob("*")])


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
