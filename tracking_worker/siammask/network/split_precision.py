"""Trunks whose first layers stay float32 in the fast precision while the rest run in bfloat16.

    class MyTrunk(LayerSequence, nn.Module):       # layer_sequence() and taps
        ...
    class MyExtractor(SplitPrecisionExtractor):    # .features (the trunk), .downsample, float32_layers
        float32_layers = 3

A trunk lists its layers in run order (`layer_sequence()`) and the indices whose outputs feed
the heads (`taps`); `run` runs them and casts the activations once, before layer
`float32_layers`. The layers before that, and the input normalisation, keep float32 weights;
which ones a variant needs is measured on real video (docs/tracker.md, "Device and precision").
"""

from __future__ import annotations

import torch
from torch import nn


class LayerSequence:
    """Mixin for a trunk run as one flat sequence of layers with tapped outputs."""

    taps: tuple[int, ...]
    low_precision: tuple[int, torch.dtype] | None = None  # (first low-precision layer, dtype) when fast

    def layer_sequence(self) -> list[nn.Module]:
        raise NotImplementedError

    def run(self, x: torch.Tensor, start: int = 0,
            stop: int | None = None) -> tuple[tuple[torch.Tensor, ...], torch.Tensor]:
        """Run layers start..stop-1 on `x`; return (the tapped outputs among them, the last output)."""
        layers = self.layer_sequence()
        taps = []
        switch, dtype = self.low_precision or (-1, x.dtype)
        for index in range(start, len(layers) if stop is None else stop):
            if index == switch:
                x = x.to(dtype)
            x = layers[index](x)
            if index in self.taps:
                taps.append(x)
        return tuple(taps), x

    def convert_from(self, first: int, dtype: torch.dtype) -> None:
        """Run layers `first`.. in `dtype`; the ones before stay as they are."""
        layers = self.layer_sequence()
        if not 0 <= first < len(layers):
            raise ValueError(f"the first low-precision layer must be in 0..{len(layers) - 1}, got {first}")
        for layer in layers[first:]:
            layer.to(dtype)
        self.low_precision = (first, dtype)


class SplitPrecisionExtractor(nn.Module):
    """Feature extractor (trunk `features`, adjust layer `downsample`) that converts itself for fast.

    `precision.LowPrecisionTrunk` calls `to_low_precision`; the extractor then takes float32
    input and its trunk casts after `float32_layers` layers. The adjust layer reads the last
    (low-precision) stage and runs in `dtype` too. With `float32_layers = None` nothing is
    converted: fast is then float32 with channels-last tensors and folded BatchNorms.
    """

    float32_layers: int | None  # leading trunk layers (LayerSequence order) kept float32; None: all

    def to_low_precision(self, dtype: torch.dtype) -> None:
        self.to(memory_format=torch.channels_last)
        if self.float32_layers is not None:
            self.features.convert_from(self.float32_layers, dtype)
            self.downsample.to(dtype)
