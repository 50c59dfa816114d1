"""Gymnasium environment backed by a ``socsim serve`` process."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Tuple

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from . import inproc
from .protocol import ConnectionLost, Session, SocSimError

# info keys that are floats on the C side; JSON may print a whole double
# without a fraction ("0"), so they are cast to keep the types stable.
_FLOAT_INFO = ("t_us", "dt_us", "cum_latency_us", "avg_latency_us", "episode_reward", "energy_j")
BACKENDS = ("inproc", "socket")


def resolve_backend(backend: Optional[str], address: Any, socsim: Optional[str]) -> str:
    """``inproc`` when the extension is built and no server was asked for, else ``socket``."""
    if backend is None:
        return "inproc" if inproc.AVAILABLE and address is None and socsim is None else "socket"
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if backend == "inproc":
        inproc.require()
        if address is not None:
            raise ValueError("backend='inproc' runs no server: do not give address=")
    return backend

SEED_MODULUS = 1 << 64
# Seeds drawn from np_random stay below 2^63 so that they fit int64 arrays
# (batched infos, numpy logs); explicit seeds may use the full u64 range.
DRAWN_SEED_LIMIT = 1 << 63


def make_request(config: Optional[str], config_path: Optional[str],
                 options: Optional[Dict[str, Any]], local_server: bool) -> Dict[str, Any]:
    """The ``make`` request for a config given as YAML text, a file, or neither."""
    if config is not None and config_path is not None:
        raise ValueError("give config (YAML text) or config_path, not both")
    req: Dict[str, Any] = {"cmd": "make"}
    if config is not None:
        req["config"] = str(config)
    if config_path is not None:
        path = os.fspath(config_path)
        # A private server runs in our working directory anyway; making the
        # path absolute keeps it valid if the caller changes directory later
        # and the server is respawned.
        if local_server and os.path.exists(path):
            path = os.path.abspath(path)
        req["config_path"] = path
    if options:
        opts = {}
        for k, v in options.items():
            if isinstance(v, (bool, np.bool_)):
                raise TypeError(f"option {k!r}: give a number or a string, not a bool")
            if isinstance(v, (int, np.integer)):
                opts[str(k)] = int(v)
            elif isinstance(v, (float, np.floating)):
                opts[str(k)] = float(v)
            else:
                opts[str(k)] = str(v)
        req["options"] = opts
    return req


def spaces_from_make(hdr: Dict[str, Any], arrays: Dict[str, np.ndarray]
                     ) -> Tuple[spaces.Box, spaces.Discrete]:
    """Observation and action spaces of a ``make`` reply."""
    obs_dim = int(hdr["obs_dim"])
    n_actions = int(hdr["n_actions"])
    low = arrays.get("low")
    high = arrays.get("high")
    if low is None or high is None:
        sp = hdr["spaces"]["observation"]
        low = np.full(obs_dim, sp["low"], dtype=np.float32)
        high = np.full(obs_dim, sp["high"], dtype=np.float32)
    obs_space = spaces.Box(low=low.astype(np.float32), high=high.astype(np.float32),
                           shape=(obs_dim,), dtype=np.float32)
    return obs_space, spaces.Discrete(n_actions)


def convert_info(raw: Dict[str, Any], mask: np.ndarray) -> Dict[str, Any]:
    """Python-typed info dict plus ``action_mask`` (int8, 1 = valid)."""
    info = dict(raw)
    for k in _FLOAT_INFO:
        if k in info:
            info[k] = float(info[k])
    if "completions" in info:
        info["completions"] = [tuple(c) for c in info["completions"]]
    info["action_mask"] = mask.astype(np.int8)
    return info


def seed_to_sim(seed: int) -> int:
    """Map a Gymnasium seed (any non-negative int) to the simulator's u64."""
    seed = int(seed)
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    return seed % SEED_MODULUS


class SocSimEnv(gym.Env):
    """Scheduling of DAG jobs on a modelled SoC, one decision per step.

    Each step assigns one ready task to a processing element; the simulation
    then runs to the next decision point (gym/PROTOCOL.md §4).  The action
    space is ``Discrete(n)`` and only actions with ``mask == 1`` are
    meaningful; the mask is in ``info["action_mask"]`` (int8) and
    :meth:`action_masks` (bool, for sb3-contrib's MaskablePPO).  Invalid
    actions do not fail: the simulator applies the EFT choice for the oldest
    ready task and sets ``info["invalid_action"]``.

    Args:
        config: socsim YAML configuration text (native semantics).
        config_path: path of a YAML configuration instead (read by the
            server).  Neither: the server's embedded default configuration.
        options: environment options (``slots``, ``action_mode``, ``reward``,
            ``reward_norm``, ``invalid_penalty``, ``time_us``, ``jobs``,
            ``time_scale_us``); see gym/PROTOCOL.md §4.3.
        address: a running ``socsim serve`` (``unix:PATH`` or
            ``tcp:HOST:PORT``); None starts a private server that lives as
            long as this env.
        socsim: the socsim executable for a private server (default:
            ``$SOCSIM``, then PATH).
        timeout: seconds to wait for a reply before declaring the server gone.
        recover: after the connection is lost (server killed or restarted),
            reconnect -- restarting a private server -- and replay the current
            episode from its seed and actions, so :meth:`step` carries on.
            Without it, the step raises :class:`ConnectionLost` and the next
            :meth:`reset` reconnects.
        render_mode: None or ``"ansi"`` (a one-line text summary).
        backend: ``"inproc"`` (the simulator in this process, through the
            ``socsim_gym._core`` extension; the default when it is built and
            neither ``address`` nor ``socsim`` is given) or ``"socket"`` (a
            ``socsim serve`` process).  Both give the same numbers.

    With option ``graph=1`` the observation is a ``Dict`` of the flat vector
    (``"obs"``) and a Gymnasium ``Graph`` (``"graph"``: unfinished tasks of
    the jobs in the system as nodes, DAG edges; gym/PROTOCOL.md §4.6).

    Seeding: ``reset(seed=s)`` runs the simulator with seed ``s`` (so the
    episode equals ``socsim run --seed s`` under the same decisions);
    ``reset()`` draws the simulator seed from the env's ``np_random``.
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}

    def __new__(cls, *args: Any, **kw: Any):
        # positional: config, config_path, options, address, socsim, timeout,
        # recover, render_mode, backend
        pos = dict(zip(("address", "socsim", "backend"),
                       (args[3] if len(args) > 3 else None, args[4] if len(args) > 4 else None,
                        args[8] if len(args) > 8 else None)))
        pos.update({k: kw[k] for k in ("address", "socsim", "backend") if k in kw})
        if cls is SocSimEnv and resolve_backend(pos["backend"], pos["address"],
                                                pos["socsim"]) == "inproc":
            from .inproc_env import InProcessEnv
            return super().__new__(InProcessEnv)
        return super().__new__(cls)

    def __init__(self, config: Optional[str] = None, config_path: Optional[str] = None,
                 options: Optional[Dict[str, Any]] = None, address: Any = None,
                 socsim: Optional[str] = None, timeout: Optional[float] = 30.0,
                 recover: bool = True, render_mode: Optional[str] = None,
                 backend: Optional[str] = None):
        self.backend = "socket"
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be None or one of {self.metadata['render_modes']}")
        self.render_mode = render_mode
        self.recover = recover
        self._make_req = make_request(config, config_path, options, address is None)
        self._env_id: Optional[int] = None
        self._make_reply: Optional[Dict[str, Any]] = None
        self._session: Optional[Session] = Session(address, socsim=socsim, timeout=timeout)
        try:
            self._make()
        except BaseException:
            self._session.close()
            self._session = None
            raise
        self.observation_space, self.action_space = spaces_from_make(self._make_reply, self._bounds)
        self._graph = bool(int((self._make_reply.get("options") or {}).get("graph", 0)))
        if self._graph:
            self.observation_space = graph_obs_space(self.observation_space,
                                                     len(self._make_reply.get("node_features") or []))
        n = int(self.action_space.n)
        self._mask = np.zeros(n, dtype=bool)
        self._last_obs: Optional[np.ndarray] = None
        self._last_info: Dict[str, Any] = {}
        self._episode_seed: Optional[int] = None
        self._actions: List[int] = []  # this episode's actions, for replay
        self._over = True

    # ---- properties from the make reply ----------------------------------
    @property
    def env_options(self) -> Dict[str, Any]:
        """Options in force (defaults filled in, ``time_scale_us`` resolved)."""
        return dict(self._make_reply.get("options") or {})

    @property
    def pe_names(self) -> List[str]:
        return list(self._make_reply.get("pes") or [])

    @property
    def feature_names(self) -> List[str]:
        return list(self._make_reply.get("features") or [])

    @property
    def server(self):
        """The private :class:`~socsim_gym.protocol.Server`, or None."""
        return self._session.server if self._session is not None else None

    # ---- protocol helpers ------------------------------------------------
    def _live(self) -> Session:
        if self._session is None:
            raise SocSimError("the environment is closed")
        return self._session

    def _make(self) -> None:
        hdr, arrays = self._live().call(self._make_req)
        old = self._make_reply
        if old is not None:
            if (old["obs_dim"], old["n_actions"]) != (hdr["obs_dim"], hdr["n_actions"]):
                raise SocSimError("the server that came back offers different spaces "
                                  f"({hdr['obs_dim']}, {hdr['n_actions']}) than before "
                                  f"({old['obs_dim']}, {old['n_actions']})")
        self._make_reply = hdr
        self._bounds = arrays
        self._env_id = int(hdr["env_id"])

    def _reconnect(self) -> None:
        self._env_id = None
        self._live().connect()
        self._make()

    def _reset_request(self, sim_seed: int) -> Tuple[Dict[str, Any], Dict[str, np.ndarray]]:
        session = self._live()
        if self._env_id is None or session.conn is None or session.conn.closed:
            self._reconnect()
        req = {"cmd": "reset", "env_id": self._env_id, "seed": sim_seed}
        try:
            return session.call(req)
        except ConnectionLost:
            # The server may have been restarted since the last episode:
            # a reset needs no history, so reconnect and try once more.
            self._reconnect()
            req["env_id"] = self._env_id
            return session.call(req)

    def _replay(self) -> None:
        """Rebuild the current episode on a fresh connection (after a loss)."""
        assert self._episode_seed is not None
        self._reconnect()
        session = self._live()
        _, arrays = session.call({"cmd": "reset", "env_id": self._env_id, "seed": self._episode_seed})
        for a in self._actions:
            _, arrays = session.call({"cmd": "step", "env_id": self._env_id, "action": a})
        if self._last_obs is not None and not np.array_equal(arrays["obs"], self._last_obs):
            raise SocSimError("replaying the episode after reconnecting gave a different "
                              "state (is the restarted server the same socsim build?)")

    # ---- Gymnasium API ---------------------------------------------------
    def reset(self, *, seed: Optional[int] = None, options: Optional[Dict[str, Any]] = None
              ) -> Tuple[np.ndarray, Dict[str, Any]]:
        super().reset(seed=seed)
        if options:
            raise ValueError("socsim environments take their options at creation "
                             "(gymnasium.make(..., options={...})), not at reset")
        if seed is not None:
            sim_seed = seed_to_sim(seed)
        else:
            sim_seed = int(self.np_random.integers(0, DRAWN_SEED_LIMIT))
        hdr, arrays = self._reset_request(sim_seed)
        self._episode_seed = sim_seed
        self._actions = []
        return self._accept(hdr, arrays)

    def step(self, action: Any) -> Tuple[np.ndarray, float, bool, bool, Dict[str, Any]]:
        a = _action_to_int(action)
        if self._over and self._episode_seed is None:
            raise gym.error.ResetNeeded("call reset() before step()")
        if self._over:
            raise gym.error.ResetNeeded("the episode is over: call reset() before step()")
        session = self._live()
        req = {"cmd": "step", "env_id": self._env_id, "action": a}
        try:
            if self._env_id is None:
                raise ConnectionLost("the connection to the socsim server was lost during "
                                     "this episode: call reset() to start a new one")
            hdr, arrays = session.call(req)
        except ConnectionLost:
            if not self.recover:
                self._env_id = None
                raise
            self._replay()
            req["env_id"] = self._env_id
            hdr, arrays = session.call(req)
        self._actions.append(a)
        obs, info = self._accept(hdr, arrays)
        terminated = bool(hdr["terminated"])
        truncated = bool(hdr["truncated"])
        return obs, float(hdr["reward"]), terminated, truncated, info

    def _accept(self, hdr: Dict[str, Any], arrays: Dict[str, np.ndarray]
                ) -> Tuple[Any, Dict[str, Any]]:
        obs = arrays["obs"]
        if self._graph:
            obs = {"obs": obs, "graph": spaces.GraphInstance(
                nodes=arrays["nodes"].reshape(-1, self.observation_space["graph"].node_space.shape[0]),
                edges=arrays["edges"].reshape(-1, 1), edge_links=arrays["edge_links"].reshape(-1, 2))}
        mask = arrays["mask"]
        self._mask = mask.astype(bool)
        self._last_obs = arrays["obs"].copy()
        info = convert_info(hdr.get("info") or {}, mask)
        self._last_info = info
        self._over = bool(info.get("done", False))
        return obs, info

    def action_masks(self) -> np.ndarray:
        """Valid actions of the current observation (bool, True = valid)."""
        return self._mask.copy()

    def render(self) -> Optional[str]:
        if self.render_mode != "ansi":
            return None
        i = self._last_info
        if not i:
            return "socsim: not reset\n"
        return (f"t={i.get('t_us', 0.0):.3f}us step={i.get('step', 0)} ready={i.get('n_ready', 0)} "
                f"jobs_in_system={i.get('jobs_in_system', 0)} completed={i.get('completed_jobs', 0)} "
                f"avg_latency={i.get('avg_latency_us', 0.0):.3f}us valid_actions={int(self._mask.sum())}\n")

    def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            if self._env_id is not None and session.conn is not None and not session.conn.closed:
                try:
                    session.call({"cmd": "close", "env_id": self._env_id})
                except SocSimError:
                    pass
            session.close()
        self._env_id = None
        super().close()


def graph_obs_space(flat: spaces.Box, node_dim: int) -> spaces.Dict:
    """``Dict(obs=flat Box, graph=Graph(nodes in [0,1]^node_dim, one edge feature))``."""
    return spaces.Dict({"obs": flat, "graph": spaces.Graph(
        node_space=spaces.Box(0.0, 1.0, shape=(node_dim,), dtype=np.float32),
        edge_space=spaces.Box(0.0, 1.0, shape=(1,), dtype=np.float32))})


def _action_to_int(action: Any) -> int:
    """An int from a Python/numpy integer or a one-element integer array."""
    if isinstance(action, np.ndarray):
        if action.size != 1 or not np.issubdtype(action.dtype, np.integer):
            raise TypeError(f"action must be one integer, got array {action!r}")
        a = int(action.reshape(()))
    elif isinstance(action, (bool, np.bool_)) or not isinstance(action, (int, np.integer)):
        raise TypeError(f"action must be an integer, got {type(action).__name__}")
    else:
        a = int(action)
    # Anything outside int32 is invalid anyway; -1 keeps it invalid (the
    # documented fallback applies) without testing the server's integer range.
    return a if -(1 << 31) <= a < (1 << 31) else -1
