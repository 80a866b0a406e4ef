"""A checkpoint's tuned tracker fields (meta["tracker"]) reach propagation jobs through a real worker."""

from pathlib import Path

import pytest
import torch

from annotator.models import ModelCheckpoint, PropagationJob
from tests.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
STARTER = Path(__file__).resolve().parents[3] / "weights" / "starter.pth"
NO_LOST_STOP = {"SIAMLABEL_LOST_PATIENCE": "1000000"}


@pytest.fixture
def weights_dir(settings, tmp_path) -> Path:
    """This test's weights folder; requested before start_worker, whose environment copies it."""
    settings.SIAMLABEL_WEIGHTS_DIR = tmp_path / "weights"
    settings.SIAMLABEL_WEIGHTS_DIR.mkdir()
    return settings.SIAMLABEL_WEIGHTS_DIR


def register_tuned(weights_dir: Path, tracker: dict, config: str = "davis") -> ModelCheckpoint:
    """Register a copy of the starter model whose meta carries `tracker`, as the default."""
    from annotator.services.checkpoints import register_checkpoint

    checkpoint = torch.load(STARTER, map_location="cpu", weights_only=True)
    torch.save({**checkpoint, "meta": {**checkpoint["meta"], "tracker": tracker}}, weights_dir / "tuned.pth")
    return register_checkpoint(name="tuned", file="tuned.pth", variant=ModelCheckpoint.Variant.LIGHT,
                               config=config, make_default=True)


def propagate(clients, track, start_worker) -> PropagationJob:
    worker = start_worker(**NO_LOST_STOP)
    job = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()
    return wait_for(lambda: (j := PropagationJob.objects.get(pk=job["id"])) and (None if j.is_active else j),
                    120, "the job to finish", worker)


def test_a_job_tracks_with_the_checkpoints_tuned_fields(weights_dir, clients, track, start_worker):
    register_tuned(weights_dir, {"seg_thr": 0.45, "lr": 0.5})
    job = propagate(clients, track, start_worker)
    assert job.status == "succeeded", job.error
    assert (job.tracker_config["seg_thr"], job.tracker_config["lr"]) == (0.45, 0.5)
    assert job.tracker_config["window_influence"] == 0.4  # the rest stays the official DAVIS config


def test_a_vot_checkpoint_keeps_the_official_vot_config(weights_dir, clients, track, start_worker):
    register_tuned(weights_dir, {"seg_thr": 0.45}, config="vot")
    job = propagate(clients, track, start_worker)
    assert job.status == "succeeded", job.error
    assert (job.tracker_config["seg_thr"], job.tracker_config["lr"]) == (0.30, 0.25)


def test_bad_tuned_fields_fail_the_job_with_a_clear_error(weights_dir, clients, track, start_worker):
    register_tuned(weights_dir, {"precision": "fast"})
    job = propagate(clients, track, start_worker)
    assert job.status == "failed"
    assert "tuned tracker settings of 'tuned' are invalid" in job.error and "precision" in job.error
