"""Make sure workers have a model: manage.py ensure_default_model (the container entrypoint runs it).

Does nothing when a default checkpoint exists, except registering a built-in default again when
its file changed (an upgrade's new weights). Otherwise registers the built-in weights as the
default: from SIAMLABEL_WEIGHTS_DIR when the file is there, else the copy inside the image or
checkout (`weights/`, recorded by absolute path, which every container of the same image shares),
with the evaluation (J, F, J&F) its metadata records. Running it again changes nothing.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError

from annotator.models import ModelCheckpoint
from annotator.services.demo import BUILTIN_CHECKPOINTS, refresh_builtin_default, register_builtin_checkpoint


class Command(BaseCommand):
    help = "Register the built-in weights as the default model unless a default checkpoint exists."

    def handle(self, *args, **options):
        current = ModelCheckpoint.objects.filter(is_default=True).first()
        if current is not None:
            if refresh_builtin_default(current, warn=self.stderr.write):
                self.stdout.write(f"default model: {current.name} registered again ({current.file} changed)")
            else:
                self.stdout.write(f"default model: {current.name} (unchanged)")
            return
        for name, file, variant in BUILTIN_CHECKPOINTS:
            location = _builtin_location(file)
            if location is not None:
                checkpoint = register_builtin_checkpoint(name=name, file=location, variant=variant,
                                                         warn=self.stderr.write)
                jf = "" if checkpoint.jf is None else f", J&F {checkpoint.jf:.3f}"
                self.stdout.write(f"registered the built-in model {checkpoint.name} ({location}) as the default{jf}")
                return
        raise CommandError(f"no default checkpoint and no built-in weights in {settings.SIAMLABEL_WEIGHTS_DIR} "
                           f"or {Path(settings.BASE_DIR) / 'weights'}")


def _builtin_location(file: str) -> str | None:
    """Return how to record a built-in weights file: relative in the weights dir, else absolute, else None."""
    if (Path(settings.SIAMLABEL_WEIGHTS_DIR) / file).is_file():
        return file
    shipped = Path(settings.BASE_DIR) / "weights" / file
    return str(shipped) if shipped.is_file() else None
