"""The training set: a weighted mixture of pair sources, cropped, augmented and labelled.

    data = PairDataset([(SyntheticPairSource(), 1.0)], seed=0)
    sample = data[17]      # dict of tensors; the same index and seed always give the same sample
    loader = DataLoader(data, batch_size=16, sampler=range(start, stop))

Sample i draws everything (source, frames, augmentation, anchor subsampling) from
`np.random.default_rng([seed, i])`, so a run is reproducible and a resumed run sees exactly
the samples the uninterrupted run would have seen, whatever the number of loader workers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch.utils.data import Dataset

from .augment import AugmentConfig, crop_pair
from .readers import PairSource, build_source
from .targets import assign_anchors, encode_deltas, training_anchors

MAX_TRIES = 50


class PairDataset(Dataset):
    """Index -> {template, search, search_mask, labels, deltas, has_target}.

    template (3,127,127) and search (3,255,255) are float32 raw BGR 0-255 (the tracker's input
    convention); search_mask (255,255) uint8 0/1; labels (A*625,) int64 (1/0/-1); deltas
    (4, A*625) float32.
    """

    def __init__(self, sources: Sequence[tuple[PairSource, float]], *, seed: int = 0,
                 augment: AugmentConfig | None = None, negative_prob: float = 0.0,
                 length: int = 10**9) -> None:
        if not sources:
            raise ValueError("at least one data source is needed")
        self.sources = [s for s, _ in sources]
        weights = np.asarray([w for _, w in sources], dtype=np.float64)
        self.weights = weights / weights.sum()
        self.seed = seed
        self.augment = augment or AugmentConfig()
        self.negative_prob = negative_prob
        self.length = length
        self.anchors = training_anchors()

    @classmethod
    def from_config(cls, data: dict, seed: int) -> PairDataset:
        """Build from the `data` section of a training config."""
        sources = [(build_source(spec), float(spec.get("weight", 1.0))) for spec in data["sources"]]
        augment = AugmentConfig(**{k: tuple(v) if isinstance(v, list) else v
                                   for k, v in data.get("augment", {}).items()})
        return cls(sources, seed=seed, augment=augment, negative_prob=float(data.get("negative_prob", 0.0)))

    def __len__(self) -> int:
        return self.length

    def _draw(self, rng: np.random.Generator):
        for _ in range(MAX_TRIES):
            source = self.sources[int(rng.choice(len(self.sources), p=self.weights))]
            pair = source.sample(rng)
            if pair is not None:
                return pair
        raise RuntimeError(f"no usable pair after {MAX_TRIES} tries; check the data sources")

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        rng = np.random.default_rng([self.seed, int(index)])
        pair = self._draw(rng)
        if rng.random() < self.negative_prob:
            # a negative pair (DaSiamRPN-style): the search crop shows another object, no target
            other = self._draw(rng)
            ys, xs = np.nonzero(other.search_mask)
            reference = np.array([xs.min(), ys.min(), xs.max(), ys.max()], dtype=np.float64)
            crops = crop_pair(pair.template_bgr, pair.template_mask, other.search_bgr, None, rng,
                              self.augment, search_reference=reference)
        else:
            crops = crop_pair(pair.template_bgr, pair.template_mask, pair.search_bgr,
                              pair.search_mask, rng, self.augment)
        labels = assign_anchors(self.anchors, crops.search_box, rng)
        return {
            "template": _to_chw(crops.template),
            "search": _to_chw(crops.search),
            "search_mask": torch.from_numpy(crops.search_mask),
            "labels": torch.from_numpy(labels),
            "deltas": torch.from_numpy(encode_deltas(self.anchors, crops.search_box)),
            "has_target": torch.tensor(crops.search_box is not None),
        }


def _to_chw(image: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1))).float()
