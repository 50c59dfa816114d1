"""Issue 17: episode ends, seeds, measured-job latency, the in-process backend,
socsim.run, expert actions, graph observations and energy rewards.

Reference numbers come from the ``socsim`` executable (``socsim run
--json``), an implementation independent of the Python code under test.
"""

from __future__ import annotations

import json
import subprocess

import gymnasium as gym
import numpy as np
import pytest

import socsim_gym
from socsim_gym import SocSimEnv, metrics_from_completions

from conftest import BACKENDS, SRC

REGRESS_MIX = SRC / "tests" / "regress" / "mix.yaml"  # power: true, warm-up 2 ms


def native(socsim, config, scheduler, seed, jobs=None):
    cmd = [socsim, "run", str(config), "--scheduler", scheduler, "--seed", str(seed), "--json"]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[0])


def fallback_episode(env, seed):
    """Always the invalid action -1: the env applies its EFT fallback."""
    obs, info = env.reset(seed=seed)
    infos = [info]
    rewards = []
    while True:
        obs, r, term, trunc, info = env.step(-1)
        infos.append(info)
        rewards.append(r)
        if term or trunc:
            return infos, rewards, term, trunc


# ---- defect 1 -----------------------------------------------------------

def test_issue_repro_time_limit_ends_truncated(socsim, backend):
    env = gym.make(socsim_gym.ENV_ID, options={"time_us": 20000}, backend=backend)
    try:
        obs, info = env.reset(seed=1)
        while True:
            obs, r, te, tr, info = env.step(-1)
            if te or tr:
                break
        assert tr is True and te is False
        assert info["t_us"] <= 20000
    finally:
        env.close()


def test_time_limits_never_terminate(socsim, backend):
    """Many seeds and limits (the defect hit 3-6 of 20 seeds)."""
    for T in (3000, 7000, 20000):
        env = SocSimEnv(options={"time_us": T, "slots": 4}, backend=backend)
        try:
            for seed in range(8):
                _, _, term, trunc = fallback_episode(env, seed)
                assert trunc and not term, (T, seed)
        finally:
            env.close()


# ---- defect 3 -----------------------------------------------------------

@pytest.mark.parametrize("seed", [3, 11])
def test_info_latency_equals_the_native_run(socsim, backend, seed):
    """Default config (10 ms warm-up): the EFT fallback is the eft scheduler,
    so info and the completions must give socsim run's numbers exactly."""
    env = SocSimEnv(options={"jobs": 60, "slots": 6}, backend=backend)
    try:
        infos, rewards, term, _ = fallback_episode(env, seed)
    finally:
        env.close()
    ref = native(socsim, SRC / "workloads" / "default.yaml", "eft", seed, jobs=60)
    last = infos[-1]
    assert term
    assert last["completed_jobs"] == ref["completed_jobs"] == 60
    assert last["injected_jobs"] == ref["injected_jobs"]
    assert last["avg_latency_us"] == ref["avg_latency_us"]
    assert last["cum_latency_us"] == ref["cumulative_exec_time_us"]
    assert last["completed_jobs_all"] > 60  # warm-up jobs, counted apart
    # the latency reward sums to -(measured latency) / reward_norm
    assert sum(rewards) * 1000.0 == pytest.approx(-ref["cumulative_exec_time_us"], rel=1e-9)
    comps = [c for i in infos for c in i["completions"]]
    assert len(comps) == last["completed_jobs_all"]
    m = metrics_from_completions(comps)
    for k in ("completed_jobs", "cumulative_exec_time_us", "avg_latency_us", "p50_latency_us",
              "p95_latency_us", "p99_latency_us", "max_latency_us", "makespan_us",
              "throughput_jobs_per_s"):
        assert m[k] == ref[k], k


def test_reward_jobs_all_option(socsim, backend):
    env = SocSimEnv(options={"jobs": 10, "reward_jobs": "all"}, backend=backend)
    try:
        infos, rewards, _, _ = fallback_episode(env, 2)
    finally:
        env.close()
    comps = [c for i in infos for c in i["completions"]]
    total = sum(c[5] for c in comps)
    assert infos[-1]["completed_jobs"] == len(comps) == infos[-1]["completed_jobs_all"]
    assert sum(rewards) * 1000.0 == pytest.approx(-total, rel=1e-9)
    assert env.env_options["reward_jobs"] == "all"


# ---- in process = socket; socsim.run = socsim run --json -----------------

@pytest.mark.skipif("inproc" not in BACKENDS, reason="extension not built")
def test_backends_agree_bit_for_bit(socsim, small_config):
    envs = [SocSimEnv(config_path=small_config, options={"slots": 4, "expert": "heft"},
                      backend=b) for b in ("inproc", "socket")]
    try:
        rng = np.random.default_rng(5)
        outs = [e.reset(seed=77) for e in envs]
        for _ in range(400):
            assert np.array_equal(outs[0][0], outs[1][0])
            i0, i1 = outs[0][-1], outs[1][-1]
            assert i0.keys() == i1.keys()
            for k in i0:
                if isinstance(i0[k], np.ndarray):
                    assert np.array_equal(i0[k], i1[k]) and i0[k].dtype == i1[k].dtype, k
                else:
                    assert i0[k] == i1[k] and type(i0[k]) is type(i1[k]), k
            valid = np.flatnonzero(i0["action_mask"])
            a = int(rng.choice(valid)) if rng.random() < 0.7 else int(i0["expert"])
            outs = [e.step(a) for e in envs]
            assert outs[0][1:4] == outs[1][1:4]
            if outs[0][2] or outs[0][3]:
                outs = [(o[0], o[4]) for o in outs]
                outs = [e.reset(seed=78) for e in envs]
    finally:
        for e in envs:
            e.close()


@pytest.mark.parametrize("scheduler", ["heft", "etf", "peft", "eft"])
def test_socsim_run_matches_the_cli(socsim, small_config, scheduler):
    import socsim as sc

    ref = native(socsim, small_config, scheduler, 5)
    got = sc.run(small_config, scheduler=scheduler, seed=5)
    for k, v in ref.items():
        assert got[k] == v, k
    ref = native(socsim, SRC / "workloads" / "default.yaml", scheduler, 2, jobs=200)
    got = sc.run(scheduler=scheduler, seed=2, jobs=200)  # the embedded default
    for k, v in ref.items():
        assert got[k] == v, k


def test_socsim_run_with_power_and_yaml_text(socsim):
    import socsim as sc

    ref = native(socsim, REGRESS_MIX, "heft", 1)
    got = sc.run(REGRESS_MIX, scheduler="heft", seed=1)
    assert got == ref
    text = REGRESS_MIX.read_text().replace("../../workloads", str(SRC / "workloads"))
    assert sc.run(text, scheduler="heft", seed=1)["avg_latency_us"] == ref["avg_latency_us"]


# ---- expert, graph, energy ----------------------------------------------

@pytest.mark.parametrize("expert", ["etf", "eft", "sufferage"])
def test_following_the_expert_is_the_scheduler(socsim, small_config, backend, expert):
    env = SocSimEnv(config_path=small_config, options={"slots": 64, "expert": expert},
                    backend=backend)
    try:
        obs, info = env.reset(seed=9)
        while True:
            assert info["action_mask"][info["expert"]] == 1
            obs, r, te, tr, info = env.step(info["expert"])
            assert not info["invalid_action"]
            if te or tr:
                break
    finally:
        env.close()
    ref = native(socsim, small_config, expert, 9)
    assert info["avg_latency_us"] == ref["avg_latency_us"]


def test_graph_observation_space(socsim, small_config, backend):
    env = SocSimEnv(config_path=small_config, options={"slots": 4, "graph": 1}, backend=backend)
    try:
        assert isinstance(env.observation_space, gym.spaces.Dict)
        obs, info = env.reset(seed=4)
        rng = np.random.default_rng(0)
        for _ in range(60):
            assert env.observation_space["obs"].contains(obs["obs"])
            g = obs["graph"]
            assert g.nodes.dtype == np.float32 and g.nodes.shape[1] == env.observation_space[
                "graph"].node_space.shape[0]
            assert g.edge_links.shape == (g.edges.shape[0], 2)
            assert (g.edge_links >= 0).all() and (g.edge_links < len(g.nodes)).all()
            ready = int(g.nodes[:, 1].sum())
            assert ready == info["n_ready"]
            in_slot = g.nodes[:, 4] > 0
            assert in_slot.sum() == min(info["n_ready"], 4)
            obs, _, te, tr, info = env.step(int(rng.choice(np.flatnonzero(info["action_mask"]))))
            if te or tr:
                break
    finally:
        env.close()


@pytest.mark.parametrize("reward", ["energy", "edp"])
def test_energy_rewards_add_up(socsim, backend, reward):
    env = SocSimEnv(config_path=str(REGRESS_MIX), options={"jobs": 20, "reward": reward},
                    backend=backend)
    try:
        infos, rewards, term, _ = fallback_episode(env, 3)
    finally:
        env.close()
    e0, e1 = infos[0]["energy_j"], infos[-1]["energy_j"]
    assert e1 > e0 >= 0
    if reward == "energy":
        assert sum(rewards) * 1e-3 == pytest.approx(-(e1 - e0), rel=1e-9)
    else:
        t1 = infos[-1]["t_us"]
        assert sum(rewards) * 1e-3 * 1000.0 == pytest.approx(-(e1 * t1 - e0 * infos[0]["t_us"]),
                                                              rel=1e-9)


def test_energy_reward_needs_the_power_model(socsim, small_config, backend):
    with pytest.raises(socsim_gym.ServerError) as e:
        SocSimEnv(config_path=small_config, options={"reward": "energy"}, backend=backend)
    assert e.value.code == "SOC_EINVAL" and "power" in str(e.value)


def test_episode_seed_matches_c():
    if not socsim_gym.HAVE_INPROC:
        pytest.skip("extension not built")
    from socsim_gym import _core

    for b, i, e in [(0, 0, 0), (5, 3, 9), (2**64 - 1, 2**24 - 1, 2**40 - 1), (123456789, 17, 0)]:
        assert socsim_gym.episode_seed(b, i, e) == _core.episode_seed(b, i, e)
    assert socsim_gym.episode_seed(42, 0, 0) == 42
