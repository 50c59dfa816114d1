"""One vector env over several `socsim serve --tcp` servers (issue 18, item 3).

The sub-environments of a SocSimVectorEnv given a list of addresses are
spread over the servers (sub-env i on server i % k); the trajectories -- obs,
rewards, ends, infos, through many auto-resets -- must be the same as with
one server and as in process, for the same seeds.  The servers run as a
remote deployment should: TCP on loopback, `--config-root` naming what may
be read, a per-connection quota.
"""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

import socsim_gym
from socsim_gym import Server, ServerError, SocSimError, SocSimVectorEnv
from socsim_gym.vector import address_list

from conftest import POLICY_DIR

OPTS = {"slots": 4, "jobs": 3}  # short episodes: many auto-resets


def tcp_servers(socsim: str, n: int, root=POLICY_DIR, *extra: str) -> List[Server]:
    out = []
    try:
        for _ in range(n):
            out.append(Server(socsim, once=False,
                              args=["--tcp", "0", "--config-root", str(root), *extra]))
    except BaseException:
        for s in out:
            s.close()
        raise
    return out


def play(venv: Any, steps: int, seed: int) -> Dict[str, List[Any]]:
    """Seeded masked-random actions (one generator per sub-env, so the
    actions depend only on each sub-env's own observations)."""
    n = venv.num_envs
    rngs = [np.random.default_rng([99, i]) for i in range(n)]
    rec: Dict[str, List[Any]] = {k: [] for k in ("obs", "rew", "term", "trunc", "seed", "lat",
                                                 "mask", "final")}
    obs, info = venv.reset(seed=seed)
    rec["obs"].append(obs)
    rec["seed"].append(info["seed"])
    for _ in range(steps):
        masks = venv.action_masks()
        acts = np.array([int(r.choice(np.flatnonzero(m))) if m.any() else 0
                         for r, m in zip(rngs, masks)])
        obs, rew, term, trunc, info = venv.step(acts)
        rec["obs"].append(obs)
        rec["rew"].append(rew)
        rec["term"].append(term)
        rec["trunc"].append(trunc)
        rec["mask"].append(masks)
        rec["seed"].append(info["seed"] if "seed" in info else None)
        rec["lat"].append(info.get("avg_latency_us"))
        if "final_obs" in info:
            rec["final"].append([f if p else None for f, p in zip(info["final_obs"],
                                                                     info["_final_obs"])])
    return rec


def assert_same(a: Dict[str, List[Any]], b: Dict[str, List[Any]]) -> None:
    for k in a:
        assert len(a[k]) == len(b[k]), k
        for t, (x, y) in enumerate(zip(a[k], b[k])):
            if isinstance(x, list):
                assert len(x) == len(y)
                for u, v in zip(x, y):
                    assert (u is None and v is None) or np.array_equal(u, v), (k, t)
            else:
                np.testing.assert_array_equal(x, y, err_msg=f"{k} at step {t}")


def test_address_list():
    assert address_list(None) == [None]
    assert address_list("tcp:h:1") == ["tcp:h:1"]
    assert address_list(("127.0.0.1", 7000)) == [("127.0.0.1", 7000)]
    assert address_list(["tcp:a:1", "tcp:b:2"]) == ["tcp:a:1", "tcp:b:2"]
    assert address_list([("a", 1), ("b", 2)]) == [("a", 1), ("b", 2)]
    with pytest.raises(ValueError):
        address_list([])


@pytest.mark.parametrize("mode", [AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP])
def test_two_servers_same_trajectories_as_one_and_in_process(socsim, small_config, mode):
    servers = tcp_servers(socsim, 2)
    envs = []
    try:
        def vec(address, **kw):
            v = SocSimVectorEnv(5, options=OPTS, address=address, autoreset_mode=mode, **kw)
            envs.append(v)
            return v

        # config_path relative to the servers' --config-root (TCP allows nothing else)
        two = vec([s.address for s in servers], config_path="top_small.yaml")
        one = vec([servers[0].address], config_path="top_small.yaml")
        assert [two._home[i] for i in range(5)] == [0, 1, 0, 1, 0]
        assert len(set(two._ids[i] for i in (0, 2, 4))) == 3
        steps = 150
        ref = play(one, steps, seed=7)
        got = play(two, steps, seed=7)
        assert_same(ref, got)
        ends = np.sum(ref["term"]) + np.sum(ref["trunc"])
        assert ends >= 5  # several episodes per sub-env went through auto-reset
        assert len({int(s) for row in ref["seed"] if row is not None for s in row}) > 5
        if socsim_gym.HAVE_INPROC:
            inproc = vec(None, config_path=small_config, backend="inproc")
            assert_same(ref, play(inproc, steps, seed=7))
        # a second reset with another seed on the same servers: still equal
        assert_same(play(one, 20, seed=8), play(two, 20, seed=8))
    finally:
        for v in envs:
            v.close()
        for s in servers:
            s.close()


def test_quota_and_mismatched_servers(socsim, small_config, tmp_path):
    servers = tcp_servers(socsim, 2, POLICY_DIR, "--max-envs-per-conn", "2")
    try:
        addrs = [s.address for s in servers]
        ok = SocSimVectorEnv(4, config_path="top_small.yaml", options=OPTS, address=addrs)
        ok.reset(seed=1)
        ok.close()
        with pytest.raises(ServerError) as e:  # 3 envs on server 0
            SocSimVectorEnv(5, config_path="top_small.yaml", options=OPTS, address=addrs)
        assert e.value.code == "SOC_ELIMIT"
        # TCP without --config-root reads no file at all
        bare = Server(socsim, once=False, args=["--tcp", "0"])
        try:
            with pytest.raises(ServerError) as e:
                SocSimVectorEnv(2, config_path=small_config, options=OPTS,
                                address=[addrs[0], bare.address])
            assert e.value.code == "SOC_EUNSUPPORTED"
        finally:
            bare.close()
        # a server whose config differs is refused, not mixed in
        other_root = tmp_path / "root"
        other_root.mkdir()
        text = (POLICY_DIR / "top_small.yaml").read_text()
        text = text.replace("../../workloads", str(POLICY_DIR.parent.parent / "workloads"))
        assert "stop:\n  jobs: 20" in text
        (other_root / "top_small.yaml").write_text(text.replace("stop:\n  jobs: 20",
                                                                "stop:\n  jobs: 30"))
        third = tcp_servers(socsim, 1, other_root)[0]
        try:
            with pytest.raises(SocSimError, match="different environments"):
                SocSimVectorEnv(2, config_path="top_small.yaml", options={"slots": 4},
                                address=[addrs[0], third.address])
        finally:
            third.close()
    finally:
        for s in servers:
            s.close()
