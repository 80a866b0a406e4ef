"""Aggregate per-object scores into the DAVIS summary and print it as a table.

Statistics are computed per object and then averaged: a sequence's numbers are the mean over
its objects, the overall numbers the mean over all objects of all sequences (as the DAVIS
toolkit's global J&F), not the mean over sequences. The confidence measures (AUC of score and
quality for flagging bad frames, their Spearman correlation with J) are not averaged: a
sequence's and the overall ones are computed on the pooled frames of their objects.

    report = summarize(evaluate_results(data_dir, results_dir))
    print(format_table(report))
    json.dump(report, fp)   # NaN is written as null
"""

from __future__ import annotations

import math

import numpy as np

from tracking_worker.evaluation.confidence import BAD_J, bad_frame_auc, spearman
from tracking_worker.evaluation.metrics import sequence_statistics
from tracking_worker.evaluation.run import ObjectScore, SequenceScore

MEASURES = ("J_mean", "J_recall", "J_decay", "F_mean", "F_recall", "F_decay")
TABLE_COLUMNS = (*MEASURES, "box_iou", "score_auc", "quality_auc", "fps")


def summarize_object(score: ObjectScore) -> dict:
    """Return one object's DAVIS statistics, box IoU, confidence measures and per-frame values."""
    j = sequence_statistics(score.j)
    f = sequence_statistics(score.f)
    out = {
        "J_mean": j.mean, "J_recall": j.recall, "J_decay": j.decay,
        "F_mean": f.mean, "F_recall": f.recall, "F_decay": f.decay,
    }
    out["JF_mean"] = (out["J_mean"] + out["F_mean"]) / 2
    out["box_iou"] = _nanmean(score.box_iou) if score.box_iou is not None else None
    out.update(confidence_measures(*_frame_values([score])))
    out["first_frame"] = score.first_frame
    out["frames"] = len(score.frames)
    out["per_frame"] = per_frame_records(score)
    return _clean(out)


def per_frame_records(score: ObjectScore) -> list[dict]:
    """Return ``[{frame, J, F, score, quality}]`` over the object's scored frames (None: not reported)."""
    n = len(score.frames)
    confidences = (_or_nan(score.score, n), _or_nan(score.quality, n))
    return [
        _clean({"frame": int(frame), "J": float(j), "F": float(f), "score": float(s), "quality": float(q)})
        for frame, j, f, s, q in zip(score.frames, score.j, score.f, *confidences)
    ]


def confidence_measures(j: np.ndarray, score: np.ndarray, quality: np.ndarray) -> dict:
    """Return the AUCs of score and quality for flagging J < 0.5, their Spearman with J, the bad count."""
    return {
        "score_auc": bad_frame_auc(score, j), "quality_auc": bad_frame_auc(quality, j),
        "score_spearman": spearman(score, j), "quality_spearman": spearman(quality, j),
        "bad_frames": int(np.count_nonzero(j < BAD_J)),
    }


def summarize(scores: list[SequenceScore]) -> dict:
    """Return the JSON-ready report: overall statistics plus ``"sequences": {name: {...}}``."""
    sequences = {}
    all_objects = []
    for seq in scores:
        objects = {str(o.object_id): summarize_object(o) for o in seq.objects}
        all_objects.extend(objects.values())
        sequences[seq.name] = {
            **_average(list(objects.values())),
            **confidence_measures(*_frame_values(seq.objects)),
            "fps": seq.fps,
            "objects": objects,
        }
    calls = sum(s.tracker_calls for s in scores)
    seconds = sum(s.tracker_seconds for s in scores)
    return _clean({
        **_average(all_objects),
        **confidence_measures(*_frame_values([o for s in scores for o in s.objects])),
        "fps": calls / seconds if calls and seconds > 0 else None,
        "n_sequences": len(scores),
        "n_objects": len(all_objects),
        "sequences": sequences,
    })


def format_table(report: dict) -> str:
    """Return the report as a fixed-width table: one row per sequence and an overall row."""
    rows = [(name, seq) for name, seq in report["sequences"].items()] + [("overall", report)]
    width = max(len("sequence"), *(len(name) for name, _ in rows))
    widths = [max(10, len(c) + 1) for c in TABLE_COLUMNS]
    lines = [f"{'sequence':<{width}}" + "".join(f"{c:>{w}}" for c, w in zip(TABLE_COLUMNS, widths))]
    for i, (name, values) in enumerate(rows):
        if i == len(rows) - 1:
            lines.append("-" * len(lines[0]))
        cells = "".join(_cell(values.get(c), "{:.1f}" if c == "fps" else "{:.3f}", w)
                        for c, w in zip(TABLE_COLUMNS, widths))
        lines.append(f"{name:<{width}}{cells}")
    return "\n".join(lines)


def _average(objects: list[dict]) -> dict:
    keys = (*MEASURES, "JF_mean", "box_iou")
    return {k: _nanmean([o[k] for o in objects if o.get(k) is not None]) for k in keys}


def _frame_values(objects: list[ObjectScore]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # J, score and quality of every scored frame of the objects, pooled; NaN where not reported
    sizes = [len(o.frames) for o in objects]
    return (
        np.concatenate([np.asarray(o.j, dtype=np.float64) for o in objects] + [np.empty(0)]),
        np.concatenate([_or_nan(o.score, n) for o, n in zip(objects, sizes)] + [np.empty(0)]),
        np.concatenate([_or_nan(o.quality, n) for o, n in zip(objects, sizes)] + [np.empty(0)]),
    )


def _or_nan(values: np.ndarray | None, n: int) -> np.ndarray:
    return np.full(n, np.nan) if values is None else np.asarray(values, dtype=np.float64)


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


def _cell(value, fmt: str, width: int = 10) -> str:
    return f"{'-' if value is None else fmt.format(value):>{width}}"
