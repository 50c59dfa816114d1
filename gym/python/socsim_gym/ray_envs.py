"""Many socsim environments as remote env runners (plain Ray actors).

An :class:`EnvRunner` holds one vector env (in its process: the in-process
backend by default) and plays whole episodes for a policy; as a Ray actor it
runs on any node of the cluster.  :func:`make_runners` starts them and
:func:`play` spreads a list of episode seeds over them::

    import ray
    from socsim_gym import MLPPolicy
    from socsim_gym.ray_envs import make_runners, play

    ray.init()
    runners = make_runners(8, envs_per_runner=16, config_path="/shared/top_small.yaml",
                           options={"slots": 4, "jobs": 50})
    eps = play(runners, policy, seeds=range(1000), mode="sample", rng_seed=it)
    eps["obs"][k], eps["actions"][k], eps["rewards"][k], eps["avg_latency_us"][k]

Episode ``k`` of a call runs the simulator with ``seeds[k]``; in ``sample``
mode its actions are drawn from the policy's masked softmax with a generator
of its own, ``numpy.random.default_rng([rng_seed, k])``.  So an episode is a
function of (policy, seed, rng_seed, k) only, and :func:`play` returns the
same arrays, bit for bit, whatever the number of runners, their envs per
runner or the nodes they run on (``gym/python/tests/test_ray.py`` checks it).
``examples/agents/ray_pg.py`` trains a policy this way (REINFORCE).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from .policy import MLPPolicy, env_meta

MODES = ("sample", "greedy", "random")


def masked_probs(logits: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Row-wise softmax over the valid entries (a row without any: uniform)."""
    valid = np.asarray(mask).astype(bool)
    valid[~valid.any(axis=1)] = True
    z = np.where(valid, logits, -np.inf)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class EnvRunner:
    """``num_envs`` environments that play whole episodes for a policy.

    Args: those of :class:`socsim_gym.SocSimVectorEnv` (``config``,
    ``config_path``, ``options``, ``backend``, ``address``).  A path is read
    where the runner runs: on a cluster, give YAML text (``config``) or a
    path on a shared file system.
    """

    def __init__(self, num_envs: int = 8, **env_kw: Any):
        from .vector import SocSimVectorEnv

        self.venv = SocSimVectorEnv(int(num_envs), **env_kw)

    def meta(self) -> Dict[str, Any]:
        """slots, action_mode, time_scale_us, n_pes, obs_dim, n_actions (for MLPPolicy)."""
        return env_meta(self.venv)

    def episodes(self, policy: Optional[MLPPolicy], seeds: Sequence[int], mode: str = "sample",
                 rng_seed: int = 0, first: int = 0) -> Dict[str, List[Any]]:
        """Play one episode per seed; episode ``k`` is number ``first + k`` of the caller's list.

        ``mode``: ``sample`` (the policy's masked softmax), ``greedy`` (argmax
        over valid actions, what ``socsim run --scheduler neural:`` does) or
        ``random`` (uniform over valid actions; policy may be None).
        Returns lists with one entry per episode: ``obs`` (T, obs_dim)
        float32, ``masks`` (T, n_actions) int8, ``actions`` (T,) int64,
        ``rewards`` (T,) float64, ``avg_latency_us`` and ``steps``.
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if policy is None and mode != "random":
            raise ValueError(f"mode {mode!r} needs a policy")
        seeds = [int(s) for s in seeds]
        out: Dict[str, List[Any]] = {k: [] for k in ("obs", "masks", "actions", "rewards",
                                                     "avg_latency_us", "steps")}
        n = self.venv.num_envs
        for c in range(0, len(seeds), n):
            chunk = seeds[c:c + n]
            rngs = [np.random.default_rng([int(rng_seed), first + c + i]) for i in range(len(chunk))]
            self._play_chunk(policy, chunk, mode, rngs, out)
        return out

    def _play_chunk(self, policy: Optional[MLPPolicy], chunk: List[int], mode: str,
                    rngs: List[np.random.Generator], out: Dict[str, List[Any]]) -> None:
        n, m = self.venv.num_envs, len(chunk)
        # unused sub-envs replay the chunk's first seed; their steps are dropped
        obs, info = self.venv.reset(seed=chunk + [chunk[0]] * (n - m))
        mask = info["action_mask"]
        rec: List[Dict[str, list]] = [{"obs": [], "masks": [], "actions": [], "rewards": []}
                                      for _ in range(m)]
        latency = [0.0] * m
        running = np.zeros(n, dtype=bool)
        running[:m] = True
        while running.any():
            if mode == "random":
                probs = masked_probs(np.zeros(mask.shape), mask)
            else:
                logits = policy.logits(obs)
                probs = masked_probs(logits, mask)
            actions = np.zeros(n, dtype=np.int64)
            for i in np.flatnonzero(running):
                if mode == "greedy":
                    actions[i] = int(np.argmax(np.where(mask[i].astype(bool), logits[i], -np.inf)))
                else:  # inverse CDF with the episode's own generator
                    u = rngs[i].random()
                    actions[i] = min(int((probs[i].cumsum() < u).sum()), probs.shape[1] - 1)
            nobs, rewards, term, trunc, ninfo = self.venv.step(actions)
            for i in np.flatnonzero(running):
                r = rec[i]
                r["obs"].append(obs[i])
                r["masks"].append(mask[i])
                r["actions"].append(actions[i])
                r["rewards"].append(rewards[i])
                if term[i] or trunc[i]:
                    running[i] = False
                    latency[i] = float(ninfo["avg_latency_us"][i])
            obs, mask = nobs, ninfo["action_mask"]
        for i in range(m):
            out["obs"].append(np.asarray(rec[i]["obs"], dtype=np.float32))
            out["masks"].append(np.asarray(rec[i]["masks"], dtype=np.int8))
            out["actions"].append(np.asarray(rec[i]["actions"], dtype=np.int64))
            out["rewards"].append(np.asarray(rec[i]["rewards"], dtype=np.float64))
            out["avg_latency_us"].append(latency[i])
            out["steps"].append(len(rec[i]["actions"]))

    def close(self) -> None:
        self.venv.close()


def make_runners(n_runners: int, envs_per_runner: int = 8, num_cpus: float = 1,
                 **env_kw: Any) -> List[Any]:
    """Start ``n_runners`` :class:`EnvRunner` Ray actors (``ray.init()`` first)."""
    import ray

    actor = ray.remote(num_cpus=num_cpus)(EnvRunner)
    return [actor.remote(envs_per_runner, **env_kw) for _ in range(int(n_runners))]


def play(runners: Sequence[Any], policy: Optional[MLPPolicy], seeds: Sequence[int],
         mode: str = "sample", rng_seed: int = 0) -> Dict[str, List[Any]]:
    """One episode per seed, spread over the runners in contiguous blocks;
    the episodes come back in the order of ``seeds`` (see the module doc)."""
    import ray

    seeds = [int(s) for s in seeds]
    if not runners:
        raise ValueError("no runners")
    if not seeds:
        return {k: [] for k in ("obs", "masks", "actions", "rewards", "avg_latency_us", "steps")}
    ref = ray.put(policy)  # shipped once, shared by every runner
    per = -(-len(seeds) // len(runners))
    calls = [(r, k) for r, k in zip(runners, range(0, len(seeds), per))]
    parts = ray.get([r.episodes.remote(ref, seeds[k:k + per], mode, rng_seed, k)
                     for r, k in calls])
    out: Dict[str, List[Any]] = {}
    for p in parts:
        for key, v in p.items():
            out.setdefault(key, []).extend(v)
    return out


__all__ = ["EnvRunner", "make_runners", "play", "masked_probs"]
