"""Check that a weights file loads strictly as a SiamMask checkpoint of a variant, as workers load it.

    python -m tracking_worker.verify_checkpoint weights/SiamMask_DAVIS.pth sharp
    python -m tracking_worker.verify_checkpoint weights/mobile.pth auto   # any variant its metadata names

Exit status 0: it loads, and one JSON line on stdout says what the file records about itself:
{"variant": ..., "evaluation": meta["evaluation"] or null}. 2: it is not a checkpoint of that
variant (one line on stderr says why). 3: this environment cannot load checkpoints at all (torch
missing). The web process runs it as a child process (annotator/services/checkpoints.py
`verify_checkpoint`), so that the web process itself imports neither torch nor tracking_worker.
"""

import json
import sys
from typing import NoReturn


def fail(reason: str, status: int = 2) -> NoReturn:
    print(reason, file=sys.stderr)
    sys.exit(status)


def first_line(exc: Exception) -> str:
    """Return the first meaningful line of an exception's message."""
    text = str(exc)
    # weights_only failures bury the cause under advice about weights_only=False
    text = text.split("WeightsUnpickler error:", 1)[-1]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        fail("usage: python -m tracking_worker.verify_checkpoint PATH VARIANT|auto")
    path, variant = argv
    try:
        import torch

        from tracking_worker.siammask import load_model
    except Exception as exc:
        fail(f"{type(exc).__name__}: {exc}", status=3)
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        with open(path, "rb") as f:
            head = f.read(64).lstrip().lower()
        html = head.startswith((b"<!doctype html", b"<html"))
        fail(f"torch.load(weights_only=True) cannot read it ({'it is an HTML page' if html else first_line(exc)})")
    meta = checkpoint.get("meta") if isinstance(checkpoint, dict) else None
    meta = meta if isinstance(meta, dict) else {}
    found = meta.get("variant", "sharp")  # official checkpoints carry no metadata
    if variant != "auto" and found != variant:
        fail(f"its metadata says it is a {found} checkpoint")
    try:
        load_model(checkpoint, device="cpu")
    except Exception as exc:
        fail(first_line(exc))
    evaluation = meta.get("evaluation")
    # last on stdout: the caller reads the last JSON line, whatever loading printed before it
    print(json.dumps({"variant": found, "evaluation": evaluation if isinstance(evaluation, dict) else None},
                     default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
