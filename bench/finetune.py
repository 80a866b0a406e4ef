"""Fine-tuning on a project's accepted tracks, on real footage, through the database (issue 17).

    .venv/bin/python bench/finetune.py                        # 3 folds, 40 steps each
    .venv/bin/python bench/finetune.py --steps 20 --folds libby --frames 30

A project in a temporary embedded installation (SQLite, its own media and weights folders, so
nothing lands in the repository or becomes a server default) gets the three DAVIS 2016 sequences
held out from the default model's training (docs/models.md): each uploaded as a zip of its
frames, its ground truth imported as DAVIS masks (manual_mask frames), the track submitted and
accepted. Per fold one sequence is held out (forced, instead of the hash split, so each sequence
is judged once) and the project's model (weights/mobile.pth) is fine-tuned on the other two,
in this process, slices back to back, through annotator/services/finetune.py: the same path as
the `gpu` worker. The project's model is reset to the parent after each fold.

Prints, per fold, J, F, J&F and quality AUC of the parent (old) and the fine-tuned model (new) on
the held-out sequence, and the decision; writes everything to --out (var/bench/finetune.json).
"""

import argparse
import io
import json
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from tqdm import tqdm

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
HELD_OUT = ["dance-twirl", "kite-surf", "libby"]  # never read by the default model's training (docs/models.md)


def setup_django(var_dir: Path, batch_size: int | None) -> None:
    """Point Django at an embedded installation in `var_dir` (SQLite, filesystem broker) and migrate it."""
    for key in [k for k in os.environ if k.startswith(("DATABASE_URL", "CELERY_", "MEDIA_ROOT", "SIAMLABEL_"))]:
        del os.environ[key]
    os.environ.update({"SIAMLABEL_VAR_DIR": str(var_dir), "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings",
                       "SIAMLABEL_WEIGHTS_DIR": str(var_dir / "weights")})
    if batch_size:
        os.environ["SIAMLABEL_FINETUNE_BATCH_SIZE"] = str(batch_size)
    (var_dir / "weights").mkdir()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def zipped(files: dict[str, Path]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for name, path in files.items():
            zf.write(path, name)
    return out.getvalue()


def add_sequence(project, by, data: Path, name: str, frames: int):
    """Upload a sequence's frames as a video and import its ground truth as an accepted track; return the video."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from annotator.services import review, transfers
    from annotator.services import videos as video_services

    jpgs = sorted((data / name / "frames").glob("*.jpg"))[: frames or None]
    pngs = sorted((data / name / "masks").glob("*.png"))[: frames or None]
    upload = SimpleUploadedFile(f"{name}.zip", zipped({f"{name}/{p.name}": p for p in jpgs}))
    video = video_services.create_video(project=project, name=name, upload=upload, by=by)
    video = video_services.extract_video_frames(video.pk)
    assert video.is_ready, video.error
    labels = SimpleUploadedFile("gt.zip", zipped({f"Annotations/{name}/{p.name}": p for p in pngs}))
    job = transfers.run_import(transfers.start_import(project=project, format="davis", upload=labels, by=by,
                                                      enqueue=False).pk)
    assert job.status == "succeeded", job.error
    track = video.tracks.get()
    track = review.submit_for_review(track=track, version=track.version, by=by)
    review.accept_track(track=track, version=track.version, by=by)
    return video


def run_fold(project, by, held_out, steps: int, bar) -> dict:
    """Fine-tune the project's model with `held_out` (a video) held out; return the run's figures."""
    from annotator.models import FineTuneRun
    from annotator.services import finetune as service
    from tracking_worker.finetune_job import run_to_end

    parent, _ = service.current_model(project)
    run = service.start_finetune(project=project, by=by, steps=steps, enqueue=False, heldout_videos=[held_out.pk])
    bar.reset(total=steps)
    bar.set_description(f"held out {held_out.name}")

    def show(info) -> None:
        bar.n = info.step
        bar.set_postfix_str(f"loss {info.loss:.3f}" + ("" if info.seconds_left is None else
                                                        f", {info.seconds_left:.0f}s left"))

    started = time.perf_counter()
    run_to_end(run.pk, on_step=show)
    seconds = time.perf_counter() - started
    run = FineTuneRun.objects.select_related("checkpoint").get(pk=run.pk)
    if run.status != "done":
        raise SystemExit(f"fold {held_out.name}: fine-tune ended {run.status}: {run.error}")
    service.set_project_model(project=project, checkpoint=parent)  # each fold starts from the same parent
    return {"heldout": held_out.name, "train": [v for v in project.videos.exclude(pk=held_out.pk)
                                                 .values_list("name", flat=True)],
            "frames": run.frames, "steps": run.steps_done, "seconds": round(seconds, 1), "loss": run.loss,
            "decision": run.decision, "reason": run.reason, "evaluation": run.evaluation}


def print_table(folds: list[dict], args) -> None:
    print(f"\nFine-tune of weights/mobile.pth on two DAVIS 2016 sequences, judged on the third "
          f"({args.steps} steps, batch {args.batch_size or 'default'}, frames {args.frames or 'all'})")
    print("| held out | trained on | model | J | F | J&F | quality AUC | decision |")
    print("|---|---|---|---:|---:|---:|---:|---|")
    for fold in folds:
        for model in ("old", "new"):
            s = fold["evaluation"][model]
            decision = fold["decision"] if model == "new" else ""
            print(f"| {fold['heldout']} | {', '.join(fold['train'])} | {model} | {_n(s['J'])} | {_n(s['F'])} | "
                  f"{_n(s['JF'])} | {_n(s.get('quality_auc'))} | {decision} |")
    for fold in folds:
        print(f"{fold['heldout']}: {fold['reason']} ({fold['seconds']:.0f} s)")


def _n(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "davis2016")
    parser.add_argument("--folds", default=",".join(HELD_OUT), help="which of the sequences to hold out, in turn")
    parser.add_argument("--steps", type=int, default=40, help="training steps per fold")
    parser.add_argument("--batch-size", type=int, default=0, help="0: the training code's default")
    parser.add_argument("--frames", type=int, default=0, help="first N frames of each sequence (0: all)")
    parser.add_argument("--out", type=Path, default=REPO / "var" / "bench" / "finetune.json")
    args = parser.parse_args()
    if not all((args.data / name / "frames").is_dir() for name in HELD_OUT):
        print(f"SKIPPED: {args.data} lacks {', '.join(HELD_OUT)} (issue 17's benchmark needs ../shared/data/davis2016)")
        return
    with tempfile.TemporaryDirectory(prefix="finetune-bench-") as var_dir:
        setup_django(Path(var_dir), args.batch_size)
        from django.contrib.auth import get_user_model

        from annotator.services.projects import create_project

        from annotator.services.checkpoints import register_checkpoint

        register_checkpoint(name="mobile", file=str(REPO / "weights" / "mobile.pth"), variant="mobile",
                            make_default=True)  # by absolute path: the fine-tuned files go to the temporary weights dir
        user = get_user_model().objects.create_user("bench")
        project = create_project(name="finetune bench", by=user, labels=["object"])
        videos = {name: add_sequence(project, user, args.data, name, args.frames) for name in HELD_OUT}
        folds = []
        with tqdm(unit="step") as bar:
            for name in args.folds.split(","):
                folds.append(run_fold(project, user, videos[name], args.steps, bar))
                bar.write(f"done: {name}: {folds[-1]['reason']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"steps": args.steps, "batch_size": args.batch_size, "frames": args.frames,
                                    "folds": folds}, indent=2))
    print_table(folds, args)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
