"""MLP policies in numpy and the weights file of the ``neural`` scheduler.

The file format is gym/WEIGHTS.md (``socsim-mlp 1``).  :class:`MLPPolicy`
computes exactly what the C scheduler computes -- float64 dense layers,
argmax over the valid actions with ties to the lowest index -- so a policy
trained in Python can be run inside the simulator with
``socsim run CONFIG --scheduler neural:FILE``.

Exporters: :func:`from_numpy` (lists of ``(W, b, activation)``),
:func:`from_torch` (``nn.Sequential`` of Linear and activations) and
:func:`from_sb3` (a Stable-Baselines3 / sb3-contrib ``MlpPolicy``).  torch is
imported by none of them: modules are read through their attributes.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

MAGIC = "socsim-mlp"
FORMAT_VERSION = 1
ACTIVATIONS = ("tanh", "relu", "linear")
ACTION_MODES = ("pair", "pe", "task", "plan")
MAX_LAYERS = 16
MAX_WIDTH = 65536
MAX_WEIGHTS = 1 << 26


class WeightsError(ValueError):
    """A weights file or network that does not follow gym/WEIGHTS.md."""


def apply_activation(name: str, x: np.ndarray) -> np.ndarray:
    if name == "tanh":
        return np.tanh(x)
    if name == "relu":
        return np.maximum(x, 0.0)
    return x


@dataclass
class MLPPolicy:
    """A dense network from observation to one logit per action.

    Attributes:
        layers: ``[(W, b, activation)]`` with ``W`` of shape (out, in),
            float64; the last activation is normally ``"linear"``.
        slots, action_mode, time_scale_us, n_pes: the environment the
            policy was trained in (``env.env_options`` and ``len(env.pe_names)``).
        input_shift, input_scale, input_clip: optional input normalisation,
            ``x = clip((x - shift) * scale, -clip, clip)``.
    """

    layers: List[Tuple[np.ndarray, np.ndarray, str]]
    slots: int
    action_mode: str
    time_scale_us: float
    n_pes: int
    obs_dim: Optional[int] = None
    input_shift: Optional[np.ndarray] = None
    input_scale: Optional[np.ndarray] = None
    input_clip: Optional[float] = None
    comment: str = ""

    def __post_init__(self) -> None:
        self.layers = [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64).reshape(-1), str(a))
                       for W, b, a in self.layers]
        if self.input_shift is not None:
            self.input_shift = np.array(self.input_shift, dtype=np.float64).reshape(-1)
        if self.input_scale is not None:
            self.input_scale = np.array(self.input_scale, dtype=np.float64).reshape(-1)
        if self.input_clip is not None:
            self.input_clip = float(self.input_clip)
        self.slots = int(self.slots)
        self.n_pes = int(self.n_pes)
        self.time_scale_us = float(self.time_scale_us)
        if self.obs_dim is None and self.layers:
            self.obs_dim = int(self.layers[0][0].shape[1])
        self.obs_dim = int(self.obs_dim) if self.obs_dim is not None else 0
        self.validate()

    # ---- dimensions ------------------------------------------------------
    # obs_dim is stored, not derived: the observation layout is the
    # simulator's business (sim/include/soc/obs.h), the file records it.
    @property
    def n_actions(self) -> int:
        return {"pair": self.slots * self.n_pes, "pe": self.n_pes, "task": self.slots,
                "plan": self.n_pes}[self.action_mode]

    def validate(self) -> None:
        """Raise :class:`WeightsError` if the network breaks a rule of gym/WEIGHTS.md."""
        if self.action_mode not in ACTION_MODES:
            raise WeightsError(f"action_mode must be one of {ACTION_MODES}, got {self.action_mode!r}")
        if not 1 <= self.slots <= 1024:
            raise WeightsError(f"slots must be in 1..1024, got {self.slots}")
        if self.n_pes < 1:
            raise WeightsError(f"n_pes must be positive, got {self.n_pes}")
        if self.obs_dim < 1:
            raise WeightsError(f"obs_dim must be positive, got {self.obs_dim}")
        if not (np.isfinite(self.time_scale_us) and self.time_scale_us > 0):
            raise WeightsError(f"time_scale_us must be positive, got {self.time_scale_us}")
        if not 1 <= len(self.layers) <= MAX_LAYERS:
            raise WeightsError(f"a network has 1..{MAX_LAYERS} layers, this one {len(self.layers)}")
        width = self.obs_dim
        total = 0
        for i, (W, b, a) in enumerate(self.layers):
            if a not in ACTIVATIONS:
                raise WeightsError(f"layer {i}: activation {a!r} is not one of {ACTIVATIONS}")
            if W.ndim != 2 or W.shape[1] != width:
                raise WeightsError(f"layer {i}: weights of shape {W.shape}, expected (out, {width})")
            if b.shape != (W.shape[0],):
                raise WeightsError(f"layer {i}: bias of shape {b.shape}, expected ({W.shape[0]},)")
            if not 1 <= W.shape[0] <= MAX_WIDTH:
                raise WeightsError(f"layer {i}: width {W.shape[0]} outside 1..{MAX_WIDTH}")
            if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
                raise WeightsError(f"layer {i}: weights must be finite")
            total += W.size + b.size
            width = W.shape[0]
        if total > MAX_WEIGHTS:
            raise WeightsError(f"{total} weights, more than the limit {MAX_WEIGHTS}")
        if width != self.n_actions:
            raise WeightsError(f"the last layer has {width} outputs, the {self.action_mode!r} "
                               f"action mode needs {self.n_actions}")
        for name in ("input_shift", "input_scale"):
            v = getattr(self, name)
            if v is not None and (v.shape != (self.obs_dim,) or not np.all(np.isfinite(v))):
                raise WeightsError(f"{name} must hold {self.obs_dim} finite numbers")
        if self.input_clip is not None and not (np.isfinite(self.input_clip) and self.input_clip >= 0):
            raise WeightsError(f"input_clip must be finite and non-negative, got {self.input_clip}")

    def matches(self, env: Any) -> None:
        """Raise :class:`WeightsError` unless the policy fits ``env``.

        ``env`` is a SocSimEnv or SocSimVectorEnv; slots, action mode, PE
        count, dimensions and the time scale of the observation must agree.
        """
        meta = env_meta(env)
        mine = {"slots": self.slots, "action_mode": self.action_mode, "n_pes": self.n_pes,
                "obs_dim": self.obs_dim, "n_actions": self.n_actions}
        theirs = {k: meta[k] for k in mine}
        if mine != theirs or not np.isclose(self.time_scale_us, meta["time_scale_us"],
                                            rtol=1e-12, atol=0.0):
            mine["time_scale_us"] = self.time_scale_us
            theirs["time_scale_us"] = meta["time_scale_us"]
            raise WeightsError(f"the policy was made for {mine}, the environment is {theirs}")

    # ---- inference -------------------------------------------------------
    def preprocess(self, obs: np.ndarray) -> np.ndarray:
        x = np.asarray(obs, dtype=np.float64)
        if self.input_shift is not None:
            x = x - self.input_shift
        if self.input_scale is not None:
            x = x * self.input_scale
        if self.input_clip is not None:
            x = np.clip(x, -self.input_clip, self.input_clip)
        return x

    def logits(self, obs: np.ndarray) -> np.ndarray:
        """Logits of one observation (shape (obs_dim,)) or a batch (N, obs_dim)."""
        h = self.preprocess(obs)
        for W, b, a in self.layers:
            h = apply_activation(a, h @ W.T + b)
        return h

    def act(self, obs: np.ndarray, mask: np.ndarray) -> Any:
        """Argmax of the logits over valid actions (ties: lowest index).

        With no valid action, returns -1 (an invalid action, which the
        environment replaces by its fallback -- what the C scheduler does).
        Works on one observation or a batch.
        """
        logits = self.logits(obs)
        valid = np.asarray(mask).astype(bool)
        masked = np.where(valid, logits, -np.inf)
        best = np.argmax(masked, axis=-1)
        any_valid = valid.any(axis=-1)
        if np.ndim(best) == 0:
            return int(best) if any_valid else -1
        return np.where(any_valid, best, -1)

    # ---- file I/O --------------------------------------------------------
    def save(self, path: str) -> None:
        """Write the weights file (numbers as shortest round-trip decimals)."""
        text = self.dumps()
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)

    def dumps(self) -> str:
        self.validate()
        out: List[str] = []
        for line in self.comment.splitlines():
            out.append(f"# {line}".rstrip())
        out.append(f"{MAGIC} {FORMAT_VERSION}")
        out.append(f"slots {self.slots}")
        out.append(f"action_mode {self.action_mode}")
        out.append(f"time_scale_us {_num(self.time_scale_us)}")
        out.append(f"n_pes {self.n_pes}")
        out.append(f"obs_dim {self.obs_dim}")
        out.append(f"n_actions {self.n_actions}")
        if self.input_shift is not None:
            out.append(f"input_shift {self.obs_dim} " + " ".join(map(_num, self.input_shift)))
        if self.input_scale is not None:
            out.append(f"input_scale {self.obs_dim} " + " ".join(map(_num, self.input_scale)))
        if self.input_clip is not None:
            out.append(f"input_clip {_num(self.input_clip)}")
        out.append(f"layers {len(self.layers)}")
        for W, b, a in self.layers:
            out.append(f"dense {W.shape[1]} {W.shape[0]} {a}")
            for row in W:
                out.append("  " + " ".join(map(_num, row)))
            out.append("  " + " ".join(map(_num, b)))
        out.append("end")
        return "\n".join(out) + "\n"

    @classmethod
    def load(cls, path: str) -> "MLPPolicy":
        with open(path, "r", encoding="utf-8") as f:
            return cls.loads(f.read(), name=os.fspath(path))

    @classmethod
    def loads(cls, text: str, name: str = "<weights>") -> "MLPPolicy":
        """Parse a weights file; errors name the line and column."""
        toks = _Tokens(text, name)
        magic = toks.word()
        if magic != MAGIC:
            toks.fail(f"expected '{MAGIC}', got '{magic}'")
        version = toks.integer()
        if version != FORMAT_VERSION:
            toks.fail(f"format version {version} is not supported (only {FORMAT_VERSION})")
        toks.keyword("slots")
        slots = toks.integer()
        toks.keyword("action_mode")
        mode = toks.word()
        toks.keyword("time_scale_us")
        scale = toks.number()
        toks.keyword("n_pes")
        n_pes = toks.integer()
        toks.keyword("obs_dim")
        obs_dim = toks.integer()
        toks.keyword("n_actions")
        n_actions = toks.integer()
        opt: Dict[str, Any] = {}
        while toks.peek() in ("input_shift", "input_scale", "input_clip"):
            key = toks.word()
            if key in opt:
                toks.fail(f"'{key}' given twice")
            if key == "input_clip":
                opt[key] = toks.number()
            else:
                n = toks.integer()
                if n != obs_dim:
                    toks.fail(f"{key} has {n} numbers, obs_dim is {obs_dim}")
                opt[key] = np.array([toks.number() for _ in range(n)])
        toks.keyword("layers")
        n_layers = toks.integer()
        if not 1 <= n_layers <= MAX_LAYERS:
            toks.fail(f"layers must be 1..{MAX_LAYERS}, got {n_layers}")
        layers = []
        for _ in range(n_layers):
            toks.keyword("dense")
            n_in, n_out = toks.integer(), toks.integer()
            act = toks.word()
            if act not in ACTIVATIONS:
                toks.fail(f"unknown activation '{act}'")
            if not (1 <= n_in <= MAX_WIDTH and 1 <= n_out <= MAX_WIDTH):
                toks.fail(f"layer dimensions {n_in}x{n_out} out of range")
            W = np.array([toks.number() for _ in range(n_in * n_out)]).reshape(n_out, n_in)
            b = np.array([toks.number() for _ in range(n_out)])
            layers.append((W, b, act))
        toks.keyword("end")
        if toks.peek() is not None:
            toks.fail("text after 'end'")
        pol = cls(layers=layers, slots=slots, action_mode=mode, time_scale_us=scale, n_pes=n_pes,
                  obs_dim=obs_dim, input_shift=opt.get("input_shift"), input_scale=opt.get("input_scale"),
                  input_clip=opt.get("input_clip"))
        if pol.n_actions != n_actions:
            raise WeightsError(f"{name}: n_actions {n_actions} does not match slots {slots}, "
                               f"n_pes {n_pes}, action_mode {mode} ({pol.n_actions})")
        return pol

    # ---- construction ----------------------------------------------------
    @classmethod
    def for_env(cls, env: Any, hidden: Sequence[int] = (64, 64), activation: str = "tanh",
                rng: Optional[np.random.Generator] = None, out_scale: float = 0.01) -> "MLPPolicy":
        """A freshly initialised network fitting ``env`` (a SocSimEnv or SocSimVectorEnv).

        Hidden layers use Glorot-uniform weights; the output layer is scaled
        by ``out_scale`` so the initial policy is close to uniform.
        """
        rng = rng if rng is not None else np.random.default_rng()
        meta = env_meta(env)
        sizes = [meta["obs_dim"], *[int(h) for h in hidden], meta["n_actions"]]
        layers = []
        for i in range(len(sizes) - 1):
            n_in, n_out = sizes[i], sizes[i + 1]
            lim = np.sqrt(6.0 / (n_in + n_out))
            W = rng.uniform(-lim, lim, size=(n_out, n_in))
            last = i == len(sizes) - 2
            if last:
                W *= out_scale
            layers.append((W, np.zeros(n_out), "linear" if last else activation))
        return cls(layers=layers, slots=meta["slots"], action_mode=meta["action_mode"],
                   time_scale_us=meta["time_scale_us"], n_pes=meta["n_pes"], obs_dim=meta["obs_dim"])


def env_meta(env: Any) -> Dict[str, Any]:
    """slots, action_mode, time_scale_us, n_pes, obs_dim, n_actions of an env."""
    opts = env.env_options
    space = getattr(env, "single_action_space", None) or env.action_space
    obs_space = getattr(env, "single_observation_space", None) or env.observation_space
    return {"slots": int(opts["slots"]), "action_mode": str(opts["action_mode"]),
            "time_scale_us": float(opts["time_scale_us"]), "n_pes": len(env.pe_names),
            "obs_dim": int(obs_space.shape[-1]), "n_actions": int(space.n)}


def _num(x: float) -> str:
    # repr of a Python float is the shortest text that reads back to the same
    # double, so the C side computes with exactly these weights.
    return repr(float(x))


class _Tokens:
    """Whitespace tokenizer with '#' comments and line:column positions."""

    _TOKEN = re.compile(r"#[^\n]*|\S+")

    def __init__(self, text: str, name: str):
        self.name = name
        self.items: List[Tuple[str, int, int]] = []
        line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        li = 0
        for m in self._TOKEN.finditer(text):
            tok = m.group(0)
            if tok.startswith("#"):
                continue
            while li + 1 < len(line_starts) and line_starts[li + 1] <= m.start():
                li += 1
            self.items.append((tok, li + 1, m.start() - line_starts[li] + 1))
        self.pos = 0

    def fail(self, msg: str) -> None:
        if self.pos < len(self.items):
            _, line, col = self.items[min(self.pos, len(self.items) - 1)]
            raise WeightsError(f"{self.name}:{line}:{col}: {msg}")
        raise WeightsError(f"{self.name}: end of file: {msg}")

    def peek(self) -> Optional[str]:
        return self.items[self.pos][0] if self.pos < len(self.items) else None

    def word(self) -> str:
        if self.pos >= len(self.items):
            self.fail("unexpected end of file")
        tok = self.items[self.pos][0]
        self.pos += 1
        return tok

    def keyword(self, kw: str) -> None:
        if self.peek() != kw:
            self.fail(f"expected '{kw}', got '{self.peek()}'")
        self.pos += 1

    def integer(self) -> int:
        tok = self.peek()
        if tok is None or not re.fullmatch(r"[+-]?\d+", tok):
            self.fail(f"expected an integer, got '{tok}'")
        self.pos += 1
        return int(tok)  # type: ignore[arg-type]

    def number(self) -> float:
        tok = self.peek()
        try:
            v = float(tok)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            v = float("nan")
        if not np.isfinite(v):
            self.fail(f"expected a finite number, got '{tok}'")
        self.pos += 1
        return v


# ---- exporters -----------------------------------------------------------

def from_numpy(layers: Iterable[Tuple[Any, Any, str]], env: Any = None, **meta: Any) -> MLPPolicy:
    """An :class:`MLPPolicy` from ``(W (out, in), b, activation)`` triples.

    The environment description comes from ``env`` (a SocSimEnv) or the
    keywords ``slots``, ``action_mode``, ``time_scale_us``, ``n_pes``;
    keywords override the env.  ``input_shift``, ``input_scale`` and
    ``input_clip`` may be given as keywords too.
    """
    info = {k: v for k, v in env_meta(env).items() if k != "n_actions"} if env else {}
    info.update(meta)
    return MLPPolicy(layers=[(np.asarray(W), np.asarray(b), a) for W, b, a in layers], **info)


_TORCH_ACTIVATIONS = {"Tanh": "tanh", "ReLU": "relu", "Identity": None, "Flatten": None,
                      "Dropout": None}


def _torch_array(t: Any) -> np.ndarray:
    if hasattr(t, "detach"):
        t = t.detach()
    if hasattr(t, "cpu"):
        t = t.cpu()
    return np.asarray(t.numpy() if hasattr(t, "numpy") else t, dtype=np.float64)


def torch_layers(modules: Iterable[Any]) -> List[Tuple[np.ndarray, np.ndarray, str]]:
    """Dense layers of a sequence of torch modules (Linear, Tanh, ReLU, ...).

    Nested ``nn.Sequential`` containers are flattened.  An activation after a
    Linear becomes that layer's activation; a Linear not followed by one is
    ``linear``.  Anything else raises :class:`WeightsError`.
    """
    flat: List[Any] = []

    def walk(mods: Iterable[Any]) -> None:
        for m in mods:
            if type(m).__name__ == "Sequential":
                walk(list(m.children()) if hasattr(m, "children") else list(m))
            else:
                flat.append(m)

    walk(modules)
    layers: List[List[Any]] = []
    for m in flat:
        kind = type(m).__name__
        if kind == "Linear":
            W = _torch_array(m.weight)
            b = _torch_array(m.bias) if getattr(m, "bias", None) is not None else np.zeros(W.shape[0])
            layers.append([W, b, "linear"])
        elif kind in _TORCH_ACTIVATIONS:
            act = _TORCH_ACTIVATIONS[kind]
            if act is None:
                continue
            if not layers or layers[-1][2] != "linear":
                raise WeightsError(f"activation {kind} must follow a Linear layer")
            layers[-1][2] = act
        else:
            raise WeightsError(f"cannot export torch module {kind}: only Linear, Tanh, ReLU "
                               "(and Identity/Flatten/Dropout, skipped) are supported")
    if not layers:
        raise WeightsError("no Linear layer found")
    return [(W, b, a) for W, b, a in layers]


def from_torch(module: Any, env: Any = None, **meta: Any) -> MLPPolicy:
    """An :class:`MLPPolicy` from a torch ``nn.Sequential`` (or list of modules)."""
    mods = list(module.children()) if hasattr(module, "children") else list(module)
    return from_numpy(torch_layers(mods), env, **meta)


def from_sb3(model: Any, env: Any = None, vec_normalize: Any = None, **meta: Any) -> MLPPolicy:
    """An :class:`MLPPolicy` from a Stable-Baselines3 / sb3-contrib model or policy.

    Takes the actor: ``policy.mlp_extractor.policy_net`` followed by
    ``policy.action_net``.  With ``vec_normalize`` (an SB3 ``VecNormalize``
    used in training), its observation statistics become the input
    normalisation.
    """
    policy = getattr(model, "policy", model)
    extractor = getattr(policy, "mlp_extractor", None)
    if extractor is None or not hasattr(policy, "action_net"):
        raise WeightsError("not an SB3 actor-critic MlpPolicy (no mlp_extractor/action_net)")
    features = getattr(policy, "pi_features_extractor", None) or getattr(policy, "features_extractor", None)
    if features is not None and type(features).__name__ not in ("FlattenExtractor",):
        raise WeightsError(f"cannot export features extractor {type(features).__name__}: "
                           "only FlattenExtractor (the MlpPolicy default)")
    mods = list(extractor.policy_net.children()) + [policy.action_net]
    layers = torch_layers(mods)
    if vec_normalize is not None and getattr(vec_normalize, "norm_obs", True):
        rms = vec_normalize.obs_rms
        meta.setdefault("input_shift", np.asarray(rms.mean, dtype=np.float64))
        meta.setdefault("input_scale", 1.0 / np.sqrt(np.asarray(rms.var, dtype=np.float64)
                                                     + float(vec_normalize.epsilon)))
        meta.setdefault("input_clip", float(vec_normalize.clip_obs))
    return from_numpy(layers, env, **meta)


def from_rllib(module: Any, env: Any = None, **meta: Any) -> MLPPolicy:
    """An :class:`MLPPolicy` from an RLlib (new API stack) torch RLModule with
    an MLP encoder and policy head, such as PPO's default module
    (``algo.get_module()``).

    Takes the actor path: the encoder's actor part (``encoder.actor_encoder``
    where the value function has its own encoder, else ``encoder``) followed
    by ``pi``; their Linear layers and activations in order.  Anything else
    in them (a CNN, an LSTM, layer norm) raises :class:`WeightsError`.
    """
    enc = getattr(module, "encoder", None)
    pi = getattr(module, "pi", None)
    if enc is None or pi is None:
        raise WeightsError("not an RLlib RLModule with an encoder and a pi head")
    actor = getattr(enc, "actor_encoder", None) or enc

    def leaves(m: Any) -> List[Any]:
        return [x for x in m.modules() if not list(x.children())]

    layers = torch_layers(leaves(actor) + leaves(pi))
    return from_numpy(layers, env, **meta)

