"""The project package: settings, URLs, WSGI and the Celery app (`celery -A config worker`)."""

# Django's convention: the Celery app loads with Django, so @shared_task binds to it.
from config.celery import app as celery_app

__all__ = ["celery_app"]
