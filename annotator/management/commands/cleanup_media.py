"""manage.py cleanup_media: remove media folders whose video, export or import no longer exists,
training states of fine-tunes that ended or were deleted, and uploads a crashed web server left
half-received.

    python manage.py cleanup_media --dry-run          # list them, with sizes
    python manage.py cleanup_media --min-age-hours 24 # remove those untouched for a day

Folders younger than the grace period are kept: an upload in progress writes its folder before
its row commits.
"""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from annotator.services import storage


class Command(BaseCommand):
    help = ("Remove media folders (videos/, exports/, imports/) no database row owns, training states "
            "(finetune/) of ended or deleted fine-tunes, and abandoned uploads.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what would go; remove nothing")
        parser.add_argument("--min-age-hours", type=float, default=storage.GRACE_SECONDS / 3600,
                            help="keep folders modified more recently than this (default: 1)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        orphans = storage.find_orphans(grace_seconds=options["min_age_hours"] * 3600)
        total_mb = sum(o.bytes for o in orphans) / 2**20
        if options["dry_run"]:
            for orphan in orphans:
                self.stdout.write(f"{orphan.where}  {orphan.bytes / 2**20:.1f} MB")
            self.stdout.write(f"{len(orphans)} orphaned folders and files, {total_mb:.1f} MB (dry run: nothing removed)")
            return
        for orphan in tqdm(orphans, desc="removing orphaned media", unit="folder", disable=options["quiet"]):
            storage.remove(orphan)
        self.stdout.write(self.style.SUCCESS(f"removed {len(orphans)} orphaned folders and files, {total_mb:.1f} MB"))
