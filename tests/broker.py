"""The task messages waiting in the real Redis broker, decoded as a worker receives them."""

import base64
import json


def queued_tasks(client, queue: str = "default") -> list[tuple[str, list]]:
    """Return (task name, args) of each message waiting in `queue` of a redis.Redis client, oldest first."""
    messages = [json.loads(raw) for raw in reversed(client.lrange(queue, 0, -1))]  # LPUSHed, BRPOPped
    return [(m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0]) for m in messages]
