"""The database connection dies in the middle of a save: the 503 must say truthfully whether the
save landed (annotator/request_transaction.py, docs/reliability.md).

The faults are real: the request's own PostgreSQL backend is terminated with
`pg_terminate_backend`, once right after the service's writes (before the answer is built), once
during the COMMIT (a deferred constraint trigger that ends its own backend). What landed is read
back over a fresh connection.
"""

import psycopg
import pytest
from django.db import connection

from annotator.models import FrameAnnotation, Track
from tests.annotator.conftest import cast, clients, make_user, media_root, ready_video, track  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def dsn() -> str:
    db = connection.settings_dict
    return f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']} dbname={db['NAME']}"


def stored(track_id: int) -> tuple[int, list[int]]:
    """(version, annotated frames) of a track, read over a connection of its own."""
    with psycopg.connect(dsn()) as db:
        version = db.execute("SELECT version FROM annotator_track WHERE id = %s", [track_id]).fetchone()[0]
        frames = db.execute("SELECT frame_index FROM annotator_frameannotation WHERE track_id = %s ORDER BY 1",
                            [track_id]).fetchall()
    return version, [f for (f,) in frames]


class KillAfterWrite:
    """An execute wrapper: once the track's version has been written (the service's last write),
    terminate this connection's backend before the next statement runs."""

    def __init__(self):
        self.written = False

    def __call__(self, execute, sql, params, many, context):
        if self.written:
            pid = context["connection"].connection.info.backend_pid
            with psycopg.connect(dsn(), autocommit=True) as other:
                other.execute("SELECT pg_terminate_backend(%s)", [pid])
        result = execute(sql, params, many, context)
        if sql.startswith('UPDATE "annotator_track" SET "version"'):
            self.written = True
        return result


@pytest.fixture
def fresh_connection():
    """Leave the test with a working connection whatever the request did to it."""
    yield
    connection.close()


def test_a_503_after_the_writes_means_nothing_was_saved(clients, track, fresh_connection):
    with connection.execute_wrapper(KillAfterWrite()):
        response = clients.alice.put(f"/api/tracks/{track.pk}/annotations/7/", {"version": 1, "box": [30, 30, 20, 20]},
                                     format="json")
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "5"
    assert response.json() == {"detail": "the database is unavailable for a moment; nothing was saved, try again",
                               "maybe_saved": False}
    assert stored(track.pk) == (1, [0])  # the service's write was never committed
    connection.close()
    resent = clients.alice.put(f"/api/tracks/{track.pk}/annotations/7/", {"version": 1, "box": [30, 30, 20, 20]},
                               format="json")
    assert resent.status_code == 200 and resent.json()["version"] == 2  # so sending it again is safe


@pytest.fixture
def commit_kills_its_backend():
    """A deferred trigger: committing a new annotation terminates the committing backend."""
    ddl = """
        CREATE FUNCTION test_die_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$;
        CREATE CONSTRAINT TRIGGER test_die_at_commit AFTER INSERT ON annotator_frameannotation
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_die_at_commit();
    """
    with psycopg.connect(dsn(), autocommit=True) as db:
        db.execute(ddl)
    yield
    connection.close()
    with psycopg.connect(dsn(), autocommit=True) as db:
        db.execute("DROP TRIGGER test_die_at_commit ON annotator_frameannotation; DROP FUNCTION test_die_at_commit()")


def test_a_503_from_a_failed_commit_says_the_change_may_have_been_saved(clients, track, commit_kills_its_backend):
    response = clients.alice.put(f"/api/tracks/{track.pk}/annotations/7/", {"version": 1, "box": [30, 30, 20, 20]},
                                 format="json")
    assert response.status_code == 503, response.content
    body = response.json()
    assert body["maybe_saved"] is True
    assert body["detail"] == ("the database became unavailable while your change was being saved; it may have been "
                              "saved: read it again before sending it again")
    # What the client must do: read the track again. Here the commit did not land.
    assert stored(track.pk) == (1, [0])
    assert not FrameAnnotation.objects.filter(track=track, frame_index=7).exists()
    assert Track.objects.get(pk=track.pk).version == 1

