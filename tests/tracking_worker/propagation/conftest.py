import shutil
from pathlib import Path

import pytest

from tests.annotator.conftest import cast, clients, make_user, media_root, ready_video, track  # noqa: F401

STARTER = Path(__file__).resolve().parents[3] / "weights" / "starter.pth"


@pytest.fixture
def checkpoint(settings, tmp_path, transactional_db):
    """The committed starter model (light variant, fast on CPU), registered as the default."""
    from annotator.models import ModelCheckpoint
    from annotator.services.checkpoints import register_checkpoint

    settings.SIAMLABEL_WEIGHTS_DIR = tmp_path / "weights"
    settings.SIAMLABEL_WEIGHTS_DIR.mkdir()
    shutil.copy(STARTER, settings.SIAMLABEL_WEIGHTS_DIR / "starter.pth")
    return register_checkpoint(name="starter", file="starter.pth", variant=ModelCheckpoint.Variant.LIGHT,
                               make_default=True)
