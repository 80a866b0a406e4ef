"""python -m tracking_worker.evaluate, run as a subprocess on generated datasets."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
MEASURES = ("J_mean", "J_recall", "J_decay", "F_mean", "F_recall", "F_decay")


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tracking_worker.evaluate", *args],
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_results_equal_to_ground_truth_score_perfectly(davis_dataset: Path, tmp_path: Path):
    out = tmp_path / "report.json"
    # the ground-truth folder is itself a results folder: <seq>/<frame>.png id maps
    proc = run_cli("--data", str(davis_dataset), "--results", str(davis_dataset / "Annotations"),
                   "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    assert {k: report[k] for k in MEASURES} == {
        "J_mean": 1.0, "J_recall": 1.0, "J_decay": 0.0,
        "F_mean": 1.0, "F_recall": 1.0, "F_decay": 0.0,
    }
    assert report["fps"] is None
    assert sorted(report["sequences"]) == ["alpha", "beta"]
    for seq in report["sequences"].values():
        assert seq["J_mean"] == seq["F_mean"] == 1.0
        assert seq["fps"] is None
    assert "overall" in proc.stdout and "alpha" in proc.stdout


def test_sequences_option_limits_the_evaluation(flat_dataset: Path, tmp_path: Path):
    out = tmp_path / "report.json"
    # results are always <seq>/<frame>.png, whatever the dataset layout
    shutil.copytree(flat_dataset / "gamma" / "masks", tmp_path / "res" / "gamma")
    proc = run_cli("--data", str(flat_dataset), "--results", str(tmp_path / "res"),
                   "--sequences", "gamma", "--json", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert list(json.loads(out.read_text())["sequences"]) == ["gamma"]


def test_missing_weights_are_a_clear_error(davis_dataset: Path, tmp_path: Path):
    missing = tmp_path / "nowhere.pth"
    proc = run_cli("--data", str(davis_dataset), env={"SIAMLABEL_DEFAULT_WEIGHTS": str(missing)})
    assert proc.returncode == 2
    assert f"weights not found: {missing}" in proc.stderr


def test_missing_result_frames_are_a_clear_error(davis_dataset: Path, tmp_path: Path):
    proc = run_cli("--data", str(davis_dataset), "--results", str(tmp_path), "--quiet")
    assert proc.returncode == 1
    assert "missing result for alpha frame 00001" in proc.stderr


def test_scoring_needs_neither_torch_nor_django():
    code = (
        "import sys, tracking_worker.evaluate, tracking_worker.evaluation.report;"
        "bad = [m for m in ('torch', 'django', 'tracking_worker.siammask') if m in sys.modules];"
        "assert not bad, bad"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_baseline_runs_without_weights_and_writes_per_frame_records(davis_dataset: Path,
                                                                   tmp_path: Path):
    out = tmp_path / "report.json"
    # --sequences takes space-separated names too; copy-first needs no weights and no torch
    proc = run_cli("--data", str(davis_dataset), "--baseline", "copy-first",
                   "--sequences", "alpha", "beta", "--json", str(out), "--quiet",
                   env={"SIAMLABEL_DEFAULT_WEIGHTS": str(tmp_path / "nowhere.pth")})
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    assert (report["mode"], report["baseline"]) == ("baseline", "copy-first")
    assert "weights" not in report
    assert sorted(report["sequences"]) == ["alpha", "beta"]
    records = report["sequences"]["alpha"]["objects"]["1"]["per_frame"]
    assert [r["frame"] for r in records] == [1, 2, 3, 4]
    assert all(r["score"] == 1.0 and r["quality"] is None for r in records)
    assert report["quality_auc"] is None
    assert proc.stdout.splitlines()[0].split()[-3:] == ["score_auc", "quality_auc", "fps"]


def test_baseline_and_weights_exclude_each_other(davis_dataset: Path, tmp_path: Path):
    proc = run_cli("--data", str(davis_dataset), "--baseline", "flow", "--weights", "w.pth")
    assert proc.returncode == 2
    assert "not allowed with argument" in proc.stderr
