import pytest
import torch

from tests.annotator.conftest import cast, clients, make_user, media_root, ready_video, track  # noqa: F401


@pytest.fixture
def checkpoint(settings, tmp_path, transactional_db):
    """A randomly initialised sharp model, registered as the default checkpoint."""
    from annotator.services.checkpoints import register_checkpoint
    from tracking_worker.siammask.network.siammask import SiamMask

    settings.SIAMLABEL_WEIGHTS_DIR = tmp_path / "weights"
    settings.SIAMLABEL_WEIGHTS_DIR.mkdir()
    torch.manual_seed(0)
    torch.save(SiamMask().state_dict(), settings.SIAMLABEL_WEIGHTS_DIR / "random.pth")
    return register_checkpoint(name="random", file="random.pth", make_default=True)
