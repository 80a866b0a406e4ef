"""Say clearly which test service is missing before the suite starts (PostgreSQL, Redis)."""

import socket
import sys
from urllib.parse import urlparse


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=3):
            return True
    except OSError:
        return False


def main(database_url: str, broker_url: str) -> int:
    missing = [f"{name} at {url}" for name, url, port in (("PostgreSQL", database_url, 5432), ("Redis", broker_url, 6379))
               if not reachable(url, port)]
    if missing:
        print("The tests need these services running: " + "; ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
