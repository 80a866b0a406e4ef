"""Batch propagation from the command line, with a progress bar:

    manage.py propagate --project 3 [--videos 1,2] [--max-running 2] [--no-wait]
"""

import time

from django.core.management import BaseCommand
from tqdm import tqdm

from annotator.management.commands._arguments import project_or_error, user_or_error
from annotator.models import BatchPropagation
from annotator.services.batches import batch_progress, start_batch


class Command(BaseCommand):
    help = "Queue propagation for every track with a manual keyframe and no up-to-date propagation."

    def add_arguments(self, parser):
        parser.add_argument("--project", type=int, required=True)
        parser.add_argument("--videos", default="", help="Comma-separated video ids (default: all of the project).")
        parser.add_argument("--max-running", type=int, default=2)
        parser.add_argument("--user", default=None, help="Recorded as the batch's creator.")
        parser.add_argument("--no-wait", action="store_true", help="Queue and return without a progress bar.")

    def handle(self, *args, project, videos, max_running, user, no_wait, **options):
        project_obj = project_or_error(project)
        queryset = project_obj.videos.all()
        if videos:
            queryset = queryset.filter(pk__in=[int(v) for v in videos.split(",")])
        by = user_or_error(user)
        batch = start_batch(videos=queryset, by=by, max_running=max_running, project=project_obj)
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
