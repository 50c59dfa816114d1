#!/usr/bin/env python3
"""REINFORCE of pg_numpy.py with its episodes played by Ray actors (remote env runners).

    python3 examples/agents/ray_pg.py --config examples/policies/top_small.yaml \\
        --option slots=4 --runners 2 --envs-per-runner 4 --iterations 60 --out /tmp/top.weights
    build/socsim run examples/policies/top_small.yaml --scheduler neural:/tmp/top.weights

Each of ``--runners`` Ray actors (socsim_gym.ray_envs.EnvRunner) holds a
vector env of ``--envs-per-runner`` in-process environments.  An iteration
ships the current policy to every actor once (``ray.put``), the actors play
``--episodes`` episodes of one job trace between them (sampling from the
policy's masked softmax), and the driver updates the network with
pg_numpy's REINFORCE step (shared-trace baseline, entropy bonus, Adam).  The
episodes, and so the training, are the same whatever the number of actors
(socsim_gym.ray_envs explains why), so a run on a laptop and on a cluster
give the same policy for the same arguments.

``--address`` joins a running cluster (``ray start --head`` on one node,
``ray start --address=HEAD:6379`` on the others); every node then needs
socsim_gym built with its extension, and ``--config`` and the files it names
at the same path (a shared file system).  Without it a local Ray instance
starts with ``--num-cpus`` CPUs.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
if importlib.util.find_spec("socsim_gym") is None:  # a source tree without the package installed
    sys.path.insert(0, os.path.join(HERE, "..", "..", "gym", "python"))
sys.path.insert(0, HERE)

import pg_numpy  # noqa: E402  (the network, Adam and the REINFORCE update)
from socsim_gym import MLPPolicy, SocSimVectorEnv  # noqa: E402
from socsim_gym.ray_envs import make_runners, play  # noqa: E402


def train(runners: Sequence[Any], policy: MLPPolicy, iterations: int = 60, episodes: int = 8,
          lr: float = 1e-2, lr_final: float = 0.1, entropy: float = 0.01, gamma: float = 0.97,
          seed: int = 0, log=print) -> MLPPolicy:
    """pg_numpy.train with the rollouts on the runners (trains `policy` in place)."""
    opt = pg_numpy.Adam(policy, lr)
    start = time.monotonic()
    for it in range(iterations):
        opt.lr = lr * (1.0 - (1.0 - lr_final) * it / max(iterations - 1, 1))
        trace = seed * 1_000_003 + it
        eps = play(runners, policy, [trace] * episodes, mode="sample", rng_seed=trace)
        batch = pg_numpy.Batch(obs=eps["obs"], masks=eps["masks"], actions=eps["actions"],
                               rewards=eps["rewards"], latency=eps["avg_latency_us"])
        stats = pg_numpy.update(policy, opt, batch, entropy, gamma)
        if log is not None and (it % 10 == 0 or it == iterations - 1):
            log(f"iter {it:4d}  avg latency {np.mean(batch.latency):9.2f} us  "
                f"entropy {stats['entropy']:.3f}  samples {stats['samples']}  "
                f"{time.monotonic() - start:6.1f} s")
    policy.comment = (f"trained by examples/agents/ray_pg.py: REINFORCE, {iterations} iterations "
                      f"x {episodes} episodes on {len(runners)} Ray actors, lr {lr} -> "
                      f"{lr * lr_final}, gamma {gamma}, entropy {entropy}, seed {seed}")
    return policy


def evaluate(runners: Sequence[Any], policy: Optional[MLPPolicy], seeds: Sequence[int],
             mode: str = "greedy") -> float:
    """Mean of the episodes' average job latency (µs)."""
    return float(np.mean(play(runners, policy, seeds, mode=mode)["avg_latency_us"]))


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", help="socsim YAML config (default: the embedded default config)")
    ap.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                    help="environment option (gym/PROTOCOL.md 4.3), e.g. slots=4; repeatable")
    ap.add_argument("--runners", type=int, default=2, help="Ray actors holding environments")
    ap.add_argument("--envs-per-runner", type=int, default=4)
    ap.add_argument("--episodes", type=int, default=8, help="episodes per iteration")
    ap.add_argument("--iterations", type=int, default=60)
    ap.add_argument("--hidden", default="64,64", help="hidden layer widths, comma separated")
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--lr-final", type=float, default=0.1)
    ap.add_argument("--entropy", type=float, default=0.01)
    ap.add_argument("--gamma", type=float, default=0.97)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eval-seeds", type=int, default=16)
    ap.add_argument("--out", help="write the trained policy here (socsim-mlp weights)")
    ap.add_argument("--address", help="a running Ray cluster (default: a local instance)")
    ap.add_argument("--num-cpus", type=int, help="CPUs of the local Ray instance")
    args = ap.parse_args(argv)

    import ray

    if not ray.is_initialized():
        if args.address:
            ray.init(address=args.address)
        else:
            ray.init(num_cpus=args.num_cpus, include_dashboard=False)
    options = pg_numpy.parse_options(args.option)
    config_path = os.path.abspath(args.config) if args.config else None
    probe = SocSimVectorEnv(1, config_path=config_path, options=options)
    try:
        policy = MLPPolicy.for_env(probe, hidden=[int(h) for h in args.hidden.split(",") if h],
                                   rng=np.random.default_rng(args.seed))
    finally:
        probe.close()
    runners = make_runners(args.runners, args.envs_per_runner, config_path=config_path,
                           options=options)
    train(runners, policy, iterations=args.iterations, episodes=args.episodes, lr=args.lr,
          lr_final=args.lr_final, entropy=args.entropy, gamma=args.gamma, seed=args.seed)
    eval_seeds = [10_000_000 + i for i in range(args.eval_seeds)]
    learned = evaluate(runners, policy, eval_seeds, "greedy")
    rand = evaluate(runners, None, eval_seeds, "random")
    print(f"evaluation over {len(eval_seeds)} episodes: greedy policy {learned:.2f} us, "
          f"masked random {rand:.2f} us average job latency")
    if args.out:
        policy.save(args.out)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
