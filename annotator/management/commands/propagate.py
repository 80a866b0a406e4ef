"""Batch propagation from the command line, with a progress bar:

    manage.py propagate --project 3 [--videos 1,2] [--backward] [--max-running 2] [--no-wait]
"""

import time

from django.core.management import BaseCommand, CommandError
from tqdm import tqdm

from annotator.management.commands._arguments import project_or_error, user_or_error
from annotator.models import BatchPropagation
from annotator.services.batches import batch_progress, start_batch
from annotator.services.errors import ServiceError


class Command(BaseCommand):
    help = ("Queue propagation for every segment that is not up to date: forward from each manual frame "
            "to the next, and with --backward also before each track's first manual frame.")

    def add_arguments(self, parser):
        parser.add_argument("--project", type=int, required=True)
        parser.add_argument("--videos", default="", help="Comma-separated video ids (default: all of the project).")
        parser.add_argument("--backward", action="store_true", help="Also fill the frames before each first anchor.")
        parser.add_argument("--max-running", type=int, default=2, help="How many of its jobs may run at once.")
        parser.add_argument("--user", default=None, help="Recorded as the batch's creator.")
        parser.add_argument("--no-wait", action="store_true", help="Queue and return without a progress bar.")

    def handle(self, *args, project, videos, backward, max_running, user, no_wait, **options):
        project_obj = project_or_error(project)
        queryset = project_obj.videos.all()
        if videos:
            try:
                queryset = queryset.filter(pk__in=[int(v) for v in videos.split(",")])
            except ValueError:
                raise CommandError(f"--videos takes comma-separated video ids, not '{videos}'") from None
        by = user_or_error(user)
        try:
            batch = start_batch(videos=queryset, by=by, max_running=max_running, backward=backward,
                                project=project_obj)
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        count = batch.jobs.count()
        self.stdout.write(f"batch {batch.pk}: {count} job(s) queued")
        if no_wait or not count:
            return
        with tqdm(total=1.0, unit="", bar_format="{l_bar}{bar}| {elapsed}<{remaining}") as bar:
            while True:
                progress = batch_progress(BatchPropagation.objects.get(pk=batch.pk))
                bar.n = round(progress["progress"], 3)
                bar.set_postfix_str(", ".join(f"{k}: {v}" for k, v in progress["by_status"].items()))
                bar.refresh()
                if not progress["by_status"].get("queued") and not progress["by_status"].get("running"):
                    break
                time.sleep(1)
