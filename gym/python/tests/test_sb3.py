"""The SB3 adapter (socsim_gym.sb3.SocSimVecEnv) with the real packages.

tests/python/run_pytests.sh installs torch (CPU use), stable-baselines3 and
sb3-contrib into the normal build's venv; without them (sanitizer build,
SOC_PY_SB3=0, no network) these tests are skipped.
"""

from __future__ import annotations

import numpy as np
import pytest

import socsim_gym

from conftest import random_masked

pytest.importorskip("torch")
pytest.importorskip("stable_baselines3")
pytest.importorskip("sb3_contrib")
if not socsim_gym.HAVE_INPROC:
    pytest.skip("the in-process extension is not built", allow_module_level=True)

import torch  # noqa: E402
from sb3_contrib import MaskablePPO  # noqa: E402
from sb3_contrib.common.maskable.utils import get_action_masks, is_masking_supported  # noqa: E402
from stable_baselines3 import PPO  # noqa: E402

from socsim_gym.sb3 import SocSimVecEnv  # noqa: E402

OPTS = {"slots": 4, "jobs": 3}
torch.set_num_threads(1)


def test_vecenv_contract_and_masks(small_config):
    v = SocSimVecEnv(4, config_path=small_config, options=OPTS, seed=10)
    obs = v.reset()
    assert obs.shape == (4,) + v.observation_space.shape and obs.dtype == np.float32
    assert is_masking_supported(v)
    masks = get_action_masks(v)
    assert masks.shape == (4, v.action_space.n) and masks.dtype == bool and masks.any(axis=1).all()
    assert [r["seed"] for r in v.reset_infos] == [socsim_gym.episode_seed(10, i, 0) for i in range(4)]
    rng = np.random.default_rng(0)
    ends = 0
    for _ in range(200):
        v.step_async(np.array([random_masked(rng, m) for m in get_action_masks(v)]))
        obs, rew, dones, infos = v.step_wait()
        assert rew.dtype == np.float32 and dones.dtype == bool and len(infos) == 4
        for i in np.flatnonzero(dones):
            ends += 1
            assert infos[i]["terminal_observation"].shape == obs.shape[1:]
            assert infos[i]["TimeLimit.truncated"] is False  # jobs=N: terminated
            assert infos[i]["episode"]["l"] > 0
        assert get_action_masks(v).any(axis=1).all()  # always a live episode
    assert ends >= 4
    v.close()


def test_truncation_is_flagged_for_bootstrapping(small_config):
    v = SocSimVecEnv(2, config_path=small_config, options={"slots": 4, "time_us": 300}, seed=0)
    v.reset()
    seen = 0
    for _ in range(300):
        v.step_async(np.array([int(np.flatnonzero(m)[0]) for m in get_action_masks(v)]))
        _, _, dones, infos = v.step_wait()
        for i in np.flatnonzero(dones):
            assert infos[i]["TimeLimit.truncated"] is True
            seen += 1
    assert seen > 0
    v.close()


def test_same_stream_as_the_gymnasium_vector_env(small_config):
    """The adapter and InProcessVectorEnv (SAME_STEP) see the same episodes."""
    from gymnasium.vector import AutoresetMode

    a = SocSimVecEnv(3, config_path=small_config, options=OPTS, seed=4)
    b = socsim_gym.SocSimVectorEnv(3, config_path=small_config, options=OPTS,
                                   autoreset_mode=AutoresetMode.SAME_STEP, backend="inproc")
    oa = a.reset()
    ob, _ = b.reset(seed=4)
    rng = np.random.default_rng(3)
    for _ in range(150):
        assert np.array_equal(oa, ob)
        acts = np.array([random_masked(rng, m) for m in get_action_masks(a)])
        a.step_async(acts)
        oa, ra, da, ia = a.step_wait()
        ob, rb, tb, trb, ib = b.step(acts)
        assert np.array_equal(ra, rb.astype(np.float32)) and np.array_equal(da, tb | trb)
    a.close()
    b.close()


@pytest.mark.parametrize("algo", [MaskablePPO, PPO])
def test_learning_runs_through_the_fast_path(small_config, algo):
    v = SocSimVecEnv(8, config_path=small_config, options=OPTS, seed=1)
    model = algo("MlpPolicy", v, n_steps=32, batch_size=64, n_epochs=1, seed=0, verbose=0,
                 policy_kwargs={"net_arch": [16]})
    model.learn(512)
    if algo is MaskablePPO:
        obs = v.reset()
        masks = get_action_masks(v)
        acts, _ = model.predict(obs, action_masks=masks, deterministic=True)
        assert all(masks[i, a] for i, a in enumerate(acts))
        # the exported actor decides like the torch policy
        pol = socsim_gym.from_sb3(model, v)
        ours = pol.act(obs, masks)
        assert np.array_equal(ours, acts)
    v.close()
