"""Download the authors' SiamMask weights and register them: manage.py fetch_weights davis|vot [--default]."""

from django.core.management import BaseCommand, CommandError

from annotator.services.errors import ServiceError
from annotator.services.official_weights import OFFICIAL_WEIGHTS, fetch_official_weights


class Command(BaseCommand):
    help = ("Download SiamMask_DAVIS.pth or SiamMask_VOT.pth from the authors into SIAMLABEL_WEIGHTS_DIR, "
            "check that it loads strictly, and register it as a sharp checkpoint.")

    def add_arguments(self, parser):
        parser.add_argument("name", choices=list(OFFICIAL_WEIGHTS), help="Which official weights.")
        parser.add_argument("--default", action="store_true", help="Make it the model workers use.")
        parser.add_argument("--url", help="Download from this address instead of the authors' (a mirror).")
        parser.add_argument("--sha256", help="Refuse the file unless its sha256 is this.")

    def handle(self, *args, name, default, url, sha256, verbosity, **options):
        try:
            checkpoint = fetch_official_weights(name=name, url=url, sha256=sha256, make_default=default,
                                                progress=verbosity > 0)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"registered {checkpoint} sha256={checkpoint.sha256}")
