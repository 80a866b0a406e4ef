"""Model checkpoints known to the workers, and which one is the default."""

import hashlib
from pathlib import Path

from django.conf import settings
from django.db import transaction

from annotator.models import ModelCheckpoint
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
    return checkpoint


@transaction.atomic
def make_default(*, checkpoint: ModelCheckpoint) -> ModelCheckpoint:
    ModelCheckpoint.objects.filter(is_default=True).exclude(pk=checkpoint.pk).update(is_default=False)
    checkpoint.is_default = True
    checkpoint.save(update_fields=["is_default"])
    return checkpoint
