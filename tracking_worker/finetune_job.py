"""The seam between a fine-tune row and the training code: data -> slices -> evaluation -> result.

    run_slice(run_id, slice_no, max_seconds=60)         # one task delivery (tracking_worker.finetune)
    python -m tracking_worker.finetune_job RUN_ID       # every slice back to back, with a progress bar

The row's state lives in annotator/services/finetune.py; the training, the evaluation and the
promotion rule in tracking_worker/training/finetune.py. This module only moves between them:
it writes the run's data once per host (DAVIS folders under run_dir), trains one bounded slice
from the run's recorded state (annotator/services/finetune_state.py: kept in the media store, so
the slices of a run may run on different hosts), and once training is complete evaluates both
models, decides, writes and registers the new checkpoint.
"""

from __future__ import annotations

import logging
import shutil
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

log = logging.getLogger(__name__)

DATA_DIR = "data"  # under run_dir: train/ and heldout/ DAVIS folders
DATA_READY = "data.ready"  # written last: a slice killed while writing data starts the data again


def run_slice(run_id: int, slice_no: int, *, max_seconds: float | None, requeue: bool = True,
              on_step=None) -> bool:
    """Run one slice of a fine-tune; return whether the run is still active afterwards.

    `on_step(info)` is also told every step (the command's progress bar). `requeue`: queue the
    next slice when this one ends before training does (False: the caller loops).
    """
    from annotator.services import finetune as service

    run = service.claim_slice(run_id, slice_no)
    if run is None:
        return False
    try:
        with _beating(run):
            spec = _spec(run)

            def step(info) -> bool:
                keep_going = service.record_step(run, steps_done=info.step, steps_total=info.total, loss=info.loss,
                                                 seconds_left=info.seconds_left)
                if on_step is not None:
                    on_step(info)
                return keep_going

            from annotator.services.finetune_state import save_state, use_state
            from tracking_worker.training.finetune import train_slice
            from tracking_worker.training.train import CHECKPOINT

            use_state(run, spec.run_dir / CHECKPOINT)  # the recorded state, from the media store if not here
            if not train_slice(spec, max_seconds=max_seconds, on_step=step,
                               on_checkpoint=lambda path, steps: save_state(run, path, step=steps)):
                return service.end_slice(run, enqueue=requeue).is_active
            service.start_evaluating(run)
            _finish(run, spec)
    except Exception as exc:  # a bad parent or data, a crash in training: end readable, not stuck
        log.exception("fine-tune %s failed", run_id)
        service.fail_finetune(run, f"{type(exc).__name__}: {exc}")
    return False


def run_to_end(run_id: int, *, max_seconds: float | None = None, on_step=None) -> None:
    """Run every slice of a fine-tune in this process, back to back (the command; the benchmark)."""
    from annotator.models import FineTuneRun

    while run_slice(run_id, FineTuneRun.objects.get(pk=run_id).slice_no, max_seconds=max_seconds,
                    requeue=False, on_step=on_step):
        pass


def _spec(run):
    """Return the run's FinetuneSpec, writing its data on the first slice."""
    from django.conf import settings

    from annotator.services.checkpoints import local_file
    from annotator.services.finetune import run_dir_of
    from annotator.services.finetune_data import split_videos, write_datasets
    from tracking_worker.siammask.checkpoints import resolve_device
    from tracking_worker.training.finetune import DEFAULT_BATCH_SIZE, DEFAULT_STEPS, FinetuneSpec

    if run.parent_checkpoint is None:
        raise ValueError("its parent checkpoint was deleted")
    run_dir = run_dir_of(run)
    data_dir = run_dir / DATA_DIR
    if not (run_dir / DATA_READY).is_file():  # the first slice; later ones train on the same data, whatever changed
        split = split_videos(run.project, heldout_videos=run.heldout_videos)
        split.train = [t for t in split.train if t.video_id in run.train_videos]  # the videos it started with
        shutil.rmtree(data_dir, ignore_errors=True)
        write_datasets(split, root=data_dir)
        (run_dir / DATA_READY).write_text("ok\n")
    return FinetuneSpec(
        parent=local_file(run.parent_checkpoint), run_dir=run_dir,
        train_root=data_dir / "train", train_sequences=_sequences(data_dir / "train"),
        heldout_root=data_dir / "heldout", heldout_sequences=_sequences(data_dir / "heldout"),
        steps=run.steps_total or DEFAULT_STEPS, batch_size=settings.SIAMLABEL_FINETUNE_BATCH_SIZE or DEFAULT_BATCH_SIZE,
        device=str(resolve_device(None)),
    )


def _sequences(root: Path) -> list[str]:
    """Return the sequences of a DAVIS folder the run wrote (one per track)."""
    from annotator.exporters.davis import FRAMES_DIR

    return sorted(p.name for p in (root / FRAMES_DIR).iterdir())


def _finish(run, spec) -> None:
    """Evaluate the old and the new model on the held-out videos; write, register and maybe promote the new one."""
    from django.conf import settings

    from annotator.services import finetune as service
    from tracking_worker.training.finetune import decide, evaluate_models, write_model

    evaluation = evaluate_models(spec)
    if service.end_if_cancelled(run):
        return
    promote, reason = decide(evaluation)
    parent = run.parent_checkpoint
    lineage = {
        "parent": {"id": parent.pk, "name": parent.name, "sha256": parent.sha256},
        "project": run.project_id, "finetune_run": run.pk, "train_videos": run.train_videos,
        "heldout_videos": run.heldout_videos, "frames": run.frames, "steps": spec.steps,
        "batch_size": spec.batch_size, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    file = f"finetuned/p{run.project_id}-finetune-{run.pk}.pth"  # relative to SIAMLABEL_WEIGHTS_DIR
    meta = write_model(spec, Path(settings.SIAMLABEL_WEIGHTS_DIR) / file, evaluation=evaluation, lineage=lineage)
    service.finish_finetune(run=run, file=file, evaluation=evaluation, lineage=lineage, promote=promote,
                            reason=reason, meta={"state_dict_sha256": meta.get("state_dict_sha256")})


@contextmanager
def _beating(run):
    """Renew the run's lease while this worker holds it (evaluation reports no steps)."""
    from annotator.services.finetune import beat
    from tracking_worker.leases import renewing

    with renewing(lambda: beat(run), what=f"fine-tune {run.pk}"):
        yield


def main(argv: list[str] | None = None) -> int:
    """Run a queued fine-tune to its end in this process, with a tqdm bar (steps, loss, time left)."""
    import argparse
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from tqdm import tqdm

    parser = argparse.ArgumentParser(prog="python -m tracking_worker.finetune_job")
    parser.add_argument("run_id", type=int)
    args = parser.parse_args(argv)
    with tqdm(unit="step", desc=f"fine-tune {args.run_id}") as bar:
        def show(info) -> None:
            bar.total = info.total
            bar.n = info.step
            left = "?" if info.seconds_left is None else f"{info.seconds_left:.0f}s"
            bar.set_postfix_str(f"loss {info.loss:.3f}, {left} left")

        run_to_end(args.run_id, on_step=show)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
