"""SocSimVectorEnv: the batched step equals N independent SocSimEnv."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

import socsim_gym
from socsim_gym import SocSimEnv, SocSimVectorEnv

from conftest import random_masked

N = 3
OPTS = {"slots": 4, "jobs": 4}  # short episodes: several auto-resets per run


@pytest.fixture
def venv_factory(socsim, small_config, backend):
    made = []

    def factory(**kw):
        kw.setdefault("config_path", small_config)
        kw.setdefault("options", OPTS)
        kw.setdefault("backend", backend)
        v = SocSimVectorEnv(N, **kw)
        made.append(v)
        return v

    yield factory
    for v in made:
        v.close()


@pytest.fixture
def singles(socsim, small_config):
    # the reference: socket-backed single environments
    envs = [SocSimEnv(config_path=small_config, options=OPTS, backend="socket") for _ in range(N)]
    yield envs
    for e in envs:
        e.close()


def _compare_info(vinfo, i, sinfo):
    for k, v in sinfo.items():
        if k == "completions" and k not in vinfo:
            continue  # the in-process vector env: v.completions(i)
        assert vinfo["_" + k][i], k
        if isinstance(v, np.ndarray):
            assert np.array_equal(vinfo[k][i], v), k
        else:
            assert vinfo[k][i] == v, k


def test_spaces_and_masks(venv_factory):
    v = venv_factory()
    assert v.num_envs == N
    n = 4 * len(v.pe_names)  # slots x PEs
    assert v.action_space == gym.spaces.MultiDiscrete([n] * N)
    assert v.observation_space.shape == (N, v.single_observation_space.shape[0])
    obs, info = v.reset(seed=1)
    assert obs.shape == (N, v.single_observation_space.shape[0]) and obs.dtype == np.float32
    assert info["action_mask"].shape == (N, n) and info["action_mask"].dtype == np.int8
    assert np.array_equal(v.action_masks(), info["action_mask"].astype(bool))
    assert v.metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP


def test_next_step_autoreset_matches_single_envs(venv_factory, singles):
    v = venv_factory()
    episode = [0] * N
    vobs, vinfo = v.reset(seed=100)
    sobs = []
    for i, e in enumerate(singles):
        o, inf = e.reset(seed=socsim_gym.episode_seed(100, i, 0))
        sobs.append(o)
        _compare_info(vinfo, i, inf)
    assert np.array_equal(vobs, np.stack(sobs))
    rng = np.random.default_rng(0)
    ended = [False] * N
    n_resets = 0
    for _ in range(150):
        actions = np.array([random_masked(rng, m) for m in vinfo["action_mask"]])
        vobs, vrew, vterm, vtrunc, vinfo = v.step(actions)
        for i, e in enumerate(singles):
            if ended[i]:  # NEXT_STEP: this step resets, with the next derived seed
                episode[i] += 1
                o, inf = e.reset(seed=socsim_gym.episode_seed(100, i, episode[i]))
                r, term, trunc = 0.0, False, False
                n_resets += 1
            else:
                o, r, term, trunc, inf = e.step(int(actions[i]))
            assert np.array_equal(vobs[i], o)
            assert vrew[i] == r and vterm[i] == term and vtrunc[i] == trunc
            _compare_info(vinfo, i, inf)
            ended[i] = term or trunc
    assert n_resets >= N  # every sub-environment went through an auto-reset


def test_same_step_autoreset(venv_factory, singles):
    v = venv_factory(autoreset_mode=AutoresetMode.SAME_STEP)
    seeds = [7, 8, 9]
    episode = [0] * N
    _, vinfo = v.reset(seed=seeds)  # explicit seeds; later episodes are derived
    base = None
    for i, e in enumerate(singles):
        e.reset(seed=seeds[i])
    rng = np.random.default_rng(1)
    finals = 0
    for _ in range(120):
        actions = np.array([random_masked(rng, m) for m in vinfo["action_mask"]])
        vobs, vrew, vterm, vtrunc, vinfo = v.step(actions)
        for i, e in enumerate(singles):
            o, r, term, trunc, inf = e.step(int(actions[i]))
            assert vrew[i] == r and vterm[i] == term
            if term or trunc:
                finals += 1
                assert vinfo["_final_obs"][i]
                assert np.array_equal(vinfo["final_obs"][i], o)
                assert vinfo["final_info"]["completed_jobs"][i] == inf["completed_jobs"]
                episode[i] += 1
                if base is None:  # drawn from np_random at the first reset
                    base = int(vinfo["seed"][i]) ^ (socsim_gym.episode_seed(0, i, episode[i]))
                o, inf = e.reset(seed=socsim_gym.episode_seed(base, i, episode[i]))
            assert np.array_equal(vobs[i], o)
            _compare_info(vinfo, i, inf)
            assert vinfo["action_mask"][i].any()  # always a live episode
    assert finals >= N


def test_partial_reset_and_disabled_mode(venv_factory):
    v = venv_factory(autoreset_mode="Disabled")
    obs, info = v.reset(seed=[1, 2, 3])
    before = obs.copy()
    obs2, info2 = v.reset(seed=[None, 5, None], options={"reset_mask": np.array([False, True, False])})
    assert np.array_equal(obs2[0], before[0]) and np.array_equal(obs2[2], before[2])
    assert list(info2["_seed"]) == [False, True, False] and info2["seed"][1] == 5
    rng = np.random.default_rng(2)
    info = info2
    done = np.zeros(N, dtype=bool)
    masks = v.action_masks()
    while not done.any():
        _, _, term, trunc, info = v.step([random_masked(rng, m) for m in masks])
        masks = v.action_masks()
        done = term | trunc
    with pytest.raises(socsim_gym.SocSimError):
        v.step([0] * N)  # an ended sub-environment must be reset explicitly
    v.reset(options={"reset_mask": done})
    v.step([random_masked(rng, m) for m in v.action_masks()])


def test_make_vec_entry_point(socsim, small_config):
    v = gym.make_vec(socsim_gym.ENV_ID, num_envs=2, vectorization_mode="vector_entry_point",
                     config_path=small_config, options=OPTS)
    try:
        assert isinstance(v.unwrapped, SocSimVectorEnv) and v.num_envs == 2
        obs, info = v.reset(seed=0)
        obs, rew, term, trunc, info = v.step(v.action_space.sample())
        assert rew.dtype == np.float64 and term.dtype == bool
    finally:
        v.close()


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_gymnasium_vectorisation_of_single_envs(socsim, small_config, mode):
    """The single env also works under Gymnasium's own vector envs (async:
    each worker process starts its own server) and gives the same results."""
    v = gym.make_vec(socsim_gym.ENV_ID, num_envs=2, vectorization_mode=mode,
                     config_path=small_config, options=OPTS)
    mine = SocSimVectorEnv(2, config_path=small_config, options=OPTS)
    try:
        obs, info = v.reset(seed=0)          # Gymnasium: sub-env k gets seed k
        mobs, minfo = mine.reset(seed=[0, 1])
        assert info["action_mask"].shape == (2, v.single_action_space.n)
        assert np.array_equal(obs, mobs)
        for _ in range(30):
            acts = np.array([int(np.flatnonzero(m)[-1]) if m.any() else 0 for m in info["action_mask"]])
            obs, rew, term, trunc, info = v.step(acts)
            mobs, mrew, mterm, mtrunc, minfo = mine.step(acts)
            assert np.array_equal(obs, mobs) and np.array_equal(rew, mrew)
        masks = v.call("action_masks")
        assert np.array_equal(np.stack(masks), mine.action_masks())
    finally:
        v.close()
        mine.close()


@pytest.mark.parametrize("n_envs,episodes", [(4, 6), (8, 3)])
def test_autoreset_never_replays_a_stream(venv_factory, backend, n_envs, episodes, socsim, small_config):
    """Issue 17, defect 2: N envs over E episodes see N*E distinct streams."""
    v = SocSimVectorEnv(n_envs, config_path=small_config, options={"slots": 4, "jobs": 2},
                        backend=backend)
    try:
        obs, info = v.reset(seed=0)
        seen = {int(s) for s in info["seed"]}
        done_eps = np.zeros(n_envs, dtype=int)
        n_new = 0
        rng = np.random.default_rng(0)
        while done_eps.min() < episodes:
            obs, _, term, trunc, info = v.step([random_masked(rng, m) for m in v.action_masks()])
            for i in np.flatnonzero(~(term | trunc) & (info["step"] == 0)):
                # a new episode started in row i (NEXT_STEP reset)
                seen.add(int(info["seed"][i]))
                n_new += 1
            done_eps += term | trunc
        assert n_new >= n_envs * (episodes - 1)
        assert len(seen) == n_envs + n_new, "an episode seed repeated"
        assert all(int(socsim_gym.episode_seed(0, i, 0)) in seen for i in range(n_envs))
    finally:
        v.close()
