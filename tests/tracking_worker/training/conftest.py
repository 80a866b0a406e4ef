import pytest

SYNTH_CLIP = "synth_q"


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory):
    """A folder holding one generated 8-frame clip named SYNTH_CLIP (flat layout, masks on every frame)."""
    synthetic = pytest.importorskip("tracking_worker.training.synthetic")
    try:
        clip = synthetic.make_clip(5, n_frames=8, width=200, height=150, name=SYNTH_CLIP)
    except RuntimeError as exc:  # no scikit-image sample photographs on this machine
        pytest.skip(str(exc))
    root = tmp_path_factory.mktemp("clips")
    synthetic.write_clip(clip, root)
    return root
