"""Training runs end to end: the losses fall, checkpoints resume exactly, configs are strict."""

import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch

from tracking_worker.training.augment import AugmentConfig
from tracking_worker.training.config import StageConfig, parse_config
from tracking_worker.training.dataset import PairDataset
from tracking_worker.training.readers import FramePair, SyntheticPairSource
from tracking_worker.training.train import CHECKPOINT, learning_rate, train

from tests.tracking_worker.training.tiny import TINY, tiny_config

CONFIGS = Path(__file__).resolve().parents[3] / "tracking_worker" / "training" / "configs"

class FixedPairs:
    """A handful of synthetic pairs, drawn once, so a short run can fit them."""

    def __init__(self, count: int = 4) -> None:
        rng = np.random.default_rng(0)
        source = SyntheticPairSource(width=240, height=180, max_gap=4)
        self.pairs = []
        while len(self.pairs) < count:
            pair = source.sample(rng)
            if pair is not None:
                self.pairs.append(pair)

    def sample(self, rng: np.random.Generator) -> FramePair:
        return self.pairs[int(rng.integers(len(self.pairs)))]


@pytest.fixture(scope="module")
def fixed_dataset():
    steady = AugmentConfig(search_shift=16, search_scale=0.0, template_shift=0, template_scale=0,
                           colour=0, grey_prob=0, blur_prob=0, hflip_prob=0, vflip_prob=0)
    return PairDataset([(FixedPairs(), 1.0)], seed=0, augment=steady)


def test_a_short_run_lowers_all_three_losses(tmp_path, fixed_dataset):
    result = train(tiny_config(24, 1), run_dir=tmp_path, progress=False, dataset=fixed_dataset)
    rows = [r for r in result.history if r["stage"] == "mask"]
    first, last = rows[:5], rows[-5:]
    for term in ("score", "box", "mask"):
        before = np.mean([r[term] for r in first])
        after = np.mean([r[term] for r in last])
        assert after < before, f"{term}: {before:.4f} -> {after:.4f}"
    for name in ("losses.csv", "losses.png", "checkpoint.pth", "model.pth", "config.yaml"):
        assert (tmp_path / name).is_file()
    assert (tmp_path / "losses.csv").read_text().count("\n") == len(result.history) + 1
    saved = torch.load(tmp_path / "model.pth", weights_only=True)
    assert saved["meta"]["variant"] == "light" and saved["meta"]["steps"] == 25


def test_resume_continues_the_step_count_and_matches_an_uninterrupted_run(tmp_path):
    data = PairDataset([(SyntheticPairSource(width=160, height=120), 1.0)], seed=1)
    cfg = tiny_config(4, 2)
    whole = train(cfg, run_dir=tmp_path / "whole", progress=False, dataset=data)
    cut = train(cfg, run_dir=tmp_path / "cut", progress=False, dataset=data, stop_after=3)
    assert cut.step == 3
    assert torch.load(cut.model_path, weights_only=True)["step"] == 3
    resumed = train(cfg, run_dir=tmp_path / "cut", progress=False, dataset=data,
                    resume=tmp_path / "cut" / "checkpoint.pth")
    assert resumed.step == whole.step == 6
    assert [r["step"] for r in resumed.history] == [r["step"] for r in whole.history]
    a = torch.load(whole.model_path, weights_only=True)["state_dict"]
    b = torch.load(resumed.model_path, weights_only=True)["state_dict"]
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=1e-4, atol=1e-5, msg=key)


def test_refine_stage_changes_only_the_refine_module(tmp_path):
    data = PairDataset([(SyntheticPairSource(width=160, height=120), 1.0)], seed=2)
    train(tiny_config(2, 2), run_dir=tmp_path, progress=False, dataset=data)
    before = torch.load(tmp_path / "stage_mask.pth", weights_only=True)["state_dict"]
    after = torch.load(tmp_path / "stage_refine.pth", weights_only=True)["state_dict"]
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed and all(k.startswith("refine_model.") for k in changed)


def test_schedule_warms_up_then_decays():
    cosine = StageConfig(name="s", steps=100, lr=0.01, final_lr=0.001, warmup_steps=10, warmup_start_lr=0.002)
    assert learning_rate(cosine, 0) == pytest.approx(0.002)
    assert learning_rate(cosine, 10) == pytest.approx(0.01)
    assert learning_rate(cosine, 99) == pytest.approx(0.001)
    log = StageConfig(name="s", steps=101, lr=0.01, final_lr=0.001, schedule="log")
    assert learning_rate(log, 50) == pytest.approx(np.sqrt(0.01 * 0.001))


def test_configs_in_the_repository_parse():
    for path in CONFIGS.glob("*.yaml"):
        cfg = parse_config(path.read_text())
        assert cfg.stages and cfg.sha256


def test_unknown_config_keys_are_errors():
    with pytest.raises(ValueError, match="unknown config keys: stepz"):
        parse_config(TINY.replace("STEPS1", "1").replace("STEPS2", "1") + "stepz: 3\n")
    with pytest.raises(ValueError, match="unknown stage keys"):
        parse_config(TINY.replace("STEPS1", "1, lr_typo: 3").replace("STEPS2", "1"))


def test_a_run_stopped_by_on_step_or_max_seconds_resumes_to_the_uninterrupted_weights(tmp_path):
    data = PairDataset([(SyntheticPairSource(width=160, height=120), 1.0)], seed=1)
    cfg = tiny_config(4, 2)
    whole = train(cfg, run_dir=tmp_path / "whole", progress=False, dataset=data)
    seen = []

    def stop_at_two(info):
        seen.append(info)
        return info.step < 2

    cut = train(cfg, run_dir=tmp_path / "cut", progress=False, dataset=data, on_step=stop_at_two)
    assert (cut.step, cut.complete) == (2, False)
    assert [i.step for i in seen] == [1, 2] and {i.total for i in seen} == {6}
    assert all(np.isfinite(i.loss) and i.seconds_left >= 0 for i in seen)
    resume = tmp_path / "cut" / "checkpoint.pth"
    sliced = train(cfg, run_dir=tmp_path / "cut", progress=False, dataset=data, resume=resume, max_seconds=0)
    assert (sliced.step, sliced.complete) == (3, False)  # a zero budget still makes one step
    # always False: one step per call, but the last step is never cut: that call completes
    steps = []
    while not (resumed := train(cfg, run_dir=tmp_path / "cut", progress=False, dataset=data, resume=resume,
                                on_step=lambda info: False)).complete:
        steps.append(resumed.step)
    assert steps == [4, 5] and resumed.step == 6 and resumed.model_path.name == "model.pth"
    a = torch.load(whole.model_path, weights_only=True)["state_dict"]
    b = torch.load(resumed.model_path, weights_only=True)["state_dict"]
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=1e-4, atol=1e-5, msg=key)


MOBILE_TRUNK = textwrap.dedent("""
    variant: mobile
    seed: 0
    arch: {channels: 32, quality: true}
    data:
      sources: [{type: synthetic}]
    stages:
      - {name: joint, steps: 2, batch_size: 2, optimizer: adam, lr: 0.001, final_lr: 0.001,
         refine: true, joint: true, max_refine_windows: 1, backbone_lr_scale: 0.1, freeze_trunk_bn: true,
         train: [features.features.features.12, features.features.features.13, rpn_model]}
    checkpoint_every: 1
    log_every: 1
    num_workers: 0
    threads: 1
""")


def test_a_stage_can_train_the_last_trunk_stages_at_a_lower_rate(tmp_path):
    from tracking_worker.training.models import build_model

    torch.manual_seed(0)
    before = build_model("mobile", {"channels": 32}).state_dict()
    data = PairDataset([(SyntheticPairSource(width=160, height=120), 1.0)], seed=3)
    train(parse_config(MOBILE_TRUNK), run_dir=tmp_path, progress=False, dataset=data)
    after = torch.load(tmp_path / "model.pth", weights_only=True)["state_dict"]
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    trunk = "features.features.features."
    assert {k for k in changed if k.startswith(trunk)} == {
        k for k in before if k.startswith((trunk + "12.", trunk + "13."))
        and not k.endswith(("running_mean", "running_var", "num_batches_tracked"))}
    assert all(k.startswith((trunk, "rpn_model.")) for k in changed)
    groups = torch.load(tmp_path / CHECKPOINT, weights_only=True)["optimizer"]["param_groups"]
    assert [g["lr"] for g in groups] == pytest.approx([0.0001, 0.001])  # trunk first, at 0.1x
