"""The vector environment on the in-process backend (``socsim_gym._core.VecEnv``)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
from gymnasium.vector import AutoresetMode
from gymnasium.vector.utils import batch_space

from . import inproc
from .env import DRAWN_SEED_LIMIT, _action_to_int, seed_to_sim
from .inproc_env import spaces_from_describe
from .protocol import SocSimError
from .vector import SocSimVectorEnv

F_COLS, I_COLS = inproc._core.info_columns() if inproc.AVAILABLE else ((), ())
_BOOL_COLS = ("invalid_action", "done")


class Batch:
    """The arrays one ``_core.VecEnv`` writes into (bound once)."""

    def __init__(self, n: int, dim: int, na: int):
        self.obs = np.zeros((n, dim), dtype=np.float32)
        self.mask = np.zeros((n, na), dtype=np.int8)
        self.rewards = np.zeros(n, dtype=np.float64)
        self.terminated = np.zeros(n, dtype=np.bool_)
        self.truncated = np.zeros(n, dtype=np.bool_)
        self.info_f = np.zeros((n, len(F_COLS)), dtype=np.float64)
        self.info_i = np.zeros((n, len(I_COLS)), dtype=np.int64)
        self.seeds = np.zeros(n, dtype=np.uint64)
        self.final_obs = np.zeros((n, dim), dtype=np.float32)

    def bind(self, core: Any) -> None:
        core.bind(self.obs, self.mask, self.rewards, self.terminated, self.truncated,
                  self.info_f, self.info_i, self.seeds, self.final_obs)

    def info_columns(self, rows: Optional[np.ndarray] = None) -> Dict[str, np.ndarray]:
        """{name: column copy} of the info arrays (rows: a subset)."""
        f = self.info_f if rows is None else self.info_f[rows]
        i = self.info_i if rows is None else self.info_i[rows]
        out: Dict[str, np.ndarray] = {}
        for k, name in enumerate(F_COLS):
            out[name] = f[:, k].copy()
        for k, name in enumerate(I_COLS):
            col = i[:, k]
            out[name] = col.astype(np.bool_) if name in _BOOL_COLS else col.copy()
        out["seed"] = (self.seeds if rows is None else self.seeds[rows]).copy()
        out["action_mask"] = (self.mask if rows is None else self.mask[rows]).copy()
        return out


def make_core(num_envs: int, config: Optional[str], config_path: Optional[str],
              options: Optional[Dict[str, Any]]) -> Tuple[Any, Dict[str, Any], Batch]:
    inproc.require()
    text, path = inproc.config_args(config, config_path)
    core = inproc.create(inproc._core.VecEnv, int(num_envs), config=text, config_path=path,
                         options=inproc.normalise_options(options))
    d = core.describe()
    if int(d["options"].get("graph", 0)):
        raise ValueError("graph observations are per environment: use SocSimEnv (or "
                         "gymnasium's SyncVectorEnv of them), not the batched vector env")
    batch = Batch(int(num_envs), int(d["obs_dim"]), int(d["n_actions"]))
    batch.bind(core)
    return core, d, batch


class InProcessVectorEnv(SocSimVectorEnv):
    """:class:`SocSimVectorEnv` with the simulators in this process: one C call per step.

    Episode seeds: ``reset(seed=s)`` starts episode ``e`` of sub-environment
    ``i`` with :func:`socsim_gym.episode_seed` ``(s, i, e)`` (so sub-env 0's
    first episode has seed ``s``, and no two episodes of the vector env share
    a seed); ``reset()`` without a seed draws ``s`` from ``np_random`` the
    first time and continues the episode counts afterwards.  A list gives
    explicit seeds for this reset; later episodes continue with derived seeds.
    """

    def __init__(self, num_envs: int = 1, config: Optional[str] = None,
                 config_path: Optional[str] = None, options: Optional[Dict[str, Any]] = None,
                 address: Any = None, socsim: Optional[str] = None,
                 timeout: Optional[float] = 30.0,
                 autoreset_mode: Any = AutoresetMode.NEXT_STEP,
                 render_mode: Optional[str] = None, backend: Optional[str] = None):
        if int(num_envs) < 1:
            raise ValueError(f"num_envs must be at least 1, got {num_envs}")
        if render_mode is not None:
            raise ValueError("SocSimVectorEnv has no render modes")
        if address is not None:
            raise ValueError("the in-process backend runs no server: do not give address=")
        self.backend = "inproc"
        self.num_envs = int(num_envs)
        self.autoreset_mode = (autoreset_mode if isinstance(autoreset_mode, AutoresetMode)
                               else AutoresetMode(autoreset_mode))
        self.metadata = dict(self.metadata, autoreset_mode=self.autoreset_mode)
        self._session = None
        self._core, d, self._b = make_core(self.num_envs, config, config_path, options)
        self._make_reply = {"obs_dim": d["obs_dim"], "n_actions": d["n_actions"],
                            "options": d["options"], "pes": d["pes"], "features": d["features"]}
        self.single_observation_space, self.single_action_space = spaces_from_describe(d)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self._ended = np.zeros(self.num_envs, dtype=bool)
        self._started = False
        self._base: Optional[int] = None
        self._acts = np.zeros(self.num_envs, dtype=np.int64)

    def reset(self, *, seed: Any = None, options: Optional[Dict[str, Any]] = None
              ) -> Tuple[np.ndarray, Dict[str, Any]]:
        if isinstance(seed, (int, np.integer)):
            super(SocSimVectorEnv, self).reset(seed=int(seed))
        else:
            super(SocSimVectorEnv, self).reset(seed=None)
        options = dict(options or {})
        reset_mask = options.pop("reset_mask", None)
        if options:
            raise ValueError("socsim environments take their options at creation, not at reset")
        if reset_mask is None:
            which = np.ones(self.num_envs, dtype=bool)
        else:
            which = np.asarray(reset_mask, dtype=bool)
            if which.shape != (self.num_envs,) or not which.any():
                raise ValueError("options['reset_mask'] must be a bool array of shape "
                                 f"({self.num_envs},) with at least one True")
            if not self._started and not which.all():
                raise ValueError("the first reset must reset every sub-environment")
        w8 = which.astype(np.uint8)
        if isinstance(seed, (int, np.integer)):
            self._base = seed_to_sim(seed)
            self._core.reset(self._base, w8)
        else:
            if self._base is None:
                self._base = int(self.np_random.integers(0, DRAWN_SEED_LIMIT))
                self._core.reset(self._base, np.zeros(self.num_envs, np.uint8) if seed is not None
                                 else w8)
            elif seed is None:
                self._core.reset(None, w8)
            if seed is not None:
                seeds = list(seed)
                if len(seeds) != self.num_envs:
                    raise ValueError(f"{len(seeds)} seeds for {self.num_envs} environments")
                derived = ~np.array([s is not None for s in seeds]) & which
                if derived.any():
                    self._core.reset(None, derived.astype(np.uint8))
                explicit = np.array([s is not None for s in seeds]) & which
                if explicit.any():
                    arr = np.array([seed_to_sim(s) if s is not None else 0 for s in seeds],
                                   dtype=np.uint64)
                    self._core.reset_seeds(arr, explicit.astype(np.uint8))
        self._ended[which] = self._b.info_i[which, I_COLS.index("done")].astype(bool)
        self._started = True
        infos = self._batch(which)
        return self._b.obs.copy(), infos

    def _batch(self, present: np.ndarray) -> Dict[str, Any]:
        cols = self._b.info_columns()
        infos: Dict[str, Any] = {}
        for k, v in cols.items():
            infos[k] = v
            infos["_" + k] = present.copy()
        return infos

    def step(self, actions: Any) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Dict[str, Any]]:
        if not self._started:
            raise SocSimError("call reset() before step()")
        acts = np.asarray(actions)
        if acts.dtype.kind in "iu" and acts.size == self.num_envs:
            np.copyto(self._acts, acts.reshape(self.num_envs), casting="unsafe")
        else:
            self._acts[:] = [_action_to_int(a) for a in acts.reshape(self.num_envs)]
        mode = self.autoreset_mode
        if mode == AutoresetMode.DISABLED and self._ended.any():
            raise SocSimError("autoreset is disabled: reset the ended sub-environments "
                              f"{np.flatnonzero(self._ended).tolist()} (options reset_mask)")
        skip = self._ended.astype(np.uint8) if (mode == AutoresetMode.NEXT_STEP and
                                                self._ended.any()) else None
        self._core.step(self._acts, skip, False)
        term = self._b.terminated.copy()
        trunc = self._b.truncated.copy()
        ended_now = term | trunc
        infos = self._batch(np.ones(self.num_envs, dtype=bool))
        if skip is not None:
            self._ended[skip.astype(bool)] = False
        if mode == AutoresetMode.SAME_STEP and ended_now.any():
            # the step's last observation and info go to final_*, the rows
            # then show the new episodes (as Gymnasium's SAME_STEP)
            final_obs = np.full(self.num_envs, None, dtype=object)
            for i in np.flatnonzero(ended_now):
                final_obs[i] = self._b.obs[i].copy()
            final_info = infos
            self._core.reset(None, ended_now.astype(np.uint8))
            infos = self._batch(np.ones(self.num_envs, dtype=bool))
            infos["final_obs"] = final_obs
            infos["_final_obs"] = ended_now.copy()
            infos["final_info"] = final_info
            infos["_final_info"] = ended_now.copy()
        else:
            self._ended |= ended_now
        return self._b.obs.copy(), self._b.rewards.copy(), term, trunc, infos

    def completions(self, i: int) -> List[Tuple[Any, ...]]:
        """Jobs sub-environment ``i`` completed in the last step (see SocSimEnv info)."""
        return self._core.completions(int(i))

    def action_masks(self) -> np.ndarray:
        return self._b.mask.astype(bool)

    def close_extras(self, **kwargs: Any) -> None:
        self._core = None


__all__ = ["InProcessVectorEnv", "Batch", "make_core"]
