"""Reading DAVIS and flat datasets and results folders, with PNGs written in tmp_path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tracking_worker.evaluation import davis


def test_davis_layout_round_trips_frames_and_masks(davis_dataset: Path, clip):
    assert davis.detect_layout(davis_dataset) == "davis"
    assert davis.list_sequences(davis_dataset) == ["alpha", "beta"]
    seq = davis.read_sequence(davis_dataset, "beta")
    assert len(seq) == clip.n_frames
    assert seq.frame_names == [f"{i:05d}" for i in range(clip.n_frames)]
    gt = davis.load_ground_truth(seq)
    for i, ids in enumerate(gt):
        np.testing.assert_array_equal(ids, clip.object_ids_at(i))
    np.testing.assert_array_equal(davis.load_frame(seq.frame_paths[3]), clip.frame_at(3))
    assert davis.object_ids(gt) == [1, 2]


def test_davis_masks_are_palette_pngs_with_the_davis_colours(davis_dataset: Path):
    with Image.open(davis_dataset / "Annotations" / "alpha" / "00004.png") as img:
        assert img.mode == "P"
        palette = np.array(img.getpalette()[:9]).reshape(3, 3)
    np.testing.assert_array_equal(palette, [[0, 0, 0], [128, 0, 0], [0, 128, 0]])


def test_flat_layout_round_trips_frames_and_masks(flat_dataset: Path, clip):
    assert davis.detect_layout(flat_dataset) == "flat"
    assert davis.list_sequences(flat_dataset) == ["gamma"]
    seq = davis.read_sequence(flat_dataset, "gamma")
    assert [p.suffix for p in seq.frame_paths] == [".jpg"] * clip.n_frames
    gt = davis.load_ground_truth(seq)
    for i, ids in enumerate(gt):
        np.testing.assert_array_equal(ids, clip.object_ids_at(i))
    assert davis.load_frame(seq.frame_paths[0]).shape == (clip.height, clip.width, 3)


def test_davis_480p_folders_are_used_when_present(tmp_path: Path, clip):
    root = tmp_path / "DAVIS"
    clip.write(root / "JPEGImages" / "480p" / "bear", root / "Annotations" / "480p" / "bear")
    assert davis.list_sequences(root) == ["bear"]
    assert len(davis.read_sequence(root, "bear")) == clip.n_frames


def test_unknown_layout_is_rejected(tmp_path: Path):
    (tmp_path / "something").mkdir()
    with pytest.raises(ValueError, match="neither a DAVIS"):
        davis.detect_layout(tmp_path)


def test_void_pixels_are_background(tmp_path: Path):
    ids = np.zeros((8, 8), dtype=np.uint8)
    ids[:4] = 1
    ids[4:, :2] = 255
    davis.write_id_png(tmp_path / "m.png", ids)
    (read,) = davis.ids_from_raw([davis.read_id_png(tmp_path / "m.png")])
    expected = ids.copy()
    expected[expected == 255] = 0
    np.testing.assert_array_equal(read, expected)


def test_binary_0_255_masks_are_one_object(tmp_path: Path, clip):
    masks = tmp_path / "clip" / "masks"
    clip.write(tmp_path / "clip" / "frames", masks)
    for i in range(clip.n_frames):
        binary = np.where(clip.object_ids_at(i) == 1, 255, 0).astype(np.uint8)
        Image.fromarray(binary, mode="L").save(masks / f"{i:05d}.png")
    gt = davis.load_ground_truth(davis.read_sequence(tmp_path, "clip"))
    assert davis.object_ids(gt) == [1]
    np.testing.assert_array_equal(gt[2], clip.object_ids_at(2) == 1)


def test_frames_without_a_mask_have_no_ground_truth(flat_dataset: Path):
    (flat_dataset / "gamma" / "masks" / "00003.png").unlink()
    gt = davis.load_ground_truth(davis.read_sequence(flat_dataset, "gamma"))
    assert gt[3] is None
    assert gt[2] is not None


def test_results_are_read_from_palette_or_greyscale_pngs(davis_dataset: Path, tmp_path: Path, clip):
    seq = davis.read_sequence(davis_dataset, "alpha")
    results = tmp_path / "results"
    davis.write_id_png(results / "alpha" / "00001.png", clip.object_ids_at(1))
    (results / "alpha").mkdir(exist_ok=True)
    Image.fromarray(clip.object_ids_at(2), mode="L").save(results / "alpha" / "00002.png")
    predicted = davis.load_results(results, seq, [1, 2])
    np.testing.assert_array_equal(predicted[1], clip.object_ids_at(1))
    np.testing.assert_array_equal(predicted[2], clip.object_ids_at(2))


def test_missing_result_frame_is_named(davis_dataset: Path, tmp_path: Path):
    seq = davis.read_sequence(davis_dataset, "alpha")
    with pytest.raises(FileNotFoundError, match="alpha frame 00001"):
        davis.load_results(tmp_path, seq, [1])


def test_colour_coded_rgb_masks_are_rejected(tmp_path: Path):
    rgb = np.zeros((4, 4, 3), dtype=np.uint8)
    rgb[0, 0] = (128, 0, 0)
    Image.fromarray(rgb, mode="RGB").save(tmp_path / "rgb.png")
    with pytest.raises(ValueError, match="not an id mask"):
        davis.read_id_png(tmp_path / "rgb.png")
