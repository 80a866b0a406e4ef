"""`python -m tracking_worker.track` writes one decodable record per frame."""

from __future__ import annotations

import json
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from pycocotools import mask as mask_utils


@pytest.fixture(scope="module")
def checkpoint(random_model, tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "random.pth"
    torch.save(random_model.state_dict(), path)
    return path


@pytest.fixture
def run_cli(repo_root):
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "tracking_worker.track", *args],
            cwd=repo_root,
            capture_output=True,
            text=True,
            timeout=300,
        )

    return run


def check_records(out, n_frames, height, width):
    records = json.loads(out.read_text())
    assert [r["frame_index"] for r in records] == list(range(n_frames))
    assert records[0]["init"] and records[0]["mask"] is None and records[0]["quality"] is None
    for record in records[1:]:
        rle = dict(record["mask"], counts=record["mask"]["counts"].encode("ascii"))
        mask = mask_utils.decode(rle)
        assert mask.shape == (height, width)
        assert 0.0 <= record["score"] <= 1.0
        assert record["quality"] is None or 0.0 <= record["quality"] <= 1.0
        assert len(record["bbox"]) == 4
        assert np.asarray(record["rotated_box"]).shape == (4, 2)


def test_cli_tracks_a_folder_of_frames(run_cli, checkpoint, squares_clip, tmp_path):
    frames_dir = tmp_path / "frames"
    frames_dir.mkdir()
    for i, frame in enumerate(squares_clip[:4]):
        cv2.imwrite(str(frames_dir / f"{i:05d}.png"), frame)
    out = tmp_path / "out.json"
    done = run_cli("--weights", str(checkpoint), "--frames", str(frames_dir), "--box", "10,20,24,24",
                   "--out", str(out), "--device", "cpu")
    assert done.returncode == 0, done.stderr
    check_records(out, 4, *squares_clip[0].shape[:2])
    assert "frame" in done.stderr  # tqdm progress on stderr
    # the sharp model has no quality head
    assert [r["quality"] for r in json.loads(out.read_text())] == [None] * 4


def test_cli_records_the_quality_of_a_model_with_a_quality_head(squares_clip, tmp_path):
    from tracking_worker import track
    from tracking_worker.siammask.checkpoints import build_variant
    from tracking_worker.siammask.network.mobile import mobile_arch

    torch.manual_seed(0)
    model = build_variant("mobile", mobile_arch(), pretrained=False)
    weights = tmp_path / "mobile.pth"
    torch.save({"state_dict": model.state_dict(), "meta": {"variant": "mobile", "arch": mobile_arch()}},
               weights)
    frames_dir = tmp_path / "frames"
    frames_dir.mkdir()
    for i, frame in enumerate(squares_clip[:3]):
        cv2.imwrite(str(frames_dir / f"{i:05d}.png"), frame)
    out = tmp_path / "out.json"
    assert track.main(["--weights", str(weights), "--frames", str(frames_dir), "--box", "10,20,24,24",
                       "--out", str(out), "--device", "cpu"]) == 0
    check_records(out, 3, *squares_clip[0].shape[:2])
    qualities = [r["quality"] for r in json.loads(out.read_text())[1:]]
    assert all(isinstance(q, float) and 0.0 <= q <= 1.0 for q in qualities), qualities


def test_cli_tracks_a_video_without_refine(run_cli, checkpoint, squares_clip, tmp_path):
    video = tmp_path / "clip.avi"
    height, width = squares_clip[0].shape[:2]
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (width, height))
    assert writer.isOpened(), "OpenCV cannot write MJPG video"
    for frame in squares_clip[:3]:
        writer.write(frame)
    writer.release()
    out = tmp_path / "out.json"
    done = run_cli("--weights", str(checkpoint), "--frames", str(video), "--box", "10,20,24,24",
                   "--out", str(out), "--config", "vot", "--no-refine", "--device", "cpu")
    assert done.returncode == 0, done.stderr
    check_records(out, 3, height, width)


def test_cli_reports_a_box_outside_the_frame(run_cli, checkpoint, squares_clip, tmp_path):
    frames_dir = tmp_path / "frames"
    frames_dir.mkdir()
    cv2.imwrite(str(frames_dir / "0.png"), squares_clip[0])
    done = run_cli("--weights", str(checkpoint), "--frames", str(frames_dir), "--box", "500,500,10,10",
                   "--out", str(tmp_path / "out.json"), "--device", "cpu")
    assert done.returncode == 1
    assert "outside" in done.stderr
