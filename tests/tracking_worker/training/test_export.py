"""Release checkpoints written by training/export.py."""

import torch

from tracking_worker.training.dataset import PairDataset
from tracking_worker.training.export import export
from tracking_worker.training.readers import SyntheticPairSource
from tracking_worker.training.train import train

from tests.tracking_worker.training.tiny import tiny_config


def tiny():
    return tiny_config(4, 1)  # 5 steps in two stages


def test_a_run_stopped_early_is_exported_with_the_steps_it_did(tmp_path):
    data = PairDataset([(SyntheticPairSource(width=160, height=120), 1.0)], seed=0)
    stopped = train(tiny(), run_dir=tmp_path / "run", progress=False, dataset=data, stop_after=3)
    meta = export(stopped.model_path, tmp_path / "early.pth", None, progress=False)
    assert meta["steps"] == 3 and meta["stopped_early"] is True and meta["train_seconds"] > 0
    saved = torch.load(tmp_path / "early.pth", weights_only=True)
    assert saved["meta"]["steps"] == 3
    finished = train(tiny(), run_dir=tmp_path / "run", progress=False, dataset=data,
                     resume=stopped.model_path)
    meta = export(finished.model_path, tmp_path / "done.pth", None, progress=False)
    assert meta["steps"] == 5 and "stopped_early" not in meta
