"""The numpy policy-gradient example learns to beat the random policy.

Fixed seeds, a small workload (3 CPUs, 10-task DAGs, 20 jobs per episode)
and a budget of a few tens of seconds.  Evaluation seeds are disjoint from
the training seeds, and the trained weights are also judged inside the C
simulator (``neural`` scheduler) against the simulator's own ``random``.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import numpy as np

from socsim_gym import MLPPolicy, SocSimVectorEnv

from conftest import AGENTS_DIR, POLICY_DIR

EVAL_SEEDS = [10_000_000 + i for i in range(16)]


def load_agent():
    spec = importlib.util.spec_from_file_location("pg_numpy", AGENTS_DIR / "pg_numpy.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["pg_numpy"] = mod
    spec.loader.exec_module(mod)
    return mod


def c_latency(socsim, config, scheduler, seeds, extra=()):
    lat = []
    for s in seeds:
        r = subprocess.run([socsim, "run", "--scheduler", scheduler, "--seed", str(s), "--json",
                            *extra, config],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        lat.append(json.loads(r.stdout.strip().splitlines()[-1])["avg_latency_us"])
    return float(np.mean(lat))


def test_policy_gradient_beats_random(socsim, small_config, tmp_path):
    pg = load_agent()
    log = []
    policy = pg.train(small_config, {"slots": 4}, iterations=80, envs=8, hidden=(64, 64),
                      lr=1e-2, entropy=0.01, seed=0, log=log.append, time_budget_s=90)
    assert log, "training logged nothing"
    venv = SocSimVectorEnv(8, config_path=small_config, options={"slots": 4})
    try:
        learned = pg.evaluate(venv, policy, EVAL_SEEDS, "greedy")
        rand = pg.evaluate(venv, None, EVAL_SEEDS, "random", np.random.default_rng(1))
        untrained = pg.evaluate(venv, MLPPolicy.for_env(venv, rng=np.random.default_rng(0)),
                                EVAL_SEEDS, "greedy")
    finally:
        venv.close()
    print(f"\naverage job latency: trained {learned:.1f} us, untrained {untrained:.1f} us, "
          f"masked random {rand:.1f} us\n" + "\n".join(log))
    assert learned < 0.8 * rand
    assert learned < 0.9 * untrained
    # the same network inside the simulator
    weights = tmp_path / "pg.weights"
    policy.save(str(weights))
    c_learned = c_latency(socsim, small_config, f"neural:{weights}", EVAL_SEEDS[:6])
    c_random = c_latency(socsim, small_config, "random", EVAL_SEEDS[:6])
    assert c_learned < 0.8 * c_random


def test_shipped_policy_beats_random_in_the_simulator(socsim, small_config):
    weights = POLICY_DIR / "top_small.weights"
    MLPPolicy.load(str(weights))  # parses
    seeds = EVAL_SEEDS[:6]
    assert c_latency(socsim, small_config, f"neural:{weights}", seeds) < \
        0.8 * c_latency(socsim, small_config, "random", seeds)


def test_shipped_default_policy_in_the_simulator(socsim):
    """The policy for the embedded default SoC is close to EFT and far from random."""
    weights = POLICY_DIR / "multiple_bal.weights"
    cfg = str(POLICY_DIR.parent.parent / "workloads" / "default.yaml")
    seeds, extra = [11, 12], ("--jobs", "400")
    neural = c_latency(socsim, cfg, f"neural:{weights}", seeds, extra)
    eft = c_latency(socsim, cfg, "eft", seeds, extra)
    rand = c_latency(socsim, cfg, "random", seeds, extra)
    print(f"\ndefault SoC, average job latency: neural {neural:.1f} us, eft {eft:.1f} us, "
          f"random {rand:.1f} us")
    assert neural < 1.3 * eft
    assert neural < 0.05 * rand
