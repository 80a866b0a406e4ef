"""Fine-tuning on trusted frames: resumable slices, old-vs-new evaluation, the rule, the file."""

import dataclasses
import json
import textwrap
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from tracking_worker.evaluation.davis import write_id_png
from tracking_worker.siammask import load_model
from tracking_worker.siammask.mask_confidence import QualityCalibration
from tracking_worker.training.config import parse_config
from tracking_worker.training.finetune import (
    FinetuneSpec,
    check_parent,
    decide,
    evaluate_models,
    finetune_config,
    train_slice,
    write_model,
)
from tracking_worker.training.synthetic import make_clip
from tracking_worker.training.train import recipe as recipe_of
from tracking_worker.training.train import train

WEIGHTS = Path(__file__).resolve().parents[3] / "weights" / "mobile.pth"
MASK_EVERY = 3  # trusted frames: 0, 3, 6, 9 of 12

# a tiny light model trained for one step, so its metadata holds a recipe written by train()
PARENT = textwrap.dedent("""
    variant: light
    seed: 0
    arch: {widths: [8, 16, 16, 32], channels: 32, blocks: [1, 1, 1]}
    loss: {mask: 32.0, score: 1.0, box: 1.0}
    data:
      sources: [{type: synthetic, width: 160, height: 120}]
      augment: {search_shift: 16, colour: 0.1}
    stages:
      - {name: mask, steps: 1, batch_size: 2, lr: 0.01, final_lr: 0.001}
    log_every: 1
    threads: 1
""")


def write_davis_clip(root: Path, name: str, seed: int, n: int = 12) -> None:
    """A synthetic clip in the DAVIS layout with masks on every MASK_EVERY-th frame only."""
    clip = make_clip(seed, n_frames=n, width=160, height=120, min_area=400)
    for i, (frame, mask) in enumerate(zip(clip.frames, clip.masks)):
        (root / "JPEGImages" / name).mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(root / "JPEGImages" / name / f"{i:05d}.jpg"), frame)
        if i % MASK_EVERY == 0:
            write_id_png(root / "Annotations" / name / f"{i:05d}.png", mask)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    for seed, name in enumerate(("a", "b", "held")):
        write_davis_clip(root, name, seed + 40)
    parent = train(parse_config(PARENT), run_dir=root / "parent_run", progress=False).model_path
    return root, parent


def spec_for(project, run_dir: Path, **kwargs) -> FinetuneSpec:
    root, parent = project
    fields = {"parent": parent, "train_root": root, "train_sequences": ["a", "b"], "heldout_root": root,
              "heldout_sequences": ["held"], "run_dir": run_dir, "steps": 4, "batch_size": 2}
    return FinetuneSpec(**{**fields, **kwargs})


@pytest.fixture(scope="module")
def finished(project, tmp_path_factory):
    spec = spec_for(project, tmp_path_factory.mktemp("whole"))
    assert train_slice(spec) is True
    return spec


def test_slices_stopped_by_time_or_callback_resume_to_the_weights_of_one_run(project, finished, tmp_path):
    spec = spec_for(project, tmp_path)
    assert train_slice(spec, max_seconds=0) is False  # one step, then out of time
    seen = []
    assert train_slice(spec, on_step=lambda info: seen.append(info) or info.step < 3) is False
    assert [(i.step, i.total) for i in seen] == [(2, 4), (3, 4)]
    assert all(np.isfinite(i.loss) and i.seconds > 0 for i in seen)
    assert not (tmp_path / "model.pth").exists()
    assert train_slice(spec) is True
    whole = torch.load(finished.run_dir / "model.pth", weights_only=True)["state_dict"]
    sliced = torch.load(tmp_path / "model.pth", weights_only=True)["state_dict"]
    for key in whole:
        torch.testing.assert_close(whole[key], sliced[key], rtol=1e-4, atol=1e-5, msg=key)


def test_the_config_keeps_the_parents_losses_augmentation_and_frozen_parts(project, tmp_path):
    spec = spec_for(project, tmp_path)
    cfg = finetune_config(spec, check_parent(WEIGHTS))
    recipe = check_parent(WEIGHTS)["recipe"]
    (stage,) = cfg.stages
    assert cfg.variant == "mobile" and cfg.init == str(spec.parent)
    assert set(stage.train) == set(recipe["stages"][0]["train"])  # the trunk stays frozen
    assert stage.lr == pytest.approx(recipe["stages"][0]["lr"] / 10) and stage.optimizer == "adam"
    assert (stage.refine, stage.joint) == (True, True)
    assert cfg.loss.mask == 32.0 and cfg.loss.quality == 1.0
    assert cfg.data["augment"] == recipe["data"]["augment"]
    real, paste = cfg.data["sources"]
    assert (real["type"], paste["type"]) == ("davis", "paste")
    assert real["sequences"] == paste["sequences"] == ["a", "b"]
    assert paste["backgrounds"] == [str(spec.train_root / "JPEGImages" / n) for n in ("a", "b")]
    # a fine-tune of this fine-tune (its metadata as write_model leaves it) learns at the same rate
    child = {**check_parent(WEIGHTS), "recipe": recipe_of(cfg), "finetune": {"lr_scale": spec.lr_scale}}
    (again,) = finetune_config(spec, child).stages
    assert again.lr == pytest.approx(stage.lr) and again.train == stage.train


def test_a_sharp_parent_is_refused(tmp_path):
    path = tmp_path / "sharp.pth"
    torch.save({"state_dict": {}, "meta": {"variant": "sharp"}}, path)
    with pytest.raises(ValueError, match="only mobile, light models can be fine-tuned"):
        check_parent(path)


def test_too_few_trusted_frames_or_shared_videos_are_refused(project, tmp_path):
    root, _ = project
    write_davis_clip(root, "one_mask", 7, n=3)  # a mask on frame 0 only
    with pytest.raises(ValueError, match="too few trusted frames to form training pairs: 1"):
        train_slice(spec_for(project, tmp_path, train_sequences=["one_mask"]))
    with pytest.raises(ValueError, match="both trained on and held out: b"):
        train_slice(spec_for(project, tmp_path, heldout_sequences=["b"]))
    with pytest.raises(ValueError, match="'nope' not found"):
        train_slice(spec_for(project, tmp_path, train_sequences=["nope"]))
    assert not (tmp_path / "checkpoint.pth").exists()


def test_evaluate_models_scores_parent_and_child_on_the_trusted_heldout_frames(finished):
    evaluation = evaluate_models(finished)
    json.dumps(evaluation)
    for summary in evaluation.values():
        assert summary["n_sequences"] == 1
        # frames 3, 6 and 9 are trusted and scored (0 starts the track, 11 is the last)
        assert summary["n_frames"] == 3 == summary["per_sequence"]["held"]["n_frames"]
        assert 0 <= summary["J"] <= 1 and 0 <= summary["F"] <= 1
        assert summary["JF"] == pytest.approx((summary["J"] + summary["F"]) / 2)
        assert summary["per_sequence"]["held"]["J"] == pytest.approx(summary["J"])
    assert evaluation["old"] != evaluation["new"]  # the fine-tuned weights track differently


def summary(jf, frames=40, videos=2):
    return {"J": jf, "F": jf, "JF": jf, "n_frames": frames, "n_sequences": videos}


def test_decide_promotes_only_a_gain_of_at_least_the_margin():
    assert decide({"old": summary(0.412), "new": summary(0.422)})[0] is True
    promote, why = decide({"old": summary(0.412), "new": summary(0.405)})
    assert not promote and why == "J&F 0.412 -> 0.405 on 2 held-out videos (40 frames): not better by >= 0.010"
    assert decide({"old": summary(0.412), "new": summary(0.421)})[0] is False
    assert decide({"old": summary(0.40), "new": summary(0.45)}, margin=0.1)[0] is False
    promote, why = decide({"old": summary(None, 0, 1), "new": summary(None, 0, 1)})
    assert not promote and "no scored frames on 1 held-out video" in why


def test_write_model_output_loads_and_carries_lineage_and_evaluation(project, finished, tmp_path):
    evaluation = {"old": summary(0.4), "new": summary(0.5)}
    lineage = {"parent": "starter", "parent_sha256": "ab" * 32, "data": "2 videos", "steps": 4,
               "date": "2026-11-30"}
    meta = write_model(finished, tmp_path / "ft.pth", evaluation=evaluation, lineage=lineage)
    model = load_model(tmp_path / "ft.pth", device="cpu")
    saved = torch.load(tmp_path / "ft.pth", weights_only=True)
    assert saved["meta"] == meta and meta["lineage"] == lineage and meta["evaluation"] == evaluation
    assert meta["variant"] == "light" and meta["arch"] == check_parent(project[1])["arch"]
    assert meta["parent_sha256"] == check_parent(project[1])["sha256"]
    assert meta["finetune"]["train_sequences"] == ["a", "b"] and meta["steps"] == 4
    trained = torch.load(finished.run_dir / "model.pth", weights_only=True)["state_dict"]
    for key, value in model.state_dict().items():
        torch.testing.assert_close(value, trained[key], msg=key)


def test_a_parents_quality_calibration_passes_to_the_child(finished, tmp_path):
    calibration = QualityCalibration(mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0), weights=(0.0, 0.0, 0.0), bias=-1.2)
    parent = torch.load(finished.parent, weights_only=True)
    calibrated = tmp_path / "calibrated_parent.pth"
    torch.save({**parent, "meta": {**parent["meta"], "quality_calibration": calibration.to_meta()}}, calibrated)
    spec = dataclasses.replace(finished, parent=calibrated)
    meta = write_model(spec, tmp_path / "ft.pth", evaluation={}, lineage={})
    assert meta["quality_calibration"] == calibration.to_meta()
    assert load_model(tmp_path / "ft.pth", device="cpu").quality_calibration == calibration
