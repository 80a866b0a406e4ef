"""Register SiamMask weights for the workers: manage.py register_checkpoint NAME FILE [--variant V] [--default].

The file is loaded first, as workers load it (in a child process), and recorded with the variant and
the evaluation its metadata carries; --metrics '{"J": 0.6, "F": 0.62}' records other measurements.
"""

import argparse
import json
from pathlib import Path

from django.core.management import BaseCommand, CommandError

from annotator.models import ModelCheckpoint
from annotator.services.checkpoints import (
    AUTO_VARIANT,
    register_checkpoint,
    register_verified_checkpoint,
    resolve_path,
)
from annotator.services.errors import ServiceError


class Command(BaseCommand):
    help = "Check and record a checkpoint file (e.g. the official SiamMask_DAVIS.pth) and optionally make it the default."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("file", help="Absolute path, or relative to SIAMLABEL_WEIGHTS_DIR (else to the current folder).")
        parser.add_argument("--variant", choices=[AUTO_VARIANT, *ModelCheckpoint.Variant.values], default=None,
                            help="Default: auto, the variant the file's metadata names (sharp when it has none).")
        parser.add_argument("--config", choices=["davis", "vot"], default="davis")
        parser.add_argument("--default", action="store_true", help="Make it the model workers use.")
        parser.add_argument("--metrics", type=_json_object, default=None,
                            help='Measured scores as a JSON object, e.g. \'{"J": 0.6, "F": 0.62}\'; '
                                 "replaces the evaluation the file records.")
        parser.add_argument("--no-verify", action="store_true",
                            help="Record the file without loading it (needs --variant); records only --metrics.")

    def handle(self, *args, name, file, variant, config, default, metrics, no_verify, **options):
        if no_verify and variant in (None, AUTO_VARIANT):
            raise CommandError("--no-verify needs --variant sharp|light|mobile: without the check the file's "
                               "metadata is not read")
        register = register_checkpoint if no_verify else register_verified_checkpoint
        try:
            checkpoint = register(name=name, file=_locate(file), variant=variant or AUTO_VARIANT, config=config,
                                  make_default=default, metrics=metrics)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        jf = "unknown" if checkpoint.jf is None else f"{checkpoint.jf:.3f}"
        self.stdout.write(f"registered {checkpoint}: variant {checkpoint.variant}, J&F {jf}, "
                          f"sha256={checkpoint.sha256}")


def _locate(file: str) -> str:
    """Return `file` as recorded: relative to SIAMLABEL_WEIGHTS_DIR when it is there, else, when a
    shell path such as weights/mobile.pth names a file from the current folder, its absolute path."""
    if Path(file).is_absolute() or resolve_path(file).is_file() or not Path(file).is_file():
        return file
    return str(Path(file).resolve())


def _json_object(text: str) -> dict:
    """Parse --metrics; the service checks the values (services/checkpoints.py check_metrics)."""
    try:
        metrics = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not JSON ({exc})") from exc
    if not isinstance(metrics, dict):
        raise argparse.ArgumentTypeError(f"{text!r} is not a JSON object like '{{\"J\": 0.6, \"F\": 0.62}}'")
    return metrics
