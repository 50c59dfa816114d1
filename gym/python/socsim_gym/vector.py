"""Vector environment: N simulator instances stepped in one round trip."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from .env import (DRAWN_SEED_LIMIT, _action_to_int, convert_info, make_request, resolve_backend,
                  seed_to_sim, spaces_from_make)
from .inproc import episode_seed
from .protocol import ConnectionLost, Session, SocSimError


class SocSimVectorEnv(VectorEnv):
    """``num_envs`` socsim environments on one server connection.

    ``step`` sends one ``step_many`` request for all environments (plus one
    pipelined ``reset_many`` for those being auto-reset), so a vector step
    costs one round trip instead of N.  Each sub-environment behaves exactly
    like a :class:`~socsim_gym.env.SocSimEnv` with the same options.

    Args:
        num_envs: number of sub-environments.
        config, config_path, options, address, socsim, timeout: as for
            :class:`~socsim_gym.env.SocSimEnv`.
        autoreset_mode: Gymnasium's ``NEXT_STEP`` (default), ``SAME_STEP``
            (``info["final_obs"]``/``info["final_info"]`` hold the last
            observation and info) or ``DISABLED``.
        backend: ``"inproc"`` (default when the extension is built and no
            ``address``/``socsim`` is given: :class:`InProcessVectorEnv`) or
            ``"socket"``.

    Seeds: episode ``e`` of sub-environment ``i`` after ``reset(seed=s)`` has
    seed :func:`socsim_gym.episode_seed` ``(s, i, e)``, a hash that never
    repeats within one vector env (sub-env 0's first episode: ``s``);
    ``reset()`` draws ``s`` from ``np_random`` the first time; a list gives
    explicit seeds for that reset, later episodes continue with derived ones.

    Losing the server: the step raises
    :class:`~socsim_gym.protocol.ConnectionLost`; the next full ``reset``
    reconnects (restarting a private server) and creates the environments
    again.

    Masks: ``info["action_mask"]`` is ``(num_envs, n)`` int8 and
    :meth:`action_masks` returns the same as bool.  In ``NEXT_STEP`` mode a
    sub-environment that has just ended shows an all-zero mask and its next
    action is ignored (it is reset instead).
    """

    metadata = {"render_modes": [], "autoreset_mode": AutoresetMode.NEXT_STEP}

    def __new__(cls, *args: Any, **kw: Any):
        # positional: num_envs, config, config_path, options, address, socsim,
        # timeout, autoreset_mode, render_mode, backend
        pos = dict(zip(("address", "socsim", "backend"),
                       (args[4] if len(args) > 4 else None, args[5] if len(args) > 5 else None,
                        args[9] if len(args) > 9 else None)))
        pos.update({k: kw[k] for k in ("address", "socsim", "backend") if k in kw})
        if cls is SocSimVectorEnv and resolve_backend(pos["backend"], pos["address"],
                                                      pos["socsim"]) == "inproc":
            from .inproc_vector import InProcessVectorEnv
            return super().__new__(InProcessVectorEnv)
        return super().__new__(cls)

    def __init__(self, num_envs: int = 1, config: Optional[str] = None,
                 config_path: Optional[str] = None, options: Optional[Dict[str, Any]] = None,
                 address: Any = None, socsim: Optional[str] = None,
                 timeout: Optional[float] = 30.0,
                 autoreset_mode: Any = AutoresetMode.NEXT_STEP,
                 render_mode: Optional[str] = None, backend: Optional[str] = None):
        self.backend = "socket"
        if int(num_envs) < 1:
            raise ValueError(f"num_envs must be at least 1, got {num_envs}")
        if render_mode is not None:
            raise ValueError("SocSimVectorEnv has no render modes")
        self.num_envs = int(num_envs)
        self.autoreset_mode = (autoreset_mode if isinstance(autoreset_mode, AutoresetMode)
                               else AutoresetMode(autoreset_mode))
        self.metadata = dict(self.metadata, autoreset_mode=self.autoreset_mode)
        self._session: Optional[Session] = Session(address, socsim=socsim, timeout=timeout)
        self._make_reply: Optional[Dict[str, Any]] = None
        self._make_req = make_request(config, config_path, options, address is None)
        try:
            replies = self._make_all()
        except BaseException:
            self._session.close()
            raise
        self.single_observation_space, self.single_action_space = spaces_from_make(*replies[0])
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        n = int(self.single_action_space.n)
        self._masks = np.zeros((self.num_envs, n), dtype=bool)
        self._obs = np.zeros((self.num_envs,) + self.single_observation_space.shape, dtype=np.float32)
        self._ended = np.zeros(self.num_envs, dtype=bool)  # awaiting (auto)reset
        self._started = False
        self._base: Optional[int] = None
        self._episode = np.zeros(self.num_envs, dtype=np.int64)  # episodes started per sub-env

    def _live(self) -> Session:
        if self._session is None:
            raise SocSimError("the vector environment is closed")
        return self._session

    def _make_all(self) -> List[Tuple[Dict[str, Any], Dict[str, np.ndarray]]]:
        replies = self._live().call_many([self._make_req] * self.num_envs)
        shapes = {(h["obs_dim"], h["n_actions"]) for h, _ in replies}
        if getattr(self, "_make_reply", None) is not None:  # a reconnection
            shapes.add((self._make_reply["obs_dim"], self._make_reply["n_actions"]))
        if len(shapes) != 1:
            raise SocSimError(f"the server offers different spaces: {sorted(shapes)}")
        self._ids = [int(h["env_id"]) for h, _ in replies]
        self._make_reply = replies[0][0]
        return replies

    @property
    def env_options(self) -> Dict[str, Any]:
        return dict(self._make_reply.get("options") or {})

    @property
    def pe_names(self) -> List[str]:
        return list(self._make_reply.get("pes") or [])

    def _derived(self, i: int) -> int:
        """Seed of the next episode of sub-env i (and count it)."""
        s = episode_seed(self._base, i, int(self._episode[i]))
        self._episode[i] += 1
        return s

    def _seeds(self, seed: Any, which: np.ndarray) -> List[Optional[int]]:
        if isinstance(seed, (int, np.integer)):
            self._base = seed_to_sim(seed)
            self._episode[:] = 0
            seeds: Sequence[Any] = [None] * self.num_envs
        else:
            if self._base is None:
                self._base = int(self.np_random.integers(0, DRAWN_SEED_LIMIT))
            if seed is None:
                seeds = [None] * self.num_envs
            else:
                seeds = list(seed)
                if len(seeds) != self.num_envs:
                    raise ValueError(f"{len(seeds)} seeds for {self.num_envs} environments")
        out: List[Optional[int]] = [None] * self.num_envs
        for i in which:
            if seeds[i] is None:
                out[i] = self._derived(int(i))
            else:
                out[i] = seed_to_sim(seeds[i])
                self._episode[i] += 1
        return out

    def reset(self, *, seed: Any = None, options: Optional[Dict[str, Any]] = None
              ) -> Tuple[np.ndarray, Dict[str, Any]]:
        """Reset all sub-environments, or those of ``options["reset_mask"]``.

        ``seed``: None (seeds drawn from ``np_random``), an int s (seeds s,
        s+1, ...), or a list with one seed or None per sub-environment.
        """
        if isinstance(seed, (int, np.integer)):
            super().reset(seed=int(seed))
        else:
            super().reset(seed=None)
        options = dict(options or {})
        reset_mask = options.pop("reset_mask", None)
        if options:
            raise ValueError("socsim environments take their options at creation, not at reset")
        if reset_mask is None:
            which = np.arange(self.num_envs)
        else:
            reset_mask = np.asarray(reset_mask, dtype=bool)
            if reset_mask.shape != (self.num_envs,) or not reset_mask.any():
                raise ValueError("options['reset_mask'] must be a bool array of shape "
                                 f"({self.num_envs},) with at least one True")
            if not self._started and not reset_mask.all():
                raise ValueError("the first reset must reset every sub-environment")
            which = np.flatnonzero(reset_mask)
        seeds = self._seeds(seed, which)
        session = self._live()
        if session.conn is None or session.conn.closed:
            if reset_mask is not None and not reset_mask.all():
                raise ConnectionLost("the connection to the socsim server was lost: "
                                     "reset every sub-environment to reconnect")
            # A full reset needs no history: reconnect (restarting a private
            # server) and create the environments again.
            session.connect()
            self._make_all()
        hdr, arrays = session.call({"cmd": "reset_many", "env_ids": [self._ids[i] for i in which],
                                    "seeds": [seeds[i] for i in which]})
        infos = self._batch_infos({int(i): self._take(int(i), hdr["infos"][row], arrays, row)
                                   for row, i in enumerate(which)})
        self._started = True
        return self._obs.copy(), infos

    def step(self, actions: Any) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Dict[str, Any]]:
        if not self._started:
            raise SocSimError("call reset() before step()")
        acts = np.asarray(actions)
        if acts.shape != (self.num_envs,):
            acts = acts.reshape(self.num_envs)
        acts_int = [_action_to_int(a) for a in acts]
        rewards = np.zeros(self.num_envs, dtype=np.float64)
        terminated = np.zeros(self.num_envs, dtype=bool)
        truncated = np.zeros(self.num_envs, dtype=bool)
        if self.autoreset_mode == AutoresetMode.NEXT_STEP:
            to_reset = np.flatnonzero(self._ended)
        else:
            if self.autoreset_mode == AutoresetMode.DISABLED and self._ended.any():
                raise SocSimError("autoreset is disabled: reset the ended sub-environments "
                                  f"{np.flatnonzero(self._ended).tolist()} (options reset_mask)")
            to_reset = np.zeros(0, dtype=np.int64)
        to_step = np.flatnonzero(~np.isin(np.arange(self.num_envs), to_reset))

        requests = []
        if len(to_step):
            requests.append({"cmd": "step_many", "env_ids": [self._ids[i] for i in to_step],
                             "actions": [acts_int[i] for i in to_step], "autoreset": False})
        if len(to_reset):
            requests.append(self._reset_many_req(to_reset))
        replies = self._live().call_many(requests)

        per_env: Dict[int, Dict[str, Any]] = {}
        final: Dict[int, Dict[str, Any]] = {}
        if len(to_step):
            hdr, arrays = replies[0]
            for row, i in enumerate(to_step):
                rewards[i] = float(hdr["rewards"][row])
                terminated[i] = bool(hdr["terminated"][row])
                truncated[i] = bool(hdr["truncated"][row])
                per_env[int(i)] = self._take(int(i), hdr["infos"][row], arrays, row)
                self._ended[i] |= terminated[i] or truncated[i]
        if len(to_reset):
            self._take_all(replies[-1], to_reset, per_env)
        if self.autoreset_mode == AutoresetMode.SAME_STEP and self._ended.any():
            ended = np.flatnonzero(self._ended)
            for i in ended:
                final[int(i)] = {"final_obs": self._obs[i].copy(), "final_info": per_env[int(i)]}
            self._take_all(self._live().call(self._reset_many_req(ended)), ended, per_env)

        infos = self._batch_infos(per_env)
        if final:
            present = np.zeros(self.num_envs, dtype=bool)
            present[list(final)] = True
            final_obs = np.full(self.num_envs, None, dtype=object)
            for i, f in final.items():
                final_obs[i] = f["final_obs"]
            infos.update({"final_obs": final_obs, "_final_obs": present,
                          "final_info": self._batch_infos({i: f["final_info"] for i, f in final.items()}),
                          "_final_info": present.copy()})
        return self._obs.copy(), rewards, terminated, truncated, infos

    def _batch_infos(self, per_env: Dict[int, Dict[str, Any]]) -> Dict[str, Any]:
        """Gymnasium's batched info layout (``key`` array + ``_key`` presence
        mask, as ``VectorEnv._add_info`` builds it), one array per key at once."""
        infos: Dict[str, Any] = {}
        if not per_env:
            return infos
        rows = sorted(per_env)
        present = np.zeros(self.num_envs, dtype=bool)
        present[rows] = True
        for key, v0 in per_env[rows[0]].items():
            if isinstance(v0, np.ndarray):
                arr = np.zeros((self.num_envs,) + v0.shape, dtype=v0.dtype)
            else:
                arr = np.zeros(self.num_envs, dtype=type(v0))
            for i in rows:
                arr[i] = per_env[i][key]
            infos[key] = arr
            infos["_" + key] = present.copy()
        return infos

    def _take(self, i: int, raw_info: Dict[str, Any], arrays: Dict[str, np.ndarray],
              row: int) -> Dict[str, Any]:
        """Store row `row` of a batched reply as sub-environment i's state."""
        self._obs[i] = arrays["obs"][row]
        self._masks[i] = arrays["mask"][row].astype(bool)
        info = convert_info(raw_info, arrays["mask"][row])
        # batched into one array per key: a u64 seed needs an unsigned dtype
        info["seed"] = np.uint64(info["seed"])
        self._ended[i] = bool(info.get("done", False))
        return info

    def _take_all(self, reply: Tuple[Dict[str, Any], Dict[str, np.ndarray]],
                  which: np.ndarray, per_env: Dict[int, Dict[str, Any]]) -> None:
        hdr, arrays = reply
        for row, i in enumerate(which):
            per_env[int(i)] = self._take(int(i), hdr["infos"][row], arrays, row)

    def _reset_many_req(self, which: np.ndarray) -> Dict[str, Any]:
        # explicit derived seeds (the server's null seed would be previous + 1,
        # which replays another sub-environment's episode)
        return {"cmd": "reset_many", "env_ids": [self._ids[i] for i in which],
                "seeds": [self._derived(int(i)) for i in which]}

    def action_masks(self) -> np.ndarray:
        """Valid actions per sub-environment, shape (num_envs, n), True = valid."""
        return self._masks.copy()

    def close_extras(self, **kwargs: Any) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.close()


__all__ = ["SocSimVectorEnv"]
