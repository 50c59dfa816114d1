#!/usr/bin/env python3
"""Train sb3-contrib's MaskablePPO on socsim and export it for the C ``neural`` scheduler.

Needs what the test suite does not: ``pip install sb3-contrib`` (pulls in
stable-baselines3 and torch; the CPU build of torch is enough).

    SOCSIM=build/socsim python3 examples/agents/train_maskable_ppo.py \\
        --config examples/policies/top_small.yaml --steps 200000 --out /tmp/ppo.weights
    build/socsim run examples/policies/top_small.yaml --scheduler neural:/tmp/ppo.weights

With the in-process extension built, the environments are one
``socsim_gym.sb3.SocSimVecEnv`` (all sub-environments stepped in one C call;
MaskablePPO's ``env_method("action_masks")`` answered from one array);
``--vec dummy`` / ``--vec subproc`` use SB3's own vector envs of single
SocSimEnv instead (the only choice on the socket backend).
The actor of the trained ``MlpPolicy`` (Linear/Tanh layers) is written with
:func:`socsim_gym.from_sb3`; deterministic ``predict`` with masks (argmax of
the masked logits) is exactly the decision rule of the C scheduler.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys

import numpy as np

if importlib.util.find_spec("socsim_gym") is None:  # a source tree without the package installed
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "gym", "python"))

from socsim_gym import SocSimEnv, from_sb3


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", help="socsim YAML config (default: the server's default config)")
    ap.add_argument("--slots", type=int, default=4)
    ap.add_argument("--jobs", type=int, help="jobs per episode (overrides the config)")
    ap.add_argument("--envs", type=int, default=4, help="parallel environments")
    ap.add_argument("--vec", choices=["socsim", "dummy", "subproc"], default=None,
                    help="vector env: socsim (batched, in process; default when the extension "
                         "is built), dummy (SB3 DummyVecEnv), subproc (SubprocVecEnv)")
    ap.add_argument("--steps", type=int, default=200_000, help="total training steps")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eval-episodes", type=int, default=10)
    ap.add_argument("--out", help="write the actor as a socsim-mlp weights file")
    ap.add_argument("--save", help="also save the SB3 model (.zip)")
    args = ap.parse_args()

    try:
        from sb3_contrib import MaskablePPO
        from stable_baselines3.common.env_util import make_vec_env
        from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv
    except ImportError:
        print("this example needs sb3-contrib: pip install sb3-contrib", file=sys.stderr)
        return 2

    options = {"slots": args.slots}
    if args.jobs:
        options["jobs"] = args.jobs

    def make_env() -> SocSimEnv:
        # Called inside each worker: every env gets its own connection/server.
        return SocSimEnv(config_path=args.config, options=options)

    import socsim_gym

    kind = args.vec or ("socsim" if socsim_gym.HAVE_INPROC else "dummy")
    if kind == "socsim":
        from socsim_gym.sb3 import SocSimVecEnv

        vec = SocSimVecEnv(args.envs, config_path=args.config, options=options, seed=args.seed)
    else:
        vec = make_vec_env(make_env, n_envs=args.envs, seed=args.seed,
                           vec_env_cls=SubprocVecEnv if kind == "subproc" else DummyVecEnv)
    model = MaskablePPO("MlpPolicy", vec, n_steps=512, batch_size=256, gamma=0.99,
                        learning_rate=3e-4, ent_coef=0.01, seed=args.seed, verbose=1)
    model.learn(total_timesteps=args.steps)
    if args.save:
        model.save(args.save)

    env = make_env()
    try:
        lat = []
        for ep in range(args.eval_episodes):
            obs, info = env.reset(seed=10_000_000 + ep)
            done = False
            while not done:
                action, _ = model.predict(obs, action_masks=env.action_masks(), deterministic=True)
                obs, _, terminated, truncated, info = env.step(int(action))
                done = terminated or truncated
            lat.append(info["avg_latency_us"])
        print(f"greedy MaskablePPO policy: average job latency {np.mean(lat):.2f} us "
              f"over {args.eval_episodes} episodes")
        if args.out:
            policy = from_sb3(model, env)
            policy.comment = f"MaskablePPO, {args.steps} steps, seed {args.seed}"
            policy.save(args.out)
            print(f"wrote {args.out}; run it with: socsim run CONFIG --scheduler neural:{args.out}")
    finally:
        env.close()
        vec.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
