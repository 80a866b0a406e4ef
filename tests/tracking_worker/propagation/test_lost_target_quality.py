"""The lost-target rule judges the mask's quality (`TrackResult.quality`) when the model gives one.

The runner runs in this process against the real PostgreSQL, on the real tracker with the starter
weights. The starter has no quality head, so `script_quality` stands in for one: it sets each
result's `quality` from the frame it was computed on.
"""

import dataclasses
import hashlib

import pytest

from annotator.models import FrameAnnotation, PropagationJob
from annotator.services.checkpoints import resolve_path
from annotator.services.propagation import start_propagation
from tracking_worker.frame_reader import read_frame
from tracking_worker.propagation.runner import LOST_QUALITY_THRESHOLD, is_low, lost_stop, run_job
from tracking_worker.propagation.writer import FrameRecord



def script_quality(monkeypatch, video, quality_at) -> None:
    """Make the tracker report `quality_at(frame_index)` as each result's quality."""
    import tracking_worker.siammask as siammask

    def digest(frame):
        return hashlib.sha1(frame.tobytes()).hexdigest()

    index_of = {digest(read_frame(video.frame_path(i))): i for i in range(video.frame_count)}

    class QualityHead(siammask.MultiTracker):
        def track(self, frame_bgr):
            quality = quality_at(index_of[digest(frame_bgr)])
            return {k: dataclasses.replace(r, quality=quality) for k, r in super().track(frame_bgr).items()}

    monkeypatch.setattr(siammask, "MultiTracker", QualityHead)


def propagate(track, checkpoint, **config) -> PropagationJob:
    """Run a forward job from frame 0 to its end, here, with these TrackerConfig overrides."""
    from tracking_worker.siammask import TrackerConfig, load_model

    model = load_model(str(resolve_path(checkpoint.file)), device="cpu")
    job = start_propagation(tracks=[track], start_frame=0, direction="forward", by=None, enqueue=False)
    run_job(job.pk, lambda job: (model, TrackerConfig.davis(device="cpu", **config)))
    return PropagationJob.objects.get(pk=job.pk)


def qualities(track) -> dict[int, float | None]:
    return dict(FrameAnnotation.objects.filter(track=track).values_list("frame_index", "quality"))


@pytest.mark.django_db(transaction=True)
def test_low_predicted_iou_stops_the_track_although_the_score_is_high(track, ready_video, checkpoint, monkeypatch):
    script_quality(monkeypatch, ready_video, lambda frame: 0.9 if frame < 5 else 0.1)
    job = propagate(track, checkpoint, lost_score_threshold=0.0, lost_patience=3)
    assert job.status == "succeeded", job.error
    stop = job.stop_reasons["1"][str(track.pk)]
    assert (stop["reason"], stop["frame"], stop["measure"]) == ("target lost", 5, "quality")
    assert stop["value"] == stop["quality"] == pytest.approx(0.1)
    assert stop["threshold"] == LOST_QUALITY_THRESHOLD and stop["score"] > 0  # the score is kept, not judged
    assert (job.frames_done, job.frames_total) == (7, 11)  # frames 1..7 stepped through: not 100%
    assert job.tracker_config["lost_quality_threshold"] == LOST_QUALITY_THRESHOLD
    assert qualities(track) == {f: pytest.approx(0.9) for f in range(5)}  # the held low frames are not written


@pytest.mark.django_db(transaction=True)
def test_good_predicted_iou_keeps_the_track_although_every_score_is_low(track, ready_video, checkpoint, monkeypatch):
    script_quality(monkeypatch, ready_video, lambda frame: 0.8)
    job = propagate(track, checkpoint, lost_score_threshold=1.01, lost_patience=3)
    assert job.status == "succeeded", job.error
    assert job.stop_reasons == {}
    assert (job.frames_done, job.frames_total) == (11, 11)
    assert qualities(track) == {f: pytest.approx(0.8) for f in range(12)}


@pytest.mark.django_db(transaction=True)
def test_the_quality_threshold_comes_from_settings(track, ready_video, checkpoint, monkeypatch, settings):
    settings.SIAMLABEL_LOST_QUALITY_THRESHOLD = 0.85
    script_quality(monkeypatch, ready_video, lambda frame: 0.8)
    job = propagate(track, checkpoint, lost_score_threshold=0.0, lost_patience=3)
    stop = job.stop_reasons["1"][str(track.pk)]
    assert (stop["frame"], stop["measure"], stop["threshold"]) == (1, "quality", 0.85)
    assert stop["value"] == pytest.approx(0.8)
    assert job.tracker_config["lost_quality_threshold"] == 0.85


@pytest.mark.django_db(transaction=True)
def test_without_a_quality_head_the_score_rule_is_unchanged(track, checkpoint):
    job = propagate(track, checkpoint, lost_score_threshold=1.01, lost_patience=3)
    stop = job.stop_reasons["1"][str(track.pk)]
    assert (stop["reason"], stop["frame"], stop["measure"], stop["threshold"]) == ("target lost", 1, "score", 1.01)
    assert stop["value"] == stop["score"] and stop["quality"] is None
    assert (job.frames_done, job.frames_total) == (3, 11)
    assert qualities(track) == {0: None}  # the keyframe got a mask and no quality


def record(score: float, quality: float | None, area: int = 100) -> FrameRecord:
    return FrameRecord(track_id=1, frame_index=3, score=score, bbox=[0, 0, 1, 1], rotated_box=[], mask_rle={},
                       area=area, quality=quality)


@pytest.mark.parametrize(("score", "quality", "area", "low"), [
    (0.99, 0.2, 100, True),  # the quality head judges the mask: a confident score does not save it
    (0.1, 0.6, 100, False),  # ...nor does a low score condemn a mask it predicts to be good
    (0.1, None, 100, True),  # no quality head: the score rule, as before
    (0.9, None, 100, False),
    (0.99, 0.99, 0, True),  # an empty mask is low whatever the model says
])
def test_a_frame_is_low_by_quality_when_there_is_one_else_by_score(score, quality, area, low):
    assert is_low(record(score, quality, area), score_threshold=0.5, quality_threshold=0.3) is low


@pytest.mark.parametrize(("score", "quality", "area", "measure", "value", "threshold"), [
    (0.99, 0.2, 100, "quality", 0.2, 0.3),
    (0.1, None, 100, "score", 0.1, 0.5),
    (0.99, 0.99, 0, "area", 0.0, 1.0),  # an empty mask: its area is what was low
])
def test_a_lost_stop_names_what_was_low_on_its_first_frame(score, quality, area, measure, value, threshold):
    stop = lost_stop(record(score, quality, area), score_threshold=0.5, quality_threshold=0.3)
    assert stop == {"reason": "target lost", "frame": 3, "measure": measure, "value": value, "threshold": threshold,
                    "score": score, "quality": quality}
