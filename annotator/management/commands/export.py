"""manage.py export: write a project's labels to a zip now, with a progress bar.

    python manage.py export 3 --format coco --review-status accepted --out labels.zip

Runs the same service as the API's export job, in this process (no worker needed).
"""

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotator import media_store
from annotator.choices import JobStatus, ReviewStatus
from annotator.management.commands._arguments import project_or_error, user_or_error
from annotator.models import CocoMasks, TransferFormat
from annotator.services import transfers
from annotator.services.errors import ServiceError


def id_list(value: str) -> list[int]:
    return [int(v) for v in value.split(",") if v.strip()]


def name_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


class Command(BaseCommand):
    help = "Export a project's labels (COCO, YouTube-VIS or DAVIS zip)."

    def add_arguments(self, parser):
        parser.add_argument("project", type=int, help="project id")
        parser.add_argument("--format", required=True, choices=TransferFormat.values)
        parser.add_argument("--videos", type=id_list, default=[], help="comma-separated video ids (default: all ready)")
        parser.add_argument("--review-status", type=name_list, default=[],
                            help=f"comma-separated statuses to keep ({', '.join(ReviewStatus.values)}; default: all)")
        frames = parser.add_mutually_exclusive_group()
        frames.add_argument("--include-frames", dest="include_frames", action="store_true", default=None,
                            help="put the frames in the zip (default for DAVIS)")
        frames.add_argument("--no-frames", dest="include_frames", action="store_false",
                            help="leave the frames out (default for COCO and YouTube-VIS)")
        parser.add_argument("--coco-masks", choices=CocoMasks.values, default=CocoMasks.RLE,
                            help="COCO masks as compressed RLE (exact, default) or polygons (holes filled)")
        parser.add_argument("--out", type=Path, help="copy the zip here (default: print where it is in media)")
        parser.add_argument("--user", help="record this user as the export's creator")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        project = project_or_error(options["project"])
        by = user_or_error(options["user"])
        try:
            job = transfers.start_export(
                project=project, format=options["format"], by=by, video_ids=options["videos"],
                review_status=options["review_status"], include_frames=options["include_frames"],
                coco_masks=options["coco_masks"], enqueue=False,
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        with tqdm(total=100, unit="%", desc=f"export {job.format}", disable=options["quiet"]) as bar:
            job = transfers.run_export(job.pk, on_progress=lambda f: bar.update(max(int(f * 100) - bar.n, 0)))
            bar.update(100 - bar.n if job.status == JobStatus.SUCCEEDED else 0)
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(f"export {job.pk} failed: {job.error}")
        where = media_store.get().describe(job.file)
        if options["out"]:
            zip_file, _ = transfers.open_export(job=job)
            with zip_file, open(options["out"], "wb") as out:
                shutil.copyfileobj(zip_file, out)
            where = options["out"]
        self.stdout.write(f"export {job.pk}: {where}")
