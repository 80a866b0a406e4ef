"""The weights this repository ships, and what their metadata records, read as the tests' reference.

    recorded_evaluation(MOBILE)["JF_mean"]   # the held-out DAVIS J&F stored in weights/mobile.pth
"""

import json
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MOBILE = REPO / "weights" / "mobile.pth"
STARTER = REPO / "weights" / "starter.pth"

# In a child process: the test process, like the web process, stays free of torch.
READ_EVALUATION = """
import json, sys, torch
meta = torch.load(sys.argv[1], map_location="cpu", weights_only=True)["meta"]
print(json.dumps(meta["evaluation"]))
"""


@lru_cache(maxsize=4)
def recorded_evaluation(path: Path) -> dict:
    """Return meta["evaluation"] of a shipped checkpoint, read straight from the file."""
    result = subprocess.run([sys.executable, "-c", READ_EVALUATION, str(path)], cwd=REPO, check=True,
                            capture_output=True, text=True)
    return json.loads(result.stdout)


def recorded_scores(path: Path) -> dict:
    """Return the file's J, F and J&F under the names ModelCheckpoint.metrics uses."""
    evaluation = recorded_evaluation(path)
    return {"J": evaluation["J_mean"], "F": evaluation["F_mean"], "J&F": evaluation["JF_mean"]}
