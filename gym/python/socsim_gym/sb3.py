"""Stable-Baselines3 ``VecEnv`` over the in-process batched environments.

SB3's own vector envs wrap one Python env per sub-environment
(``DummyVecEnv``) or one process each (``SubprocVecEnv``).  This adapter
steps all sub-environments in one C call instead (``socsim_gym._core``):

    from sb3_contrib import MaskablePPO
    from socsim_gym.sb3 import SocSimVecEnv

    venv = SocSimVecEnv(16, config_path="examples/policies/top_small.yaml",
                        options={"slots": 4}, seed=0)
    model = MaskablePPO("MlpPolicy", venv).learn(100_000)

MaskablePPO finds the masks through ``env_method("action_masks")`` (one
call returning every sub-environment's mask, no per-env round trip).
SB3 conventions: ``step_wait`` resets ended sub-environments at once and puts
the last observation in ``infos[i]["terminal_observation"]``;
``infos[i]["TimeLimit.truncated"]`` is true for episodes cut by the time
limit, so value bootstrapping works.  Episode ``e`` of sub-environment ``i``
runs with seed :func:`socsim_gym.episode_seed` ``(seed, i, e)``.

stable-baselines3 is imported here only: ``import socsim_gym`` does not need
it.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

import numpy as np
from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvIndices

from .env import DRAWN_SEED_LIMIT
from .inproc_env import spaces_from_describe
from .inproc_vector import F_COLS, I_COLS, make_core

_KEEP_F = ("t_us", "dt_us", "avg_latency_us", "episode_reward")
_KEEP_I = ("completed_jobs", "invalid_action", "expert")


class SocSimVecEnv(VecEnv):
    """``num_envs`` socsim environments as one SB3 ``VecEnv`` (in process).

    Args:
        num_envs: sub-environments.
        config, config_path, options: as for :class:`socsim_gym.SocSimEnv`.
        seed: base seed (None: drawn at random at the first reset; SB3's
            ``venv.seed(s)`` sets it for the next reset too).
        info_keys: which info entries each step's ``infos[i]`` carries
            (building dicts costs time; default: t_us, dt_us,
            avg_latency_us, episode_reward, completed_jobs, invalid_action,
            expert, plus ``episode`` = {"r", "l"} at an episode's end as SB3's
            ``Monitor`` writes it).  Pass ``"all"`` for every key.
    """

    def __init__(self, num_envs: int, config: Optional[str] = None,
                 config_path: Optional[str] = None, options: Optional[Dict[str, Any]] = None,
                 seed: Optional[int] = None, info_keys: Union[str, Iterable[str], None] = None):
        self._core, d, self._b = make_core(num_envs, config, config_path, options)
        self._describe = d
        obs_space, act_space = spaces_from_describe(d)
        self._base = seed
        self._acts = np.zeros(int(num_envs), dtype=np.int64)
        self._ep_len = np.zeros(int(num_envs), dtype=np.int64)
        if info_keys == "all":
            kf, ki = list(F_COLS), list(I_COLS)
        else:
            keys = set(info_keys) if info_keys is not None else set(_KEEP_F + _KEEP_I)
            kf = [k for k in F_COLS if k in keys]
            ki = [k for k in I_COLS if k in keys]
        self._kf = [(k, F_COLS.index(k)) for k in kf]
        self._ki = [(k, I_COLS.index(k)) for k in ki]
        self.render_mode = None
        super().__init__(int(num_envs), obs_space, act_space)

    # ---- the socsim side -------------------------------------------------
    @property
    def env_options(self) -> Dict[str, Any]:
        return dict(self._describe["options"])

    @property
    def pe_names(self) -> List[str]:
        return list(self._describe["pes"])

    @property
    def single_observation_space(self):
        return self.observation_space

    @property
    def single_action_space(self):
        return self.action_space

    def action_masks(self) -> np.ndarray:
        """(num_envs, n_actions) bool, True = valid."""
        return self._b.mask.astype(bool)

    # ---- VecEnv ----------------------------------------------------------
    def reset(self) -> np.ndarray:
        if self._seeds[0] is not None:
            self._base = int(self._seeds[0])
        if self._base is None:
            self._base = int(np.random.default_rng().integers(0, DRAWN_SEED_LIMIT))
        self._core.reset(self._base, None)
        self._reset_seeds()
        self._reset_options()
        self._ep_len[:] = 0
        self.reset_infos = [{"seed": int(s)} for s in self._b.seeds]
        return self._b.obs.copy()

    def step_async(self, actions: np.ndarray) -> None:
        np.copyto(self._acts, np.asarray(actions).reshape(self.num_envs), casting="unsafe")

    def step_wait(self):
        self._core.step(self._acts, None, True)
        b = self._b
        term, trunc = b.terminated, b.truncated
        dones = term | trunc
        self._ep_len += 1
        infos: List[Dict[str, Any]] = []
        f, i = b.info_f, b.info_i
        for k in range(self.num_envs):
            info = {name: float(f[k, c]) for name, c in self._kf}
            for name, c in self._ki:
                info[name] = int(i[k, c])
            if dones[k]:
                info["terminal_observation"] = b.final_obs[k].copy()
                info["TimeLimit.truncated"] = bool(trunc[k] and not term[k])
                info["episode"] = {"r": float(f[k, F_COLS.index("episode_reward")]),
                                   "l": int(self._ep_len[k]),
                                   "avg_latency_us": float(f[k, F_COLS.index("avg_latency_us")])}
                self._ep_len[k] = 0
            infos.append(info)
        return b.obs.copy(), b.rewards.astype(np.float32), dones.copy(), infos

    def close(self) -> None:
        self._core = None

    def _indices(self, indices: VecEnvIndices) -> List[int]:
        return list(self._get_indices(indices))

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> List[Any]:
        idx = self._indices(indices)
        if attr_name == "action_masks":
            masks = self.action_masks()
            return [(lambda m=masks[k]: m) for k in idx]
        if attr_name in ("render_mode",):
            return [None for _ in idx]
        if hasattr(self, attr_name):
            v = getattr(self, attr_name)
            return [v for _ in idx]
        raise AttributeError(attr_name)

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        raise AttributeError(f"SocSimVecEnv sub-environments have no settable attribute {attr_name!r}")

    def env_method(self, method_name: str, *method_args: Any, indices: VecEnvIndices = None,
                   **method_kwargs: Any) -> List[Any]:
        idx = self._indices(indices)
        if method_name == "action_masks":
            masks = self.action_masks()
            return [masks[k] for k in idx]
        raise AttributeError(f"SocSimVecEnv sub-environments have no method {method_name!r}")

    def env_is_wrapped(self, wrapper_class: type, indices: VecEnvIndices = None) -> List[bool]:
        return [False for _ in self._indices(indices)]

    def has_attr(self, attr_name: str) -> bool:
        return attr_name in ("action_masks", "render_mode") or hasattr(self, attr_name)

    def get_images(self) -> Sequence[Optional[np.ndarray]]:
        return [None] * self.num_envs


__all__ = ["SocSimVecEnv"]
