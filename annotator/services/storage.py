"""Media nobody owns any more: folders left by an upload cut off mid-write or by deletes made
before deletes removed their files on commit, and half-received uploads in FILE_UPLOAD_TEMP_DIR
left by a crashed web server. `manage.py cleanup_media` removes them.

Media holds one folder per object: videos/<pk>, exports/<pk>, imports/<pk>, and finetune/<pk> for a
fine-tune's training states (annotator/services/finetune_state.py). A folder no row owns is an
orphan once it is older than a grace period (an upload in progress writes its folder before its
row commits, so a young folder may still be claimed). A fine-tune owns its folder only while it is
active: the states of an ended run stay when removing them failed or a worker died mid-save.
"""

import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from annotator import media_store
from annotator.models import ExportJob, FineTuneRun, ImportJob, Video
from annotator.services import finetune_state

# kind -> the rows that own its folders. The uploaded kinds are what the storage quota counts
# (annotator/services/disk.py); training states are scratch that nothing resumes once a run ends.
OWNERS = {"videos": Video.objects.all, "exports": ExportJob.objects.all, "imports": ImportJob.objects.all}
STATE_OWNERS = {finetune_state.PREFIX: lambda: FineTuneRun.objects.filter(status__in=FineTuneRun.active_statuses)}
GRACE_SECONDS = 3600


@dataclass(frozen=True)
class Orphan:
    where: str  # what to show: a local path or s3://bucket/key
    bytes: int
    key: str = ""  # a media folder (annotator/media_store.py), or
    file: Path | None = None  # a local half-received upload


def find_orphans(grace_seconds: float = GRACE_SECONDS) -> list[Orphan]:
    store = media_store.get()
    cutoff = time.time() - grace_seconds
    orphans = []
    for kind, owners in (OWNERS | STATE_OWNERS).items():
        folders = store.folders(kind)
        owned = set(owners().filter(pk__in=[f.pk for f in folders]).values_list("pk", flat=True))
        orphans += [Orphan(store.describe(f.key), f.bytes, key=f.key)
                    for f in folders if f.pk not in owned and f.newest < cutoff]
    # Django deletes a finished request's temporary upload; one still here after the grace period
    # belonged to a request that never finished.
    uploads = Path(settings.FILE_UPLOAD_TEMP_DIR)
    for path in sorted(uploads.glob("*.upload*")) if uploads.is_dir() else []:
        if path.is_file() and path.stat().st_mtime < cutoff:
            orphans.append(Orphan(str(path), path.stat().st_size, file=path))
    return orphans


def remove(orphan: Orphan) -> None:
    if orphan.file:
        orphan.file.unlink(missing_ok=True)
    else:
        media_store.get().delete_prefix(orphan.key)
