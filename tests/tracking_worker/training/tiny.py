"""A tiny light-model training config (a few steps, two stages) shared by the training tests."""

import textwrap

from tracking_worker.training.config import parse_config

TINY = textwrap.dedent("""
    variant: light
    seed: 0
    arch: {widths: [8, 16, 16, 32], channels: 32, blocks: [1, 1, 1]}
    data:
      sources: [{type: synthetic}]
    stages:
      - {name: mask, steps: STEPS1, batch_size: 3, lr: 0.02, final_lr: 0.005, warmup_steps: 2}
      - {name: refine, steps: STEPS2, batch_size: 2, lr: 0.01, refine: true, train: [refine_model]}
    checkpoint_every: 3
    log_every: 1
    num_workers: 0
    threads: 1
""")


def tiny_config(steps1: int, steps2: int):
    return parse_config(TINY.replace("STEPS1", str(steps1)).replace("STEPS2", str(steps2)))
