"""ResNet-50 trunk cut after its third stage, with dilation, and the 1024->256 adjust layer.

Parameter names match the official checkpoints (`features.features.*`,
`features.downsample.downsample.*`). The geometry (padding 0 on strided 3x3 convolutions and on
conv1) is the official one, not torchvision's: a 255x255 search image gives stages of
125, 63, 31 and 31 pixels, a 127x127 template 61, 31, 15 and 15.
"""

from __future__ import annotations

import torch
from torch import nn


class Bottleneck(nn.Module):
    """1x1 -> 3x3 -> 1x1 residual block with expansion 4."""

    expansion = 4

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int = 1,
        dilation: int = 1,
        downsample: nn.Module | None = None,
    ) -> None:
        super().__init__()
        # official: models/resnet.py, padding 1 at stride 1 but 0 at stride 2; d when dilated
        padding = dilation if dilation > 1 else (1 if stride == 1 else 0)
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(
            planes, planes, 3, stride=stride, padding=padding, dilation=dilation, bias=False
        )
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * self.expansion, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


def _shortcut(inplanes: int, outplanes: int, kernel: int, stride: int, padding: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(inplanes, outplanes, kernel, stride=stride, padding=padding, bias=False),
        nn.BatchNorm2d(outplanes),
    )


class ResNetTrunk(nn.Module):
    """conv1 .. layer3 of ResNet-50; forward returns all four stage outputs."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=0, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        # layer1: stride 1, 1x1 shortcut
        self.layer1 = nn.Sequential(
            Bottleneck(64, 64, downsample=_shortcut(64, 256, 1, 1, 0)),
            *(Bottleneck(256, 64) for _ in range(2)),
        )
        # layer2: stride 2; official shortcut is a 3x3 conv, stride 2, padding 0
        self.layer2 = nn.Sequential(
            Bottleneck(256, 128, stride=2, downsample=_shortcut(256, 512, 3, 2, 0)),
            *(Bottleneck(512, 128) for _ in range(3)),
        )
        # layer3: no stride, dilation 2 after the first block (whose shortcut is 3x3, padding 1)
        self.layer3 = nn.Sequential(
            Bottleneck(512, 256, downsample=_shortcut(512, 1024, 3, 1, 1)),
            *(Bottleneck(1024, 256, dilation=2) for _ in range(5)),
        )

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        p0 = self.relu(self.bn1(self.conv1(x)))
        p1 = self.layer1(self.maxpool(p0))
        p2 = self.layer2(p1)
        p3 = self.layer3(p2)
        return p0, p1, p2, p3


class AdjustLayer(nn.Module):
    """1x1 conv 1024->256 + BN; crops template-sized maps to their 7x7 centre."""

    def __init__(self, inplanes: int = 1024, outplanes: int = 256) -> None:
        super().__init__()
        self.downsample = nn.Sequential(
            nn.Conv2d(inplanes, outplanes, 1, bias=False), nn.BatchNorm2d(outplanes)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.downsample(x)
        # official: ResDown, maps narrower than 20 (the 15x15 template) keep [4:-4, 4:-4]
        if x.shape[-1] < 20:
            x = x[:, :, 4:-4, 4:-4]
        return x


class FeatureExtractor(nn.Module):
    """Trunk (`features`) plus adjust layer (`downsample`), named as in the checkpoints."""

    def __init__(self) -> None:
        super().__init__()
        self.features = ResNetTrunk()
        self.downsample = AdjustLayer()

    def forward(self, x: torch.Tensor) -> tuple[tuple[torch.Tensor, ...], torch.Tensor]:
        """Return (stage outputs p0..p3, adjusted 256-channel feature)."""
        stages = self.features(x)
        return stages, self.downsample(stages[3])
