"""keep_freed_memory: raises glibc's thresholds once per process, unless the operator set them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tracking_worker.siammask.allocator import MMAP_THRESHOLD, TRIM_THRESHOLD, keep_freed_memory

REPO = Path(__file__).resolve().parents[3]
SCRIPT = "from tracking_worker.siammask.allocator import keep_freed_memory; print(keep_freed_memory())"


def applied_in_a_fresh_process(**env_extra: str) -> str:
    # a process of its own: the thresholds are process-wide and the result is cached
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GLIBC_TUNABLES"))}
    out = subprocess.run([sys.executable, "-c", SCRIPT], env={**env, **env_extra}, cwd=REPO,
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt is Linux-only")
def test_thresholds_are_raised_on_glibc():
    assert applied_in_a_fresh_process() == str({"mmap_threshold": MMAP_THRESHOLD, "trim_threshold": TRIM_THRESHOLD})


@pytest.mark.parametrize("name", ["MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "GLIBC_TUNABLES"])
def test_an_operators_own_setting_is_left_alone(name):
    value = "glibc.malloc.trim_threshold=4096" if name == "GLIBC_TUNABLES" else "4096"
    assert applied_in_a_fresh_process(**{name: value}) == "None"


def test_a_tracker_raises_them():
    from tracking_worker.siammask import MultiTracker, TrackerConfig
    from tracking_worker.siammask.network.light_backbone import light_siammask

    keep_freed_memory.cache_clear()
    MultiTracker(light_siammask().eval(), TrackerConfig.davis(device="cpu"))
    assert keep_freed_memory.cache_info().currsize == 1
