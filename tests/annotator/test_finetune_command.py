"""manage.py finetune: clear refusals before anything runs, and a whole (tiny) run with its table and decision."""

import pytest
from django.core.management import CommandError, call_command

from annotator.models import FineTuneRun
from annotator.services.finetune_report import evaluation_table
from tests.annotator.finetuning import starter  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_unknown_project_is_a_clear_error(cast):
    with pytest.raises(CommandError, match="no project with id 999999"):
        call_command("finetune", "999999")


def test_a_project_without_enough_accepted_tracks_is_a_clear_error(cast, starter):
    with pytest.raises(CommandError, match="not enough training data"):
        call_command("finetune", str(cast.project.pk), "--steps", "3")
    assert not FineTuneRun.objects.exists()


def test_the_table_puts_old_and_new_side_by_side_per_held_out_sequence():
    side = {"J": 0.5, "F": 0.25, "JF": 0.375, "quality_auc": None, "score_auc": 0.6, "n_sequences": 1, "n_frames": 4,
            "per_sequence": {"v3_t4": {"J": 0.5, "F": 0.25, "n_frames": 4}}}
    table = evaluation_table({"old": side, "new": side | {"JF": 0.5}}).splitlines()
    assert table[0] == "| held-out | model | frames | J | F | J&F | quality AUC | score AUC |"
    assert table[2:4] == ["| v3_t4 | old | 4 | 0.500 | 0.250 | 0.375 | - | - |",
                          "| v3_t4 | new | 4 | 0.500 | 0.250 | 0.375 | - | - |"]
    assert table[-1] == "| **all 1** | new | 4 | 0.500 | 0.250 | 0.500 | - | 0.600 |"
    assert evaluation_table({}) == "(not evaluated)"


@pytest.mark.slow
def test_a_whole_fine_tune_runs_here_and_prints_the_table_and_the_decision(
        cast, starter, tmp_path, worker_env, monkeypatch, capsys):
    from tests.annotator.finetuning import accepted_clips

    accepted_clips(cast.project, by=cast.carol, tmp_path=tmp_path, train=1, heldout=1)
    # the run's process reads this test's database, media and weights from its environment
    for name in ("DATABASE_URL", "MEDIA_ROOT", "SIAMLABEL_WEIGHTS_DIR"):
        monkeypatch.setenv(name, worker_env[name])
    monkeypatch.setenv("SIAMLABEL_FINETUNE_DIR", str(tmp_path / "finetune"))
    monkeypatch.setenv("SIAMLABEL_FINETUNE_BATCH_SIZE", "2")
    call_command("finetune", str(cast.project.pk), "--steps", "2", "--user", "carol")
    run = FineTuneRun.objects.get()
    out = capsys.readouterr().out
    assert (run.status, run.steps_done, run.created_by) == ("done", 2, cast.carol)
    assert evaluation_table(run.evaluation) in out
    assert f"{run.decision}: {run.reason}" in out and run.checkpoint.name in out
