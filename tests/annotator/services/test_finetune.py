"""Fine-tune service: data selection and split, refusals, slices and attempts, result, switch back, auto start."""

import shutil

import numpy as np
import pytest
from django.conf import settings

from annotator.choices import Source
from annotator.models import FineTuneRun, ModelCheckpoint, OutboxMessage
from annotator.queue import FINETUNE
from annotator.services import finetune as service
from annotator.services import finetune_data
from annotator.services import projects as project_services
from annotator.services.errors import Conflict, ServiceError
from config.celery import GPU_QUEUE, PRIORITY_BATCH
from formats.davis import read_id_png
from tests.annotator.finetuning import STARTER, accepted_clips, add_accepted_clip, square_mask
from tests.annotator.finetuning import starter, videos  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_split_depends_only_on_project_and_video():
    sides = [finetune_data.is_heldout(7, v) for v in range(400)]
    assert sides == [finetune_data.is_heldout(7, v) for v in range(400)]  # stable
    assert 0.15 < sum(sides) / len(sides) < 0.35  # about SIAMLABEL_FINETUNE_HELDOUT_FRACTION (0.25)
    assert [finetune_data.is_heldout(8, v) for v in range(400)] != sides  # each project has its own draw


def test_split_is_by_video_and_a_new_video_moves_no_other(cast, tmp_path, videos):
    split = finetune_data.split_videos(cast.project)
    assert set(split.train_videos).isdisjoint(split.heldout_videos)
    assert set(split.train_videos) | set(split.heldout_videos) == {v.pk for v in videos}
    assert all(finetune_data.is_heldout(cast.project.pk, v) for v in split.heldout_videos)
    add_accepted_clip(cast.project, by=cast.carol, tmp_path=tmp_path, name="later")
    again = finetune_data.split_videos(cast.project)
    assert set(split.heldout_videos) <= set(again.heldout_videos)
    assert set(split.train_videos) <= set(again.train_videos)


def test_only_hand_drawn_masks_of_accepted_tracks_are_trusted(cast, tmp_path, videos):
    track = videos[0].tracks.get()
    assert [t.trusted for t in finetune_data.accepted_tracks(cast.project) if t.track_id == track.pk] == [
        [0, 2, 4, 6, 8, 10]]
    # a propagated frame (the old model's output) and a box with the tracker's mask are never targets
    rle = track.annotations.get(frame_index=0).mask_rle
    track.annotations.create(frame_index=1, source=Source.PROPAGATED, mask_rle=rle, bbox=[1, 1, 2, 2])
    track.annotations.create(frame_index=3, source=Source.MANUAL_BOX, mask_rle=rle, bbox=[1, 1, 2, 2])
    draft = add_accepted_clip(cast.project, by=cast.carol, tmp_path=tmp_path, name="draft").tracks.get()
    draft.review_status = "draft"
    draft.save(update_fields=["review_status"])
    trusted = {t.track_id: t.trusted for t in finetune_data.accepted_tracks(cast.project)}
    assert trusted[track.pk] == [0, 2, 4, 6, 8, 10]
    assert draft.pk not in trusted


def test_refuses_clearly_without_a_held_out_video(cast, tmp_path, starter):
    accepted_clips(cast.project, by=cast.carol, tmp_path=tmp_path, train=1, heldout=0)
    for video in cast.project.videos.all():
        if finetune_data.is_heldout(cast.project.pk, video.pk):
            video.delete()
    with pytest.raises(ServiceError, match="not enough held-out data"):
        service.start_finetune(project=cast.project, by=cast.carol)
    assert "not enough held-out data" in service.finetune_refusal(cast.project)
    assert not FineTuneRun.objects.exists()


def test_datasets_hold_trusted_frames_for_training_and_whole_ranges_held_out(cast, tmp_path, videos, settings):
    settings.SIAMLABEL_FINETUNE_HELDOUT_MAX_FRAMES = 8
    split = finetune_data.split_videos(cast.project)
    data = finetune_data.write_datasets(split, root=tmp_path / "data")
    train = split.train[0]
    assert data.train_sequences[0] == f"v{train.video_id}_t{train.track_id}"
    frames = sorted(p.name for p in (data.train_root / "JPEGImages" / train.sequence).iterdir())
    pngs = sorted(p.name for p in (data.train_root / "Annotations" / train.sequence).iterdir())
    assert frames == [f"{i:05d}.jpg" for i in range(0, 12, 2)] and pngs == [f"{i:05d}.png" for i in range(0, 12, 2)]
    ids = read_id_png(data.train_root / "Annotations" / train.sequence / "00004.png")
    assert set(np.unique(ids)) == {0, 1} and (ids == square_mask(4)).all()
    held = split.heldout[0]
    frames = sorted(p.name for p in (data.heldout_root / "JPEGImages" / held.sequence).iterdir())
    pngs = sorted(p.name for p in (data.heldout_root / "Annotations" / held.sequence).iterdir())
    assert frames == [f"{i:05d}.jpg" for i in range(8)]  # frames 0..7: capped at 8 of 0..10
    assert pngs == ["00000.png", "00002.png", "00004.png", "00006.png"]  # masks on trusted frames only


def test_start_queues_one_slice_at_batch_priority_and_refuses_a_second(cast, videos, starter):
    run = service.start_finetune(project=cast.project, by=cast.carol, steps=5)
    assert (run.status, run.steps_total, run.parent_checkpoint, run.frames) == ("queued", 5, starter, run.frames)
    assert run.frames == 6 * len(run.train_videos)
    message = OutboxMessage.objects.get(task=FINETUNE)  # sent once the transaction commits
    assert (message.task, message.args, message.queue, message.priority) == (FINETUNE, [run.pk, 0], GPU_QUEUE,
                                                                              PRIORITY_BATCH)
    with pytest.raises(Conflict) as refused:
        service.start_finetune(project=cast.project, by=cast.carol)
    assert refused.value.extra == {"finetune_id": run.pk}


def test_a_model_that_cannot_be_fine_tuned_is_refused(cast, videos, starter):
    sharp = ModelCheckpoint.objects.create(name="official", file="starter.pth", sha256="x", variant="sharp")
    service.set_project_model(project=cast.project, checkpoint=sharp)
    with pytest.raises(ServiceError, match="sharp checkpoint, which cannot be fine-tuned"):
        service.start_finetune(project=cast.project, by=cast.carol)


def test_a_queued_run_cancels_at_once_and_a_running_one_at_its_next_step(cast, videos, starter):
    run = service.cancel_finetune(run=service.start_finetune(project=cast.project, by=cast.carol))
    assert (run.status, run.cancel_requested) == ("cancelled", True) and run.finished_at
    run = service.start_finetune(project=cast.project, by=cast.carol)
    run = service.claim_slice(run.pk, 0)
    assert service.record_step(run, steps_done=1, steps_total=9, loss=0.5, seconds_left=8.0) is True
    service.cancel_finetune(run=run)
    assert service.record_step(run, steps_done=2, steps_total=9, loss=0.4, seconds_left=7.0) is False
    assert service.end_slice(run).status == "cancelled"


def test_each_message_runs_only_its_slice_and_attempts_are_capped(cast, videos, starter, settings):
    settings.SIAMLABEL_JOB_LEASE_SECONDS = 0  # every heartbeat is stale: a redelivery may take over
    run = service.start_finetune(project=cast.project, by=cast.carol)
    assert service.claim_slice(run.pk, 0).attempts == 1
    run = service.end_slice(run)  # slice 0 over: slice 1 queued
    assert (run.slice_no, run.attempts) == (1, 0)
    assert service.claim_slice(run.pk, 0) is None  # a stale duplicate of slice 0
    for attempt in range(1, settings.SIAMLABEL_MAX_ATTEMPTS + 1):  # its workers keep dying on slice 1
        assert service.claim_slice(run.pk, 1).attempts == attempt
    assert service.claim_slice(run.pk, 1) is None
    run.refresh_from_db()
    assert run.status == "failed" and "worker died" in run.error


def test_a_live_worker_keeps_its_slice(cast, videos, starter):
    run = service.start_finetune(project=cast.project, by=cast.carol)
    service.claim_slice(run.pk, 0)
    with pytest.raises(service.FineTuneBusy):
        service.claim_slice(run.pk, 0)


def finished(cast, starter, *, promote: bool):
    run = service.start_finetune(project=cast.project, by=cast.carol, steps=3)
    service.claim_slice(run.pk, 0)
    shutil.copy(STARTER, settings.SIAMLABEL_WEIGHTS_DIR / "tuned.pth")  # stands for write_model's file
    evaluation = {"old": {"JF": 0.5}, "new": {"JF": 0.6 if promote else 0.4}}
    return service.finish_finetune(run=run, file="tuned.pth", evaluation=evaluation, lineage={"steps": 3, "frames": 12},
                                   promote=promote, reason="J&F 0.500 -> 0.600" if promote else "not better")


def test_a_better_model_becomes_the_projects_and_switching_back_is_one_call(cast, videos, starter):
    run = finished(cast, starter, promote=True)
    tuned = run.checkpoint
    assert (run.status, run.decision) == ("done", "promoted")
    assert (tuned.parent, tuned.project, tuned.variant) == (starter, cast.project, "light")
    assert tuned.metrics["evaluation"]["new"]["JF"] == 0.6 and tuned.metrics["lineage"]["steps"] == 3
    cast.project.refresh_from_db()
    assert cast.project.default_checkpoint == tuned
    assert [c.pk for c in service.lineage_of(tuned)] == [tuned.pk, starter.pk]
    service.set_project_model(project=cast.project, checkpoint=tuned.parent)
    assert service.current_model(cast.project) == (starter, "project")
    service.set_project_model(project=cast.project, checkpoint=None)
    assert service.current_model(cast.project) == (starter, "server_default")


def test_a_model_that_is_not_better_is_kept_but_not_used(cast, videos, starter):
    run = finished(cast, starter, promote=False)
    assert (run.decision, run.reason, run.checkpoint.parent) == ("not_better", "not better", starter)
    cast.project.refresh_from_db()
    assert cast.project.default_checkpoint is None


def test_every_n_accepted_tracks_start_a_fine_tune_by_themselves(cast, videos, starter, tmp_path):
    service.cancel_finetune(run=service.start_finetune(project=cast.project, by=cast.carol))
    project_services.update_project(project=cast.project, finetune_every_accepted=2)
    assert service.accepted_since_last(cast.project) == 0
    add_accepted_clip(cast.project, by=cast.bob, tmp_path=tmp_path, name="one")
    assert service.accepted_since_last(cast.project) == 1
    assert FineTuneRun.objects.filter(status="queued").count() == 0
    add_accepted_clip(cast.project, by=cast.bob, tmp_path=tmp_path, name="two")
    run = FineTuneRun.objects.get(status="queued")
    assert run.created_by is None and service.accepted_since_last(cast.project) == 0


def test_off_by_default_so_accepting_starts_nothing(cast, videos):
    assert cast.project.finetune_every_accepted == 0
    assert not FineTuneRun.objects.exists()


def test_the_web_side_agrees_with_the_training_code_on_trainable_variants():
    from tracking_worker.training.finetune import TRAINABLE_VARIANTS

    assert service.TRAINABLE_VARIANTS == TRAINABLE_VARIANTS
