"""Where bfloat16 hurts a trunk: one network pass per ground-truth-centred crop, per float32 split.

    python bench/fast_sensitivity.py --weights weights/starter.pth --float32-layers 4 6 9
    python bench/fast_sensitivity.py --float32-layers 3 7        # weights/mobile.pth

For each K, the fast copy keeps the first K layers of the trunk's `layer_sequence()` float32 and
is compared with exact on search crops of the held-out DAVIS sequences (every second frame,
centred on the ground-truth box, the template from the first annotated frame): relative error
of the adjusted feature, largest change of a foreground score, and how often the score map's
argmax moves. No tracking, so it takes seconds; whether a split meets the J/F bar is for
bench/fast_accuracy.py (`--float32-layers K`) to say.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracking_worker.evaluation import davis
from tracking_worker.evaluation.run import bbox_from_mask
from tracking_worker.siammask import TrackerConfig, load_model
from tracking_worker.siammask.crops import exemplar_crop_side, get_subwindow, mean_color, search_crop_side
from tracking_worker.siammask.network.siammask import TemplateKernels
from tracking_worker.siammask.precision import LowPrecisionTrunk, fast_dtype, fold_batch_norms

REPO = Path(__file__).resolve().parents[1]
HELD_OUT = ["dance-twirl", "kite-surf", "libby"]


def crops(root: Path, name: str, cfg: TrackerConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """The template (1, 3, 127, 127) and the search crops (N, 3, 255, 255) of one sequence."""
    sequence = davis.read_sequence(root, name)
    template, searches = None, []
    for index, (path, ids) in enumerate(zip(sequence.frame_paths, davis.load_ground_truth(sequence))):
        if ids is None or not ids.any() or (template is not None and index % 2):
            continue
        frame = davis.load_frame(path)
        x, y, w, h = bbox_from_mask(ids > 0)
        centre = (x + w / 2, y + h / 2)
        if template is None:
            pad, size = mean_color(frame), (w, h)
            template = get_subwindow(frame, centre, cfg.exemplar_size, exemplar_crop_side(size, cfg), pad)
        else:
            searches.append(get_subwindow(frame, centre, cfg.instance_size, round(search_crop_side(size, cfg)), pad))
    as_tensor = lambda patches: torch.from_numpy(np.stack(patches)).permute(0, 3, 1, 2).float()  # noqa: E731
    return as_tensor([template]), as_tensor(searches)


def split_copy(model: torch.nn.Module, float32_layers: int) -> torch.nn.Module:
    """The fast copy `precision.model_for` makes, with the first `float32_layers` trunk layers float32."""
    fast = copy.deepcopy(model)
    getattr(fast.features, "unfreeze_trunk", lambda: None)()
    extractor = fold_batch_norms(fast.features)
    extractor.float32_layers = float32_layers  # on this copy only
    fast.features = LowPrecisionTrunk(extractor, fast_dtype(torch.device("cpu")))
    return fast.eval()


@torch.inference_mode()
def outputs(model: torch.nn.Module, template: torch.Tensor, search: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    kernels = model.template(template)
    kernels = TemplateKernels(*(k.expand(len(search), *k.shape[1:]) for k in kernels))
    out = model.search(search, kernels)
    scores = torch.softmax(out.score.float().reshape(len(search), 2, -1), dim=1)[:, 1]
    return out.feature.float(), scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weights", type=Path, default=REPO / "weights" / "mobile.pth")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "davis2016")
    parser.add_argument("--sequences", nargs="+", default=HELD_OUT)
    parser.add_argument("--float32-layers", nargs="+", type=int, required=True)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    cfg = TrackerConfig.davis()
    exact = load_model(args.weights, device="cpu").eval()
    data = [crops(args.data, name, cfg) for name in args.sequences]
    reference = [outputs(exact, *pair) for pair in data]
    print(f"{args.weights.name}: {sum(len(s) for _, s in data)} crops of {', '.join(args.sequences)}; "
          f"fast dtype {fast_dtype(torch.device('cpu'))}")
    for k in args.float32_layers:
        fast = split_copy(exact, k)
        errors, score_diffs, moved = [], [], []
        for pair, (feature, scores) in zip(data, reference):
            fast_feature, fast_scores = outputs(fast, *pair)
            errors.append(float((fast_feature - feature).norm() / feature.norm()))
            score_diffs.append(float((fast_scores - scores).abs().max()))
            moved.append(float((fast_scores.argmax(1) != scores.argmax(1)).float().mean()))
        print(f"float32 layers {k:>2}: feature error {np.mean(errors):.2%}, largest score change "
              f"{max(score_diffs):.4f}, argmax moved on {np.mean(moved):.1%} of crops (means over sequences)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
