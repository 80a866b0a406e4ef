"""Model checkpoints known to the workers, and which one is the default."""

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import transaction

from annotator import media_store
from annotator.models import ModelCheckpoint, Project
from annotator.services.errors import ServiceError


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def resolve_path(file: str) -> Path:
    path = Path(file)
    return path if path.is_absolute() else Path(settings.SIAMLABEL_WEIGHTS_DIR) / path


def bucket_key(sha256: str) -> str:
    """Where a checkpoint registered while media is in a bucket is kept there, named by content."""
    return f"checkpoints/{sha256}.pth"


def local_file(checkpoint: ModelCheckpoint) -> Path:
    """The checkpoint as a file on this host: its registered path when present, else (media in a
    bucket, a worker on another host) a copy fetched once into the media cache, keyed by sha256.
    """
    path = resolve_path(checkpoint.file)
    store = media_store.get()
    if path.is_file() or not store.remote:
        return path
    cached = Path(settings.SIAMLABEL_MEDIA_CACHE_DIR) / "checkpoints" / f"{checkpoint.sha256}.pth"
    if not cached.is_file():
        cached.parent.mkdir(parents=True, exist_ok=True)
        with store.fetched(bucket_key(checkpoint.sha256)) as fetched:
            if file_sha256(fetched) != checkpoint.sha256:
                raise ServiceError(f"the bucket's copy of checkpoint '{checkpoint.name}' does not match its sha256")
            shutil.move(fetched, cached)  # whole or not at all: the cache only ever holds checked files
    return cached


# Run as a child process (tracking_worker/verify_checkpoint.py): annotator imports neither torch
# nor tracking_worker (tests/test_import_boundaries.py). It loads the file the way workers do and
# exits 2 with one line on stderr when the file is not a checkpoint of the variant, 3 when this
# environment cannot load checkpoints at all.
VERIFY_COMMAND = ["-m", "tracking_worker.verify_checkpoint"]


def verify_checkpoint(
    path: Path, *, variant: str = ModelCheckpoint.Variant.SHARP, what: str | None = None, timeout: float = 600,
) -> None:
    """Raise ServiceError unless `path` loads strictly as a SiamMask `variant` (checked in a child process).

    `what` names the file in error messages (default: its name).
    """
    what = what or path.name
    try:
        result = subprocess.run([sys.executable, *VERIFY_COMMAND, str(path), variant], cwd=settings.BASE_DIR,
                                capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise ServiceError(f"checking {what} took longer than {timeout:.0f} s") from exc
    if result.returncode == 0:
        return
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    reason = lines[-1] if lines else f"the check exited with status {result.returncode}"
    if result.returncode == 3:
        raise ServiceError(f"cannot check {what} here ({reason}); run this where the worker's "
                           "requirements (torch) are installed")
    raise ServiceError(f"{what} is not a valid SiamMask {variant} checkpoint: {reason}")


@transaction.atomic
def register_checkpoint(
    *, name: str, file: str, variant: str = ModelCheckpoint.Variant.SHARP, config: str = "davis",
    make_default: bool = False, metrics: dict | None = None,
) -> ModelCheckpoint:
    """Record a weights file (hashing it) and optionally make it the default for workers."""
    path = resolve_path(file)
    if not path.is_file():
        raise ServiceError(f"checkpoint file {path} does not exist")
    if make_default:
        ModelCheckpoint.objects.filter(is_default=True).update(is_default=False)
    checkpoint, _ = ModelCheckpoint.objects.update_or_create(
        name=name,
        defaults={"file": file, "sha256": file_sha256(path), "variant": variant, "config": config,
                  "is_default": make_default, "metrics": metrics or {}},
    )
    store = media_store.get()
    if store.remote and store.stat(bucket_key(checkpoint.sha256)) is None:  # for workers on other hosts
        with open(path, "rb") as weights:
            store.save(bucket_key(checkpoint.sha256), weights)
    return checkpoint


@transaction.atomic
def make_default(*, checkpoint: ModelCheckpoint) -> ModelCheckpoint:
    ModelCheckpoint.objects.filter(is_default=True).exclude(pk=checkpoint.pk).update(is_default=False)
    checkpoint.is_default = True
    checkpoint.save(update_fields=["is_default"])
    return checkpoint


def set_project_checkpoint(*, project: Project, checkpoint: ModelCheckpoint | None) -> Project:
    """Make `checkpoint` the weights the project's new propagations start with (None: the server's default)."""
    project.default_checkpoint = checkpoint
    project.save(update_fields=["default_checkpoint"])
    return project
