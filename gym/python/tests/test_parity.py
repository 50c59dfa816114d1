"""The C ``neural`` scheduler decides exactly as the numpy policy in the env.

An episode is played in Python (argmax over the masked logits of
MLPPolicy at every step), recording which PE each task went to.  The same
weights are then run inside the simulator (``socsim run --scheduler
neural:FILE --seed S --schedule out.csv``) and the schedules are compared
task by task: every decision of the whole episode must agree.
"""

from __future__ import annotations

import csv
import json
import subprocess

import numpy as np
import pytest

from socsim_gym import MLPPolicy, SocSimEnv

from conftest import POLICY_DIR, SRC


def python_schedule(env: SocSimEnv, policy: MLPPolicy, seed: int):
    obs, info = env.reset(seed=seed)
    placed = {}
    while True:
        a = policy.act(obs, info["action_mask"])
        obs, _, term, trunc, info = env.step(a)
        assert info["invalid_action"] is False
        key = (info["job"], info["task"])
        assert key not in placed
        placed[key] = info["pe"]
        if term or trunc:
            return placed, info


def c_schedule(socsim, config, weights, seed, tmp_path, extra=()):
    out = tmp_path / f"sched-{seed}.csv"
    r = subprocess.run([socsim, "run", "--scheduler", f"neural:{weights}", "--seed", str(seed),
                        "--schedule", str(out), "--json", *extra, config],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    metrics = json.loads(r.stdout.strip().splitlines()[-1])
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    placed = {(int(row["job"]), int(row["task"])): int(row["pe"]) for row in rows}
    assert len(placed) == len(rows)
    return placed, metrics


def check_parity(socsim, config, policy, env, seeds, tmp_path, extra=(), warmup=False):
    weights = tmp_path / "policy.weights"
    policy.save(str(weights))
    for seed in seeds:
        py, last = python_schedule(env, policy, seed)
        c, metrics = c_schedule(socsim, config, weights, seed, tmp_path, extra)
        assert len(c) > 0 and len(c) == metrics["tasks_completed"]
        differ = [k for k, pe in c.items() if py.get(k) != pe]
        assert not differ, f"seed {seed}: {len(differ)} of {len(c)} tasks differ, first {differ[:5]}"
        # The schedule lists finished tasks only.  A run ends when the last
        # measured job completes; tasks of unmeasured (warm-up) jobs assigned
        # by then may still be running, and only those may be missing.
        unfinished = {job for job, _ in set(py) - set(c)}
        assert len(unfinished) <= last["jobs_in_system"]
        if not warmup:
            assert set(py) == set(c)
            assert metrics["completed_jobs"] == last["completed_jobs"]
            assert metrics["avg_latency_us"] == pytest.approx(last["avg_latency_us"], rel=1e-9)


@pytest.mark.parametrize("mode, slots", [("pair", 4), ("pe", 3), ("task", 5), ("plan", 8)])
def test_random_network_parity_on_the_small_workload(socsim, small_config, tmp_path, mode, slots):
    # An untrained network with large weights makes erratic, non-trivial
    # choices: a sharper test of the encoding than a sensible policy.
    env = SocSimEnv(config_path=small_config, options={"slots": slots, "action_mode": mode})
    try:
        pol = MLPPolicy.for_env(env, hidden=(32, 16), rng=np.random.default_rng(slots), out_scale=3.0)
        check_parity(socsim, small_config, pol, env, [1, 2], tmp_path)
    finally:
        env.close()


def test_parity_on_the_heterogeneous_default_platform(socsim, tmp_path):
    # The embedded default (MULTIPLE_BAL, 16 PEs, accelerators that run only
    # some task types): masks are not trivial here.
    jobs = 15
    env = SocSimEnv(options={"slots": 8, "jobs": jobs})
    try:
        pol = MLPPolicy.for_env(env, hidden=(32,), rng=np.random.default_rng(0), out_scale=3.0)
        # the embedded default is built from this file
        cfg = SRC / "workloads" / "default.yaml"
        check_parity(socsim, str(cfg), pol, env, [3], tmp_path, extra=("--jobs", str(jobs)), warmup=True)
    finally:
        env.close()


def test_plan_parity_on_the_heterogeneous_default_platform(socsim, tmp_path):
    # Plan mode on MULTIPLE_BAL: whole jobs planned at arrival with keyed
    # (inserted) assignments; a random network picks erratic PEs.
    jobs = 12
    env = SocSimEnv(options={"action_mode": "plan", "jobs": jobs})
    try:
        pol = MLPPolicy.for_env(env, hidden=(16,), rng=np.random.default_rng(2), out_scale=3.0)
        cfg = SRC / "workloads" / "default.yaml"
        check_parity(socsim, str(cfg), pol, env, [3], tmp_path, extra=("--jobs", str(jobs)), warmup=True)
    finally:
        env.close()


def test_shipped_policy_parity(socsim, small_config, tmp_path):
    path = POLICY_DIR / "top_small.weights"
    pol = MLPPolicy.load(str(path))
    env = SocSimEnv(config_path=small_config, options={"slots": pol.slots, "action_mode": pol.action_mode})
    try:
        pol.matches(env)
        check_parity(socsim, small_config, pol, env, [5, 6], tmp_path)
    finally:
        env.close()


def test_shipped_default_policy_parity(socsim, tmp_path):
    pol = MLPPolicy.load(str(POLICY_DIR / "multiple_bal.weights"))
    jobs = 10
    env = SocSimEnv(options={"slots": pol.slots, "action_mode": pol.action_mode, "jobs": jobs})
    try:
        pol.matches(env)
        check_parity(socsim, str(SRC / "workloads" / "default.yaml"), pol, env, [4], tmp_path,
                     extra=("--jobs", str(jobs)), warmup=True)
    finally:
        env.close()


def test_shipped_plan_policy_parity(socsim, tmp_path):
    # examples/policies/default_plan.weights: plan mode on the default
    pol = MLPPolicy.load(str(POLICY_DIR / "default_plan.weights"))
    assert pol.action_mode == "plan"
    jobs = 10
    env = SocSimEnv(options={"slots": pol.slots, "action_mode": pol.action_mode, "jobs": jobs})
    try:
        pol.matches(env)
        check_parity(socsim, str(SRC / "workloads" / "default.yaml"), pol, env, [4], tmp_path,
                     extra=("--jobs", str(jobs)), warmup=True)
    finally:
        env.close()
