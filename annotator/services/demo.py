"""The demo account, project and clip that `make run` creates on a fresh machine."""

import os
import secrets
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from annotator.models import ModelCheckpoint, Project
from annotator.services.checkpoints import (
    evaluation_metrics,
    file_sha256,
    register_checkpoint,
    resolve_path,
    verify_checkpoint,
)
from annotator.services.errors import ServiceError
from annotator.services.projects import create_project
from annotator.services.videos import create_video

DEMO_USER = "demo"
DEMO_PROJECT = "Demo"
# the built-in default (docs/models.md), else the older light starter
BUILTIN_CHECKPOINTS = (("mobile (built-in)", "mobile.pth", "mobile"), ("starter (light)", "starter.pth", "light"))


@dataclass
class DemoAccount:
    username: str
    password: str


def shared_data_dir() -> Path:
    return Path(os.environ.get("SIAMLABEL_SHARED_DIR", settings.BASE_DIR.parent / "shared")) / "data"


def seed_demo(log=print) -> DemoAccount:
    """Create (once) the demo manager, its project with a clip, and the built-in default checkpoint."""
    account = _demo_user()
    user = get_user_model().objects.get(username=DEMO_USER)
    if not Project.objects.filter(name=DEMO_PROJECT, memberships__user=user).exists():
        name, description, upload = _demo_clip()
        project = create_project(name=DEMO_PROJECT, by=user, labels=["person", "ball", "racket"],
                                 description=description)
        create_video(project=project, name=name, upload=upload, by=user)
        log(f"created the demo project with clip '{name}' (frames are being extracted)")
    _builtin_checkpoint(log)
    return account


def _demo_user() -> DemoAccount:
    users = get_user_model().objects
    password = os.environ.get("SIAMLABEL_DEMO_PASSWORD")
    password_file = Path(settings.VAR_DIR) / "demo-password.txt"
    user = users.filter(username=DEMO_USER).first()
    if user is None or password:
        password = password or secrets.token_urlsafe(12)
        user = user or users.create_user(username=DEMO_USER, is_staff=True, is_superuser=True)
        user.set_password(password)
        user.save()
        if "SIAMLABEL_DEMO_PASSWORD" not in os.environ:
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
    elif password_file.exists():
        password = password_file.read_text().strip()
    else:
        password = "(unchanged; set SIAMLABEL_DEMO_PASSWORD to reset it)"
    return DemoAccount(DEMO_USER, password)


def _demo_clip() -> tuple[str, str, SimpleUploadedFile]:
    """The tennis clip from ../shared/data when present, else a generated one; its name and what it is."""
    frames = sorted((shared_data_dir() / "tennis" / "frames").glob("*.jpg"))
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "clip.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            if frames:
                for path in frames:
                    zf.write(path, path.name)
                name = "tennis"
                description = f"A short real clip ({len(frames)} frames of a tennis player) to try propagation on."
            else:
                n = _write_generated_frames(zf)
                name, description = "generated", (
                    f"A generated clip ({n} frames of an orange ellipse moving over blurred noise), not real footage: "
                    "upload a clip of your own to see propagation on real video.")
        upload = SimpleUploadedFile(f"{name}.zip", archive.read_bytes(), content_type="application/zip")
        return name, description, upload


def _write_generated_frames(zf: zipfile.ZipFile, n: int = 60) -> int:
    import cv2
    import numpy as np

    rng = np.random.default_rng(0)
    background = cv2.GaussianBlur(rng.integers(0, 255, (360, 640, 3), dtype=np.uint8), (0, 0), 6)
    for i in range(n):
        frame = background.copy()
        centre = (int(120 + 6 * i), int(180 + 60 * np.sin(i / 8)))
        cv2.ellipse(frame, centre, (40, 28), 3 * i, 0, 360, (40, 90, 230), -1)
        zf.writestr(f"{i:05d}.jpg", cv2.imencode(".jpg", frame)[1].tobytes())
    return n


def _builtin_checkpoint(log) -> None:
    """Register the repository's own weights as the default unless a default exists.

    A database seeded when the light starter was the default moves to the mobile model, unless
    someone chose another default since (an official checkpoint, say). A built-in default whose
    file an upgrade replaced (new weights, a new quality calibration) is registered again, so its
    sha256 and recorded J/F are those of the file the workers load.
    """
    weights = Path(settings.SIAMLABEL_WEIGHTS_DIR)
    current = ModelCheckpoint.objects.filter(is_default=True).first()
    builtin_names = {name for name, _, _ in BUILTIN_CHECKPOINTS}
    if current is not None and current.name not in builtin_names:
        return
    for name, file, variant in BUILTIN_CHECKPOINTS:
        if current is not None and current.name == name:
            if refresh_builtin_default(current, warn=log):
                log(f"registered the built-in checkpoint {name} ({current.file}) again: its file changed")
            return
        if (weights / file).is_file():
            register_builtin_checkpoint(name=name, file=file, variant=variant, warn=log)
            log(f"registered the built-in checkpoint {name} ({file}) as the default model")
            return
    log(f"no default checkpoint and no built-in weights in {weights}: propagation will fail until one is registered")


def refresh_builtin_default(current: ModelCheckpoint, *, warn=print) -> bool:
    """Register a built-in default again when its file changed since (an upgrade's new weights or
    calibration), so that its sha256 and recorded J/F are the file's; return whether it did."""
    if current.name not in {name for name, _, _ in BUILTIN_CHECKPOINTS}:
        return False
    path = resolve_path(current.file)
    if not path.is_file() or file_sha256(path) == current.sha256:
        return False
    register_builtin_checkpoint(name=current.name, file=current.file, variant=current.variant, warn=warn)
    return True


def register_builtin_checkpoint(*, name: str, file: str, variant: str, warn=print) -> ModelCheckpoint:
    """Register shipped weights as the default, with the evaluation their metadata records (J, F, J&F).

    Reading it loads the file in a child process (about 2 s for weights/mobile.pth). A file that
    cannot be checked here (no torch, a damaged copy) is still registered, without metrics, and
    `warn` says why: this runs at start-up, and the workers report a bad file when they load it.
    """
    try:
        metrics = evaluation_metrics(verify_checkpoint(resolve_path(file), variant=variant)["evaluation"])
    except ServiceError as exc:
        metrics = {}
        warn(f"warning: {exc.message}; registering {name} without its recorded J&F")
    return register_checkpoint(name=name, file=file, variant=variant, make_default=True, metrics=metrics)
