"""Two-anchor fusion with a real worker and the built-in mobile model (it has a quality head).

The clip: an object (a cut-out of scikit-image's astronaut on its coffee photograph) sits top-left
on frame 0, then jumps to the bottom-right corner and stays there. Run forward from a box on
frame 0, the tracker searches where the object was and loses it; run back from a box on the last
frame, it keeps it. Fusion keeps, per frame, the run with the higher quality: the backward one.
"""

import shutil

import cv2
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotator import masks
from annotator.models import FrameAnnotation, ModelCheckpoint, PropagationJob
from annotator.services import videos as video_services
from annotator.services.checkpoints import register_checkpoint
from annotator.services.tracks import create_track, set_frame_annotation
from tests.conftest import wait_for
from tests.tracking_worker.propagation.conftest import STARTER

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
MOBILE = STARTER.with_name("mobile.pth")
FRAMES, WIDTH, HEIGHT = 12, 320, 240
OBJECT_W, OBJECT_H = 44, 54
BEFORE, AFTER = [18, 13, OBJECT_W, OBJECT_H], [248, 163, OBJECT_W, OBJECT_H]  # frame 0, and frames 1 on


def object_mask() -> np.ndarray:
    mask = np.zeros((OBJECT_H, OBJECT_W), np.uint8)
    cv2.ellipse(mask, (OBJECT_W // 2, OBJECT_H // 2), (OBJECT_W // 2 - 1, OBJECT_H // 2 - 1), 0, 0, 360, 1, -1)
    return mask > 0


def truth_mask(box) -> np.ndarray:
    x, y = box[:2]
    truth = np.zeros((HEIGHT, WIDTH), dtype=bool)
    truth[y : y + OBJECT_H, x : x + OBJECT_W] = object_mask()
    return truth


def jumping_object(path) -> str:
    from skimage import data

    background = cv2.resize(data.coffee()[..., ::-1], (WIDTH, HEIGHT))
    cutout = cv2.resize(data.astronaut()[..., ::-1][30:330, 140:380], (OBJECT_W, OBJECT_H))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (WIDTH, HEIGHT))
    for i in range(FRAMES):
        frame = background.copy()
        shown = truth_mask(BEFORE if i == 0 else AFTER)
        frame[shown] = cutout[object_mask()]
        writer.write(frame)
    writer.release()
    return path


@pytest.fixture
def mobile(settings, tmp_path):
    settings.SIAMLABEL_WEIGHTS_DIR = tmp_path / "weights"
    settings.SIAMLABEL_WEIGHTS_DIR.mkdir()
    shutil.copy(MOBILE, settings.SIAMLABEL_WEIGHTS_DIR / MOBILE.name)
    return register_checkpoint(name="mobile", file=MOBILE.name, variant=ModelCheckpoint.Variant.MOBILE,
                               make_default=True)


@pytest.fixture
def two_anchors(cast, tmp_path):
    """A track on the jumping-square clip with a box on its first and last frames."""
    path = jumping_object(tmp_path / "jump.avi")
    upload = SimpleUploadedFile("jump.avi", path.read_bytes(), content_type="video/x-msvideo")
    video = video_services.create_video(project=cast.project, name="jump", upload=upload, by=cast.alice)
    video = video_services.extract_video_frames(video.pk)
    track = create_track(video=video, label=cast.project.labels.first(), frame_index=0, bbox=BEFORE, by=cast.alice)
    set_frame_annotation(track=track, frame_index=FRAMES - 1, version=1, bbox=AFTER, by=cast.alice)
    return track


def finished(job_id):
    job = PropagationJob.objects.get(pk=job_id)
    return job if not job.is_active else None


def iou(annotation: FrameAnnotation) -> float:
    """IoU of the frame's mask with the object where it is from frame 1 on."""
    truth, mask = truth_mask(AFTER), masks.decode_mask(annotation.mask_rle).astype(bool)
    return float((mask & truth).sum() / max((mask | truth).sum(), 1))


def propagate(clients, track, worker, fusion: bool) -> PropagationJob:
    started = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0, "fusion": fusion}, format="json")
    assert started.status_code == 202, started.json()
    assert started.json()["fusion"] is fusion
    job = wait_for(lambda: finished(started.json()["id"]), 180, "the propagation job", worker)
    assert job.status == "succeeded", job.error
    return job


def test_fusion_keeps_the_backward_run_where_the_forward_run_lost_the_object(clients, mobile, two_anchors,
                                                                            start_worker):
    worker = start_worker(SIAMLABEL_LOST_PATIENCE="1000000")  # judge fusion alone, not the lost-target stop
    single = propagate(clients, two_anchors, worker, fusion=False)
    forward = {a.frame_index: a for a in FrameAnnotation.objects.filter(job=single)}
    assert set(forward) == set(range(1, FRAMES - 1)) and {a.run for a in forward.values()} == {"forward"}

    fused = propagate(clients, two_anchors, worker, fusion=True)
    rows = {a.frame_index: a for a in FrameAnnotation.objects.filter(track=two_anchors, source="propagated")}
    assert set(rows) == set(range(1, FRAMES - 1)) and {a.job_id for a in rows.values()} == {fused.pk}
    assert fused.frames_total == 2 * (FRAMES - 2)  # the run back from frame 11, then the forward run
    assert fused.frames_done == fused.frames_total
    assert {a.run for a in rows.values()} == {"backward"}
    for frame, annotation in rows.items():
        assert annotation.quality > forward[frame].quality, frame  # the run with the higher quality won
        assert iou(annotation) > 0.4, frame  # about 0.5 with this small model; the forward run: 0
        assert iou(annotation) > iou(forward[frame]) + 0.3, frame
    keys = FrameAnnotation.objects.filter(track=two_anchors, frame_index__in=[0, FRAMES - 1])
    assert sorted(keys.values_list("source", "run")) == [("manual_box", ""), ("manual_box", "")]


def test_where_the_forward_run_stops_lost_the_backward_run_fills_the_segment(clients, mobile, two_anchors,
                                                                             start_worker):
    worker = start_worker()  # the default lost-target rule: 5 frames under a quality of 0.3
    single = propagate(clients, two_anchors, worker, fusion=False)
    assert single.stop_reasons["1"][str(two_anchors.pk)]["reason"] == "target lost"
    assert not FrameAnnotation.objects.filter(job=single).exists()

    fused = propagate(clients, two_anchors, worker, fusion=True)
    assert fused.stop_reasons == {}  # nothing left to re-anchor: the run back from frame 11 covered it
    rows = FrameAnnotation.objects.filter(track=two_anchors, source="propagated")
    assert sorted(rows.values_list("frame_index", "run")) == [(f, "backward") for f in range(1, FRAMES - 1)]
