"""Register SiamMask weights for the workers: manage.py register_checkpoint NAME FILE [--default]."""

from django.core.management import BaseCommand, CommandError

from annotator.models import ModelCheckpoint
from annotator.services.checkpoints import register_checkpoint
from annotator.services.errors import ServiceError


class Command(BaseCommand):
    help = "Record a checkpoint file (e.g. the official SiamMask_DAVIS.pth) and optionally make it the default."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("file", help="Absolute path, or relative to SIAMLABEL_WEIGHTS_DIR.")
        parser.add_argument("--variant", choices=ModelCheckpoint.Variant.values, default=ModelCheckpoint.Variant.SHARP)
        parser.add_argument("--config", choices=["davis", "vot"], default="davis")
        parser.add_argument("--default", action="store_true", help="Make it the model workers use.")

    def handle(self, *args, name, file, variant, config, default, **options):
        try:
            checkpoint = register_checkpoint(name=name, file=file, variant=variant, config=config, make_default=default)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"registered {checkpoint} sha256={checkpoint.sha256}")
