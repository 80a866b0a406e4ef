"""Aggregate per-object scores into the DAVIS summary and print it as a table.

Statistics are computed per object and then averaged: a sequence's numbers are the mean over
its objects, the overall numbers the mean over all objects of all sequences (as the DAVIS
toolkit's global J&F), not the mean over sequences.

    report = summarize(evaluate_results(data_dir, results_dir))
    print(format_table(report))
    json.dump(report, fp)   # NaN is written as null
"""

from __future__ import annotations

import math

import numpy as np

from tracking_worker.evaluation.metrics import sequence_statistics
from tracking_worker.evaluation.run import ObjectScore, SequenceScore

MEASURES = ("J_mean", "J_recall", "J_decay", "F_mean", "F_recall", "F_decay")


def summarize_object(score: ObjectScore) -> dict:
    """Return the six DAVIS statistics of one object, its box IoU and its scored frame count."""
    j = sequence_statistics(score.j)
    f = sequence_statistics(score.f)
    out = {
        "J_mean": j.mean, "J_recall": j.recall, "J_decay": j.decay,
        "F_mean": f.mean, "F_recall": f.recall, "F_decay": f.decay,
    }
    out["JF_mean"] = (out["J_mean"] + out["F_mean"]) / 2
    out["box_iou"] = _nanmean(score.box_iou) if score.box_iou is not None else None
    out["first_frame"] = score.first_frame
    out["frames"] = len(score.frames)
    return _clean(out)


def summarize(scores: list[SequenceScore]) -> dict:
    """Return the JSON-ready report: overall statistics plus ``"sequences": {name: {...}}``."""
    sequences = {}
    all_objects = []
    for seq in scores:
        objects = {str(o.object_id): summarize_object(o) for o in seq.objects}
        all_objects.extend(objects.values())
        sequences[seq.name] = {
            **_average(list(objects.values())),
            "fps": seq.fps,
            "objects": objects,
        }
    calls = sum(s.tracker_calls for s in scores)
    seconds = sum(s.tracker_seconds for s in scores)
    return _clean({
        **_average(all_objects),
        "fps": calls / seconds if calls and seconds > 0 else None,
        "n_sequences": len(scores),
        "n_objects": len(all_objects),
        "sequences": sequences,
    })


def format_table(report: dict) -> str:
    """Return the report as a fixed-width table: one row per sequence and an overall row."""
    columns = (*MEASURES, "box_iou", "fps")
    rows = [(name, seq) for name, seq in report["sequences"].items()] + [("overall", report)]
    width = max(len("sequence"), *(len(name) for name, _ in rows))
    lines = [f"{'sequence':<{width}}" + "".join(f"{c:>10}" for c in columns)]
    for i, (name, values) in enumerate(rows):
        if i == len(rows) - 1:
            lines.append("-" * len(lines[0]))
        cells = "".join(_cell(values.get(c), "{:.1f}" if c == "fps" else "{:.3f}") for c in columns)
        lines.append(f"{name:<{width}}{cells}")
    return "\n".join(lines)


def _average(objects: list[dict]) -> dict:
    keys = (*MEASURES, "JF_mean", "box_iou")
    return {k: _nanmean([o[k] for o in objects if o.get(k) is not None]) for k in keys}


def _nanmean(values) -> float | None:
    v = np.asarray(values, dtype=np.float64)
    v = v[~np.isnan(v)]
    return float(v.mean()) if v.size else None


def _clean(value):
    # JSON has no NaN: write null instead
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.floating):
        return _clean(float(value))
    return value


def _cell(value, fmt: str) -> str:
    return f"{'-' if value is None else fmt.format(value):>10}"
