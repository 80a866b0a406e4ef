"""Problems: per-item ArchiveErrors gathered into one refusal."""

import pytest

from annotator.importers.archive import ArchiveError
from annotator.importers.problems import Problems


def fail(message: str):
    raise ArchiveError(message)


def test_nothing_noted_raises_nothing_and_one_problem_keeps_its_message():
    problems = Problems()
    with problems.item():
        pass
    problems.raise_if_any()
    with problems.item():
        fail("annotation 4: a box must be [x, y, w, h]")
    with pytest.raises(ArchiveError, match=r"^annotation 4: a box must be \[x, y, w, h\]$"):
        problems.raise_if_any()


def test_many_problems_are_counted_and_the_first_ones_quoted():
    problems = Problems(max_shown=2)
    for n in range(5):
        with problems.item():
            fail(f"annotation {n}: bad")
    with pytest.raises(ArchiveError) as refused:
        problems.raise_if_any()
    assert str(refused.value) == "5 problems: annotation 0: bad; annotation 1: bad; and 3 more"


def test_reading_stops_once_the_file_is_hopeless():
    problems, seen = Problems(max_shown=1, give_up=3), 0
    with pytest.raises(ArchiveError, match=r"^3\+ problems \(reading stopped after 3\): annotation 0: bad; and 2 more$"):
        for n in range(100):
            seen += 1
            with problems.item():
                fail(f"annotation {n}: bad")
    assert seen == 3


def test_other_errors_are_not_swallowed():
    with pytest.raises(KeyError):
        with Problems().item():
            raise KeyError("a bug, not a bad archive")
