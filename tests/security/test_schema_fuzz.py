"""Fuzz every operation of the OpenAPI schema: no 5xx, and every response matches the schema.

Schemathesis reads /api/schema/ from the app itself and sends requests in-process through the WSGI
handler (`schemathesis.openapi.from_wsgi`): the real middleware, authentication, views, services
and PostgreSQL, no network. Each operation is one test, run with positive examples (valid as the
schema says) and, where it has inputs, negative ones (invalid on purpose: the answer must be a
documented 4xx). Checks: not_a_server_error, status_code_conformance, content_type_conformance,
response_schema_conformance, response_headers_conformance.

Requests reach real objects:
- Path ids come mostly from a seeded project (a ready 12-frame clip, three labelled tracks, a
  comment, a queued and a finished propagation job, a finished and a queued export, an import);
  the rest are another project's ids, a missing one, or ones schemathesis makes up (all 404).
- Most positive examples also get seeded values in their body: the track's current version
  (random ones are always stale), real label/track/video ids, a valid mask, a small frames zip for
  video uploads and a COCO export for imports. Without them most writes would never succeed.
- Requests come mostly from the project's manager, some from its annotator (403s) and from an
  outsider (404s). `test_fuzzing_reached_the_success_paths` fails if fewer than 90% of the
  operations ever answered a 2xx, so the harness cannot quietly decay into fuzzing 404s.

DELETE and every other write: each example runs in a savepoint that is rolled back, so every
example starts from the same seed, and a write that succeeded has the media folder put back as it
was (on-commit callbacks run before the rollback: they delete the files of what was deleted, and
send enqueued tasks -- extraction, propagation, export, import -- to the test broker, which no
worker consumes; its Redis database is emptied when the module ends).

Settings: SIAMLABEL_FUZZ_EXAMPLES (default 20) examples per operation and mode, a fixed seed
(derandomize), no example database and hypothesis' caches in a temporary folder (nothing is
written to the repository), no shrinking (a failure is reported as found). A longer run, e.g.
from a benchmark, with the environment `make test` sets (DATABASE_URL, CELERY_BROKER_URL, ...):

    SIAMLABEL_FUZZ_EXAMPLES=300 SIAMLABEL_FUZZ_STATS=var/fuzz-stats.json \
        .venv/bin/python -m pytest tests/security/test_schema_fuzz.py -q

SIAMLABEL_FUZZ_STATS names a file for the status codes seen, per operation. Figures of the last
recorded runs: docs/reliability.md ("Schema fuzzing").
"""

import json
import os
import shutil
from collections import Counter

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("SIAMLABEL_FUZZ_EXAMPLES", "20"))
STATS_PATH = os.environ.get("SIAMLABEL_FUZZ_STATS")  # write {operation: {status: count}} here
STATUSES: Counter = Counter()
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
MISSING_ID = 2**31 - 1
PASSWORD = "carol-pw-123"
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the default costs ~0.3 s a login
FUZZ_SETTINGS = hypothesis_settings(
    max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    print_blob=False,
)

# The mark makes pytest-django create the test database; each test is then one more savepoint.
pytestmark = pytest.mark.django_db

# Built at import, before tests/conftest.py turns the https redirect off for the suite (plain http).
with override_settings(SECURE_SSL_REDIRECT=False):
    APP = get_wsgi_application()
SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/", APP)
POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE


def _has_inputs(operation) -> bool:
    return bool(operation.path_parameters) or bool(operation.query) or bool(operation.body)


# Negative examples need something to make invalid: operations without inputs run positive only.
RUNS = sorted(
    (op.label, mode)
    for op in (result.ok() for result in SCHEMA.get_all_operations())
    for mode in ([POSITIVE, NEGATIVE] if _has_inputs(op) else [POSITIVE])
)


class Seed:
    """Ids of the seeded objects and the tokens of the users that make requests."""


@pytest.fixture(scope="module")
def seed(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed once for the module inside a transaction that is rolled back at the end."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, transaction

    media = tmp_path_factory.mktemp("fuzz-media")
    # Even with database=None hypothesis caches constants and unicode tables: not in the repository.
    set_hypothesis_home_dir(tmp_path_factory.mktemp("hypothesis"))
    # The WSGI handler closes "unusable" connections around each request: inside our transaction
    # that would abort it. Django's own test client disconnects these signals the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_HASHER):
            with transaction.atomic():
                yield _seed(media, tmp_path_factory.mktemp("fuzz-clips"))
                transaction.set_rollback(True)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        set_hypothesis_home_dir(None)  # back to the default for other modules
        _empty_broker()
        if STATS_PATH:
            _write_stats(STATS_PATH)


def _seed(media, tmp_path) -> Seed:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from annotator import masks
    from annotator.choices import JobStatus, Role
    from annotator.models import Membership, ModelCheckpoint
    from annotator.services import finetune as finetune_services
    from annotator.services import projects as project_services
    from annotator.services import propagation as propagation_services
    from annotator.services import review as review_services
    from annotator.services import transfers
    from tests import clips
    from tests.annotator import labelled
    from tests.annotator.finetuning import accepted_clips

    users = get_user_model().objects
    carol, alice, mallory = (users.create_user(username=n, password=PASSWORD) for n in ("carol", "alice", "mallory"))
    project = labelled.project_with_clip(name="P", by=carol, tmp_path=tmp_path, labels=("person", "ball", "unused"))
    alice_membership = Membership.objects.create(project=project, user=alice, role=Role.ANNOTATOR)
    video = project.videos.get()
    tracks = labelled.label_video(video, by=alice)
    comment = review_services.add_comment(track=tracks[0], text="check frame 3", frame_index=3, by=carol)
    queued_job = propagation_services.start_propagation(tracks=[tracks[0]], start_frame=0, direction="forward",
                                                        by=alice, enqueue=False)
    finished_job = propagation_services.start_propagation(tracks=[tracks[1]], start_frame=0, direction="forward",
                                                          by=alice, enqueue=False)
    propagation_services.finish_job(finished_job, JobStatus.SUCCEEDED)
    finished_export = transfers.run_export(transfers.start_export(project=project, format="coco", by=carol,
                                                                  enqueue=False).pk)
    queued_export = transfers.start_export(project=project, format="davis", by=carol, enqueue=False)
    archive = (media / finished_export.file).read_bytes()
    import_job = transfers.start_import(project=project, format="coco", by=carol, enqueue=False,
                                        upload=SimpleUploadedFile("labels.zip", archive))
    other = project_services.create_project(name="Q", by=mallory, labels=["car"])
    # a trainable default model and accepted clips on both sides of the split: a fine-tune may start
    ModelCheckpoint.objects.create(name="light", file="starter.pth", sha256="0" * 64, variant="light", is_default=True)
    accepted_clips(project, by=carol, tmp_path=tmp_path)
    finetune = finetune_services.cancel_finetune(
        run=finetune_services.start_finetune(project=project, by=carol, enqueue=False))

    seed = Seed()
    seed.media_root, seed.pristine_media = media, tmp_path / "pristine-media"
    shutil.copytree(media, seed.pristine_media)
    seed.tokens = [Token.objects.get_or_create(user=u)[0].key for u in (carol, carol, carol, alice, mallory)]
    # Ids for each path's first segment: project P's objects, and ids that must answer 404.
    seed.ids = {
        "projects": [project.pk],
        "labels": [label.pk for label in project.labels.all()],
        "members": [alice_membership.pk, project.memberships.get(user=carol).pk],
        "videos": [video.pk],
        "tracks": [tracks[1].pk, tracks[2].pk, tracks[0].pk],  # tracks[0] has a queued job
        "comments": [comment.pk],
        "jobs": [queued_job.pk, finished_job.pk],
        "exports": [finished_export.pk, queued_export.pk],
        "imports": [import_job.pk],
        "finetunes": [finetune.pk],
    }
    seed.foreign_ids = {
        "projects": [other.pk], "labels": [other.labels.get().pk], "members": [other.memberships.get().pk],
    }
    seed.frames = [0, 3, 11, 12]
    seed.versions = {t.pk: t.version for t in tracks}
    # Body fields that name objects or need a shape the schema cannot express, with meaningful values.
    # Hypothesis tries the first value first: the one most likely to succeed comes first.
    frames_zip = clips.write_frames_zip(tmp_path / "frames.zip", n=2, width=80, height=80).read_bytes()
    seed.body_values = {
        "label": [label.pk for label in project.labels.all()],
        "frame": [5, 0, 3, 11], "first": [0, 3], "last": [3, 11],
        "tracks": [[tracks[1].pk, tracks[2].pk], [tracks[0].pk]],
        "videos": [[video.pk]],
        "username": ["mallory", "alice", "carol"],
        "password": [PASSWORD],
        "box": [[20.0, 40.0, 30.0, 30.0]],
        "mask": [masks.encode_mask(labelled.square(40, 40, 20))],
    }
    # a 2-frame 80x80 zip for video uploads, a finished COCO export for imports (both a few kB)
    seed.files = {"videos": frames_zip, "imports": archive}
    return seed


def _empty_broker() -> None:
    import redis
    from django.conf import settings as django_settings

    if django_settings.CELERY_BROKER_URL.startswith("redis://"):
        redis.Redis.from_url(django_settings.CELERY_BROKER_URL).flushdb()


def _write_stats(path: str) -> None:
    by_operation: dict = {}
    for (label, status), count in sorted(STATUSES.items()):
        by_operation.setdefault(label, {})[str(status)] = count
    with open(path, "w") as out:
        json.dump(by_operation, out, indent=1)


def path_parameter_choices(operation, seed: Seed) -> list[dict]:
    """Path parameters to fix for an operation: mostly real ids, a missing one, or none (generated)."""
    names = {p.name for p in operation.path_parameters}
    if not names:
        return [{}]
    collection = operation.path.split("/")[2]
    own, others = seed.ids.get(collection, []), seed.foreign_ids.get(collection, []) + [MISSING_ID]
    # Real ids three times as often as the rest: another project's, a missing one, a generated one.
    ids = own * -(-3 * (len(others) + 1) // max(len(own), 1)) + others
    frames = seed.frames if "frame" in names else [None]
    choices = [{"id": i} | ({"frame": f} if f is not None else {}) for i in ids for f in frames]
    return choices + [{}]


def cases(operation, mode, seed: Seed):
    """A strategy for (case, token): schemathesis' case with path ids drawn from the seed.

    Most positive cases also get seeded values in their body (see `use_seeded_values`).
    """
    choices = path_parameter_choices(operation, seed)
    if mode is NEGATIVE and len(choices) > 1 and not (operation.body or operation.query):
        # Nothing but the path to make invalid: let schemathesis generate invalid ids.
        choices = [{}]
    case = st.sampled_from(choices).flatmap(
        lambda fixed: operation.as_strategy(generation_mode=mode, path_parameters=fixed or None)
    )
    # Indices, not the values: hypothesis would render the few-kB files in every strategy repr.
    values = st.fixed_dictionaries({k: st.integers(0, len(v) - 1) for k, v in seed.body_values.items()})
    # Seeded three times in four; hypothesis tries the first choice first.
    seeded = st.sampled_from([True, True, True, False]) if mode is POSITIVE else st.just(False)
    return st.tuples(case, st.sampled_from(seed.tokens), seeded, values)


def use_seeded_values(case, choices: dict, seed: Seed) -> None:
    """Replace body fields with seeded values: the current track version, real ids, a valid mask.

    Random versions are always stale (409) and random ids never exist (400): without this the
    success paths of most writes would never run.
    """
    track_id = (case.path_parameters or {}).get("id")
    on_seeded_track = case.operation.path.startswith("/api/tracks/") and track_id in seed.versions
    if isinstance(case.body, dict):
        for key in case.body.keys() & choices.keys():
            case.body[key] = seed.body_values[key][choices[key]]
        upload = case.operation.path.rstrip("/").rsplit("/", 1)[-1]
        if "file" in case.body and upload in seed.files:  # a generated body may name "file" anywhere
            case.body["file"] = seed.files[upload]
    for fields in (case.body, case.query):
        if isinstance(fields, dict) and "version" in fields and on_seeded_track:
            fields["version"] = seed.versions[track_id]


def send(case, token: str, seed: Seed):
    """Call the app in a savepoint that is rolled back, and put the media files back as they were.

    On-commit callbacks run before the rollback: they send enqueued tasks to the broker, and they
    delete the files of what a DELETE deleted, which the rollback does not bring back. (A refused
    write may leave a stray upload behind; nothing reads it.)
    """
    from django.db import transaction
    from django.test import TestCase

    with transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            # identity: the in-process WSGI client does not inflate gzip (annotator/compression.py)
            response = case.call(headers={"Authorization": f"Token {token}", "Accept-Encoding": "identity"})
        transaction.set_rollback(True)
    if case.method.upper() != "GET" and response.status_code < 300:
        shutil.rmtree(seed.media_root)
        shutil.copytree(seed.pristine_media, seed.media_root)
    return response


@pytest.mark.parametrize(("label", "mode"), RUNS, ids=[f"{label}-{mode.value}" for label, mode in RUNS])
def test_operation_conforms_to_schema(label, mode, seed, settings):
    settings.MEDIA_ROOT = seed.media_root  # the security suite's autouse fixture gives each test its own
    operation = SCHEMA.find_operation_by_label(label)

    @given(cases(operation, mode, seed))
    @FUZZ_SETTINGS
    def run(drawn):
        case, token, seeded, choices = drawn
        if seeded:
            use_seeded_values(case, choices, seed)
        response = send(case, token, seed)
        STATUSES[label, response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    run()


def test_fuzzing_reached_the_success_paths():
    """Guard the harness itself: if seeded ids stopped working, every answer would be a 4xx."""
    operations = {label for label, _ in RUNS}
    fuzzed = {label for label, _ in STATUSES}
    if fuzzed != operations:
        pytest.skip("only some operations were fuzzed in this run")
    succeeded = {label for label, status in STATUSES if status < 300}
    assert len(succeeded) >= 0.9 * len(operations), f"never a 2xx: {sorted(operations - succeeded)}"
