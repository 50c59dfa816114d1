#!/usr/bin/env python3
"""bench_gym_py.py -- Python-side throughput of socsim_gym (a benchmark, not a test).

Prints environment steps per second for:
  * one SocSimEnv, in process and over the socket, with a constant action
    (-1: the env's EFT fallback, the most trivial policy) and with
    "first valid action" (argmax of the mask, a policy that reads the info);
  * the same through gymnasium.make (with Gymnasium's checker wrappers);
  * SocSimVectorEnv of 16 (in process / socket), batched argmax policy;
  * MaskablePPO training (steps/s of model.learn) through the SB3 adapter
    socsim_gym.sb3.SocSimVecEnv(16) against SB3's DummyVecEnv of 16 socket
    envs (if torch, stable-baselines3 and sb3-contrib are installed).
Each figure also shows CPU milliseconds per 1000 steps (this process and its
children, i.e. socket servers that exited), which is what to compare on a
shared machine; a private server still running when the figure is taken is
not counted, so socket CPU figures are lower bounds.

usage: SOCSIM=build/socsim PYTHONPATH=<site with socsim_gym> \\
       python3 scripts/bench_gym_py.py [--config FILE] [--steps N] [--no-sb3]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def cpu_s() -> float:
    """CPU seconds of this process and its children (socket servers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(fn, steps):
    w0, c0 = time.perf_counter(), cpu_s()
    done = fn(steps)
    w, c = time.perf_counter() - w0, cpu_s() - c0
    return done / w, 1e6 * c / done


def single(env, policy):
    def run(steps):
        obs, info = env.reset(seed=1)
        n = 0
        while n < steps:
            a = -1 if policy == "const" else int(info["action_mask"].argmax())
            obs, r, te, tr, info = env.step(a)
            n += 1
            if te or tr:
                obs, info = env.reset()
        return n
    return run


def vector(v, policy):
    def run(steps):
        obs, info = v.reset(seed=1)
        n = 0
        const = np.full(v.num_envs, -1, dtype=np.int64)
        while n < steps:
            a = const if policy == "const" else info["action_mask"].argmax(axis=1)
            obs, r, te, tr, info = v.step(a)
            n += v.num_envs
        return n
    return run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default=None, help="YAML config (default: the embedded default)")
    ap.add_argument("--steps", type=int, default=200000)
    ap.add_argument("--no-sb3", action="store_true")
    args = ap.parse_args()

    import gymnasium as gym

    import socsim_gym
    from socsim_gym import SocSimEnv, SocSimVectorEnv

    kw = {"config_path": args.config} if args.config else {}
    print(f"config: {args.config or 'embedded default'}; steps per figure: {args.steps}")
    print(f"{'what':58s} {'steps/s':>10s} {'cpu ms/1k':>10s}")

    def row(name, fn, steps):
        sps, cpu = timed(fn, steps)
        print(f"{name:58s} {sps:10.0f} {cpu:10.2f}", flush=True)

    backends = ["inproc", "socket"] if socsim_gym.HAVE_INPROC else ["socket"]
    for b in backends:
        steps = args.steps if b == "inproc" else args.steps // 10
        env = SocSimEnv(backend=b, **kw)
        for pol in ("const", "argmax"):
            row(f"SocSimEnv {b}, policy {pol}", single(env, pol), steps)
        env.close()
        env = gym.make(socsim_gym.ENV_ID, backend=b, **kw)
        row(f"gym.make (checker wrappers) {b}, policy argmax", single(env, "argmax"), steps)
        env.close()
    for b in backends:
        steps = args.steps if b == "inproc" else args.steps // 4
        v = SocSimVectorEnv(16, backend=b, **kw)
        for pol in ("const", "argmax"):
            row(f"SocSimVectorEnv(16) {b}, policy {pol}", vector(v, pol), steps)
        v.close()

    if args.no_sb3:
        return
    try:
        import torch
        from sb3_contrib import MaskablePPO
        from stable_baselines3.common.vec_env import DummyVecEnv
    except ImportError:
        print("(torch / stable-baselines3 / sb3-contrib not installed: no SB3 figures)")
        return
    torch.set_num_threads(1)
    from socsim_gym.sb3 import SocSimVecEnv

    ppo = dict(n_steps=128, batch_size=512, n_epochs=4, seed=0, verbose=0)
    learn = 32768

    def sb3(make_venv):
        def run(steps):
            venv = make_venv()
            model = MaskablePPO("MlpPolicy", venv, **ppo)
            model.learn(steps)
            venv.close()
            return steps
        return run

    if socsim_gym.HAVE_INPROC:
        row("MaskablePPO.learn, SocSimVecEnv(16) (in process, batched)",
            sb3(lambda: SocSimVecEnv(16, seed=0, **kw)), learn)
    row("MaskablePPO.learn, DummyVecEnv of 16 socket SocSimEnv",
        sb3(lambda: DummyVecEnv([lambda: SocSimEnv(backend="socket", **kw)] * 16)), learn // 2)
    if socsim_gym.HAVE_INPROC:
        row("MaskablePPO.learn, DummyVecEnv of 16 in-process SocSimEnv",
            sb3(lambda: DummyVecEnv([lambda: SocSimEnv(backend="inproc", **kw)] * 16)), learn // 2)


if __name__ == "__main__":
    main()
