"""A fine-tune's resumable training state in the media store, so that any gpu worker, on any host, can take its next slice.

    use_state(run, run_dir / "checkpoint.pth")    # before a slice: the recorded state, or no file (start from the parent)
    save_state(run, run_dir / "checkpoint.pth", step=12)    # after the training code wrote one
    delete_states(run.pk)                          # the run ended

Each state is its own object, `finetune/<run>/state-<step>.pth`, written first and then recorded on
the run (`state_step`, `state_sha256`); the previous one is removed only after that. A worker that
dies in between leaves an unrecorded newer object that no slice reads (the record names its step)
and that goes with the rest when the run ends. A local file is used only when it is the recorded
state (same sha256): a host that ran earlier slices may hold an older one.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from annotator import media_store
from annotator.models import FineTuneRun
from annotator.services.checkpoints import file_sha256

log = logging.getLogger(__name__)

PREFIX = "finetune"


def state_key(run_id: int, step: int) -> str:
    return f"{PREFIX}/{run_id}/state-{step}.pth"


def save_state(run: FineTuneRun, path: Path, *, step: int) -> None:
    """Store the state the training code wrote at `path` (holding `step` steps) and record it on the run."""
    digest = file_sha256(path)
    store = media_store.get()
    with store.writing_file(state_key(run.pk, step)) as out:
        shutil.copyfile(path, out)
    previous = run.state_step
    FineTuneRun.objects.filter(pk=run.pk).update(state_step=step, state_sha256=digest)
    run.state_step, run.state_sha256 = step, digest
    if previous is not None and previous != step:
        store.delete(state_key(run.pk, previous))


def use_state(run: FineTuneRun, path: Path) -> int | None:
    """Make `path` hold the run's recorded state (kept when it does, else fetched); return its step.

    With none recorded the file is removed (None): training starts from the parent, even where
    an attempt killed before recording left a newer local state.
    """
    if run.state_step is None:
        path.unlink(missing_ok=True)
        return None
    if path.is_file() and file_sha256(path) == run.state_sha256:
        return run.state_step
    path.parent.mkdir(parents=True, exist_ok=True)
    incoming = path.with_name(path.name + ".incoming")
    with media_store.get().fetched(state_key(run.pk, run.state_step)) as fetched:
        shutil.copyfile(fetched, incoming)
    if file_sha256(incoming) != run.state_sha256:
        incoming.unlink()
        raise ValueError(f"the stored training state of step {run.state_step} does not match its sha256")
    incoming.replace(path)
    return run.state_step


def delete_states(run_id: int) -> None:
    """Remove every stored state of a run (it ended): a failure is logged, the run's end stands."""
    try:
        media_store.get().delete_prefix(f"{PREFIX}/{run_id}")
    except Exception:  # e.g. the bucket did not answer: the objects stay, and the log says so
        log.exception("could not remove the stored training states of fine-tune %s", run_id)
