"""Shared fixtures: the socsim binary, the small workload, helpers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Dict, List, Tuple

import numpy as np
import pytest

SRC = Path(os.environ.get("SOC_SOURCE_DIR") or Path(__file__).resolve().parents[3])
SMALL_CONFIG = SRC / "examples" / "policies" / "top_small.yaml"
POLICY_DIR = SRC / "examples" / "policies"
AGENTS_DIR = SRC / "examples" / "agents"


def _socsim() -> str:
    exe = os.environ.get("SOCSIM") or shutil.which("socsim")
    if not exe or not os.access(exe, os.X_OK):
        pytest.skip("no socsim binary: set SOCSIM (tests/python/run_pytests.sh does)",
                    allow_module_level=True)
    return os.path.abspath(exe)


@pytest.fixture(scope="session")
def socsim() -> str:
    exe = _socsim()
    os.environ["SOCSIM"] = exe  # envs started without socsim= find it here
    return exe


@pytest.fixture(scope="session")
def small_config(socsim) -> str:
    assert SMALL_CONFIG.is_file(), f"missing {SMALL_CONFIG}"
    return str(SMALL_CONFIG)


def _backends() -> List[str]:
    try:
        from socsim_gym import HAVE_INPROC
    except ImportError:
        HAVE_INPROC = False
    return ["inproc", "socket"] if HAVE_INPROC else ["socket"]


BACKENDS = _backends()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def make_env(socsim, small_config, backend):
    """Factory of SocSimEnv on the small workload (each backend); closes them at teardown."""
    from socsim_gym import SocSimEnv

    made: List[Any] = []

    def factory(**kw) -> SocSimEnv:
        kw.setdefault("config_path", small_config)
        kw.setdefault("options", {"slots": 4})
        if "address" not in kw and "socsim" not in kw:
            kw.setdefault("backend", backend)
        env = SocSimEnv(**kw)
        made.append(env)
        return env

    yield factory
    for env in made:
        env.close()


def random_masked(rng: np.random.Generator, mask: np.ndarray) -> int:
    """Uniform choice among the valid actions (0 if none)."""
    valid = np.flatnonzero(mask)
    return int(rng.choice(valid)) if len(valid) else 0


def run_episode(env, seed: int, policy=None, rng_seed: int = 0, max_steps: int = 100000
                ) -> Tuple[List[Tuple[np.ndarray, float, bool, bool, Dict[str, Any]]], Dict[str, Any]]:
    """Steps of one episode: policy(obs, mask) or masked random actions."""
    rng = np.random.default_rng(rng_seed)
    obs, info = env.reset(seed=seed)
    steps = [(obs, 0.0, False, False, info)]
    for _ in range(max_steps):
        mask = info["action_mask"]
        a = policy(obs, mask) if policy is not None else random_masked(rng, mask)
        obs, r, term, trunc, info = env.step(a)
        steps.append((obs, r, term, trunc, info))
        if term or trunc:
            break
    return steps, info


def assert_same_info(a: Dict[str, Any], b: Dict[str, Any]) -> None:
    assert a.keys() == b.keys()
    for k in a:
        if isinstance(a[k], np.ndarray):
            np.testing.assert_array_equal(a[k], b[k], err_msg=k)
        else:
            assert a[k] == b[k] and type(a[k]) is type(b[k]), k
