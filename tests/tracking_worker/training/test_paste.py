"""Cut-and-paste pairs: the object lands where its mask says, on another clip's background."""

from pathlib import Path

import cv2
import numpy as np
import pytest

from tracking_worker.evaluation.davis import write_id_png
from tracking_worker.training.paste import PasteSource
from tracking_worker.training.readers import build_source

H, W = 120, 160
COLOURS = {"red": (0, 0, 255), "blue": (255, 0, 0)}


def write_clip(root, name, colour, n=5):
    """A clip whose object is a solid square of `colour` on a grey-green striped background."""
    (root / name / "frames").mkdir(parents=True)
    (root / name / "masks").mkdir(parents=True)
    for i in range(n):
        frame = np.zeros((H, W, 3), np.uint8)
        frame[:, :, 1] = 60 + (np.arange(W) % 20 < 10) * 60
        ids = np.zeros((H, W), np.uint8)
        ids[40:80, 30 + 4 * i : 70 + 4 * i] = 1
        frame[ids == 1] = COLOURS[colour]
        cv2.imwrite(str(root / name / "frames" / f"{i:05d}.png"), frame)
        write_id_png(root / name / "masks" / f"{i:05d}.png", ids)


@pytest.fixture()
def clips(tmp_path):
    write_clip(tmp_path, "red", "red")
    write_clip(tmp_path, "blue", "blue")
    return tmp_path


def test_pasted_object_is_under_its_mask_on_both_frames(clips):
    source = PasteSource(clips, distractor_prob=0, occluder_prob=0, blur_prob=0, min_area=50)
    pairs = [p for i in range(20) if (p := source.sample(np.random.default_rng([0, i]))) is not None]
    assert len(pairs) >= 15
    for pair in pairs:
        for frame, mask in ((pair.template_bgr, pair.template_mask), (pair.search_bgr, pair.search_mask)):
            assert frame.shape == (H, W, 3) and mask.shape == (H, W) and mask.sum() >= 50
            inside = frame[mask > 0].astype(int)
            # pure red or pure blue under the mask (bar the blended rim), the background elsewhere
            saturated = (inside.max(1) - inside.min(1)) > 150
            assert saturated.mean() > 0.8
            outside = frame[mask == 0].astype(int)
            assert ((outside[:, 0] > 200) | (outside[:, 2] > 200)).mean() < 0.2


def test_pairs_are_seeded_and_varied(clips):
    source = PasteSource(clips, min_area=50)
    first = source.sample(np.random.default_rng([3, 1]))
    again = source.sample(np.random.default_rng([3, 1]))
    assert np.array_equal(first.search_bgr, again.search_bgr)
    boxes = {tuple(cv2.boundingRect(p.search_mask)) for i in range(10)
             if (p := source.sample(np.random.default_rng([4, i]))) is not None}
    assert len(boxes) > 5  # the object moves and scales between samples


def test_an_occluder_removes_the_covered_part_from_the_mask(clips):
    source = PasteSource(clips, distractor_prob=0, occluder_prob=1.0, blur_prob=0, min_area=10)
    covered = 0
    for i in range(20):
        pair = source.sample(np.random.default_rng([5, i]))
        if pair is None:
            continue
        red_or_blue = pair.search_bgr[pair.search_mask > 0].astype(int)
        # under the mask only the target's own colour: the occluder's pixels are not in it
        own = red_or_blue[:, 2] > red_or_blue[:, 0] if red_or_blue[:, 2].mean() > red_or_blue[:, 0].mean() \
            else red_or_blue[:, 0] > red_or_blue[:, 2]
        assert own.mean() > 0.9
        covered += 1
    assert covered >= 10


def test_config_entry_builds_the_source(clips):
    source = build_source({"type": "paste", "root": str(clips), "sequences": ["red", "blue"], "weight": 2.0})
    assert isinstance(source, PasteSource) and len(source.clips) == 2


def test_one_clip_is_not_enough_without_background_frames(clips):
    with pytest.raises(ValueError, match="two annotated clips"):
        PasteSource(clips, sequences=["red"])


def test_one_sparsely_annotated_clip_pastes_onto_background_frames(clips):
    for index in (1, 3):  # frames 0, 2 and 4 keep their masks (trusted), 1 and 3 have none
        (clips / "red" / "masks" / f"{index:05d}.png").unlink()
    source = PasteSource(clips, sequences=["red"], backgrounds=[str(clips / "blue" / "frames")],
                         occluder_prob=1.0, distractor_prob=1.0, min_area=50)
    assert [Path(mask).stem for _, mask in source.clips[0]] == ["00000", "00002", "00004"]
    pairs = [p for i in range(10) if (p := source.sample(np.random.default_rng([6, i]))) is not None]
    assert len(pairs) >= 5
    for pair in pairs:  # the red object, on a frame of the blue clip
        assert (pair.template_bgr[pair.template_mask > 0][:, 2] > 200).mean() > 0.8
        assert (pair.template_bgr[..., 0] > 200).any()
