"""The transactional outbox: task messages survive a broker outage (the full fault run with a
real Redis kill is tests/reliability)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from annotator import queue
from annotator.models import OutboxMessage
from tests.broker import queued_tasks


@pytest.mark.django_db
def test_a_message_the_broker_refused_is_sent_by_the_sweeper(broker):
    # As left by a request that committed while Redis was down: the row is there, nothing in the queue.
    message = OutboxMessage.objects.create(task=queue.EXTRACT_FRAMES, args=[42], queue="default", attempts=1)
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    assert broker.llen("default") == 0
    assert queue.flush_outbox() == 1
    assert not OutboxMessage.objects.exists()
    assert queued_tasks(broker) == [("annotator.extract_frames", [42])]


@pytest.mark.django_db
def test_the_sweeper_leaves_fresh_messages_to_their_own_request(broker):
    OutboxMessage.objects.create(task=queue.EXTRACT_FRAMES, args=[7], queue="default")
    assert queue.flush_outbox() == 0
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_enqueue_sends_after_commit_and_clears_the_row(broker):
    queue.enqueue_extraction(5)  # autocommit: the "transaction" has committed at once
    assert not OutboxMessage.objects.exists()
    assert queued_tasks(broker) == [("annotator.extract_frames", [5])]
