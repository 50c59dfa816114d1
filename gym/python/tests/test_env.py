"""SocSimEnv: Gymnasium API conformance, seeding, masks, invalid actions, episode ends."""

from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import socsim_gym
from socsim_gym import ServerError, SocSimEnv

from conftest import assert_same_info, random_masked, run_episode

INFO_KEYS = {"t_us", "dt_us", "step", "invalid_action", "job", "task", "pe", "n_ready",
             "jobs_in_system", "completed_jobs", "injected_jobs", "cum_latency_us",
             "avg_latency_us", "episode_reward", "done", "seed", "action_mask",
             "completed_jobs_all", "injected_jobs_all", "expert", "energy_j", "completions"}


@pytest.mark.parametrize("mode", ["pair", "pe", "task"])
def test_check_env_passes_without_warnings(make_env, mode):
    # Built directly the env has no spec, and the render check needs one to
    # re-create the env in each render mode: that part is covered by the
    # gymnasium.make test below.
    env = make_env(options={"slots": 4, "action_mode": mode})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env, skip_render_check=True)


def test_ansi_render(make_env):
    env = make_env(render_mode="ansi")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env, skip_render_check=True)
    env.reset(seed=3)
    text = env.render()
    assert isinstance(text, str) and "ready=" in text


def test_gymnasium_make_registration(socsim, small_config):
    assert socsim_gym.ENV_ID in gym.registry
    env = gym.make(socsim_gym.ENV_ID, config_path=small_config, options={"slots": 4})
    try:
        assert env.spec.id == socsim_gym.ENV_ID
        assert isinstance(env.unwrapped, SocSimEnv)
        obs, info = env.reset(seed=1)
        assert obs in env.observation_space
        obs, r, term, trunc, info = env.step(int(np.flatnonzero(info["action_mask"])[0]))
        assert type(r) is float and type(term) is bool and type(trunc) is bool
        # the wrapper stack forwards the MaskablePPO hook
        assert env.get_wrapper_attr("action_masks")().dtype == bool
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            # with a spec: also the render modes and that close() is idempotent
            check_env(env.unwrapped)
    finally:
        env.close()


def test_spaces_match_the_make_reply(make_env):
    env = make_env(options={"slots": 4})
    k, p = 4, len(env.pe_names)
    assert env.action_space == gym.spaces.Discrete(k * p)
    assert env.observation_space.dtype == np.float32
    assert env.observation_space.shape == (len(env.feature_names),)
    assert env.feature_names[0] == "slot0.valid"
    assert np.all(env.observation_space.low == 0) and np.all(env.observation_space.high == 1)
    opts = env.env_options
    assert opts["slots"] == 4 and opts["action_mode"] == "pair" and opts["time_scale_us"] > 0
    for mode, n in (("pe", p), ("task", k)):
        e = make_env(options={"slots": k, "action_mode": mode})
        assert e.action_space.n == n


def test_step_types_and_info_keys(make_env):
    env = make_env()
    obs, info = env.reset(seed=11)
    assert set(info) == INFO_KEYS
    assert obs.dtype == np.float32 and obs.flags.writeable
    assert info["action_mask"].dtype == np.int8
    assert info["step"] == 0 and info["dt_us"] == 0.0 and info["job"] == -1
    obs, r, term, trunc, info = env.step(random_masked(np.random.default_rng(0), info["action_mask"]))
    assert type(r) is float and type(term) is bool and type(trunc) is bool
    assert set(info) == INFO_KEYS
    assert type(info["t_us"]) is float and type(info["invalid_action"]) is bool
    assert type(info["step"]) is int and info["step"] == 1


def test_same_seed_same_actions_identical(make_env):
    a, b = make_env(), make_env()
    ep_a, _ = run_episode(a, seed=42, rng_seed=7)
    ep_b, _ = run_episode(b, seed=42, rng_seed=7)
    assert len(ep_a) == len(ep_b) > 20
    for (oa, ra, ta, ua, ia), (ob, rb, tb, ub, ib) in zip(ep_a, ep_b):
        assert np.array_equal(oa, ob)
        assert ra == rb and ta == tb and ua == ub
        assert_same_info(ia, ib)


def test_different_seeds_differ_and_seed_is_the_sim_seed(make_env):
    env = make_env()
    _, info = env.reset(seed=5)
    assert info["seed"] == 5
    ep5, last5 = run_episode(env, seed=5)
    ep6, last6 = run_episode(env, seed=6)
    # Poisson arrivals are drawn from the seed: the job trace and so the
    # timeline differ.
    assert [s[4]["t_us"] for s in ep5] != [s[4]["t_us"] for s in ep6]


def test_unseeded_reset_follows_np_random(make_env):
    a, b = make_env(), make_env()
    a.reset(seed=123)
    b.reset(seed=123)
    oa, ia = a.reset()
    ob, ib = b.reset()
    assert ia["seed"] == ib["seed"] != 123
    assert np.array_equal(oa, ob)


def check_masks(env, seed, k):
    """Walk an episode checking every mask against the observation.

    mask[slot * P + pe] must be 1 exactly when the slot holds a task and the
    PE can run it, which the observation states independently: the slot's
    valid flag, and its exec time on the PE's cluster (1 = cannot run).
    Returns the number of steps.
    """
    names = env.feature_names
    p = len(env.pe_names)
    cluster = [pe.rsplit("_", 1)[0] for pe in env.pe_names]
    valid_idx = [names.index(f"slot{s}.valid") for s in range(k)]
    exec_idx = [[names.index(f"slot{s}.exec.{c}") for c in cluster] for s in range(k)]
    rng = np.random.default_rng(3)
    obs, info = env.reset(seed=seed)
    n_steps = 0
    while True:
        mask = info["action_mask"]
        assert np.array_equal(env.action_masks(), mask.astype(bool))
        assert env.action_masks().dtype == bool
        assert mask.any(), "a decision point always offers a valid action"
        for s in range(k):
            occupied = obs[valid_idx[s]] == 1.0
            for pe in range(p):
                runs = obs[exec_idx[s][pe]] < 1.0
                assert bool(mask[s * p + pe]) == (occupied and runs), (s, pe)
        occ = [obs[i] == 1.0 for i in valid_idx]
        assert occ == sorted(occ, reverse=True)  # slots fill in order
        obs, _, term, trunc, info = env.step(random_masked(rng, mask))
        n_steps += 1
        if term or trunc:
            break
    assert not info["action_mask"].any() and not env.action_masks().any()
    return n_steps


def test_masks_are_consistent_with_observation(make_env):
    env = make_env(options={"slots": 4})
    assert check_masks(env, 9, 4) == 20 * 10  # one step per task: 20 jobs of 10 tasks
    # the Top SoC's memory is listed as a PE but runs nothing
    assert [pe.rsplit("_", 1)[0] for pe in env.pe_names] == ["P1", "P2", "P3", "M1"]


def test_masks_on_a_heterogeneous_platform(socsim):
    # the default SoC's accelerators run only some task types
    env = SocSimEnv(options={"slots": 6, "jobs": 4})
    try:
        check_masks(env, 2, 6)
    finally:
        env.close()


def test_invalid_actions_fall_back_to_eft(make_env):
    env = make_env(options={"slots": 4, "invalid_penalty": 0.25})
    ref = make_env(options={"slots": 4, "invalid_penalty": 0.25})
    names = env.feature_names
    p = len(env.pe_names)
    eft0 = [names.index(f"slot0.eft.{pe}") for pe in env.pe_names]
    rng = np.random.default_rng(1)
    obs, info = env.reset(seed=21)
    ref.reset(seed=21)
    bad_kinds = [-1, env.action_space.n, env.action_space.n + 1000, 2**40, None]
    k = 0
    while True:
        mask = info["action_mask"]
        if k % 3 == 0:
            bad = bad_kinds[(k // 3) % len(bad_kinds)]
            if bad is None:  # a masked-out action inside the range, if any
                masked = np.flatnonzero(mask == 0)
                bad = int(masked[0]) if len(masked) else -5
            expect_pe = int(np.argmin(obs[eft0]))  # slot 0 on its earliest-finish PE
            obs, r, term, trunc, info = env.step(bad)
            assert info["invalid_action"] is True
            assert info["pe"] == expect_pe
            # the same decision made explicitly: same state, no penalty
            good = 0 * p + expect_pe
            robs, rr, rterm, rtrunc, rinfo = ref.step(good)
            assert rinfo["invalid_action"] is False
            assert (rinfo["job"], rinfo["task"], rinfo["pe"]) == (info["job"], info["task"], info["pe"])
            assert np.array_equal(obs, robs)
            assert r == pytest.approx(rr - 0.25, abs=1e-12)
        else:
            a = random_masked(rng, mask)
            obs, r, term, trunc, info = env.step(a)
            robs, rr, rterm, rtrunc, rinfo = ref.step(a)
            assert info["invalid_action"] is False
        k += 1
        if term or trunc:
            assert (rterm, rtrunc) == (term, trunc)
            break


def test_non_integer_actions_are_rejected_client_side(make_env):
    env = make_env()
    env.reset(seed=1)
    with pytest.raises(TypeError):
        env.step(1.5)
    with pytest.raises(TypeError):
        env.step(np.array([1, 2]))
    env.step(np.int64(0))  # numpy integers are fine
    env.step(np.array(0))


def test_finite_episode_terminates(make_env):
    env = make_env(options={"slots": 4, "jobs": 5})
    steps, info = run_episode(env, seed=2)
    *_, (obs, r, term, trunc, last) = steps
    assert term is True and trunc is False
    assert last["done"] is True and last["completed_jobs"] == 5 and last["n_ready"] == 0
    names = env.feature_names
    assert all(obs[names.index(f"slot{i}.valid")] == 0.0 for i in range(4))
    with pytest.raises(gym.error.ResetNeeded):
        env.step(0)
    env.reset(seed=3)  # and a new episode starts fine
    env.step(int(np.flatnonzero(env.action_masks())[0]))


def test_time_limit_truncates(make_env):
    env = make_env(options={"slots": 4, "time_us": 300, "jobs": 0})
    steps, last = run_episode(env, seed=2)
    *_, (obs, r, term, trunc, info) = steps
    assert trunc is True and term is False
    assert info["t_us"] <= 300.0
    assert all(not (s[2] or s[3]) for s in steps[:-1])


def test_latency_reward_sums_to_total_latency(make_env):
    # reward = -(integral of jobs in system)/reward_norm, so over an episode in
    # which every job completes it adds up to -(sum of job latencies)/norm.
    env = make_env(options={"slots": 4, "reward": "latency", "reward_norm": 1000})
    steps, last = run_episode(env, seed=8)
    total = sum(s[1] for s in steps)
    assert last["completed_jobs"] == last["injected_jobs"] == 20
    assert total == pytest.approx(-last["cum_latency_us"] / 1000.0, rel=1e-9)
    assert last["episode_reward"] == pytest.approx(total, rel=1e-9)
    assert last["avg_latency_us"] == pytest.approx(last["cum_latency_us"] / 20, rel=1e-12)


def test_makespan_reward_is_minus_elapsed_time(make_env):
    env = make_env(options={"slots": 4, "reward": "makespan", "reward_norm": 10})
    steps, last = run_episode(env, seed=8)
    for _, r, _, _, info in steps[1:]:
        assert r == pytest.approx(-info["dt_us"] / 10.0, abs=1e-12)
    assert sum(s[1] for s in steps) == pytest.approx(-last["t_us"] / 10.0, rel=1e-9)


def test_bad_config_and_options_raise_clear_errors(socsim, small_config, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nplatform: {clusters: []}\n")
    with pytest.raises(ServerError) as e:
        SocSimEnv(config_path=str(bad))
    assert e.value.code.startswith("SOC_E") and "bad.yaml" in str(e.value)
    with pytest.raises(ServerError) as e:
        SocSimEnv(config_path=small_config, options={"slots": 0})
    assert e.value.code == "SOC_EINVAL"
    with pytest.raises(ServerError):
        SocSimEnv(config_path=small_config, options={"no_such_option": 1})
    with pytest.raises(ValueError):
        SocSimEnv(config="a: 1", config_path=small_config)


def test_reset_options_must_be_empty(make_env):
    env = make_env()
    env.reset(options={})
    with pytest.raises(ValueError):
        env.reset(options={"slots": 3})


def test_default_config_without_arguments(socsim):
    env = SocSimEnv(options={"jobs": 3})
    try:
        assert len(env.pe_names) > 3  # the embedded MULTIPLE_BAL SoC
        steps, last = run_episode(env, seed=1)
        # 3 measured jobs after the default's 10 ms warm-up (warm-up jobs are
        # counted apart, as socsim run does)
        assert steps[-1][2] is True and last["completed_jobs"] == last["injected_jobs"] == 3
        assert last["completed_jobs_all"] > 3
    finally:
        env.close()
