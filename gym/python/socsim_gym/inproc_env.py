"""The single environment on the in-process backend (``socsim_gym._core``)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from . import inproc
from .env import DRAWN_SEED_LIMIT, SocSimEnv, _action_to_int, graph_obs_space, seed_to_sim
from .protocol import SocSimError


def spaces_from_describe(d: Dict[str, Any]) -> Tuple[spaces.Box, spaces.Discrete]:
    dim = int(d["obs_dim"])
    low = np.frombuffer(d["low"], dtype=np.float32).copy()
    high = np.frombuffer(d["high"], dtype=np.float32).copy()
    return (spaces.Box(low=low, high=high, shape=(dim,), dtype=np.float32),
            spaces.Discrete(int(d["n_actions"])))


def graph_instance(g: Dict[str, Any]) -> spaces.GraphInstance:
    nodes = np.frombuffer(g["nodes"], dtype=np.float32).reshape(g["n_nodes"], g["node_dim"]).copy()
    edges = np.frombuffer(g["edges"], dtype=np.float32).reshape(-1, 1).copy()
    links = np.frombuffer(g["edge_links"], dtype=np.int64).reshape(-1, 2).copy()
    return spaces.GraphInstance(nodes=nodes, edges=edges, edge_links=links)


class InProcessEnv(SocSimEnv):
    """:class:`SocSimEnv` with the simulator in this process (``backend="inproc"``).

    Same observations, rewards, infos and seeding as the socket backend, bit
    for bit; ``reset``/``step`` are one C call each.
    """

    def __init__(self, config: Optional[str] = None, config_path: Optional[str] = None,
                 options: Optional[Dict[str, Any]] = None, address: Any = None,
                 socsim: Optional[str] = None, timeout: Optional[float] = 30.0,
                 recover: bool = True, render_mode: Optional[str] = None,
                 backend: Optional[str] = None):
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be None or one of {self.metadata['render_modes']}")
        inproc.require()
        if address is not None:
            raise ValueError("the in-process backend runs no server: do not give address=")
        self.backend = "inproc"
        self.render_mode = render_mode
        self.recover = recover
        self._session = None
        text, path = inproc.config_args(config, config_path)
        self._core = inproc.create(inproc._core.Env, config=text, config_path=path,
                                   options=inproc.normalise_options(options))
        d = self._core.describe()
        self._describe = d
        self._make_reply = {"obs_dim": d["obs_dim"], "n_actions": d["n_actions"],
                            "options": d["options"], "pes": d["pes"], "features": d["features"],
                            "node_features": d["node_features"]}
        self.observation_space, self.action_space = spaces_from_describe(d)
        self._graph = bool(d["options"].get("graph", 0))
        if self._graph:
            self.observation_space = graph_obs_space(self.observation_space, len(d["node_features"]))
        n = int(self.action_space.n)
        self._obs = np.zeros(int(d["obs_dim"]), dtype=np.float32)
        self._mask_i8 = np.zeros(n, dtype=np.int8)
        self._core.bind(self._obs, self._mask_i8)
        self._last_obs = None
        self._last_info: Dict[str, Any] = {}
        self._episode_seed: Optional[int] = None
        self._actions: List[int] = []
        self._over = True
        self._closed = False

    @property
    def server(self):
        return None

    @property
    def _mask(self) -> np.ndarray:  # what the base class's render reads
        return self._mask_i8.astype(bool)

    def reset(self, *, seed: Optional[int] = None, options: Optional[Dict[str, Any]] = None
              ) -> Tuple[Any, Dict[str, Any]]:
        gym.Env.reset(self, seed=seed)
        if options:
            raise ValueError("socsim environments take their options at creation "
                             "(gymnasium.make(..., options={...})), not at reset")
        if self._closed:
            raise SocSimError("the environment is closed")
        sim_seed = seed_to_sim(seed) if seed is not None else int(
            self.np_random.integers(0, DRAWN_SEED_LIMIT))
        info = self._core.reset(sim_seed)
        self._episode_seed = sim_seed
        self._over = bool(info["done"])
        info["action_mask"] = self._mask_i8.copy()
        self._last_info = info
        return self._observation(), info

    def step(self, action: Any) -> Tuple[Any, float, bool, bool, Dict[str, Any]]:
        if self._over:
            if self._episode_seed is None:
                raise gym.error.ResetNeeded("call reset() before step()")
            raise gym.error.ResetNeeded("the episode is over: call reset() before step()")
        a = action if type(action) is int else _action_to_int(action)
        reward, terminated, truncated, info = self._core.step(a)
        if terminated or truncated:
            self._over = True
        info["action_mask"] = self._mask_i8.copy()
        self._last_info = info
        return self._observation(), reward, terminated, truncated, info

    def _observation(self) -> Any:
        obs = self._obs.copy()
        if self._graph:
            return {"obs": obs, "graph": graph_instance(self._core.graph())}
        return obs

    def action_masks(self) -> np.ndarray:
        return self._mask_i8.astype(bool)

    def graph(self) -> Dict[str, Any]:
        """The graph observation now, with ``node_job``/``node_task`` ids and PE features."""
        g = self._core.graph()
        inst = graph_instance(g)
        return {"nodes": inst.nodes, "edges": inst.edges, "edge_links": inst.edge_links,
                "pes": np.frombuffer(g["pes"], dtype=np.float32).reshape(g["n_pes"], -1).copy(),
                "node_job": np.frombuffer(g["node_job"], dtype=np.uint64).copy(),
                "node_task": np.frombuffer(g["node_task"], dtype=np.int32).copy()}

    def metrics(self) -> Dict[str, Any]:
        """Metrics of the episode so far, as ``socsim run --json`` prints them."""
        return self._core.metrics()

    def close(self) -> None:
        self._closed = True
        gym.Env.close(self)


__all__ = ["InProcessEnv"]
