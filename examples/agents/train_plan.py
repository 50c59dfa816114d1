#!/usr/bin/env python3
"""Plan-mode policy (HEFT's decisions, made by a network): behaviour cloning
with DAgger from the env's plan-mode expert, in numpy; exports a `neural`
weights file and evaluates it in the simulator against HEFT, ETF and PEFT
on held-out seeds.

    python3 examples/agents/train_plan.py --expert rollout \\
        --out examples/policies/default_plan.weights --json examples/agents/default_plan.eval.json

The environment runs with ``action_mode=plan`` (gym/PROTOCOL.md §4.2): each
arriving job is planned whole at its arrival, its tasks offered one at a
time in HEFT's order, and the action is the PE; the task is inserted into
the PE's timeline as HEFT would.  Experts: ``heft`` (least insertion-based
finish: following it is the heft scheduler) and ``rollout`` (least planned
completion of the job when its remaining tasks are placed by HEFT's rule).

Recipe (every number is a flag):
  1. DAgger: round 0 follows the expert, later rounds the current policy,
     on fresh training seeds (16 in-process environments at a time, short
     episodes of --train-jobs measured jobs); every visited state with more
     than one valid PE is labelled with ``info["expert"]`` and kept.
  2. After each round the MLP (tanh, --hidden) is fitted again on all
     states so far by masked cross-entropy (Adam, numpy), then run natively
     (``neural:FILE``) on the validation seeds; the round with the lowest
     validation latency is kept.
  3. Evaluation: native runs of the kept policy, HEFT, ETF and PEFT on the
     evaluation seeds, which neither training nor validation used, and the
     expert itself (followed in the environment: same numbers as a native
     run of the same decisions).

Needs only numpy and socsim_gym (with its in-process extension).  Numpy is
kept on one thread (set before numpy loads), and CPU time of this process
is printed at every stage.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from typing import Dict, List, Optional, Sequence, Tuple  # noqa: E402

import numpy as np  # noqa: E402

import socsim_gym  # noqa: E402
from socsim_gym import MLPPolicy, from_numpy  # noqa: E402
from recipe_util import cpu_min, native_eval, parse_options, parse_seeds  # noqa: E402


# ---- the network (numpy) -------------------------------------------------

class Net:
    """Dense tanh network with a linear output layer, trained by Adam on the
    masked cross-entropy of expert labels."""

    def __init__(self, sizes: Sequence[int], rng: np.random.Generator):
        self.W: List[np.ndarray] = []
        self.b: List[np.ndarray] = []
        for i in range(len(sizes) - 1):
            lim = np.sqrt(6.0 / (sizes[i] + sizes[i + 1]))
            W = rng.uniform(-lim, lim, size=(sizes[i + 1], sizes[i]))
            if i == len(sizes) - 2:
                W *= 0.1
            self.W.append(W.astype(np.float32))
            self.b.append(np.zeros(sizes[i + 1], dtype=np.float32))
        self.m = [np.zeros_like(p) for p in self.params()]
        self.v = [np.zeros_like(p) for p in self.params()]
        self.t = 0

    def params(self) -> List[np.ndarray]:
        return [p for pair in zip(self.W, self.b) for p in pair]

    def forward(self, X: np.ndarray) -> Tuple[np.ndarray, List[np.ndarray]]:
        hs = [X]
        h = X
        for i, (W, b) in enumerate(zip(self.W, self.b)):
            z = h @ W.T + b
            h = z if i == len(self.W) - 1 else np.tanh(z)
            hs.append(h)
        return h, hs

    def step(self, X: np.ndarray, M: np.ndarray, Y: np.ndarray, lr: float) -> float:
        logits, hs = self.forward(X)
        z = np.where(M, logits, -1e9)
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        n = len(X)
        loss = float(-np.log(p[np.arange(n), Y] + 1e-12).mean())
        g = p
        g[np.arange(n), Y] -= 1.0
        g /= n
        grads: List[np.ndarray] = []
        for i in range(len(self.W) - 1, -1, -1):
            grads.append(g.sum(axis=0))        # b
            grads.append(g.T @ hs[i])          # W
            if i > 0:
                g = (g @ self.W[i]) * (1.0 - hs[i] ** 2)
        grads = grads[::-1]                    # W0, b0, W1, b1, ...
        self.t += 1
        b1, b2, eps = 0.9, 0.999, 1e-8
        for k, (prm, gr) in enumerate(zip(self.params(), grads)):
            self.m[k] = b1 * self.m[k] + (1 - b1) * gr
            self.v[k] = b2 * self.v[k] + (1 - b2) * gr * gr
            mh = self.m[k] / (1 - b1 ** self.t)
            vh = self.v[k] / (1 - b2 ** self.t)
            prm -= (lr * mh / (np.sqrt(vh) + eps)).astype(prm.dtype)
        return loss

    def fit(self, X, M, Y, epochs: int, lr: float, batch: int, rng) -> Tuple[float, float]:
        n = len(X)
        loss = 0.0
        for _ in range(epochs):
            perm = rng.permutation(n)
            tot = 0.0
            for k in range(0, n, batch):
                idx = perm[k:k + batch]
                tot += self.step(X[idx], M[idx], Y[idx], lr) * len(idx)
            loss = tot / n
        agree = 0
        for k in range(0, n, 8192):
            lg, _ = self.forward(X[k:k + 8192])
            agree += int((np.where(M[k:k + 8192], lg, -np.inf).argmax(1) == Y[k:k + 8192]).sum())
        return loss, agree / n

    def policy(self, env) -> MLPPolicy:
        """The network as exported: every number rounded to 8 significant
        digits (a short file; the simulator and MLPPolicy both read these
        decimals, so they compute the same network)."""
        def short(a: np.ndarray) -> np.ndarray:
            return np.char.mod("%.8g", a.astype(np.float64)).astype(np.float64).reshape(a.shape)

        layers = [(short(W), short(b), "tanh") for W, b in zip(self.W, self.b)]
        layers[-1] = (layers[-1][0], layers[-1][1], "linear")
        return from_numpy(layers, env)


# ---- data ----------------------------------------------------------------

def collect(config: str, options, policy: Optional[MLPPolicy], seeds: List[int]):
    """Play one episode per seed (16 at a time), acting with the expert
    (policy None) or the policy; return the states with a real choice:
    (obs, mask, expert action)."""
    X, M, Y = [], [], []
    n = min(16, len(seeds))
    v = socsim_gym.SocSimVectorEnv(n, config_path=config, options=options, backend="inproc")
    try:
        for start in range(0, len(seeds), n):
            batch = seeds[start:start + n]
            obs, info = v.reset(seed=batch + [batch[-1]] * (n - len(batch)))
            live = np.ones(n, dtype=bool)
            live[len(batch):] = False
            while live.any():
                mask = info["action_mask"]
                exp = info["expert"]
                keep = live & (mask.sum(axis=1) > 1) & (exp >= 0)
                X.append(obs[keep].copy())
                M.append(mask[keep].astype(bool))
                Y.append(exp[keep].copy())
                act = exp.copy() if policy is None else policy.act(obs, mask)
                obs, _, term, trunc, info = v.step(act)
                live &= ~(term | trunc)
    finally:
        v.close()
    return np.concatenate(X), np.concatenate(M), np.concatenate(Y)


def expert_eval(config: str, options, seeds: List[int], jobs: Optional[int]) -> List[float]:
    """The expert followed in the environment, one episode per seed (the
    env's avg_latency_us is socsim run's for the same decisions)."""
    opts = dict(options)
    if jobs is not None:
        opts["jobs"] = jobs
    out = []
    env = socsim_gym.SocSimEnv(config_path=config, options=opts, backend="inproc")
    try:
        for s in seeds:
            _, info = env.reset(seed=s)
            while True:
                _, _, te, tr, info = env.step(int(info["expert"]))
                if te or tr:
                    break
            out.append(float(info["avg_latency_us"]))
    finally:
        env.close()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", default=None, help="YAML config (default: the embedded default)")
    ap.add_argument("--option", action="append", default=[], help="env option key=value")
    ap.add_argument("--expert", default="rollout", choices=["heft", "rollout"])
    ap.add_argument("--hidden", default="32,32")
    ap.add_argument("--train-jobs", type=int, default=300,
                    help="measured jobs per training episode")
    ap.add_argument("--train-seed-base", type=int, default=1)
    ap.add_argument("--episodes", type=int, default=16, help="training episodes per DAgger round")
    ap.add_argument("--rounds", type=int, default=5, help="DAgger rounds after the expert round")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--val-seeds", default="501-503")
    ap.add_argument("--val-jobs", type=int, default=None, help="measured jobs of validation runs")
    ap.add_argument("--eval-seeds", default="2001-2020")
    ap.add_argument("--eval-jobs", type=int, default=None, help="measured jobs of evaluation runs")
    ap.add_argument("--no-eval", action="store_true", help="stop after training")
    ap.add_argument("--seed", type=int, default=0, help="numpy seed")
    ap.add_argument("--out", required=True)
    ap.add_argument("--json", default=None, help="write the evaluation table here")
    args = ap.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    if args.config is None:  # the embedded default is shipped as workloads/default.yaml
        args.config = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                   "workloads", "default.yaml")
    options = parse_options(args.option)
    options["action_mode"] = "plan"
    options["expert"] = args.expert
    train_opts = dict(options, jobs=args.train_jobs)
    hidden = [int(h) for h in args.hidden.split(",") if h]
    meta = socsim_gym.SocSimEnv(config_path=args.config, options=options, backend="inproc")
    dim = meta.observation_space.shape[0]
    n_act = meta.action_space.n
    net = Net([dim, *hidden, n_act], rng)
    t0 = cpu_min()
    print(f"# {args.config}: plan mode, obs {dim}, actions {n_act}, expert {args.expert}",
          flush=True)

    val = parse_seeds(args.val_seeds)
    tmpw = args.out + ".tmp"
    seed_next = args.train_seed_base
    X = M = Y = None
    policy: Optional[MLPPolicy] = None
    best: Optional[MLPPolicy] = None
    best_val, best_round, history = np.inf, -1, []
    for r in range(args.rounds + 1):
        seeds = list(range(seed_next, seed_next + args.episodes))
        seed_next += args.episodes
        x, m, y = collect(args.config, train_opts, None if r == 0 else policy, seeds)
        X = x if X is None else np.concatenate([X, x])
        M = m if M is None else np.concatenate([M, m])
        Y = y if Y is None else np.concatenate([Y, y])
        loss, agree = net.fit(X, M, Y, args.epochs, args.lr, args.batch, rng)
        policy = net.policy(meta)
        policy.save(tmpw)
        v = float(np.mean(native_eval(args.config, f"neural:{tmpw}", val, args.val_jobs)))
        history.append({"round": r, "states": int(len(X)), "loss": loss, "agreement": agree,
                        "val": v, "cpu_min": cpu_min() - t0})
        print(f"round {r}: {len(x)} new states, {len(X)} in all; loss {loss:.4f}, agreement "
              f"with the expert {agree:.4f}; validation {v:.3f}; cpu {cpu_min() - t0:.2f} min",
              flush=True)
        if v < best_val:
            best, best_val, best_round = policy, v, r
    os.unlink(tmpw)
    train_cpu = cpu_min() - t0
    assert best is not None
    best.comment = (f"trained by examples/agents/train_plan.py (plan mode, BC + DAgger from the "
                    f"{args.expert} expert, round {best_round} of {args.rounds}); "
                    f"{train_cpu:.1f} CPU-minutes\n" + " ".join(sys.argv[1:] if argv is None else argv))
    best.save(args.out)
    print(f"wrote {args.out} (round {best_round}, validation {best_val:.3f}); training cpu "
          f"{train_cpu:.2f} min", flush=True)
    if args.no_eval:
        return 0

    ev = parse_seeds(args.eval_seeds)
    table: Dict[str, Dict[str, object]] = {}
    for name, spec in [("neural", f"neural:{args.out}"), ("heft", "heft"), ("etf", "etf"),
                       ("peft", "peft")]:
        lat = native_eval(args.config, spec, ev, args.eval_jobs)
        table[name] = {"mean": float(np.mean(lat)), "per_seed": lat}
        print(f"eval {name:10s} {np.mean(lat):10.3f}", flush=True)
    if args.expert != "heft":
        lat = expert_eval(args.config, options, ev, args.eval_jobs)
        table[f"expert:{args.expert}"] = {"mean": float(np.mean(lat)), "per_seed": lat}
        print(f"eval {'expert:' + args.expert:10s} {np.mean(lat):10.3f}", flush=True)
    best_h = min(table[k]["mean"] for k in ("heft", "etf", "peft"))
    gain = 100.0 * (best_h - table["neural"]["mean"]) / best_h
    print(f"neural vs best of HEFT/ETF/PEFT: {gain:+.3f}% (positive = better); eval seeds "
          f"{args.eval_seeds}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"config": os.path.relpath(args.config), "eval_seeds": args.eval_seeds,
                       "eval_jobs": args.eval_jobs, "table": table, "gain_pct": gain,
                       "train_cpu_min": train_cpu, "rounds": history, "kept_round": best_round,
                       "argv": sys.argv[1:] if argv is None else list(argv)}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
