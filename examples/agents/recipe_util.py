"""Small helpers shared by the training recipes of examples/agents
(train_bc_ppo.py, train_plan.py): command-line parsing, CPU time, and the
native evaluation of a scheduler on held-out seeds."""
from __future__ import annotations

import os
from typing import Dict, List, Optional, Sequence

import socsim_gym


def cpu_min() -> float:
    """CPU minutes of this process and its children so far."""
    t = os.times()
    return (t.user + t.system + t.children_user + t.children_system) / 60.0


def parse_seeds(text: str) -> List[int]:
    """'1-3,7' -> [1, 2, 3, 7]."""
    out: List[int] = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            out += list(range(int(a), int(b) + 1))
        elif part:
            out.append(int(part))
    return out


def parse_options(items: Sequence[str]) -> Dict[str, str]:
    """['key=value', ...] -> {key: value} (env options)."""
    opts = {}
    for it in items:
        k, _, v = it.partition("=")
        opts[k] = v
    return opts


def native_eval(config: str, scheduler: str, seeds: List[int], jobs: Optional[int]) -> List[float]:
    """Average latency (us) of `scheduler` on `config`, one native run per seed."""
    return [socsim_gym.run(config, scheduler=scheduler, seed=s, jobs=jobs)["avg_latency_us"]
            for s in seeds]
