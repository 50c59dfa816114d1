#!/usr/bin/env python3
"""Masked random agent: the smallest complete use of the socsim Gymnasium env.

    SOCSIM=build/socsim python3 examples/agents/random_agent.py \\
        --config examples/policies/top_small.yaml --episodes 3

Every step picks uniformly among the valid actions (``info["action_mask"]``),
so no step ever needs the env's invalid-action fallback.
"""

from __future__ import annotations

import argparse
import os
import sys

import gymnasium as gym

try:
    import socsim_gym
except ImportError:  # running from a source tree without installing the package
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "gym", "python"))
    import socsim_gym


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", help="socsim YAML config (default: the server's default config)")
    ap.add_argument("--episodes", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--slots", type=int, default=8)
    ap.add_argument("--jobs", type=int, help="jobs per episode (overrides the config)")
    ap.add_argument("--address", help="a running `socsim serve` (default: start one)")
    args = ap.parse_args()

    options = {"slots": args.slots}
    if args.jobs:
        options["jobs"] = args.jobs
    env = gym.make(socsim_gym.ENV_ID, config_path=args.config, options=options, address=args.address)
    env.action_space.seed(args.seed)
    try:
        for ep in range(args.episodes):
            obs, info = env.reset(seed=args.seed + ep)
            total, steps, done = 0.0, 0, False
            while not done:
                action = env.action_space.sample(mask=info["action_mask"])
                obs, reward, terminated, truncated, info = env.step(action)
                total += reward
                steps += 1
                done = terminated or truncated
            end = "terminated" if terminated else "truncated"
            print(f"episode {ep} (seed {args.seed + ep}): {steps} steps, {end} at "
                  f"{info['t_us']:.1f} us, {info['completed_jobs']} jobs completed, "
                  f"average latency {info['avg_latency_us']:.2f} us, return {total:.3f}")
    finally:
        env.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
