"""SiamMask tracker: pure torch + numpy + cv2 (never imports Django).

    from tracking_worker.siammask import load_model, Tracker, TrackerConfig

    model = load_model("SiamMask_DAVIS.pth")           # path or state dict; official checkpoints load as-is
    tracker = Tracker(model, TrackerConfig.davis())    # or TrackerConfig.vot(); device picked automatically
    tracker.init(frame_bgr, (x, y, w, h))              # uint8 HxWx3 BGR image, box in pixels
    result = tracker.track(frame_bgr)                  # .score .bbox .rotated_box .mask

Several objects of one clip: MultiTracker(model, config).add(obj_id, frame_bgr, box), then
.track(frame_bgr) -> {obj_id: TrackResult}, one batched forward pass per frame.
"""

from .checkpoints import CheckpointMismatchError, load_model  # noqa: F401 (public, not in __all__)
from .config import TrackerConfig
from .tracker import MultiTracker, Tracker, TrackResult  # noqa: F401 (public, not in __all__)

__all__ = ["load_model", "Tracker", "TrackerConfig", "MultiTracker"]
