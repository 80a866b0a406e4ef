"""Thread counts of a worker process, set on purpose rather than left to library defaults.

torch defaults to the machine's physical cores and OpenCV to all CPUs it sees, whatever a
container or `taskset` allows; two gpu workers on one host would then each start a full set of
threads and contend. Each worker process sets both from SIAMLABEL_TORCH_THREADS and
SIAMLABEL_OPENCV_THREADS; 0 (the default) means, for torch, OMP_NUM_THREADS when it is set (the
usual knob, which torch's own default reads too), else the cores this process may run on (its
CPU affinity); for OpenCV those cores. docs/operations.md.
"""

from __future__ import annotations

import logging
import os

from celery import signals

log = logging.getLogger(__name__)


def owned_cores() -> int:
    """The CPUs this process may run on (Linux affinity), else the machine's count."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def omp_threads() -> int:
    """OMP_NUM_THREADS as a positive count, else 0 (unset or not a positive whole number)."""
    value = os.environ.get("OMP_NUM_THREADS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else 0


def configure_threads(torch_threads: int = 0, opencv_threads: int = 0) -> tuple[int, int]:
    """Set torch's and OpenCV's thread counts (0: OMP_NUM_THREADS for torch, else owned cores); return them."""
    import cv2
    import torch

    torch_threads = torch_threads or omp_threads() or owned_cores()
    opencv_threads = opencv_threads or owned_cores()
    torch.set_num_threads(torch_threads)
    cv2.setNumThreads(opencv_threads)
    return torch_threads, opencv_threads


@signals.worker_init.connect
def _configure_solo(sender=None, **_):
    # the solo pool runs tasks in the worker process itself; prefork parents only supervise
    if "solo" in str(getattr(sender, "pool_cls", "")).lower():
        configure_from_settings()


@signals.worker_process_init.connect  # prefork children
def _configure_child(**_):
    configure_from_settings()


def configure_from_settings() -> tuple[int, int]:
    from django.conf import settings

    from tracking_worker.siammask.allocator import keep_freed_memory

    torch_threads, opencv_threads = configure_threads(settings.SIAMLABEL_TORCH_THREADS,
                                                      settings.SIAMLABEL_OPENCV_THREADS)
    keep_freed_memory()  # fine-tunes too, not only the trackers (which call it themselves)
    log.info("threads: torch %d, OpenCV %d", torch_threads, opencv_threads)
    return torch_threads, opencv_threads
