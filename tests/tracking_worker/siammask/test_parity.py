"""The network reproduces one forward pass of the official model (shared/reference/parity_seed1.npz).

Relative error of an array = max|ours - reference| / max|reference|; every array must be below
1e-4 (float32 on CPU measures about 2e-5 at most).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

TOLERANCE = 1e-4
WINDOWS = [(12, 12), (5, 17), (20, 3)]
ARRAYS = (
    ["template_feature", "score", "loc", "corr_feature", "search_feature"]
    + [f"backbone_{i}" for i in range(4)]
    + [f"{kind}_at_{r}_{c}" for r, c in WINDOWS for kind in ("mask", "refine")]
)


def relative_error(ours: np.ndarray, reference: np.ndarray) -> float:
    return float(np.abs(ours - reference).max() / np.abs(reference).max())


@pytest.fixture(scope="module")
def parity(shared_root, seed1_model):
    """Return (our arrays, reference arrays) keyed like parity_seed1.npz."""
    reference = dict(np.load(shared_root / "reference" / "parity_seed1.npz"))
    template = torch.from_numpy(reference["template_input"])
    search = torch.from_numpy(reference["search_input"])
    with torch.inference_mode():
        kernels = seed1_model.template(template)
        out = seed1_model.search(search, kernels)
        ours = {
            "template_feature": seed1_model.template_feature(template),
            "score": out.score,
            "loc": out.loc,
            "corr_feature": out.mask_corr,
            "search_feature": out.feature,
            **{f"backbone_{i}": stage for i, stage in enumerate(out.stages)},
        }
        for r, c in WINDOWS:
            ours[f"mask_at_{r}_{c}"] = seed1_model.mask_at(out, [r], [c])
            ours[f"refine_at_{r}_{c}"] = seed1_model.refine_at(out, [r], [c])
    return {k: v.numpy() for k, v in ours.items()}, reference


@pytest.mark.parametrize("name", ARRAYS)
def test_array_matches_official_forward_pass(parity, name):
    ours, reference = parity
    assert ours[name].shape == reference[name].shape
    error = relative_error(ours[name], reference[name])
    assert error < TOLERANCE, f"{name}: relative error {error:.2e}"


def test_batched_search_matches_single(parity, seed1_model):
    """Two samples in one batch give each sample's single-pass outputs."""
    _, reference = parity
    template = torch.from_numpy(reference["template_input"])
    search = torch.from_numpy(reference["search_input"])
    with torch.inference_mode():
        kernels = seed1_model.template(template)
        single = seed1_model.search(search, kernels)
        flipped = search.flip(-1)
        pair = seed1_model.search(torch.cat([flipped, search]), type(kernels).cat([kernels, kernels]))
        refine_single = seed1_model.refine_at(single, [5], [17])
        refine_pair = seed1_model.refine_at(pair, [20, 5], [3, 17])
    assert relative_error(pair.score[1:].numpy(), single.score.numpy()) < 1e-5
    assert relative_error(refine_pair[1:].numpy(), refine_single.numpy()) < 1e-5
