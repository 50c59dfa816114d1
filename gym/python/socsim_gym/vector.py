"""Vector environment: N simulator instances stepped in one round trip."""

from __future__ import annotations

import json
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
        config, config_path, options, socsim, timeout: as for
            :class:`~socsim_gym.env.SocSimEnv`.
        address: a running ``socsim serve`` (``unix:PATH``,
            ``tcp:HOST:PORT``), a list of them (the sub-environments are
            spread over the servers, below), or None for a private server.
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

    Several servers: ``address`` may be a list of addresses (``socsim serve
    --tcp`` on several hosts, or several local servers); sub-environment
    ``i`` then lives on server ``i % len(address)``.  A step sends every
    server its share before reading any reply, so the servers simulate at
    the same time; seeds are derived from the sub-environment's index in the
    whole vector env, so the trajectories do not depend on how many servers
    there are (nor on the backend).  Each connection holds about
    ``num_envs / len(address)`` environments: the servers'
    ``--max-envs-per-conn`` (default 64) must allow it.

    Losing a server: the step raises
    :class:`~socsim_gym.protocol.ConnectionLost`; the next full ``reset``
    reconnects (restarting a private server) and creates that server's
    environments again.

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
        addresses = address_list(address)
        self._sessions: List[Session] = []
        try:
            for a in addresses:
                self._sessions.append(Session(a, socsim=socsim, timeout=timeout))
        except BaseException:
            for sess in self._sessions:
                sess.close()
            raise
        self._session: Optional[Session] = self._sessions[0]  # the first (compatibility)
        # sub-env i lives on server i % k, as env id self._ids[i]
        self._home = [i % len(self._sessions) for i in range(self.num_envs)]
        self._ids: List[int] = [0] * self.num_envs
        self._make_reply: Optional[Dict[str, Any]] = None
        self._make_req = make_request(config, config_path, options, address is None)
        try:
            replies = self._make_all()
        except BaseException:
            for sess in self._sessions:
                sess.close()
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

    def _live(self) -> List[Session]:
        if not self._sessions:
            raise SocSimError("the vector environment is closed")
        return self._sessions

    def _call(self, per_env: Dict[int, List[Tuple[Dict[str, Any], np.ndarray]]]
              ) -> Dict[int, List[Tuple[Dict[str, Any], Dict[str, np.ndarray]]]]:
        """Send each server (index -> [(request, its sub-envs)]) its requests
        first, then read the replies: the servers work at the same time.
        Every reply that was asked for is read, even after a failure, so
        the other connections stay in step; then the first error is raised."""
        sessions = self._live()
        sent: Dict[int, Any] = {}
        failure: Optional[BaseException] = None
        for k, reqs in per_env.items():
            try:
                sent[k] = sessions[k].send_many([r for r, _ in reqs])
            except SocSimError as e:
                failure = e
                break
        out: Dict[int, List[Tuple[Dict[str, Any], Dict[str, np.ndarray]]]] = {}
        for k, pending in sent.items():
            try:
                out[k] = sessions[k].recv_many(pending)
            except SocSimError as e:
                failure = failure or e
        if failure is not None:
            raise failure
        return out

    def _by_server(self, which: Any) -> Dict[int, np.ndarray]:
        """The sub-envs of `which` grouped by server (each group in order)."""
        which = np.asarray(which, dtype=np.int64)
        home = np.asarray(self._home)[which] if len(which) else np.zeros(0, dtype=np.int64)
        return {k: which[home == k] for k in range(len(self._sessions)) if (home == k).any()}

    def _make_all(self, servers: Optional[Sequence[int]] = None
                  ) -> List[Tuple[Dict[str, Any], Dict[str, np.ndarray]]]:
        """Create the sub-envs of `servers` (default: all); the make replies."""
        servers = range(len(self._sessions)) if servers is None else servers
        groups = {k: g for k, g in self._by_server(np.arange(self.num_envs)).items()
                  if k in servers}
        replies = self._call({k: [(self._make_req, g)] * len(g) for k, g in groups.items()})
        flat = []
        for k, g in groups.items():
            for i, (h, arrays) in zip(g, replies[k]):
                self._ids[int(i)] = int(h["env_id"])
                flat.append((h, arrays))
        # every server must offer the same environment (config, version)
        seen = {_signature(h) for h, _ in flat}
        if getattr(self, "_make_reply", None) is not None:  # a reconnection
            seen.add(_signature(self._make_reply))
        if len(seen) != 1:
            shapes = sorted({(h["obs_dim"], h["n_actions"]) for h, _ in flat})
            raise SocSimError(f"the servers offer different environments (spaces {shapes}; "
                              "different configs or socsim versions?)")
        if getattr(self, "_make_reply", None) is None:
            self._make_reply = flat[0][0]
        return flat

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
        lost = [k for k, sess in enumerate(self._live()) if sess.conn is None or sess.conn.closed]
        if lost:
            if reset_mask is not None and not reset_mask.all():
                raise ConnectionLost("the connection to the socsim server was lost: "
                                     "reset every sub-environment to reconnect")
            # A full reset needs no history: reconnect (restarting a private
            # server) and create that server's environments again.
            for k in lost:
                self._sessions[k].connect()
            self._make_all(lost)
        per_env: Dict[int, Dict[str, Any]] = {}
        groups = self._by_server(which)
        replies = self._call({k: [({"cmd": "reset_many", "env_ids": [self._ids[i] for i in g],
                                    "seeds": [seeds[i] for i in g]}, g)]
                              for k, g in groups.items()})
        for k, g in groups.items():
            self._take_all(replies[k][0], g, per_env)
        infos = self._batch_infos(per_env)
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

        requests: Dict[int, List[Tuple[Dict[str, Any], np.ndarray]]] = {}
        for k, g in self._by_server(to_step).items():
            requests.setdefault(k, []).append(
                ({"cmd": "step_many", "env_ids": [self._ids[i] for i in g],
                  "actions": [acts_int[i] for i in g], "autoreset": False}, g))
        for k, g in self._by_server(to_reset).items():
            requests.setdefault(k, []).append((self._reset_many_req(g), g))
        replies = self._call(requests)

        per_env: Dict[int, Dict[str, Any]] = {}
        final: Dict[int, Dict[str, Any]] = {}
        for k, reqs in requests.items():
            for (req, g), (hdr, arrays) in zip(reqs, replies[k]):
                if req["cmd"] == "reset_many":
                    self._take_all((hdr, arrays), g, per_env)
                    continue
                for row, i in enumerate(g):
                    rewards[i] = float(hdr["rewards"][row])
                    terminated[i] = bool(hdr["terminated"][row])
                    truncated[i] = bool(hdr["truncated"][row])
                    per_env[int(i)] = self._take(int(i), hdr["infos"][row], arrays, row)
                    self._ended[i] |= terminated[i] or truncated[i]
        if self.autoreset_mode == AutoresetMode.SAME_STEP and self._ended.any():
            ended = np.flatnonzero(self._ended)
            for i in ended:
                final[int(i)] = {"final_obs": self._obs[i].copy(), "final_info": per_env[int(i)]}
            groups = self._by_server(ended)
            again = self._call({k: [(self._reset_many_req(g), g)] for k, g in groups.items()})
            for k, g in groups.items():
                self._take_all(again[k][0], g, per_env)

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
        sessions, self._sessions, self._session = self._sessions, [], None
        for sess in sessions:
            sess.close()


def address_list(address: Any) -> List[Any]:
    """The servers of a vector env: None (one private server), one address,
    or a list of addresses.  A (host, port) pair is one address."""
    if isinstance(address, (list, tuple)) and not (
            len(address) == 2 and isinstance(address[0], str)
            and isinstance(address[1], (int, np.integer))):
        out = list(address)
        if not out:
            raise ValueError("address: an empty list of servers")
        if any(a is None for a in out):
            raise ValueError("address: a list names running servers (no None)")
        return out
    return [address]


def _signature(make_reply: Dict[str, Any]) -> Tuple[Any, ...]:
    """What must agree between servers: spaces, resolved options, names."""
    return (make_reply["obs_dim"], make_reply["n_actions"],
            json.dumps(make_reply.get("options"), sort_keys=True),
            tuple(make_reply.get("pes") or ()), tuple(make_reply.get("features") or ()))


__all__ = ["SocSimVectorEnv", "address_list"]
