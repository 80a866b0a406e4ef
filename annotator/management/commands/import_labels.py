"""manage.py import_labels: load a COCO, YouTube-VIS or DAVIS archive into a project now.

    python manage.py import_labels 3 DAVIS-gt.zip --format davis

(`import` would shadow a Python keyword in code that imports commands, hence the name.)
Runs the same service as the API's import job, in this process (no worker needed).
"""

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotator.choices import JobStatus
from annotator.management.commands._arguments import project_or_error, user_or_error
from annotator.models import TransferFormat
from annotator.services import transfers
from annotator.services.errors import ServiceError


class Command(BaseCommand):
    help = "Import labels (COCO, YouTube-VIS or DAVIS) into a project's videos, matched by name."

    def add_arguments(self, parser):
        parser.add_argument("project", type=int, help="project id")
        parser.add_argument("file", type=Path, help="the archive (.zip) or, for COCO and YouTube-VIS, a .json")
        parser.add_argument("--format", required=True, choices=TransferFormat.values)
        parser.add_argument("--user", help="record this user as the tracks' creator")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        project = project_or_error(options["project"])
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no file {path}")
        by = user_or_error(options["user"])
        try:
            with open(path, "rb") as f:
                job = transfers.start_import(project=project, format=options["format"], upload=File(f, name=path.name),
                                             by=by, enqueue=False)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        with tqdm(total=100, unit="%", desc=f"import {job.format}", disable=options["quiet"]) as bar:
            job = transfers.run_import(job.pk, on_progress=lambda f: bar.update(max(int(f * 100) - bar.n, 0)))
            bar.update(100 - bar.n if job.status == JobStatus.SUCCEEDED else 0)
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(f"import {job.pk} failed: {job.error}")
        s = job.summary
        self.stdout.write(f"import {job.pk}: {s['videos']} videos, {s['tracks']} tracks, "
                          f"{s['masks']} masks, {s['boxes']} boxes")
