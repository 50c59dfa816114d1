"""RLlib (Ray's RL library, new API stack) with the real package.

examples/agents/rllib_ppo.py trains PPO with RLlib's own action-masking
module on a socsim env, briefly; then:

* the exported actor (socsim_gym.from_rllib) takes the same greedy action
  as RLlib's module at every one of 200 steps of an episode played by the
  module (its masked logits' argmax against MLPPolicy.act: the C scheduler's
  rule), so the export neither drops a layer nor misreads the mask;
* the weights load in the C `neural` scheduler and its runs give exactly the
  latency of greedy episodes of the exported policy in the env;
* the training returns are finite numbers, one per iteration.

RLlib pins its own gymnasium, so tests/python/run_pytests.sh runs this file in
a venv of its own (build/rllibvenv, normal build only); elsewhere it skips.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("ray.rllib")

import socsim_gym  # noqa: E402
from socsim_gym import MLPPolicy, SocSimEnv  # noqa: E402

from conftest import AGENTS_DIR, SMALL_CONFIG, run_episode  # noqa: E402

if not socsim_gym.HAVE_INPROC:
    pytest.skip("the in-process extension is not built", allow_module_level=True)


def native_latency(socsim: str, weights, seed: int) -> float:
    r = subprocess.run([socsim, "run", str(SMALL_CONFIG), "--scheduler", f"neural:{weights}",
                        "--seed", str(seed), "--json"], check=True, capture_output=True, text=True)
    return json.loads(r.stdout.splitlines()[0])["avg_latency_us"]


def test_rllib_ppo_masked_and_exported(socsim, tmp_path):
    sys.path.insert(0, str(AGENTS_DIR))
    try:
        import rllib_ppo
    finally:
        sys.path.remove(str(AGENTS_DIR))
    out, js = tmp_path / "rllib.weights", tmp_path / "rllib.json"
    rc = rllib_ppo.main(["--config", str(SMALL_CONFIG), "--option", "slots=4",
                         "--hidden", "16,16", "--iterations", "2", "--batch", "400",
                         "--minibatch", "100", "--epochs", "2", "--num-cpus", "2",
                         "--eval-seeds", "1-2", "--out", str(out), "--json", str(js)])
    assert rc == 0
    res = json.loads(js.read_text())
    assert len(res["returns"]) == 2 and all(np.isfinite(res["returns"]))
    assert res["greedy_same"] == 200
    pol = MLPPolicy.load(str(out))
    assert pol.slots == 4 and [W.shape[0] for W, _, _ in pol.layers][:2] == [16, 16]
    env = SocSimEnv(config_path=str(SMALL_CONFIG), options={"slots": 4}, backend="inproc")
    try:
        for seed in (11, 12):
            _, info = run_episode(env, seed, policy=pol.act)
            assert info["avg_latency_us"] == native_latency(socsim, out, seed)
    finally:
        env.close()
    assert res["eval"]["rllib_ppo"] == [native_latency(socsim, out, s) for s in (1, 2)]
