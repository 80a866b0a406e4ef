"""Wall time per stage of MultiTracker.track, for bench/tracker_speed.py's time split.

    tracker.clock = StageClock(tracker.device)
    tracker.track(frame)
    tracker.clock.totals    # {"crop": s, "network": s, "decode": s, "mask": s, "paste": s, "rotated_box": s}

Trackers run without a clock (`clock = None`); then a stage costs one `nullcontext`.
"""

from __future__ import annotations

import time
from collections import defaultdict
from contextlib import contextmanager, nullcontext

import torch

STAGES = ("crop", "network", "decode", "mask", "paste", "rotated_box")


class StageClock:
    """Sum the wall time of each named stage; on CUDA, synchronise so kernels count where they run."""

    def __init__(self, device: torch.device) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self._sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)

    @contextmanager
    def __call__(self, name: str):
        self._sync()
        start = time.perf_counter()
        try:
            yield
        finally:
            self._sync()
            self.totals[name] += time.perf_counter() - start


def no_clock(_name: str):
    return nullcontext()
