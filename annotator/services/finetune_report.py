"""The old-vs-new table of a fine-tune's evaluation, as text (the command and the benchmark print it).

    print(evaluation_table(run.evaluation))
"""

COLUMNS = (("J", "J"), ("F", "F"), ("JF", "J&F"), ("quality_auc", "quality AUC"), ("score_auc", "score AUC"))


def evaluation_table(evaluation: dict) -> str:
    """Return a Markdown table: one row per held-out sequence and model, then the overall rows."""
    if not evaluation:
        return "(not evaluated)"
    lines = ["| held-out | model | frames | " + " | ".join(title for _, title in COLUMNS) + " |",
             "|---|---|---:|" + "---:|" * len(COLUMNS)]
    sequences = sorted(evaluation["old"].get("per_sequence", {}))
    for name in sequences:
        for model in ("old", "new"):
            row = dict(evaluation[model]["per_sequence"].get(name, {}))
            if "JF" not in row and isinstance(row.get("J"), (int, float)) and isinstance(row.get("F"), (int, float)):
                row["JF"] = (row["J"] + row["F"]) / 2  # a sequence's J&F: the mean of its J and F
            lines.append(f"| {name} | {model} | {row.get('n_frames', '-')} | " + " | ".join(
                _number(row.get(key)) for key, _ in COLUMNS) + " |")
    for model in ("old", "new"):
        summary = evaluation[model]
        lines.append(f"| **all {summary.get('n_sequences', '-')}** | {model} | {summary.get('n_frames', '-')} | "
                     + " | ".join(_number(summary.get(key)) for key, _ in COLUMNS) + " |")
    return "\n".join(lines)


def _number(value) -> str:
    return f"{value:.3f}" if isinstance(value, (int, float)) else "-"
