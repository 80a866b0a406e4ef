"""The synthetic clip generator: seeded, consistent frames and masks, the flat layout on disk."""

import subprocess
import sys
from pathlib import Path

import numpy as np

from tracking_worker.evaluation import davis
from tracking_worker.training.synthetic import (
    make_clip,
    photo_library,
    random_scene,
    write_clip,
)

REPO = Path(__file__).resolve().parents[3]


def test_photographs_come_from_scikit_image():
    photos = photo_library()
    assert len(photos) >= 10
    assert all(p.dtype == np.uint8 and p.ndim == 3 and p.shape[2] == 3 for p in photos)


def test_same_seed_gives_the_same_clip_and_another_seed_another():
    first = make_clip(11, n_frames=6, width=160, height=120)
    again = make_clip(11, n_frames=6, width=160, height=120)
    other = make_clip(12, n_frames=6, width=160, height=120)
    assert all(np.array_equal(a, b) for a, b in zip(first.frames, again.frames))
    assert all(np.array_equal(a, b) for a, b in zip(first.masks, again.masks))
    assert not all(np.array_equal(a, b) for a, b in zip(first.frames, other.frames))


def test_frames_and_masks_match_in_size_and_the_target_is_visible_first():
    clip = make_clip(3, n_frames=10, width=200, height=150)
    assert len(clip.frames) == len(clip.masks) == 10
    for frame, mask in zip(clip.frames, clip.masks):
        assert frame.shape == (150, 200, 3) and frame.dtype == np.uint8
        assert mask.shape == (150, 200) and set(np.unique(mask)) <= {0, 1}
    assert clip.masks[0].sum() >= 100


def test_the_target_moves():
    clip = make_clip(5, n_frames=20)
    centres = [np.argwhere(m).mean(axis=0) for m in clip.masks if m.any()]
    assert np.linalg.norm(centres[-1] - centres[0]) > 2


def test_mask_covers_exactly_the_targets_visible_pixels():
    scene = random_scene(np.random.default_rng(4), 240, 180)
    # paint the target pure green and switch off global photometric changes
    scene.target.texture[:] = (0, 255, 0)
    scene.noise, scene.brightness = 0.0, (0.0, 0.0)
    for distractor in scene.distractors:
        distractor.texture[:] = (255, 0, 255)
    scene.background[:] = (128, 128, 128)
    for t in (0, 7, 15):
        frame, mask = scene.render(t)
        inside = frame[mask == 1].astype(int)
        if len(inside):
            # anti-aliased edges blend a little; the bulk of the mask is the target's colour
            green = (inside[:, 1] > 200) & (inside[:, 0] < 60) & (inside[:, 2] < 60)
            assert green.mean() > 0.9
        outside = frame[mask == 0].astype(int)
        pure_green = (outside[:, 1] == 255) & (outside[:, 0] == 0) & (outside[:, 2] == 0)
        assert pure_green.sum() == 0  # no fully green pixel lies outside the mask


def test_written_clip_reads_back_in_the_evaluation_tools_flat_layout(tmp_path):
    clip = make_clip(8, n_frames=4, width=160, height=120, name="clip_a")
    write_clip(clip, tmp_path)
    assert davis.detect_layout(tmp_path) == davis.FLAT
    assert davis.list_sequences(tmp_path) == ["clip_a"]
    seq = davis.read_sequence(tmp_path, "clip_a")
    truth = davis.load_ground_truth(seq)
    assert all(np.array_equal(t, m) for t, m in zip(truth, clip.masks))


def test_command_line_writes_clips(tmp_path):
    out = tmp_path / "synth"
    subprocess.run(
        [sys.executable, "-m", "tracking_worker.training.synthetic", "--out", str(out), "--clips", "2",
         "--frames", "3", "--seed", "5", "--width", "96", "--height", "72"],
        check=True, cwd=REPO, capture_output=True,
    )
    assert sorted(p.name for p in out.iterdir()) == ["synth_00005", "synth_00006"]
    assert len(list((out / "synth_00005" / "frames").glob("*.jpg"))) == 3
    assert len(list((out / "synth_00005" / "masks").glob("*.png"))) == 3
