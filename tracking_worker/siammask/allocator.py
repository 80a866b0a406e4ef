"""Keep freed memory in a tracking process, so each frame's activations reuse pages already mapped.

    keep_freed_memory()     # once per process; MultiTracker and worker start-up (threads.py) call it

glibc gives allocations above its mmap threshold (128 KiB at start, raised as blocks are freed,
at most 32 MiB) their own mapping, unmapped on free, and hands free heap top above its trim
threshold back to the OS. A network pass allocates and frees activation tensors of tens of MB
per layer (8 objects: 8 x 576 x 33 x 33 float32 = 20 MB for one mobile layer), so every frame
maps them again and the kernel faults in and zeroes each page. With the thresholds raised, freed
blocks stay in the heap and the next frame reuses them: the mobile trunk on 8 search crops took
37-41 ms instead of 87-104 ms (docs/benchmarks.md, "Freed memory kept"). The cost: a process
keeps the memory of its largest frame mapped instead of returning it between frames.

An operator who sets glibc's own knobs (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_ or
GLIBC_TUNABLES) keeps them: nothing is changed then. On a C library without mallopt (musl,
macOS) nothing is changed either.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
from functools import cache

log = logging.getLogger(__name__)

# mallopt parameter numbers (glibc malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 256 << 20  # above the largest activation of the sharp model at 16 objects
TRIM_THRESHOLD = 1 << 30
OPERATOR_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES")


@cache
def keep_freed_memory() -> dict[str, int] | None:
    """Raise glibc's mmap and trim thresholds for this process; return what was set, or None."""
    chosen = [name for name in OPERATOR_SETTINGS if os.environ.get(name)]
    if chosen:
        log.info("malloc thresholds left as set by %s", ", ".join(chosen))
        return None
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    except (OSError, AttributeError, TypeError):
        return None  # not glibc
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    applied = {}
    for name, param, value in (("mmap_threshold", M_MMAP_THRESHOLD, MMAP_THRESHOLD),
                               ("trim_threshold", M_TRIM_THRESHOLD, TRIM_THRESHOLD)):
        if mallopt(param, value) == 1:  # mallopt returns 1 on success
            applied[name] = value
    return applied or None
