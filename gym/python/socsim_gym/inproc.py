"""In-process backend: the simulator runs inside this Python process.

``socsim_gym._core`` is a CPython extension that links the C library
(``libsocsim.a``); see ``setup.py`` for how it is built.  When it is
missing (a pure-Python install), :data:`AVAILABLE` is False and the
environments fall back to the ``socsim serve`` socket backend.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

try:  # pragma: no cover - depends on the build
    from . import _core  # type: ignore[attr-defined]
    AVAILABLE = True
    IMPORT_ERROR: Optional[BaseException] = None
except ImportError as e:  # pragma: no cover
    _core = None  # type: ignore[assignment]
    AVAILABLE = False
    IMPORT_ERROR = e

MASK64 = (1 << 64) - 1


def _mix64(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def episode_seed(base: int, index: int, episode: int) -> int:
    """Seed of episode ``episode`` of sub-environment ``index`` of a vector env reset with ``base``.

    ``base XOR mix((index << 40) | episode)`` with the SplitMix64 finaliser
    ``mix`` (a bijection, ``mix(0) = 0``): distinct for every index < 2^24 and
    episode < 2^40 of one base, and index 0 / episode 0 is ``base`` itself.
    Same as the C library's ``soc_env_episode_seed``.
    """
    key = ((int(index) & 0xFFFFFF) << 40) | (int(episode) & ((1 << 40) - 1))
    return (int(base) & MASK64) ^ _mix64(key)


def require() -> None:
    if not AVAILABLE:
        raise ImportError("socsim_gym was installed without its in-process extension "
                          f"({IMPORT_ERROR}); rebuild it with SOCSIM_BUILD_DIR pointing at a socsim "
                          "build (gym/python/setup.py), or use the socket backend "
                          "(backend='socket')")


def create(factory: Any, *args: Any, **kw: Any) -> Any:
    """Call a ``_core`` constructor; library errors become :class:`ServerError`
    with the same ``code`` the socket backend reports."""
    from .protocol import ServerError

    try:
        return factory(*args, **kw)
    except _core.Error as e:
        code, _, msg = str(e).partition(": ")
        raise ServerError(code, 0, msg, "make") from None


def config_args(config: Optional[str], config_path: Optional[str]) -> Tuple[Optional[str], Optional[str]]:
    if config is not None and config_path is not None:
        raise ValueError("give config (YAML text) or config_path, not both")
    return config, (os.fspath(config_path) if config_path is not None else None)


def normalise_options(options: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for k, v in (options or {}).items():
        if isinstance(v, (bool, np.bool_)):
            raise TypeError(f"option {k!r}: give a number or a string, not a bool")
        if isinstance(v, (int, np.integer)):
            out[str(k)] = int(v)
        elif isinstance(v, (float, np.floating)):
            out[str(k)] = repr(float(v))
        else:
            out[str(k)] = str(v)
    return out


def run(config: Any = None, *, scheduler: Optional[str] = None, seed: Optional[int] = None,
        jobs: Optional[int] = None, config_path: Any = None) -> Dict[str, Any]:
    """Run one whole simulation and return its metrics (the numbers of ``socsim run --json``).

    Args:
        config: a YAML file (str naming an existing file, or a path-like), YAML
            text, or None for the embedded default configuration.
        scheduler: scheduler spec (``"heft"``, ``"neural:policy.weights"``,
            ``"plugin:lib.so"``...); default the config's.
        seed: simulation seed (default the config's).
        jobs: measured jobs (overrides ``stop.jobs``).
        config_path: a YAML file, as an explicit alternative to ``config``.

    Native semantics only (DS3-semantics configs: use ``socsim run``).
    Without the in-process extension, runs ``socsim run --json`` ($SOCSIM
    or PATH) instead.
    """
    text = None
    if config is not None and config_path is not None:
        raise ValueError("give config or config_path, not both")
    if config is not None:
        if isinstance(config, os.PathLike) or (isinstance(config, str) and "\n" not in config
                                                and os.path.isfile(config)):
            config_path = os.fspath(config)
        elif isinstance(config, str):
            text = config
        else:
            raise TypeError("config must be a path or YAML text")
    if AVAILABLE:
        return _core.run(config=text, config_path=config_path, scheduler=scheduler, seed=seed,
                         jobs=jobs)
    return _run_cli(text, config_path, scheduler, seed, jobs)


def _run_cli(text, path, scheduler, seed, jobs) -> Dict[str, Any]:
    import json
    import subprocess
    import tempfile

    from .protocol import find_socsim

    exe = find_socsim(None)
    tmp = None
    try:
        if text is not None:
            tmp = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
            tmp.write(text)
            tmp.close()
            path = tmp.name
        if path is None:
            raise ValueError("the embedded default needs the in-process extension; pass a config")
        cmd = [exe, "run", path, "--json"]
        if scheduler is not None:
            cmd += ["--scheduler", str(scheduler)]
        if seed is not None:
            cmd += ["--seed", str(int(seed))]
        if jobs is not None:
            cmd += ["--jobs", str(int(jobs))]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        return json.loads(out.splitlines()[0])
    finally:
        if tmp is not None:
            os.unlink(tmp.name)


def quantile_sorted(data: Sequence[float], q: float) -> float:
    """GSL's ``gsl_stats_quantile_from_sorted_data`` (what the engine reports)."""
    n = len(data)
    if n == 0:
        return 0.0
    index = q * (n - 1)
    lhs = int(index)
    delta = index - lhs
    if lhs == n - 1:
        return float(data[lhs])
    return (1 - delta) * data[lhs] + delta * data[lhs + 1]


def metrics_from_completions(completions: Sequence[Sequence[Any]]) -> Dict[str, Any]:
    """What ``socsim run`` reports, from the ``info["completions"]`` of a whole episode.

    ``completions`` are the per-step ``(job, app, measured, arrival_us,
    finish_us, latency_us)`` entries in order.  Returns completed_jobs,
    cumulative_exec_time_us, avg_latency_us, p50/p95/p99/max_latency_us,
    makespan_us and throughput_jobs_per_s over the measured jobs, computed the
    engine's way (latencies added in completion order, GSL quantiles; exact
    while fewer than 65,536 jobs completed).
    """
    lat: List[float] = []
    cum = 0.0
    first = None
    last = None
    for c in completions:
        if not c[2]:
            continue
        cum += c[5]
        lat.append(c[5])
        first = c[3] if first is None or c[3] < first else first
        last = c[4]
    n = len(lat)
    srt = sorted(lat)
    makespan = 0.0
    if n:
        # the engine subtracts integer nanoseconds
        makespan = (round(last * 1000) - round(first * 1000)) / 1000.0
    return {"completed_jobs": n, "cumulative_exec_time_us": cum,
            "avg_latency_us": cum / n if n else 0.0,
            "p50_latency_us": quantile_sorted(srt, 0.50), "p95_latency_us": quantile_sorted(srt, 0.95),
            "p99_latency_us": quantile_sorted(srt, 0.99), "max_latency_us": max(lat) if n else 0.0,
            "makespan_us": makespan,
            "throughput_jobs_per_s": n / (makespan * 1e-6) if makespan > 0 else 0.0}
