"""Every /api/ route and method against every kind of caller, as docs/permissions.md says.

The routes come from Django's URL resolver, so an endpoint added without a row in ENDPOINTS
fails `test_every_api_route_has_an_expected_access`. Callers:

- anonymous: 401 (TokenAuthentication comes first, so DRF answers 401 with
  `WWW-Authenticate: Token`, not 403), except the PUBLIC routes.
- mallory (only in project Q): 404 for every object of P, read or write, byte-for-byte the
  answer for an id that does not exist, and nothing changes.
- alice, bob, carol (annotator, reviewer, manager in P): 2xx where docs/permissions.md allows
  the action, else 403 and nothing changes.

Allowed writes run inside a transaction that is rolled back, so every caller meets the same state.
tests/annotator/api/test_permissions.py checks a handful of these by hand; this is the whole table.
"""

import io
import json
import zipfile
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotator.choices import JobStatus, ReviewStatus, Role
from annotator.models import (
    ExportJob,
    FrameAnnotation,
    ImportJob,
    Label,
    Membership,
    Project,
    PropagationJob,
    ReviewComment,
    Track,
    Video,
)
from annotator.services import projects as project_services
from annotator.services import propagation as propagation_services
from annotator.services import review as review_services
from annotator.services import transfers
from annotator.services.finetune import cancel_finetune, start_finetune
from annotator.services.tracks import create_track
from tests import clips
from tests.annotator.finetuning import accepted_clips, starter  # noqa: F401

pytestmark = pytest.mark.django_db

# docs/permissions.md, row by row. "read" is every member's; the other names are the table's rows.
DOCUMENTED = {
    "alice": {"read", "upload", "edit_tracks", "comment"},  # annotator
    "bob": {"read", "review", "comment"},  # reviewer
    "carol": {"read", "upload", "edit_tracks", "review", "comment", "manage"},  # manager
}
PUBLIC = "public"  # no project scope, no sign-in (health, schema, docs, obtaining a token)
SIGNED_IN = "signed_in"  # no project scope, any signed-in user (own projects, review queue, own token)
MISSING = 2**31 - 1  # an id no object has


@dataclass(frozen=True)
class Call:
    """One request: `access` says who may make it; strings in `kwargs` name ids of the world."""

    access: str
    kwargs: dict = field(default_factory=dict)
    body: object = None  # a dict, or a function of the world returning one (fresh uploads)
    format: str = "json"
    query: str = ""


def clip_upload(world):
    return {"name": "new clip", "file": SimpleUploadedFile("new.avi", world.clip_bytes)}


def labels_upload(world):
    return {"format": "coco", "file": SimpleUploadedFile("labels.json", b'{"images": [], "annotations": [], '
                                                                        b'"categories": []}')}


# (route name, or route when it has none; method) -> the call. Ids: project, video, track,
# in_review (a submitted track), label (unused), member (erin), job (finished), comment, export, import,
# finetune (cancelled: P has accepted clips on both sides of the split, so a manager may start another).
ENDPOINTS = {
    ("auth-token", "post"): Call(PUBLIC, body={"username": "alice", "password": "alice-pw-123"}),
    ("auth-token", "delete"): Call(SIGNED_IN),
    ("health", "get"): Call(PUBLIC),
    ("api/health/", "get"): Call(PUBLIC),
    ("schema", "get"): Call(PUBLIC),
    ("api-docs", "get"): Call(PUBLIC),
    ("api-redoc", "get"): Call(PUBLIC),
    ("project-list", "get"): Call(SIGNED_IN),
    ("project-list", "post"): Call(SIGNED_IN, body={"name": "Mine", "labels": ["cat"]}),
    ("review-queue", "get"): Call(SIGNED_IN),
    ("checkpoints", "get"): Call(SIGNED_IN),
    ("project-detail", "get"): Call("read", {"pk": "project"}),
    ("project-detail", "put"): Call("manage", {"pk": "project"}, {"name": "P2", "description": "x"}),
    ("project-detail", "patch"): Call("manage", {"pk": "project"}, {"name": "P2"}),
    ("project-detail", "delete"): Call("manage", {"pk": "project"}),
    ("project-labels", "get"): Call("read", {"pk": "project"}),
    ("project-labels", "post"): Call("manage", {"pk": "project"}, {"name": "new-label"}),
    ("project-members", "get"): Call("read", {"pk": "project"}),
    ("project-storage", "get"): Call("manage", {"pk": "project"}),
    ("project-members", "post"): Call("manage", {"pk": "project"}, {"username": "frank", "role": "annotator"}),
    ("project-videos", "get"): Call("read", {"pk": "project"}),
    ("project-videos", "post"): Call("upload", {"pk": "project"}, clip_upload, format="multipart"),
    ("project-exports", "get"): Call("read", {"pk": "project"}),
    ("project-exports", "post"): Call("manage", {"pk": "project"}, {"format": "coco"}),
    ("project-imports", "get"): Call("read", {"pk": "project"}),
    ("project-imports", "post"): Call("manage", {"pk": "project"}, labels_upload, format="multipart"),
    ("export-detail", "get"): Call("read", {"pk": "export"}),
    ("export-download", "get"): Call("read", {"pk": "export"}),
    ("import-detail", "get"): Call("read", {"pk": "import"}),
    ("label-detail", "get"): Call("read", {"pk": "label"}),
    ("label-detail", "put"): Call("manage", {"pk": "label"}, {"name": "renamed", "colour": "#123456"}),
    ("label-detail", "patch"): Call("manage", {"pk": "label"}, {"name": "renamed"}),
    ("label-detail", "delete"): Call("manage", {"pk": "label"}),
    ("member-detail", "get"): Call("read", {"pk": "member"}),
    ("member-detail", "put"): Call("manage", {"pk": "member"}, {"username": "erin", "role": "reviewer"}),
    ("member-detail", "patch"): Call("manage", {"pk": "member"}, {"role": "reviewer"}),
    ("member-detail", "delete"): Call("manage", {"pk": "member"}),
    ("video-detail", "get"): Call("read", {"pk": "video"}),
    ("video-detail", "delete"): Call("manage", {"pk": "video"}),
    ("video-frame", "get"): Call("read", {"pk": "video", "frame": 3}),
    ("video-jobs", "get"): Call("read", {"pk": "video"}),
    ("video-tracks", "get"): Call("read", {"pk": "video"}),
    ("video-tracks", "post"): Call("edit_tracks", {"pk": "video"}, lambda w: {"label": w.label, "frame": 0,
                                                                               "box": [1, 1, 9, 9]}),
    ("video-propagate", "post"): Call("edit_tracks", {"pk": "video"}, lambda w: {"tracks": [w.track], "frame": 0}),
    ("track-detail", "get"): Call("read", {"pk": "track"}),
    ("track-detail", "patch"): Call("edit_tracks", {"pk": "track"}, {"version": 1}),
    ("track-detail", "delete"): Call("edit_tracks", {"pk": "track"}),
    ("track-annotations", "get"): Call("read", {"pk": "track"}, query="?from=0&to=5"),
    ("track-summary", "get"): Call("read", {"pk": "track"}),
    ("track-frame-annotation", "put"): Call("edit_tracks", {"pk": "track", "frame": 2}, {"version": 1,
                                                                                         "box": [1, 1, 9, 9]}),
    ("track-frame-annotation", "delete"): Call("edit_tracks", {"pk": "track", "frame": 0}, query="?version=1"),
    ("track-refine", "post"): Call("edit_tracks", {"pk": "track", "frame": 0}, {"strokes": [
        {"foreground": True, "radius": 3, "points": [[30, 50], [40, 60]]}]}),
    ("track-delete-range", "post"): Call("edit_tracks", {"pk": "track"}, {"version": 1, "first": 0, "last": 3}),
    ("track-outside", "post"): Call("edit_tracks", {"pk": "track"}, {"version": 1, "first": 4, "last": 6}),
    ("track-outside", "delete"): Call("edit_tracks", {"pk": "track"}, {"version": 1, "first": 4, "last": 6}),
    ("track-propagate", "post"): Call("edit_tracks", {"pk": "track"}, {"frame": 0, "direction": "forward"}),
    ("track-merge", "post"): Call("edit_tracks", {"pk": "track"}, lambda w: {"version": 1, "other": w.in_review,
                                                                              "other_version": 2}),
    ("track-split", "post"): Call("edit_tracks", {"pk": "track"}, {"version": 1, "frame": 3}),
    ("track-submit", "post"): Call("edit_tracks", {"pk": "track"}, {"version": 1}),
    ("track-accept", "post"): Call("review", {"pk": "in_review"}, {"version": 2}),
    ("track-reject", "post"): Call("review", {"pk": "in_review"}, {"version": 2, "comment": "leaks", "frame": 1}),
    ("track-comments", "get"): Call("read", {"pk": "track"}),
    ("track-comments", "post"): Call("comment", {"pk": "track"}, {"text": "look here", "frame": 1}),
    ("comment-detail", "get"): Call("read", {"pk": "comment"}),
    ("comment-detail", "put"): Call("comment", {"pk": "comment"}, {"resolved": True}),
    ("comment-detail", "patch"): Call("comment", {"pk": "comment"}, {"resolved": True}),
    ("job-detail", "get"): Call("read", {"pk": "job"}),
    ("job-cancel", "post"): Call("edit_tracks", {"pk": "job"}),
    ("job-revert", "post"): Call("edit_tracks", {"pk": "job"}),
    ("project-model", "get"): Call("read", {"pk": "project"}),
    ("project-model", "post"): Call("manage", {"pk": "project"}, {"checkpoint": None}),
    ("project-finetunes", "get"): Call("read", {"pk": "project"}),
    ("project-finetunes", "post"): Call("manage", {"pk": "project"}, {"steps": 3}),
    ("finetune-detail", "get"): Call("read", {"pk": "finetune"}),
    ("finetune-cancel", "post"): Call("manage", {"pk": "finetune"}),
}


def api_routes() -> set[tuple[str, str]]:
    """Return (name or route, method) for every view under /api/, from the URL resolver."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern

    routes = set()
    for route, pattern in walk(get_resolver().url_patterns):
        if not route.startswith("api/"):
            continue
        view = pattern.callback
        methods = getattr(view, "actions", None)  # a viewset route: its method -> action map
        if methods is None:
            cls = getattr(view, "cls", None) or view.view_class
            methods = [m for m in cls.http_method_names if hasattr(cls, m)]
        # HEAD and OPTIONS are answered by the framework from GET and the view's metadata.
        routes |= {(pattern.name or route, method) for method in methods if method not in ("options", "head")}
    return routes


def test_every_api_route_has_an_expected_access():
    routes = api_routes()
    assert routes - ENDPOINTS.keys() == set(), "new endpoints: add them to ENDPOINTS and to docs/permissions.md"
    assert ENDPOINTS.keys() - routes == set(), "ENDPOINTS lists routes that no longer exist"


@pytest.fixture
def world(cast, ready_video, track, make_user, tmp_path, starter):
    """Project P with one of everything, plus users erin (annotator in P) and frank (in nothing)."""
    erin, _ = make_user("erin"), make_user("frank")
    member = Membership.objects.create(project=cast.project, user=erin, role=Role.ANNOTATOR)
    spare = project_services.create_label(project=cast.project, name="spare")
    # a frame after the first, so that the track can be split (at frame 3)
    FrameAnnotation.objects.create(track=track, frame_index=5, source="propagated", bbox=[1, 1, 5, 5])
    submitted = create_track(video=ready_video, label=track.label, frame_index=1, bbox=[5, 5, 10, 10], by=cast.alice)
    review_services.submit_for_review(track=submitted, version=1)
    job = propagation_services.start_propagation(tracks=[track], start_frame=0, direction="forward", by=cast.alice,
                                                 enqueue=False)
    with transaction.atomic():
        propagation_services.finish_job(job, JobStatus.SUCCEEDED)
    comment = review_services.add_comment(track=track, text="first", by=cast.bob, frame_index=0)
    export = transfers.run_export(transfers.start_export(project=cast.project, format="coco", by=cast.carol,
                                                         enqueue=False).pk)
    assert export.status == JobStatus.SUCCEEDED, export.error
    accepted_clips(cast.project, by=cast.carol, tmp_path=tmp_path)
    finetune = cancel_finetune(run=start_finetune(project=cast.project, by=cast.carol))
    imported = ImportJob.objects.create(project=cast.project, format="coco", file="", created_by=cast.carol)
    return type("World", (), {
        "project": cast.project.pk, "video": ready_video.pk, "track": track.pk, "in_review": submitted.pk,
        "label": spare.pk, "member": member.pk, "job": job.pk, "comment": comment.pk, "export": export.pk,
        "import": imported.pk, "finetune": finetune.pk, "clip_bytes": clips.write_video(tmp_path / "new.avi", n=3).read_bytes(),
    })


def snapshot(project_id: int) -> tuple:
    """What a refused request must leave as it was: P's rows, their versions and states, tokens."""
    tracks = Track.objects.filter(video__project_id=project_id).order_by("pk")
    return (
        list(Project.objects.order_by("pk").values_list("pk", "name", "description")),
        list(Label.objects.order_by("pk").values_list("pk", "name", "colour")),
        list(Membership.objects.order_by("pk").values_list("pk", "user_id", "role")),
        list(Video.objects.order_by("pk").values_list("pk", "name", "status")),
        list(tracks.values_list("pk", "label_id", "version", "review_status")),
        list(FrameAnnotation.objects.order_by("pk").values_list("pk", "frame_index", "bbox")),
        list(PropagationJob.objects.order_by("pk").values_list("pk", "status", "cancel_requested")),
        list(ReviewComment.objects.order_by("pk").values_list("pk", "text", "resolved")),
        ExportJob.objects.count(), ImportJob.objects.count(), Token.objects.count(),
        get_user_model().objects.count(),
    )


def send(client, method: str, key: tuple, world, ids: dict | None = None):
    """Make the call of ENDPOINTS[key]; `ids` overrides world ids (for a missing object)."""
    name, _ = key
    call = ENDPOINTS[key]
    values = {k: (ids or {}).get(v, getattr(world, v)) if isinstance(v, str) else v for k, v in call.kwargs.items()}
    url = (reverse(name, kwargs=values) if not name.startswith("api/") else "/" + name) + call.query
    body = call.body(world) if callable(call.body) else call.body
    return getattr(client, method)(url, body, format=call.format)


def rolled_back(client, method, key, world):
    """Make an allowed call inside a transaction that is then undone, so the next caller meets the same state."""
    with transaction.atomic():
        response = send(client, method, key, world)
        transaction.set_rollback(True)
    return response


def test_every_endpoint_answers_each_caller_as_documented(world, clients):
    anonymous = APIClient()
    for client in (anonymous, clients.alice, clients.bob, clients.carol, clients.mallory):
        client.raise_request_exception = False  # a crash is one more line in the report, not the end of it
    problems = []
    for key in sorted(ENDPOINTS):
        method, access = key[1], ENDPOINTS[key].access
        where = f"{method.upper()} {key[0]}"
        if access == PUBLIC:
            for who, client in (("anonymous", anonymous), ("mallory", clients.mallory)):
                status = rolled_back(client, method, key, world).status_code
                if status != 200:
                    problems.append(f"{where}: {who} got {status}, expected 200 (public)")
            continue

        before = snapshot(world.project)
        response = send(anonymous, method, key, world)
        if response.status_code != 401 or response.get("WWW-Authenticate") != "Token":
            problems.append(f"{where}: anonymous got {response.status_code}, expected 401 with WWW-Authenticate: Token")

        callers = {"mallory": clients.mallory, "alice": clients.alice, "bob": clients.bob, "carol": clients.carol}
        if access == SIGNED_IN:
            for who, client in callers.items():
                status = rolled_back(client, method, key, world).status_code
                if not 200 <= status < 300:
                    problems.append(f"{where}: {who} got {status}, expected 2xx (any signed-in user)")
            continue

        outsider = send(clients.mallory, method, key, world)
        absent_ids = {name: MISSING for name in ENDPOINTS[key].kwargs.values()}
        missing = send(clients.mallory, method, key, world, ids=absent_ids)
        if outsider.status_code != 404:
            problems.append(f"{where}: mallory (outsider) got {outsider.status_code}, expected 404")
        elif (outsider.status_code, outsider.content) != (missing.status_code, missing.content):
            problems.append(f"{where}: mallory can tell P's object from a missing one: {outsider.content[:200]}")

        for who in ("alice", "bob", "carol"):
            if access in DOCUMENTED[who]:
                status = rolled_back(callers[who], method, key, world).status_code
                if not 200 <= status < 300:
                    problems.append(f"{where}: {who} got {status}, expected 2xx ({access} is allowed)")
            else:
                status = send(callers[who], method, key, world).status_code
                if status != 403:
                    problems.append(f"{where}: {who} got {status}, expected 403 (no {access} right)")
        if snapshot(world.project) != before:
            problems.append(f"{where}: a refused request changed something")
    assert not problems, "\n".join(problems)


def test_lists_never_show_another_projects_objects(world, clients, cast):
    """Mallory lists her own project Q; nothing of P may appear in any list or queue she can reach."""
    review_services.submit_for_review(track=Track.objects.get(pk=world.track), version=1)
    own = cast.other.pk
    assert [p["id"] for p in clients.mallory.get("/api/projects/").json()["results"]] == [own]
    for status in (ReviewStatus.IN_REVIEW, ReviewStatus.REJECTED):
        assert clients.mallory.get(f"/api/review/?status={status}").json()["results"] == []
    assert clients.mallory.get(f"/api/review/?project={world.project}").status_code == 404
    p_labels = set(cast.project.labels.values_list("pk", flat=True))
    own_labels = clients.mallory.get(f"/api/projects/{own}/labels/").json()["results"]
    assert {label["id"] for label in own_labels}.isdisjoint(p_labels)
    own_members = clients.mallory.get(f"/api/projects/{own}/members/").json()["results"]
    assert [m["username"] for m in own_members] == ["mallory"]
    for listing in ("videos", "exports", "imports"):
        assert clients.mallory.get(f"/api/projects/{own}/{listing}/").json()["results"] == [], listing
    # P's members do see P's rows, so the empty lists above are scoping, not an empty database
    assert clients.alice.get(f"/api/review/?project={world.project}").json()["results"] != []
    assert len(clients.alice.get(f"/api/projects/{world.project}/exports/").json()["results"]) == 1


def test_exports_and_imports_cannot_reach_into_another_project(world, clients, cast, tmp_path):
    from tests.annotator.labelled import add_clip

    add_clip(cast.other, by=cast.mallory, tmp_path=tmp_path, name="q-clip")
    # naming P's video in an export of Q is refused, with the message a missing id gets
    exports = f"/api/projects/{cast.other.pk}/exports/"
    foreign = clients.mallory.post(exports, {"format": "coco", "videos": [world.video]}, format="json")
    absent = clients.mallory.post(exports, {"format": "coco", "videos": [MISSING]}, format="json")
    assert (foreign.status_code, absent.status_code) == (400, 400)
    assert (foreign.json()["detail"].replace(str(world.video), "ID")
            == absent.json()["detail"].replace(str(MISSING), "ID"))
    # an export of Q holds Q's video only
    job = transfers.run_export(clients.mallory.post(exports, {"format": "coco"}, format="json").json()["id"])
    download = clients.mallory.get(f"/api/exports/{job.pk}/download")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert [v["name"] for v in json.loads(archive.read("annotations/instances.json"))["videos"]] == ["q-clip"]
    # P's own export, uploaded into Q, cannot write into P's video "clip": it is not in Q
    p_export = ExportJob.objects.get(pk=world.export)
    p_zip = (transfers.open_export(job=p_export))[0].read()
    before = FrameAnnotation.objects.filter(track__video_id=world.video).count()
    response = clients.mallory.post(f"/api/projects/{cast.other.pk}/imports/",
                                    {"format": "coco", "file": SimpleUploadedFile("p.zip", p_zip)}, format="multipart")
    assert response.status_code in (202, 400), response.json()
    if response.status_code == 202:
        imported = transfers.run_import(response.json()["id"])
        assert imported.status == JobStatus.FAILED
        assert "clip" in imported.error
    assert FrameAnnotation.objects.filter(track__video_id=world.video).count() == before
    assert not Track.objects.filter(video__project=cast.other).exists()
