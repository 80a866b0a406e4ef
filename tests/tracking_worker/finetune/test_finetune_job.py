"""Fine-tuning end to end: accepted tracks imported on generated clips -> API -> Redis -> a real
Celery worker on the `gpu` queue (slices, evaluation, decision) -> PostgreSQL."""

import pytest

from annotator.models import FineTuneRun, PropagationJob
from annotator.services.tracks import create_track
from tests import clips
from tests.annotator.finetuning import accepted_clips
from tests.annotator.labelled import add_clip
from tests.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
# enough steps that training outlasts a few 1 s slices even on a quiet, fast machine (24 steps once
# ended before the propagation job was seen to finish, 2026-12-01): the propagation job must be seen
# to finish while training still has steps left
STEPS = 60
KILL_STEPS = 16  # room for steps after the kill, which comes after the first stored state (step 4, 7 in two runs here)
# a tiny budget: batch 2, slices of ~1 s so the run yields the queue and resumes between slices
TINY = {"SIAMLABEL_FINETUNE_BATCH_SIZE": "2", "SIAMLABEL_FINETUNE_SLICE_SECONDS": "1"}


def test_a_fine_tune_trains_in_a_worker_evaluates_both_models_and_applies_its_decision(
        clients, cast, tmp_path, checkpoint, start_worker):
    accepted_clips(cast.project, by=cast.carol, tmp_path=tmp_path, train=1, heldout=1)
    busy = add_clip(cast.project, by=cast.alice, tmp_path=tmp_path, name="busy")
    track = create_track(video=busy, label=cast.project.labels.first(), frame_index=0, bbox=clips.square_box(0),
                         by=cast.alice)
    worker = start_worker("gpu", **TINY, SIAMLABEL_FINETUNE_DIR=str(tmp_path / "finetune"))
    answer = clients.carol.post(f"/api/projects/{cast.project.pk}/finetunes/", {"steps": STEPS}, format="json")
    assert answer.status_code == 201, answer.json()
    run_id = answer.json()["id"]
    wait_for(lambda: FineTuneRun.objects.get(pk=run_id).steps_done >= 1, 60, "the first training step", worker)

    # an annotator propagates meanwhile: the job waits for one slice at most, not for the whole fine-tune
    job_id = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()["id"]
    job = wait_for(lambda: PropagationJob.objects.filter(pk=job_id, status="succeeded").first(), 60,
                   "the propagation job", worker)
    assert FineTuneRun.objects.get(pk=run_id).steps_done < STEPS, "propagation waited for the training"
    assert job.frames_done > 0

    run = wait_for(lambda: _ended(run_id), 300, "the fine-tune to end", worker)  # 180 s ran out with two suites on 2 cores
    assert run.status == "done", f"{run.error}\n{worker.log_tail()}"
    assert run.steps_done == run.steps_total == STEPS and run.loss is not None
    assert run.slice_no >= 1, "slices of ~1 s: the run yielded the queue and resumed"
    for model in ("old", "new"):
        assert run.evaluation[model]["n_frames"] > 0 and 0 <= run.evaluation[model]["JF"] <= 1
    cast.project.refresh_from_db()
    tuned = run.checkpoint
    assert (tuned.parent, tuned.project) == (checkpoint, cast.project)
    assert tuned.metrics["evaluation"] == run.evaluation and tuned.metrics["lineage"]["steps"] == STEPS
    if run.decision == "promoted":
        assert cast.project.default_checkpoint == tuned
    else:
        assert run.decision == "not_better" and run.reason
        assert cast.project.default_checkpoint is None  # unchanged: the server's default
    body = clients.bob.get(f"/api/projects/{cast.project.pk}/model/").json()
    assert body["last_finetune"]["id"] == run_id and body["last_finetune"]["evaluation"] == run.evaluation
    assert body["checkpoint"]["id"] == (tuned.pk if run.decision == "promoted" else checkpoint.pk)


def _ended(run_id):
    run = FineTuneRun.objects.select_related("checkpoint").get(pk=run_id)
    return None if run.is_active else run


def _past_its_stored_state(run_id):
    run = FineTuneRun.objects.get(pk=run_id)
    return run.state_step is not None and run.steps_done > run.state_step


def test_a_worker_killed_mid_slice_leaves_the_run_to_another_that_finishes_it(
        clients, cast, tmp_path, checkpoint, start_worker, media_root):
    accepted_clips(cast.project, by=cast.carol, tmp_path=tmp_path, train=1, heldout=1)
    env = TINY | {"SIAMLABEL_FINETUNE_DIR": str(tmp_path / "finetune")}
    worker = start_worker("gpu", **env)
    run_id = clients.carol.post(f"/api/projects/{cast.project.pk}/finetunes/", {"steps": KILL_STEPS},
                                format="json").json()["id"]
    wait_for(lambda: _past_its_stored_state(run_id), 60, "a step after a slice stored its state", worker)
    worker.kill()  # mid-slice: no ack, no clean-up; the run still says running
    killed = FineTuneRun.objects.get(pk=run_id)
    assert killed.status == "running" and killed.state_step < killed.steps_done < KILL_STEPS
    assert (media_root / "finetune" / str(run_id) / f"state-{killed.state_step}.pth").is_file()  # it resumes from this
    # the second worker is on another host: an empty fine-tune folder; the recorded state is in the media store
    second = start_worker("gpu", **env | {"SIAMLABEL_FINETUNE_DIR": str(tmp_path / "host_b")})
    run = wait_for(lambda: _ended(run_id), 110, "the fine-tune to end on the second worker", second)
    assert run.status == "done", f"{run.error}\n{second.log_tail()}"
    assert run.steps_done == KILL_STEPS and run.slice_no > killed.slice_no
    assert run.evaluation["new"]["n_frames"] > 0 and run.checkpoint is not None
    assert (tmp_path / "host_b" / str(run_id) / "model.pth").is_file()
    assert not (media_root / "finetune" / str(run_id)).exists()  # the run ended: its stored states are removed
