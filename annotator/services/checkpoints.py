"""Model checkpoints known to the workers, and which one is the default."""

import hashlib
import json
import math
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
# nor tracking_worker (tests/test_import_boundaries.py). It loads the file the way workers do, prints
# {"variant", "evaluation"} as its last JSON line, and exits 2 with one line on stderr when the file
# is not a checkpoint of the variant, 3 when this environment cannot load checkpoints at all.
VERIFY_COMMAND = ["-m", "tracking_worker.verify_checkpoint"]
CODE_ROOT = Path(__file__).resolve().parents[2]  # where `-m tracking_worker...` resolves, whatever BASE_DIR says
AUTO_VARIANT = "auto"  # verify_checkpoint: take the variant the file's metadata names (sharp when none)
SCORE_KEYS = ("J", "F", "J&F")  # what ModelCheckpoint.jf reads


def verify_checkpoint(
    path: Path, *, variant: str = ModelCheckpoint.Variant.SHARP, what: str | None = None, timeout: float = 600,
) -> dict:
    """Return what the file says about itself ({"variant", "evaluation"}) once it loads strictly as `variant`.

    Raise ServiceError otherwise (checked in a child process). `variant` may be "auto": any variant,
    the one its metadata names. `what` names the file in error messages (default: its name).
    """
    what = what or path.name
    try:
        result = subprocess.run([sys.executable, *VERIFY_COMMAND, str(path), variant], cwd=CODE_ROOT,
                                capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise ServiceError(f"checking {what} took longer than {timeout:.0f} s") from exc
    if result.returncode == 0:
        return _check_result(result.stdout, what=what)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    reason = lines[-1] if lines else f"the check exited with status {result.returncode}"
    if result.returncode == 3:
        raise ServiceError(f"cannot check {what} here ({reason}); run this where the worker's "
                           "requirements (torch) are installed")
    kind = "SiamMask" if variant == AUTO_VARIANT else f"SiamMask {variant}"
    raise ServiceError(f"{what} is not a valid {kind} checkpoint: {reason}")


def _check_result(stdout: str, *, what: str) -> dict:
    """Return the check's last JSON line (loading may print before it), with a variant workers know."""
    for line in reversed(stdout.splitlines()):
        try:
            found = json.loads(line)
        except ValueError:
            continue
        if isinstance(found, dict) and "variant" in found:
            if found["variant"] not in ModelCheckpoint.Variant.values:
                raise ServiceError(f"{what} says it is a '{found['variant']}' checkpoint, which workers do not know")
            return found
    raise ServiceError(f"checking {what} printed no result")


def evaluation_metrics(evaluation: dict | None) -> dict:
    """Return a model row's metrics from a checkpoint's recorded evaluation (meta["evaluation"]); {} for none.

    Names follow what the UI reads: "J", "F", "J&F" (ModelCheckpoint.jf) and the fine-tune scores'
    quality_auc / score_auc. The raw evaluation is not stored under "evaluation": that key holds a
    fine-tune's {"old", "new"} comparison (services/finetune.py), which the lineage view reads.
    """
    if not evaluation:
        return {}
    scores = {"J": evaluation.get("J_mean"), "F": evaluation.get("F_mean"), "J&F": evaluation.get("JF_mean"),
              **{key: evaluation.get(key) for key in ("quality_auc", "score_auc", "fps")}}
    evaluated_on = {key: evaluation.get(key) for key in ("data", "sequences", "n_sequences", "protocol")}
    metrics = {key: value for key, value in scores.items() if _is_score(value)}  # NaN: JSONB refuses it
    metrics["evaluated_on"] = {key: value for key, value in evaluated_on.items() if value is not None}
    return metrics


def check_metrics(metrics: dict) -> dict:
    """Return `metrics` if its J, F and J&F (those present) are numbers in [0, 1]; raise ServiceError otherwise."""
    if not isinstance(metrics, dict):
        raise ServiceError(f"metrics must be a JSON object, not {type(metrics).__name__}")
    for key in SCORE_KEYS:
        if key in metrics and not (_is_score(metrics[key]) and 0 <= metrics[key] <= 1):
            raise ServiceError(f'metrics "{key}" must be a number between 0 and 1, not {metrics[key]!r}')
    return metrics


def _is_score(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def register_verified_checkpoint(
    *, name: str, file: str, variant: str = AUTO_VARIANT, config: str = "davis", make_default: bool = False,
    metrics: dict | None = None,
) -> ModelCheckpoint:
    """Check that the file loads as `variant` ("auto": the one it names), then record it with its evaluation.

    `metrics`, when given, replaces the evaluation the file records. The check runs before the
    transaction: it takes seconds, and a file that fails it records nothing.
    """
    if metrics is not None:
        check_metrics(metrics)  # before the seconds-long check
    found = verify_checkpoint(_existing_file(file), variant=variant)
    return register_checkpoint(
        name=name, file=file, variant=found["variant"], config=config, make_default=make_default,
        metrics=metrics if metrics is not None else evaluation_metrics(found["evaluation"]),
    )


def _existing_file(file: str) -> Path:
    path = resolve_path(file)
    if not path.is_file():
        raise ServiceError(f"checkpoint file {path} does not exist")
    return path


@transaction.atomic
def register_checkpoint(
    *, name: str, file: str, variant: str = ModelCheckpoint.Variant.SHARP, config: str = "davis",
    make_default: bool = False, metrics: dict | None = None,
) -> ModelCheckpoint:
    """Record a weights file (hashing it) and optionally make it the default for workers.

    The file is not loaded here: register_verified_checkpoint checks it first.
    """
    path = _existing_file(file)
    metrics = check_metrics(metrics or {})
    if make_default:
        ModelCheckpoint.objects.filter(is_default=True).update(is_default=False)
    checkpoint, _ = ModelCheckpoint.objects.update_or_create(
        name=name,
        defaults={"file": file, "sha256": file_sha256(path), "variant": variant, "config": config,
                  "is_default": make_default, "metrics": metrics},
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
