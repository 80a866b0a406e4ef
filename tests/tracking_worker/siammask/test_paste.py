"""The window paste equals the official full-frame warp pixel for pixel, and so do its boxes."""

from fractions import Fraction

import numpy as np
import pytest

from formats.mask_geometry import rotated_box_from_mask
from tracking_worker.siammask import TrackerConfig
from tracking_worker.siammask.crops import paste_window_mask, window_to_frame
from tracking_worker.siammask.paste import _fma_f32, paste_window

CFG = TrackerConfig.davis()


def _cases(count: int, frame_hw: tuple[int, int], seed: int):
    """Windows of every scale, centred anywhere from well outside the frame to its far corner."""
    rng = np.random.default_rng(seed)
    height, width = frame_hw
    for _ in range(count):
        side = int(rng.choice([127, 63]))
        # smooth blobs, so the 0.35 threshold cuts through real gradients
        probs = rng.random((side // 8 + 2, side // 8 + 2)).astype(np.float32)
        probs = np.kron(probs, np.ones((8, 8), np.float32))[:side, :side].copy()
        if rng.random() < 0.7:  # an object smaller than its window, somewhere in it
            yy, xx = np.mgrid[:side, :side] / side
            cy, cx, r = rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9), rng.uniform(0.05, 0.4)
            probs *= ((yy - cy) ** 2 + (xx - cx) ** 2 < r * r).astype(np.float32)
        if rng.random() < 0.05:
            probs *= 0.3  # nothing above the threshold: an empty mask and the fallback box
        crop_side = int(rng.integers(60, 2 * max(frame_hw)))
        center = np.array([rng.uniform(-crop_side / 2, width + crop_side / 2),
                           rng.uniform(-crop_side / 2, height + crop_side / 2)])
        row, col = (int(v) for v in rng.integers(0, CFG.score_size, 2))
        yield probs, center, crop_side, row, col


@pytest.mark.parametrize("frame_hw", [(1080, 1920), (480, 854), (37, 53)])
def test_window_paste_is_bit_identical_to_the_full_frame_warp(frame_hw):
    checked = 0
    for probs, center, crop_side, row, col in _cases(60, frame_hw, seed=sum(frame_hw)):
        full = paste_window_mask(probs, window_to_frame(probs.shape[0], center, crop_side, row, col, CFG, frame_hw), frame_hw)
        pasted = paste_window(probs, window_to_frame(probs.shape[0], center, crop_side, row, col, CFG, frame_hw),
                              frame_hw, CFG.seg_thr)
        x0, y0 = pasted.origin
        h, w = pasted.probs.shape
        np.testing.assert_array_equal(pasted.probs, full[y0 : y0 + h, x0 : x0 + w])
        mask = full > CFG.seg_thr
        outside = mask.copy()
        outside[y0 : y0 + h, x0 : x0 + w] = False
        assert not outside.any(), "the full-frame warp has mask pixels outside the rectangle"
        np.testing.assert_array_equal(pasted.frame_mask(), mask)
        fallback = (10.0, 20.0, 30.0, 40.0)
        np.testing.assert_array_equal(
            rotated_box_from_mask(pasted.mask, fallback, offset=pasted.origin),
            rotated_box_from_mask(mask, fallback),
        )
        checked += 1
    assert checked == 60


def _round_f32(value: Fraction) -> np.float32:
    """Round an exact rational to the nearest float32, ties to even."""
    near = np.float32(float(value))
    candidates = [near, np.nextafter(near, np.float32(np.inf)), np.nextafter(near, np.float32(-np.inf))]
    return min(candidates, key=lambda r: (abs(Fraction(float(r)) - value), int(r.view(np.uint32)) & 1))


def test_fused_multiply_add_rounds_once_like_the_hardware():
    rng = np.random.default_rng(5)
    for scale_a, scale_c in [(1.0, 1.0), (1e-3, 1e3), (1e3, 1e-3), (2.0**-20, 2.0**20)]:
        a = np.float32(rng.uniform(-1, 1) * scale_a)
        c = np.float32(rng.uniform(-1, 1) * scale_c)
        x = np.arange(-4000, 4000, 7, dtype=np.float32)
        got = _fma_f32(a, x, c)
        want = [_round_f32(Fraction(float(a)) * Fraction(float(v)) + Fraction(float(c))) for v in x]
        np.testing.assert_array_equal(got, np.array(want, dtype=np.float32))
    # a float64 sum that lands exactly halfway between two float32 values: 2^30 + 2^6 is the
    # midpoint of 2^30 and 2^30 + 2^7; the exact sum lies 2^-40 above it, so it rounds up
    a, x, c = np.float32(2.0**6 + 2.0**-17), np.array([1 - 2.0**-24], np.float32), np.float32(2.0**30)
    exact = Fraction(float(a)) * Fraction(float(x[0])) + Fraction(float(c))
    assert _fma_f32(a, x, c)[0] == _round_f32(exact)


def test_the_pinned_opencv_takes_the_window_path():
    # None would mean every paste warps the whole frame: same results, none of the speed
    from tracking_worker.siammask.paste import _warp_lanes

    assert _warp_lanes() is not None
