#!/usr/bin/env python3
"""Policy-gradient scheduling agent in plain numpy (REINFORCE with a shared-trace baseline).

Trains an MLP policy on a socsim environment and writes it as a weights file
for the simulator's ``neural`` scheduler (gym/WEIGHTS.md):

    SOCSIM=build/socsim python3 examples/agents/pg_numpy.py \\
        --config examples/policies/top_small.yaml --out /tmp/top.weights
    build/socsim run examples/policies/top_small.yaml --scheduler neural:/tmp/top.weights

Method: each iteration runs ``--envs`` episodes of the *same* job trace (one
seed per iteration, one vector env, one round trip per step).  Sharing the
trace gives a strong variance-reducing baseline, as in Decima's
input-dependent baseline: the return-to-go of an episode at step t is
compared with the mean over the batch at step t, so only the effect of the
decisions -- not the luck of the arrivals -- drives the update.  The policy
samples from a softmax over the valid actions (the mask); the update is
Adam on the REINFORCE loss plus an entropy bonus.  Evaluation is greedy
(argmax over valid actions), exactly what the C ``neural`` scheduler does.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

if importlib.util.find_spec("socsim_gym") is None:  # a source tree without the package installed
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "gym", "python"))

from socsim_gym import MLPPolicy, SocSimVectorEnv
from socsim_gym.policy import apply_activation


# ---- the network: forward with a cache, backward, Adam -------------------

def forward(policy: MLPPolicy, x: np.ndarray):
    """Logits of a batch and the activations needed by :func:`backward`."""
    hs = [policy.preprocess(x)]
    for W, b, a in policy.layers:
        hs.append(apply_activation(a, hs[-1] @ W.T + b))
    return hs[-1], hs


def backward(policy: MLPPolicy, hs: List[np.ndarray], dout: np.ndarray):
    """Gradients [(dW, db)] of sum(dout * logits) with respect to every layer."""
    grads = []
    d = dout
    for i in range(len(policy.layers) - 1, -1, -1):
        W, _, a = policy.layers[i]
        out = hs[i + 1]
        if a == "tanh":
            d = d * (1.0 - out * out)
        elif a == "relu":
            d = d * (out > 0)
        grads.append((d.T @ hs[i], d.sum(axis=0)))
        d = d @ W
    return grads[::-1]


class Adam:
    def __init__(self, policy: MLPPolicy, lr: float, b1: float = 0.9, b2: float = 0.999,
                 eps: float = 1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, b1, b2, eps
        self.m = [(np.zeros_like(W), np.zeros_like(b)) for W, b, _ in policy.layers]
        self.v = [(np.zeros_like(W), np.zeros_like(b)) for W, b, _ in policy.layers]
        self.t = 0

    def step(self, policy: MLPPolicy, grads) -> None:
        """Gradient *descent* step on every layer, in place."""
        self.t += 1
        c1 = 1.0 - self.b1 ** self.t
        c2 = 1.0 - self.b2 ** self.t
        for i, ((W, b, _), (gW, gb)) in enumerate(zip(policy.layers, grads)):
            for j, (p, g) in enumerate(((W, gW), (b, gb))):
                m, v = self.m[i][j], self.v[i][j]
                m *= self.b1
                m += (1.0 - self.b1) * g
                v *= self.b2
                v += (1.0 - self.b2) * g * g
                p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


def masked_softmax(logits: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Row-wise softmax over valid entries (invalid ones get probability 0).

    A row without any valid entry becomes uniform; the agent's action there
    is ignored by the env anyway (episode over).
    """
    valid = mask.astype(bool)
    empty = ~valid.any(axis=1)
    valid[empty] = True
    z = np.where(valid, logits, -np.inf)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


# ---- rollouts --------------------------------------------------------------

@dataclass
class Batch:
    obs: List[List[np.ndarray]] = field(default_factory=list)
    masks: List[List[np.ndarray]] = field(default_factory=list)
    actions: List[List[int]] = field(default_factory=list)
    rewards: List[List[float]] = field(default_factory=list)
    latency: List[float] = field(default_factory=list)  # avg job latency per episode


def rollout(venv: SocSimVectorEnv, policy: Optional[MLPPolicy], seeds: Sequence[int],
            rng: np.random.Generator, mode: str = "sample") -> Batch:
    """One episode per sub-environment; ``mode`` is sample, greedy or random."""
    n = venv.num_envs
    obs, info = venv.reset(seed=list(seeds))
    masks = info["action_mask"]
    batch = Batch(obs=[[] for _ in range(n)], masks=[[] for _ in range(n)],
                  actions=[[] for _ in range(n)], rewards=[[] for _ in range(n)],
                  latency=[0.0] * n)
    running = np.ones(n, dtype=bool)
    while running.any():
        if mode == "random":
            probs = masked_softmax(np.zeros(masks.shape), masks)
        else:
            logits = policy.logits(obs)
            probs = masked_softmax(logits, masks)
        if mode == "greedy":
            actions = np.argmax(np.where(masks.astype(bool), logits, -np.inf), axis=1)
        else:
            u = rng.random((n, 1))
            actions = np.minimum((probs.cumsum(axis=1) < u).sum(axis=1), probs.shape[1] - 1)
        nobs, rewards, term, trunc, ninfo = venv.step(actions)
        for i in np.flatnonzero(running):
            batch.obs[i].append(obs[i])
            batch.masks[i].append(masks[i])
            batch.actions[i].append(int(actions[i]))
            batch.rewards[i].append(float(rewards[i]))
            if term[i] or trunc[i]:
                running[i] = False
                batch.latency[i] = float(ninfo["avg_latency_us"][i])
        obs, masks = nobs, ninfo["action_mask"]
    return batch


def evaluate(venv: SocSimVectorEnv, policy: Optional[MLPPolicy], seeds: Sequence[int],
             mode: str = "greedy", rng: Optional[np.random.Generator] = None) -> float:
    """Mean of the episodes' average job latency (µs) over the seeds."""
    rng = rng if rng is not None else np.random.default_rng(0)
    n = venv.num_envs
    lat = []
    for k in range(0, len(seeds), n):
        chunk = list(seeds[k:k + n])
        chunk += [chunk[-1]] * (n - len(chunk))
        lat += rollout(venv, policy, chunk, rng, mode).latency[:len(seeds[k:k + n])]
    return float(np.mean(lat))


# ---- training --------------------------------------------------------------

def discounted_returns(rewards: Sequence[float], gamma: float) -> np.ndarray:
    g = np.zeros(len(rewards))
    acc = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        acc = rewards[t] + gamma * acc
        g[t] = acc
    return g


def update(policy: MLPPolicy, opt: Adam, batch: Batch, entropy: float,
           gamma: float) -> Dict[str, float]:
    n = len(batch.rewards)
    returns = [discounted_returns(r, gamma) for r in batch.rewards]
    horizon = max(len(g) for g in returns)
    total = np.zeros(horizon)
    count = np.zeros(horizon)
    for g in returns:
        total[:len(g)] += g
        count[:len(g)] += 1
    baseline = total / np.maximum(count, 1)
    adv = np.concatenate([g - baseline[:len(g)] for g in returns])
    adv = adv / (adv.std() + 1e-8)
    obs = np.concatenate([np.asarray(o) for o in batch.obs])
    masks = np.concatenate([np.asarray(m) for m in batch.masks]).astype(bool)
    acts = np.concatenate([np.asarray(a) for a in batch.actions])
    m = len(acts)
    logits, hs = forward(policy, obs)
    p = masked_softmax(logits, masks)
    logp = np.log(np.where(p > 0, p, 1.0))
    ent = -(p * logp).sum(axis=1)
    onehot = np.zeros_like(p)
    onehot[np.arange(m), acts] = 1.0
    # d/dz of the loss  -mean(adv * log p[a]) - entropy * mean(H)
    dlogits = (-(adv[:, None]) * (onehot - p) + entropy * p * (logp + ent[:, None])) / m
    opt.step(policy, backward(policy, hs, dlogits))
    return {"entropy": float(ent.mean()), "episodes": n, "samples": m}


def train(config_path: Optional[str] = None, options: Optional[Dict[str, Any]] = None,
          iterations: int = 60, envs: int = 8, hidden: Sequence[int] = (64, 64),
          lr: float = 1e-2, entropy: float = 0.01, gamma: float = 0.97, seed: int = 0,
          lr_final: float = 0.1, address: Any = None,
          socsim: Optional[str] = None, log=print, time_budget_s: Optional[float] = None,
          config: Optional[str] = None) -> MLPPolicy:
    """Train a policy; returns it (greedy evaluation is the caller's business).

    The learning rate decays linearly from ``lr`` to ``lr * lr_final``.

    Training seeds are ``seed * 1_000_003 + iteration`` -- keep evaluation
    seeds outside that range.
    """
    rng = np.random.default_rng(seed)
    venv = SocSimVectorEnv(envs, config=config, config_path=config_path, options=options,
                           address=address, socsim=socsim)
    try:
        policy = MLPPolicy.for_env(venv, hidden=hidden, rng=rng)
        opt = Adam(policy, lr)
        start = time.monotonic()
        for it in range(iterations):
            # linear decay to lr * lr_final: large steps early, a settled policy at the end
            opt.lr = lr * (1.0 - (1.0 - lr_final) * it / max(iterations - 1, 1))
            trace = seed * 1_000_003 + it
            batch = rollout(venv, policy, [trace] * envs, rng, "sample")
            stats = update(policy, opt, batch, entropy, gamma)
            if log is not None and (it % 10 == 0 or it == iterations - 1):
                log(f"iter {it:4d}  avg latency {np.mean(batch.latency):9.2f} us  "
                    f"entropy {stats['entropy']:.3f}  samples {stats['samples']}  "
                    f"{time.monotonic() - start:6.1f} s")
            if time_budget_s is not None and time.monotonic() - start > time_budget_s:
                if log is not None:
                    log(f"time budget reached after {it + 1} iterations")
                break
    finally:
        venv.close()
    policy.comment = (f"trained by examples/agents/pg_numpy.py: REINFORCE, {iterations} iterations "
                      f"x {envs} episodes, hidden {list(hidden)}, lr {lr} -> {lr * lr_final}, "
                      f"gamma {gamma}, entropy {entropy}, seed {seed}")
    return policy


def parse_options(items: Sequence[str]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--option expects KEY=VALUE, got {item!r}")
        try:
            out[key] = int(value)
        except ValueError:
            try:
                out[key] = float(value)
            except ValueError:
                out[key] = value
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", help="socsim YAML config (default: the server's default config)")
    ap.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                    help="environment option (gym/PROTOCOL.md 4.3), e.g. slots=4; repeatable")
    ap.add_argument("--iterations", type=int, default=60)
    ap.add_argument("--envs", type=int, default=8, help="episodes per iteration")
    ap.add_argument("--hidden", default="64,64", help="hidden layer widths, comma separated")
    ap.add_argument("--lr", type=float, default=1e-2, help="initial Adam step size")
    ap.add_argument("--lr-final", type=float, default=0.1, help="final step size as a fraction of --lr")
    ap.add_argument("--entropy", type=float, default=0.01)
    ap.add_argument("--gamma", type=float, default=0.97, help="discount per step (decision)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eval-seeds", type=int, default=16, help="evaluation episodes")
    ap.add_argument("--out", help="write the trained policy here (socsim-mlp weights)")
    ap.add_argument("--address", help="a running `socsim serve` (default: start one)")
    ap.add_argument("--socsim", help="socsim executable (default: $SOCSIM or PATH)")
    args = ap.parse_args(argv)

    options = parse_options(args.option)
    hidden = [int(h) for h in args.hidden.split(",") if h]
    policy = train(args.config, options, iterations=args.iterations, envs=args.envs, hidden=hidden,
                   lr=args.lr, lr_final=args.lr_final, entropy=args.entropy, gamma=args.gamma,
                   seed=args.seed,
                   address=args.address, socsim=args.socsim)
    eval_seeds = [10_000_000 + i for i in range(args.eval_seeds)]
    venv = SocSimVectorEnv(min(args.envs, args.eval_seeds), config_path=args.config,
                           options=options, address=args.address, socsim=args.socsim)
    try:
        learned = evaluate(venv, policy, eval_seeds, "greedy")
        rand = evaluate(venv, None, eval_seeds, "random")
    finally:
        venv.close()
    print(f"evaluation over {len(eval_seeds)} episodes: greedy policy {learned:.2f} us, "
          f"masked random {rand:.2f} us average job latency")
    if args.out:
        policy.save(args.out)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
