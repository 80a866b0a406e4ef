"""Pair sources (DAVIS, flat, YouTube-VOS, COCO polygons and RLE), crops and the dataset."""

import json

import cv2
import numpy as np
import pytest
import torch
from pycocotools import mask as mask_utils

from tracking_worker.evaluation.davis import write_id_png
from tracking_worker.training.augment import AugmentConfig, crop_pair, mask_box
from tracking_worker.training.dataset import PairDataset
from tracking_worker.training.readers import (
    CocoPairSource,
    SyntheticPairSource,
    VideoPairSource,
    YouTubeVOSPairSource,
    build_source,
    object_masks,
)

H, W = 96, 128


def id_map(index: int) -> np.ndarray:
    """Object 1: a 20x20 square moving right; object 2: a 16x12 box moving down."""
    ids = np.zeros((H, W), np.uint8)
    ids[10:30, 10 + 3 * index : 30 + 3 * index] = 1
    ids[50 + 2 * index : 66 + 2 * index, 80:92] = 2
    return ids


def frame_for(ids: np.ndarray) -> np.ndarray:
    frame = np.full((H, W, 3), 90, np.uint8)
    frame[ids == 1] = (0, 0, 255)
    frame[ids == 2] = (0, 255, 0)
    return frame


def write_video(frames_dir, masks_dir, n=6, every=1):
    frames_dir.mkdir(parents=True)
    masks_dir.mkdir(parents=True)
    for i in range(n):
        cv2.imwrite(str(frames_dir / f"{i:05d}.jpg"), frame_for(id_map(i)))
        if i % every == 0:
            write_id_png(masks_dir / f"{i:05d}.png", id_map(i))


def check_pair(pair):
    assert pair is not None
    for frame, mask in ((pair.template_bgr, pair.template_mask), (pair.search_bgr, pair.search_mask)):
        assert frame.shape == (H, W, 3) and mask.shape == (H, W)
        # one object per pair: its pixels are all red or all green in the frame
        colours = {tuple(c) for c in frame[mask > 0][:, ::-1] // 128}
        assert len(colours) <= 2 and mask.sum() > 0


def test_davis_layout(tmp_path):
    for seq in ("a", "b"):
        write_video(tmp_path / "JPEGImages" / seq, tmp_path / "Annotations" / seq)
    source = VideoPairSource(tmp_path, max_gap=2)
    assert len(source) == 2
    rng = np.random.default_rng(0)
    pairs = [source.sample(rng) for _ in range(10)]
    for pair in pairs:
        check_pair(pair)
    areas = {int(p.template_mask.sum()) for p in pairs}
    assert areas <= {400, 192}


def test_flat_layout_and_project_exports_use_the_same_reader(tmp_path):
    write_video(tmp_path / "clip" / "frames", tmp_path / "clip" / "masks")
    source = build_source({"type": "export", "root": str(tmp_path)})
    check_pair(source.sample(np.random.default_rng(1)))


def test_youtube_vos_layout_with_sparse_masks(tmp_path):
    root = tmp_path / "ytvos"
    write_video(root / "train" / "JPEGImages" / "vid1", root / "train" / "Annotations" / "vid1", n=11, every=5)
    source = YouTubeVOSPairSource(root)
    assert len(source.sequences[0]) == 3  # frames 0, 5, 10 have masks
    check_pair(source.sample(np.random.default_rng(2)))


def test_binary_0_255_masks_are_one_object():
    ids = np.zeros((4, 4), np.uint8)
    ids[1:3, 1:3] = 255
    assert list(object_masks(ids)) == [255]
    ids[0, 0] = 3
    assert list(object_masks(ids)) == [3]  # 255 is void once real ids exist


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pycocotools vs numpy 2
def test_coco_json_with_polygon_and_rle_masks(tmp_path):
    image = np.full((H, W, 3), 70, np.uint8)
    cv2.imwrite(str(tmp_path / "img.jpg"), image)
    square = np.zeros((H, W), np.uint8)
    square[20:60, 30:70] = 1
    rle = mask_utils.encode(np.asfortranarray(square))
    rle["counts"] = rle["counts"].decode()
    uncompressed_counts = []
    flat = square.flatten(order="F")
    value, run = 0, 0
    for v in flat:
        if v == value:
            run += 1
        else:
            uncompressed_counts.append(run)
            value, run = v, 1
    uncompressed_counts.append(run)
    coco = {
        "images": [{"id": 1, "file_name": "img.jpg", "height": H, "width": W}],
        "categories": [{"id": 1, "name": "thing"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "iscrowd": 0, "area": 1600,
             "bbox": [30, 20, 40, 40], "segmentation": [[30, 20, 70, 20, 70, 60, 30, 60]]},
            {"id": 2, "image_id": 1, "category_id": 1, "iscrowd": 0, "area": 1600,
             "bbox": [30, 20, 40, 40], "segmentation": rle},
            {"id": 3, "image_id": 1, "category_id": 1, "iscrowd": 0, "area": 1600,
             "bbox": [30, 20, 40, 40], "segmentation": {"size": [H, W], "counts": uncompressed_counts}},
            {"id": 4, "image_id": 1, "category_id": 1, "iscrowd": 1, "area": 1600,
             "bbox": [30, 20, 40, 40], "segmentation": rle},
        ],
    }
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(coco))
    source = CocoPairSource(path, tmp_path, min_area=10)
    assert [a["id"] for a in source.annotations] == [1, 2, 3]  # the crowd one is left out
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(30):
        pair = source.sample(rng)
        # still images: template and search are the same image and mask
        assert pair.template_bgr is pair.search_bgr
        assert abs(int(pair.template_mask.sum()) - 1600) <= 90  # polygon rasterisation differs slightly
        seen.add(int(pair.template_mask.sum()))
    assert 1600 in seen


def test_crop_without_augmentation_keeps_the_box_and_mask_together():
    ids = id_map(0)
    mask = (ids == 1).astype(np.uint8)
    none = AugmentConfig(template_shift=0, template_scale=0, search_shift=0, search_scale=0, colour=0,
                         grey_prob=0, blur_prob=0, hflip_prob=0, vflip_prob=0)
    crops = crop_pair(frame_for(ids), mask, frame_for(ids), mask, np.random.default_rng(0), none)
    assert crops.template.shape == (127, 127, 3) and crops.search.shape == (255, 255, 3)
    # the target is centred in the search crop and its box matches the cropped mask
    box = crops.search_box
    assert (box[0] + box[2]) / 2 == pytest.approx(127, abs=0.5)
    np.testing.assert_allclose(box, mask_box(crops.search_mask), atol=1.5)
    # 20x20 target, context (20 + 20) -> side 40, so the template scale is 127 / 40
    assert box[2] - box[0] == pytest.approx(20 * 127 / 40, rel=0.02)
    # the crop shows the red object where the mask is
    assert (crops.search[crops.search_mask > 0][:, 2] > 200).mean() > 0.9


def test_flips_and_shifts_move_box_and_mask_together():
    ids = id_map(2)
    mask = (ids == 1).astype(np.uint8)
    aug = AugmentConfig(hflip_prob=1.0, vflip_prob=1.0, colour=0, blur_prob=0)
    for seed in range(5):
        crops = crop_pair(frame_for(ids), mask, frame_for(ids), mask, np.random.default_rng(seed), aug)
        np.testing.assert_allclose(crops.search_box, mask_box(crops.search_mask), atol=1.5)


def test_dataset_samples_are_seeded_and_shaped():
    data = PairDataset([(SyntheticPairSource(width=160, height=120), 1.0)], seed=3, negative_prob=0.3)
    first, again, other = data[5], data[5], data[6]
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert not torch.equal(first["search"], other["search"])
    assert first["template"].shape == (3, 127, 127) and first["search"].shape == (3, 255, 255)
    assert first["labels"].shape == (5 * 625,) and first["deltas"].shape == (4, 5 * 625)
    assert (first["labels"] >= 0).sum() == 64
    negatives = [data[i] for i in range(12)]
    assert any(not s["has_target"] for s in negatives)
    for sample in negatives:
        if not sample["has_target"]:
            assert (sample["labels"] == 1).sum() == 0 and sample["search_mask"].sum() == 0
