"""The slices of one fine-tune on different hosts: each gpu worker has its own SIAMLABEL_FINETUNE_DIR
and shares only the database and the media store (local media, or a real S3 bucket), where the
run's resumable training state is kept. The slices run in this process, one "host" after another."""

import pytest
import torch
from django.core.files.base import ContentFile

from annotator import media_store
from annotator.models import FineTuneRun
from annotator.services.checkpoints import file_sha256, resolve_path
from annotator.services.finetune import cancel_finetune, fail_finetune, set_project_model, start_finetune
from annotator.services.finetune_state import state_key
from tests.annotator.finetuning import accepted_clips
from tracking_worker.finetune_job import run_slice, run_to_end

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
STEPS = 4


@pytest.fixture(params=["local", "bucket"])
def media(request):
    """The media store the hosts share: MEDIA_ROOT (the test's) or the SeaweedFS bucket."""
    if request.param == "bucket":
        request.getfixturevalue("s3_media")
    return request.param


def on_host(settings, folder):
    """Make this process a gpu worker whose local fine-tune folder is `folder`."""
    settings.SIAMLABEL_FINETUNE_DIR = folder
    return folder


def weights(run: FineTuneRun) -> dict:
    return torch.load(resolve_path(run.checkpoint.file), weights_only=True)["state_dict"]


def stored(run_id: int, step: int) -> bool:
    return media_store.get().stat(state_key(run_id, step)) is not None


def test_a_slice_on_another_host_continues_from_the_stored_state_to_the_weights_of_one_run(
        media, cast, tmp_path, checkpoint, settings):
    accepted_clips(cast.project, by=cast.carol, tmp_path=tmp_path, train=1, heldout=1)
    settings.SIAMLABEL_FINETUNE_BATCH_SIZE = 2
    whole = start_finetune(project=cast.project, by=cast.carol, steps=STEPS, enqueue=False)
    on_host(settings, tmp_path / "whole")
    run_to_end(whole.pk)
    whole.refresh_from_db()
    assert whole.status == "done", whole.error
    set_project_model(project=cast.project, checkpoint=None)  # the same parent for the sliced run

    run = start_finetune(project=cast.project, by=cast.carol, steps=STEPS, enqueue=False)
    steps = []

    def slice_on(folder, slice_no, max_seconds):
        steps.clear()
        on_host(settings, folder)
        return run_slice(run.pk, slice_no, max_seconds=max_seconds, requeue=False,
                         on_step=lambda info: steps.append(info.step))

    host_a, host_b = tmp_path / "host_a", tmp_path / "host_b"
    assert slice_on(host_a, 0, max_seconds=0)  # one step, then out of time
    assert steps == [1]
    run.refresh_from_db()
    assert run.state_step == 1 and stored(run.pk, 1)
    assert run.state_sha256 == file_sha256(host_a / str(run.pk) / "checkpoint.pth")
    # a worker that died after storing a newer state but before recording it: never read
    media_store.get().save(state_key(run.pk, 3), ContentFile(b"not a state"))

    assert slice_on(host_b, 1, max_seconds=0)  # an empty folder: the state comes from the store
    assert steps == [2], "host B continued from slice 1's step"
    run.refresh_from_db()
    assert run.state_step == 2 and stored(run.pk, 2) and not stored(run.pk, 1)  # the old state is removed

    assert not slice_on(host_a, 2, max_seconds=None)  # host A holds the state of step 1, older than the record's
    assert steps == [3, 4], "the stale local state was not used"
    run.refresh_from_db()
    assert run.status == "done", run.error
    assert run.steps_done == STEPS and run.slice_no == 2
    assert not stored(run.pk, 3) and not stored(run.pk, 4)  # the run ended: its stored states are gone
    sliced, one_run = weights(run), weights(whole)
    for key in one_run:  # the tolerance of tests/tracking_worker/training/test_finetune.py's resume test
        torch.testing.assert_close(one_run[key], sliced[key], rtol=1e-4, atol=1e-5, msg=key)


def test_with_no_recorded_state_a_slice_starts_from_the_parent_even_over_a_local_one(
        cast, tmp_path, checkpoint, settings):
    accepted_clips(cast.project, by=cast.carol, tmp_path=tmp_path, train=1, heldout=1)
    settings.SIAMLABEL_FINETUNE_BATCH_SIZE = 2
    run = start_finetune(project=cast.project, by=cast.carol, steps=STEPS, enqueue=False)
    steps = []
    on_host(settings, tmp_path / "host_a")
    assert run_slice(run.pk, 0, max_seconds=0, requeue=False, on_step=lambda info: steps.append(info.step))
    # as if the slice had died after its local save, before storing it: the record says nothing
    FineTuneRun.objects.filter(pk=run.pk).update(state_step=None, state_sha256="")
    steps.clear()
    assert run_slice(run.pk, 1, max_seconds=0, requeue=False, on_step=lambda info: steps.append(info.step))
    assert steps == [1]


@pytest.mark.parametrize("end", ["cancelled", "failed"])
def test_a_run_that_ends_otherwise_leaves_no_stored_state(end, cast, tmp_path, checkpoint):
    accepted_clips(cast.project, by=cast.carol, tmp_path=tmp_path, train=1, heldout=1)
    run = start_finetune(project=cast.project, by=cast.carol, steps=STEPS, enqueue=False)
    for step in (1, 2):  # the recorded state, and a newer one no slice recorded
        media_store.get().save(state_key(run.pk, step), ContentFile(b"state"))
    FineTuneRun.objects.filter(pk=run.pk).update(state_step=1, state_sha256="0" * 64)
    if end == "cancelled":
        cancel_finetune(run=run)
    else:
        fail_finetune(run, "a crash")
    run.refresh_from_db()
    assert run.status == end
    assert not stored(run.pk, 1) and not stored(run.pk, 2)
