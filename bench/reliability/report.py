"""What the reliability benchmarks print with their figures: the machine they ran on."""

import os
import platform


def machine() -> str:
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{model or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
