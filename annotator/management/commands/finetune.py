"""Fine-tune a project's model on its accepted tracks, here and now, with a progress bar:

    manage.py finetune PROJECT [--steps N] [--user NAME]

The same service as the API and the `gpu` worker (annotator/services/finetune.py), its slices
run back to back in a child process (`python -m tracking_worker.finetune_job RUN`: the web side
never imports the training code, tests/test_import_boundaries.py), so no worker is needed.
Prints the old-vs-new table on the held-out videos and the decision.
"""

import subprocess
import sys

from django.conf import settings
from django.core.management import BaseCommand, CommandError

from annotator.management.commands._arguments import project_or_error, user_or_error
from annotator.models import FineTuneRun
from annotator.services import finetune as finetune_services
from annotator.services.errors import ServiceError
from annotator.services.finetune_report import evaluation_table

RUN_COMMAND = ["-m", "tracking_worker.finetune_job"]


class Command(BaseCommand):
    help = "Fine-tune the project's model on its accepted tracks; use it only if it is better on held-out videos."

    def add_arguments(self, parser):
        parser.add_argument("project", type=int, help="Project id.")
        parser.add_argument("--steps", type=int, default=None, help="Training steps (default: the training code's).")
        parser.add_argument("--user", default=None, help="Recorded as the fine-tune's creator.")

    def handle(self, *args, project, steps, user, **options):
        project_obj = project_or_error(project)
        try:
            run = finetune_services.start_finetune(project=project_obj, by=user_or_error(user), steps=steps,
                                                   enqueue=False)
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"fine-tune {run.pk} of '{project_obj.name}': {run.frames} trusted frames on "
                          f"{len(run.train_videos)} training video(s), judged on {len(run.heldout_videos)} held-out")
        try:
            subprocess.run([sys.executable, *RUN_COMMAND, str(run.pk)], cwd=settings.BASE_DIR, check=False)
        except KeyboardInterrupt:
            finetune_services.cancel_finetune(run=run)
            finetune_services.fail_finetune(run, "interrupted (manage.py finetune)")
            raise CommandError(f"interrupted: fine-tune {run.pk} stopped") from None
        run = FineTuneRun.objects.select_related("checkpoint").get(pk=run.pk)
        if run.status != FineTuneRun.Status.DONE:
            finetune_services.fail_finetune(run, "the fine-tune process ended before the run did")
            run.refresh_from_db()
            raise CommandError(f"fine-tune {run.pk} ended {run.status}: {run.error}")
        self.stdout.write(evaluation_table(run.evaluation))
        verdict = "now the project's model" if run.decision == FineTuneRun.Decision.PROMOTED else "kept, not used"
        self.stdout.write(f"{run.decision}: {run.reason}\ncheckpoint {run.checkpoint.name} ({verdict})")
