"""Plan mode (``action_mode=plan``): a policy makes HEFT's decisions.

Reference numbers come from the ``socsim`` executable (``socsim run
--json``), an implementation independent of the Python code under test:
following the plan-mode HEFT expert must give the ``heft`` scheduler's
latency exactly, on both backends.
"""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from socsim_gym import MLPPolicy, SocSimEnv

from conftest import SRC

DEFAULT = SRC / "workloads" / "default.yaml"


def native(socsim, config, scheduler, seed, jobs=None):
    cmd = [socsim, "run", str(config), "--scheduler", scheduler, "--seed", str(seed), "--json"]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[0])


def follow_expert(env, seed):
    obs, info = env.reset(seed=seed)
    steps = 0
    while True:
        assert info["action_mask"][info["expert"]] == 1
        obs, _, te, tr, info = env.step(info["expert"])
        assert not info["invalid_action"]
        steps += 1
        if te or tr:
            return info, steps


@pytest.mark.parametrize("config", ["small", "default"])
def test_following_the_heft_expert_is_heft(socsim, small_config, backend, config):
    path = small_config if config == "small" else str(DEFAULT)
    jobs = 20 if config == "small" else 40
    env = SocSimEnv(config_path=path, options={"action_mode": "plan", "expert": "heft",
                                               "jobs": jobs}, backend=backend)
    try:
        assert env.action_space.n == len(env.pe_names)
        assert env.env_options["action_mode"] == "plan"
        info, steps = follow_expert(env, 7)
    finally:
        env.close()
    assert steps > jobs
    ref = native(socsim, path, "heft", 7, jobs=jobs)
    assert info["completed_jobs"] == ref["completed_jobs"]
    assert info["avg_latency_us"] == ref["avg_latency_us"]


def test_rollout_expert_and_refused_experts(small_config, backend):
    env = SocSimEnv(config_path=small_config, options={"action_mode": "plan",
                                                       "expert": "rollout", "jobs": 20},
                    backend=backend)
    try:
        info, _ = follow_expert(env, 3)
        assert info["completed_jobs"] == 20
    finally:
        env.close()
    with pytest.raises(Exception, match="not defined"):
        SocSimEnv(config_path=small_config, options={"action_mode": "plan", "expert": "etf"},
                  backend=backend)
    with pytest.raises(Exception, match="not defined"):
        SocSimEnv(config_path=small_config, options={"expert": "rollout"}, backend=backend)


def test_plan_policy_round_trip(small_config, tmp_path):
    env = SocSimEnv(config_path=small_config, options={"action_mode": "plan"})
    try:
        pol = MLPPolicy.for_env(env, hidden=(8,), rng=np.random.default_rng(1))
        assert pol.n_actions == len(env.pe_names)
        pol.save(str(tmp_path / "p.weights"))
        back = MLPPolicy.load(str(tmp_path / "p.weights"))
        assert back.action_mode == "plan"
        back.matches(env)
    finally:
        env.close()
