"""Worker processes set torch's and OpenCV's thread counts from settings (docs/operations.md)."""

import os

import cv2
import torch

from tracking_worker.threads import configure_from_settings, configure_threads, owned_cores


def test_zero_means_the_cores_this_process_may_use(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    before = torch.get_num_threads(), cv2.getNumThreads()
    try:
        assert configure_threads(0, 0) == (owned_cores(), owned_cores())
        assert torch.get_num_threads() == owned_cores() == len(os.sched_getaffinity(0))
        assert cv2.getNumThreads() == owned_cores()
    finally:
        torch.set_num_threads(before[0])
        cv2.setNumThreads(before[1])


def test_settings_choose_the_counts(settings):
    settings.SIAMLABEL_TORCH_THREADS, settings.SIAMLABEL_OPENCV_THREADS = 1, 3
    before = torch.get_num_threads(), cv2.getNumThreads()
    try:
        assert configure_from_settings() == (1, 3)
        assert (torch.get_num_threads(), cv2.getNumThreads()) == (1, 3)
    finally:
        torch.set_num_threads(before[0])
        cv2.setNumThreads(before[1])


def test_zero_follows_omp_num_threads_for_torch_when_it_is_set(monkeypatch):
    before = torch.get_num_threads(), cv2.getNumThreads()
    try:
        monkeypatch.setenv("OMP_NUM_THREADS", "1")
        assert configure_threads(0, 0) == (1, owned_cores())
        for unusable in ("0", "two", ""):  # ignored: the owned cores, as when unset
            monkeypatch.setenv("OMP_NUM_THREADS", unusable)
            assert configure_threads(0, 0)[0] == owned_cores()
        monkeypatch.setenv("OMP_NUM_THREADS", "1")
        assert configure_threads(2, 0)[0] == 2  # SIAMLABEL_TORCH_THREADS wins
    finally:
        torch.set_num_threads(before[0])
        cv2.setNumThreads(before[1])
