"""load_model accepts the official storage variants and refuses any other mismatch loudly."""

from __future__ import annotations

import hashlib

import pytest
import torch

from tracking_worker.siammask import load_model
from tracking_worker.siammask.checkpoints import CheckpointMismatchError, file_sha256


@pytest.fixture(scope="module")
def state(random_model):
    return {k: v.clone() for k, v in random_model.state_dict().items()}


def assert_same_weights(model, state):
    loaded = model.state_dict()
    for key, value in state.items():
        assert torch.equal(loaded[key], value), key


@pytest.mark.parametrize("wrap", ["bare", "state_dict", "model", "module_prefix", "wrapped_module_prefix"])
def test_storage_variants_load(state, wrap):
    prefixed = {f"module.{k}": v for k, v in state.items()}
    checkpoint = {
        "bare": state,
        "state_dict": {"state_dict": state, "epoch": 20, "arch": "Custom"},
        "model": {"model": state},
        "module_prefix": prefixed,
        "wrapped_module_prefix": {"state_dict": prefixed, "anchor_cfg": {"stride": 8}},
    }[wrap]
    model = load_model(checkpoint, device="cpu")
    assert not model.training
    assert_same_weights(model, state)


def test_file_path_loads_and_hashes(state, tmp_path):
    path = tmp_path / "weights.pth"
    torch.save({"state_dict": state}, path)
    assert_same_weights(load_model(path, device="cpu"), state)
    assert file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_num_batches_tracked_is_optional(state):
    old_style = {k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}
    assert len(old_style) < len(state)
    assert_same_weights(load_model(old_style, device="cpu"), old_style)


def test_mismatch_lists_missing_and_unexpected_keys(state):
    broken = dict(state)
    del broken["refine_model.post2.bias"]
    broken["rpn_model.extra.weight"] = torch.zeros(1)
    with pytest.raises(CheckpointMismatchError) as info:
        load_model(broken, device="cpu")
    assert isinstance(info.value, ValueError)
    assert info.value.missing == ["refine_model.post2.bias"]
    assert info.value.unexpected == ["rpn_model.extra.weight"]
    assert "refine_model.post2.bias" in str(info.value)
    assert "rpn_model.extra.weight" in str(info.value)


def test_shape_mismatch_is_refused(state):
    broken = dict(state, **{"rpn_model.cls.head.3.bias": torch.zeros(12)})
    with pytest.raises(CheckpointMismatchError, match="rpn_model.cls.head.3.bias"):
        load_model(broken, device="cpu")


def test_backbone_only_file_is_refused(state):
    backbone = {k: v for k, v in state.items() if k.startswith("features.features.")}
    with pytest.raises(CheckpointMismatchError, match="missing keys"):
        load_model(backbone, device="cpu")


def test_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "absent.pth")
