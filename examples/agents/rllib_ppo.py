#!/usr/bin/env python3
"""PPO from RLlib (Ray's RL library, new API stack) on a socsim environment,
with action masking; the trained actor exported as a `neural` weights file
for the C scheduler.

The environment is registered for RLlib as a Gymnasium env
(`socsim_gym.SocSimEnv`, in process) whose observation is wrapped into the
dict RLlib's action-masking module expects ({"observations": the env's
vector, "action_mask": info["action_mask"]}); the module is RLlib's own
`ActionMaskingTorchRLModule` (PPO's default MLP encoder and policy head, with
invalid actions' logits set to the float minimum).  Its actor (encoder + head,
`socsim_gym.from_rllib`) is written in socsim's weights format, so the trained
policy runs natively, masked the same way:

    socsim run examples/policies/top_small.yaml --scheduler neural:/tmp/rllib.weights

Example (2-core machine: about a minute with Ray's start):

    python3 examples/agents/rllib_ppo.py --iterations 40 --out /tmp/rllib.weights

Needs `ray[rllib]` (which pins its own gymnasium and brings pandas, pyarrow,
scipy), torch, and `socsim_gym` built with its extension
(gym/python/README.md).  tests/python/run_pytests.sh installs RLlib in a
venv of its own and runs this script briefly (test_rllib.py).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import List, Optional

import numpy as np

import socsim_gym
from recipe_util import native_eval, parse_options, parse_seeds

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CONFIG = os.path.join(HERE, "..", "policies", "top_small.yaml")


class MaskedObs:
    """A socsim env with RLlib's action-masking observation: a dict of the
    env's vector and its current action mask (float, 1 = valid)."""

    def __new__(cls, env_config):
        import gymnasium as gym
        from gymnasium import spaces

        class _Masked(gym.Wrapper):
            def __init__(self, env):
                super().__init__(env)
                n = env.action_space.n
                self.observation_space = spaces.Dict({
                    "action_mask": spaces.Box(0.0, 1.0, shape=(n,), dtype=np.float32),
                    "observations": env.observation_space})

            @staticmethod
            def _obs(obs, info):
                return {"action_mask": np.asarray(info["action_mask"], dtype=np.float32),
                        "observations": obs}

            def reset(self, *, seed=None, options=None):
                obs, info = self.env.reset(seed=seed, options=options)
                return self._obs(obs, info), info

            def step(self, action):
                obs, r, term, trunc, info = self.env.step(action)
                return self._obs(obs, info), r, term, trunc, info

        return _Masked(socsim_gym.SocSimEnv(config_path=env_config["config"],
                                            options=env_config.get("options") or None,
                                            backend="inproc"))


def greedy_match(module, policy: socsim_gym.MLPPolicy, env_config, seed: int,
                 steps: int) -> int:
    """Steps (of `steps`) at which the RLlib module's greedy masked action and
    the exported network's (MLPPolicy.act, what the C scheduler does) agree."""
    import torch

    env = MaskedObs(env_config)
    obs, info = env.reset(seed=seed)
    same = 0
    try:
        for _ in range(steps):
            batch = {"obs": {k: torch.as_tensor(v[None, :]) for k, v in obs.items()}}
            with torch.no_grad():
                out = module.forward_inference(batch)
            a_rllib = int(np.argmax(out["action_dist_inputs"][0].numpy()))
            a_ours = policy.act(obs["observations"], obs["action_mask"])
            same += a_rllib == a_ours
            obs, _, term, trunc, info = env.step(a_rllib)
            if term or trunc:
                obs, info = env.reset(seed=seed + 1)
    finally:
        env.close()
    return same


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", default=DEFAULT_CONFIG, help="YAML config")
    ap.add_argument("--option", action="append", default=[], help="env option key=value")
    ap.add_argument("--iterations", type=int, default=20, help="PPO training iterations")
    # the defaults are train_maskable_ppo.py's (SB3's PPO with 4 envs x 512)
    ap.add_argument("--batch", type=int, default=2048, help="env steps per iteration")
    ap.add_argument("--minibatch", type=int, default=256)
    ap.add_argument("--epochs", type=int, default=10, help="SGD passes per iteration")
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--gamma", type=float, default=0.99)
    ap.add_argument("--lambda", dest="lam", type=float, default=0.95, help="GAE lambda")
    ap.add_argument("--entropy", type=float, default=0.01, help="entropy bonus")
    ap.add_argument("--hidden", default="64,64", help="encoder widths")
    ap.add_argument("--env-runners", type=int, default=0,
                    help="remote env runners (0: sample in the driver)")
    ap.add_argument("--num-cpus", type=int, default=2, help="CPUs for the local Ray instance")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--eval-seeds", default="1001-1008", help="native evaluation seeds")
    ap.add_argument("--out", required=True, help="weights file to write")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)

    import ray
    from ray.rllib.algorithms.ppo import PPOConfig
    from ray.rllib.core.rl_module.rl_module import RLModuleSpec
    from ray.rllib.examples.rl_modules.classes.action_masking_rlm import (
        ActionMaskingTorchRLModule)
    from ray.tune.registry import register_env

    config_path = os.path.abspath(args.config)
    options = parse_options(args.option)
    env_config = {"config": config_path, "options": options}
    register_env("socsim", MaskedObs)
    ray.init(num_cpus=args.num_cpus, include_dashboard=False, log_to_driver=False,
             ignore_reinit_error=True)
    hidden = [int(h) for h in args.hidden.split(",") if h]
    cfg = (PPOConfig()
           .environment("socsim", env_config=env_config)
           .framework("torch")
           .env_runners(num_env_runners=args.env_runners, num_envs_per_env_runner=1)
           .training(train_batch_size_per_learner=args.batch, minibatch_size=args.minibatch,
                     num_epochs=args.epochs, lr=args.lr, gamma=args.gamma,
                     lambda_=args.lam, entropy_coeff=args.entropy, use_kl_loss=False)
           .rl_module(rl_module_spec=RLModuleSpec(
               module_class=ActionMaskingTorchRLModule,
               model_config={"fcnet_hiddens": hidden, "fcnet_activation": "tanh"}))
           .debugging(seed=args.seed))
    algo = cfg.build_algo()
    returns: List[float] = []
    try:
        for it in range(args.iterations):
            res = algo.train()
            ret = float(res["env_runners"].get("episode_return_mean", float("nan")))
            returns.append(ret)
            print(f"iteration {it + 1}: episode return mean {ret:.4f}", flush=True)
        module = algo.get_module()
        meta_env = socsim_gym.SocSimEnv(config_path=config_path, options=options or None,
                                        backend="inproc")
        try:
            policy = socsim_gym.from_rllib(module, meta_env)
        finally:
            meta_env.close()
        policy.save(args.out)
        print(f"wrote {args.out}")
        same = greedy_match(module, policy, env_config, args.seed, 200)
        print(f"greedy actions equal to the exported network's: {same}/200")
    finally:
        algo.stop()
        ray.shutdown()

    seeds = parse_seeds(args.eval_seeds)
    table = {"rllib_ppo": native_eval(config_path, "neural:" + os.path.abspath(args.out), seeds,
                                      None)}
    for s in ("eft", "heft", "random"):
        table[s] = native_eval(config_path, s, seeds, None)
    for k, v in table.items():
        print(f"eval {k:10s} {np.mean(v):10.2f} us (seeds {args.eval_seeds})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"returns": returns, "greedy_same": same, "eval": table,
                       "eval_seeds": seeds}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
