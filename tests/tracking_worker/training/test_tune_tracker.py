"""tune_tracker: the coordinate search, and writing its choice into a checkpoint's meta."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from tracking_worker.siammask import TrackerConfig
from tracking_worker.siammask.checkpoints import read_checkpoint, tracker_config
from tracking_worker.training import tune_tracker
from tracking_worker.training.tune_tracker import Search, official_values, valid_overrides

STARTER = Path(__file__).resolve().parents[3] / "weights" / "starter.pth"
GRID = {"seg_thr": (0.2, 0.3, 0.4, 0.5), "lr": (0.25, 0.5, 0.75, 1.0)}


def peaked(at: dict):
    """An objective with its single maximum at `at`, counting its calls."""
    calls = []

    def objective(overrides: dict) -> dict:
        calls.append(overrides)
        return {"J": 1 - sum((overrides[k] - v) ** 2 for k, v in at.items()), "F": 0.0}

    return objective, calls


def test_the_search_climbs_to_the_best_grid_values_then_refines():
    objective, calls = peaked({"seg_thr": 0.45, "lr": 0.5})
    search = Search(objective, GRID, is_valid=valid_overrides)
    best = search.run(official_values(GRID), refine_rounds=1)
    # the grid's best is 0.4 or 0.5 (a tie kept at the first seen); refinement reaches 0.45
    assert best["overrides"] == {"lr": 0.5, "seg_thr": 0.45}
    assert len(calls) == len({tuple(sorted(c.items())) for c in calls}), "an evaluation was repeated"
    assert calls[0] == {"lr": 1.0, "seg_thr": 0.35}  # from the official config


def test_the_search_skips_invalid_values():
    objective, calls = peaked({"seg_thr": 0.2})
    search = Search(objective, {"seg_thr": (0.0, 0.2, 0.35)}, is_valid=valid_overrides)
    search.run({"seg_thr": 0.35}, refine_rounds=2)
    assert all(0 < c["seg_thr"] < 1 for c in calls)
    assert search.best["overrides"] == {"seg_thr": 0.2}


def tuning_report(tmp_path: Path, tracker: dict) -> Path:
    path = tmp_path / "tune.json"
    record = {"overrides": {}, "J": 0.5, "F": 0.4}
    path.write_text(json.dumps({
        "command": "python -m tracking_worker.training.tune_tracker ...", "data": "d", "sequences": ["camel"],
        "objective": "mean J", "seconds": 1.0, "machine": "test", "official": record,
        "best": {**record, "J": 0.6}, "tracker": tracker,
    }))
    return path


def test_write_stores_the_choice_and_keeps_the_weights_and_metadata(tmp_path):
    out = tmp_path / "tuned.pth"
    held_out = tmp_path / "held_out.json"
    held_out.write_text(json.dumps({"J_mean": 0.7, "F_mean": 0.6, "sequences": {"libby": {}},
                                    "tracker": {"seg_thr": 0.45}}))
    code = tune_tracker.main(["--write", str(STARTER), "--from", str(tuning_report(tmp_path, {"seg_thr": 0.45})),
                              "--held-out", str(held_out), "--out", str(out)])
    assert code == 0
    before, after = read_checkpoint(STARTER), read_checkpoint(out)
    assert before["state_dict"].keys() == after["state_dict"].keys()
    assert all(torch.equal(before["state_dict"][k], after["state_dict"][k]) for k in before["state_dict"])
    assert {k: v for k, v in after["meta"].items() if k not in ("tracker", "tracker_tuning")} == before["meta"]
    assert tracker_config(after) == TrackerConfig.davis(seg_thr=0.45)
    tuning = after["meta"]["tracker_tuning"]
    assert tuning["train"] == {"official": {"J": 0.5, "F": 0.4}, "tuned": {"J": 0.6, "F": 0.4}}
    assert tuning["held_out"] == {"sequences": ["libby"], "J": 0.7, "F": 0.6, "tracker": {"seg_thr": 0.45}}


def test_write_refuses_values_no_tracker_accepts(tmp_path, capsys):
    out = tmp_path / "tuned.pth"
    code = tune_tracker.main(["--write", str(STARTER), "--from", str(tuning_report(tmp_path, {"precision": "fast"})),
                              "--out", str(out)])
    assert code == 1 and not out.exists()
    assert "may not set: precision" in capsys.readouterr().err


def test_a_search_needs_its_inputs():
    with pytest.raises(SystemExit):
        tune_tracker.main(["--data", "d"])
