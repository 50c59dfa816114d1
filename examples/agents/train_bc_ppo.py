#!/usr/bin/env python3
"""Behaviour cloning with DAgger from the env's expert, then (optionally)
MaskablePPO fine-tuning; exports a `neural` weights file and evaluates it in
the simulator against HEFT, ETF and PEFT on held-out seeds.

    python3 examples/agents/train_bc_ppo.py --config examples/agents/top_high_load.yaml \\
        --expert sufferage --out examples/policies/top_high_load.weights

Recipe (every number is a flag):
  1. DAgger: roll out the current policy (the expert itself in round 0) in
     a 16-env in-process vector env on the training seeds; label every state
     visited with the action of `info["expert"]`; aggregate; fit the MLP by
     masked cross-entropy (Adam).  Rounds use fresh training seeds.
  2. PPO (--ppo-steps > 0): MaskablePPO through socsim_gym.sb3.SocSimVecEnv,
     the actor initialised with the cloned weights; the fine-tuned actor is
     kept only if it is better on the validation seeds.
  3. Export (gym/WEIGHTS.md) and evaluate natively (socsim.run with
     `neural:FILE`) on the evaluation seeds, which neither training nor any
     choice above used.

Seeds: training episodes use seeds from --train-seed-base upwards, the
validation check --val-seeds, the final table --eval-seeds.  CPU time (this
process, all threads) is printed at every stage; --cpu-budget-min stops the
PPO stage when the budget is spent.  Needs torch; PPO also
stable-baselines3 and sb3-contrib (pip install "socsim_gym[sb3]" torch).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import List, Optional

import numpy as np

import socsim_gym
from socsim_gym import MLPPolicy, from_torch
from recipe_util import cpu_min, native_eval, parse_options, parse_seeds


# ---- data --------------------------------------------------------------

def collect(args, options, policy: Optional[MLPPolicy], seeds: List[int], beta: float,
            rng: np.random.Generator):
    """Run episodes (one per seed, 16 at a time) acting with the expert
    (probability beta per step) or the policy; return (obs, mask, expert)."""
    X, M, Y = [], [], []
    n = min(16, len(seeds))
    v = socsim_gym.SocSimVectorEnv(n, config_path=args.config, options=options, backend="inproc")
    try:
        for start in range(0, len(seeds), n):
            batch = seeds[start:start + n]
            seeds_row = batch + [batch[-1]] * (n - len(batch))
            obs, info = v.reset(seed=seeds_row)
            live = np.ones(n, dtype=bool)
            live[len(batch):] = False
            while live.any():
                mask = info["action_mask"]
                exp = info["expert"]
                X.append(obs[live].copy())
                M.append(mask[live].astype(bool))
                Y.append(exp[live].copy())
                if policy is None:
                    act = exp.copy()
                else:
                    act = policy.act(obs, mask)
                    use_exp = rng.random(n) < beta
                    act = np.where(use_exp, exp, act)
                obs, _, term, trunc, info = v.step(act)
                live &= ~(term | trunc)
                # NEXT_STEP autoreset: an ended row restarts next step; it is
                # no longer live, so its new episode is not recorded
    finally:
        v.close()
    X = np.concatenate(X)
    M = np.concatenate(M)
    Y = np.concatenate(Y)
    ok = Y >= 0
    return X[ok], M[ok], Y[ok]


# ---- model -------------------------------------------------------------

def make_net(torch, dim: int, n_act: int, hidden: List[int]):
    layers = []
    last = dim
    for h in hidden:
        layers += [torch.nn.Linear(last, h), torch.nn.Tanh()]
        last = h
    layers.append(torch.nn.Linear(last, n_act))
    return torch.nn.Sequential(*layers)


def fit(torch, net, X, M, Y, epochs: int, lr: float, batch: int, rng):
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    Xt = torch.as_tensor(X)
    Mt = torch.as_tensor(M)
    Yt = torch.as_tensor(Y, dtype=torch.long)
    n = len(X)
    for ep in range(epochs):
        perm = torch.as_tensor(rng.permutation(n))
        tot = 0.0
        for k in range(0, n, batch):
            idx = perm[k:k + batch]
            logits = net(Xt[idx]).masked_fill(~Mt[idx], -1e9)
            loss = torch.nn.functional.cross_entropy(logits, Yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += float(loss.detach()) * len(idx)
    with torch.no_grad():
        pred = net(Xt).masked_fill(~Mt, -1e9).argmax(1)
        acc = float((pred == Yt).float().mean())
    return tot / n, acc


def to_policy(torch, net, meta_env) -> MLPPolicy:
    return from_torch(net, meta_env)


# ---- evaluation --------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", default=None, help="YAML config (default: the embedded default)")
    ap.add_argument("--option", action="append", default=[], help="env option key=value")
    ap.add_argument("--expert", default="sufferage", choices=["eft", "etf", "heft", "sufferage"])
    ap.add_argument("--hidden", default="64,64")
    ap.add_argument("--train-jobs", type=int, default=None,
                    help="measured jobs per training episode (default: the config's)")
    ap.add_argument("--train-seed-base", type=int, default=1)
    ap.add_argument("--episodes", type=int, default=32, help="training episodes per DAgger round")
    ap.add_argument("--rounds", type=int, default=4, help="DAgger rounds after the expert round")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--ppo-steps", type=int, default=0)
    ap.add_argument("--ppo-lr", type=float, default=3e-5)
    ap.add_argument("--val-seeds", default="501-506")
    ap.add_argument("--eval-seeds", default="1001-1020")
    ap.add_argument("--eval-jobs", type=int, default=None, help="measured jobs of evaluation runs")
    ap.add_argument("--cpu-budget-min", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=0, help="torch / numpy seed")
    ap.add_argument("--out", required=True)
    ap.add_argument("--json", default=None, help="write the evaluation table here")
    args = ap.parse_args(argv)

    import torch

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    rng = np.random.default_rng(args.seed)
    if args.config is None:  # the embedded default is shipped as workloads/default.yaml
        args.config = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                   "workloads", "default.yaml")
    options = parse_options(args.option)
    options["expert"] = args.expert
    train_opts = dict(options)
    if args.train_jobs:
        train_opts["jobs"] = args.train_jobs
    hidden = [int(h) for h in args.hidden.split(",") if h]
    meta = socsim_gym.SocSimEnv(config_path=args.config, options=options, backend="inproc")
    dim = meta.observation_space.shape[0]
    n_act = meta.action_space.n
    net = make_net(torch, dim, n_act, hidden)
    t0 = cpu_min()
    print(f"# {args.config}: obs {dim}, actions {n_act}, expert {args.expert}", flush=True)

    seed_next = args.train_seed_base
    X = M = Y = None
    policy = None
    for r in range(args.rounds + 1):
        seeds = list(range(seed_next, seed_next + args.episodes))
        seed_next += args.episodes
        beta = 1.0 if r == 0 else 0.0
        x, m, y = collect(args, train_opts, policy, seeds, beta, rng)
        X = x if X is None else np.concatenate([X, x])
        M = m if M is None else np.concatenate([M, m])
        Y = y if Y is None else np.concatenate([Y, y])
        loss, acc = fit(torch, net, X, M, Y, args.epochs, args.lr, 512, rng)
        policy = to_policy(torch, net, meta)
        print(f"round {r}: {len(x)} new states, {len(X)} total; loss {loss:.4f}, "
              f"agreement with the expert {acc:.4f}; cpu {cpu_min() - t0:.2f} min", flush=True)

    val = parse_seeds(args.val_seeds)
    tmpw = args.out + ".bc"
    policy.save(tmpw)
    bc_val = float(np.mean(native_eval(args.config, f"neural:{tmpw}", val, args.eval_jobs)))
    print(f"validation (seeds {args.val_seeds}): BC {bc_val:.2f}; cpu {cpu_min() - t0:.2f} min",
          flush=True)
    best, best_val, stage = policy, bc_val, "bc"

    if args.ppo_steps > 0 and cpu_min() - t0 < args.cpu_budget_min:
        from sb3_contrib import MaskablePPO

        from socsim_gym.sb3 import SocSimVecEnv

        venv = SocSimVecEnv(16, config_path=args.config, options=train_opts,
                            seed=seed_next * 1000003)
        model = MaskablePPO("MlpPolicy", venv, learning_rate=args.ppo_lr, n_steps=256,
                            batch_size=1024, n_epochs=4, gamma=0.999, gae_lambda=0.95,
                            clip_range=0.1, ent_coef=0.0, seed=args.seed, verbose=0,
                            policy_kwargs={"net_arch": {"pi": hidden, "vf": hidden},
                                           "activation_fn": torch.nn.Tanh})
        lin = [mod for mod in net if isinstance(mod, torch.nn.Linear)]
        pol_lin = [mod for mod in model.policy.mlp_extractor.policy_net
                   if isinstance(mod, torch.nn.Linear)] + [model.policy.action_net]
        with torch.no_grad():
            for a, b in zip(pol_lin, lin):
                a.weight.copy_(b.weight)
                a.bias.copy_(b.bias)
        done = 0
        chunk = 16 * 256 * 4
        while done < args.ppo_steps and cpu_min() - t0 < args.cpu_budget_min:
            model.learn(chunk, reset_num_timesteps=False)
            done += chunk
        cand = socsim_gym.from_sb3(model, venv)
        cand.save(tmpw)
        ppo_val = float(np.mean(native_eval(args.config, f"neural:{tmpw}", val, args.eval_jobs)))
        print(f"PPO: {done} steps; validation {ppo_val:.2f} (BC {bc_val:.2f}); "
              f"cpu {cpu_min() - t0:.2f} min", flush=True)
        if ppo_val < best_val:
            best, best_val, stage = cand, ppo_val, "bc+ppo"
    os.unlink(tmpw)
    train_cpu = cpu_min() - t0
    best.comment = (f"trained by examples/agents/train_bc_ppo.py ({stage}, expert {args.expert}); "
                    f"{train_cpu:.1f} CPU-minutes\n" + " ".join(sys.argv[1:] if argv is None else argv))
    best.save(args.out)
    print(f"wrote {args.out} ({stage}); training cpu {train_cpu:.2f} min", flush=True)

    ev = parse_seeds(args.eval_seeds)
    table = {}
    for name, spec in [("neural", f"neural:{args.out}"), ("heft", "heft"), ("etf", "etf"),
                       ("peft", "peft"), (args.expert, args.expert)]:
        if name in table:
            continue
        lat = native_eval(args.config, spec, ev, args.eval_jobs)
        table[name] = {"mean": float(np.mean(lat)), "per_seed": lat}
        print(f"eval {name:10s} {np.mean(lat):10.2f}", flush=True)
    best_h = min(table[k]["mean"] for k in ("heft", "etf", "peft"))
    gain = 100.0 * (best_h - table["neural"]["mean"]) / best_h
    print(f"neural vs best of HEFT/ETF/PEFT: {gain:+.2f}% (positive = better); "
          f"eval seeds {args.eval_seeds}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"config": args.config, "eval_seeds": args.eval_seeds, "table": table,
                       "gain_pct": gain, "train_cpu_min": train_cpu, "stage": stage,
                       "argv": sys.argv[1:] if argv is None else list(argv)}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
