"""The Celery app shared by the web process (to enqueue) and the workers (to run tasks).

    celery -A config worker -Q gpu --pool solo      # propagation
    celery -A config worker -Q default              # frame extraction, exports, imports
    from config.celery import app, GPU_QUEUE        # the web side (annotator/queue.py) sends with it

Importing it imports neither torch nor any worker code: the workers find their tasks through
autodiscovery (`annotator.tasks`, `tracking_worker.tasks`, which also connects the worker
signals), and those import their heavy modules inside task bodies.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

GPU_QUEUE = "gpu"
DEFAULT_QUEUE = "default"
# Redis priorities: lower runs first. Interactive jobs always go before batch jobs.
PRIORITY_INTERACTIVE = 0
PRIORITY_BATCH = 6

app = Celery("siamlabel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_routes = {
    "tracking_worker.propagate": {"queue": GPU_QUEUE},
    "tracking_worker.*": {"queue": GPU_QUEUE},
    "annotator.*": {"queue": DEFAULT_QUEUE},
}
# Lazy: the modules are imported when a worker starts, before any worker signal is sent.
app.autodiscover_tasks(["annotator", "tracking_worker"])


@app.on_after_configure.connect
def _make_broker_folders(sender, **_):
    # The embedded filesystem broker needs its folders before the first message.
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = (sender.conf.broker_transport_options or {}).get(key)
        if folder and str(sender.conf.broker_url).startswith("filesystem://"):
            os.makedirs(folder, exist_ok=True)
