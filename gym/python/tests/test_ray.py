"""Ray: the sweep driver (socsim_gym.ray_sweep) and remote env runners
(socsim_gym.ray_envs) on a local Ray instance with 2 CPUs.

* ray_sweep's results.csv and summary.csv (and its table) are byte-identical
  to `socsim sweep` -- native points and DS3 chains; killing the driver with
  SIGKILL mid-run and running it again resumes and still gives the same
  bytes; failed points are reported and left missing, as by the CLI.
* Env runners as Ray actors: greedy episodes of the shipped policy give
  exactly the average latency of `socsim run --scheduler neural:` (the C
  scheduler, independent of Python), and sampled episodes are the same
  arrays whatever the number of actors (2 actors x 2 envs = 1 local runner).

tests/python/run_pytests.sh installs Ray (PyPI `ray`) in the normal build's
venv only: under the sanitizer build these tests skip, and the sweep API is
covered there by test_sweep_api.py without Ray.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

import socsim_gym

from conftest import AGENTS_DIR, SMALL_CONFIG, SRC
from test_sweep_api import BASE, cli_sweep, ds3_sweep, native_sweep, same_files

try:
    import ray
except ImportError:
    pytest.skip("Ray is not installed: tests/python/run_pytests.sh installs it in the normal "
                "build's venv only (not in a sanitizer build, nor with SOC_PY_RAY=0 or without "
                "network)", allow_module_level=True)
if not socsim_gym.HAVE_INPROC:
    pytest.skip("the in-process extension is not built", allow_module_level=True)

from socsim_gym import MLPPolicy, ray_sweep  # noqa: E402
from socsim_gym.ray_envs import EnvRunner, make_runners, play  # noqa: E402

INJECTION = SRC / "examples" / "sweep-injection.yaml"  # 270 points of 1000 jobs


@pytest.fixture(scope="module")
def ray_dirs():
    """A private Ray temp dir (short: Ray's socket paths must fit 107 bytes)
    and HOME (Ray writes ~/.ray/auth_token) for everything Ray starts here."""
    root = tempfile.mkdtemp(prefix="socray", dir="/tmp")
    saved = {k: os.environ.get(k) for k in ("RAY_TMPDIR", "HOME")}
    os.environ["HOME"] = os.path.join(root, "home")
    os.makedirs(os.environ["HOME"])
    yield root
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    shutil.rmtree(root, ignore_errors=True)


def driver_env(ray_dirs: str, name: str) -> dict:
    env = dict(os.environ)
    env["RAY_TMPDIR"] = os.path.join(ray_dirs, name)  # its own instance, never ours
    os.makedirs(env["RAY_TMPDIR"], exist_ok=True)
    return env


def rows(p: Path) -> int:
    try:
        with open(p, "rb") as f:
            return max(0, f.read().count(b"\n") - 1)
    except FileNotFoundError:
        return 0


def test_kill_the_driver_and_resume(socsim, tmp_path, ray_dirs):
    """SIGKILL the driver mid-run; the second run resumes; same bytes as the CLI."""
    cli = cli_sweep(socsim, INJECTION, tmp_path / "cli")
    assert cli.returncode == 0, cli.stderr
    out = tmp_path / "ray"
    cmd = [sys.executable, "-m", "socsim_gym.ray_sweep", str(INJECTION), "--out", str(out),
           "--num-cpus", "2"]
    env = driver_env(ray_dirs, "kill")
    # its own session: Ray's helper processes that outlive a SIGKILLed
    # driver stay in this process group, which the test removes afterwards
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while rows(out / "results.csv") < 30 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, "the driver finished before it could be killed"
    at_kill = rows(out / "results.csv")
    assert 30 <= at_kill < 270
    r = subprocess.run(cmd, env=driver_env(ray_dirs, "resume"), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    m = re.search(r"270 points, (\d+) already done, (\d+) to run", r.stderr)
    assert m, r.stderr
    assert int(m.group(1)) >= at_kill - 1 and int(m.group(1)) + int(m.group(2)) == 270
    same_files(tmp_path / "cli", out)
    assert r.stdout == cli.stdout  # the summary table too


@pytest.fixture(scope="module")
def ray_session(ray_dirs):
    os.environ["RAY_TMPDIR"] = os.path.join(ray_dirs, "session")
    os.makedirs(os.environ["RAY_TMPDIR"])
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.mark.parametrize("kind", ["native", "ds3"])
def test_ray_sweep_equals_socsim_sweep(socsim, tmp_path, ray_session, kind):
    sweep = (native_sweep if kind == "native" else ds3_sweep)(tmp_path)
    cli = cli_sweep(socsim, sweep, tmp_path / "cli")
    assert cli.returncode == 0, cli.stderr
    summary = ray_sweep.run(str(sweep), str(tmp_path / "ray"),
                            units_per_task=3 if kind == "native" else 1)
    same_files(tmp_path / "cli", tmp_path / "ray")
    # a finished directory: nothing left to run, the same summary again
    again = ray_sweep.run(str(sweep), str(tmp_path / "ray"))
    assert json.dumps(again) == json.dumps(summary)  # (NaN-safe)
    same_files(tmp_path / "cli", tmp_path / "ray")


def test_driver_joins_a_running_cluster(socsim, tmp_path, ray_session):
    """--address: the driver joins the cluster this test process started."""
    sweep = ds3_sweep(tmp_path)
    assert cli_sweep(socsim, sweep, tmp_path / "cli").returncode == 0
    gcs = ray.get_runtime_context().gcs_address
    r = subprocess.run([sys.executable, "-m", "socsim_gym.ray_sweep", str(sweep), "--out",
                        str(tmp_path / "ray"), "--address", gcs, "--quiet"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""  # --quiet: no table
    same_files(tmp_path / "cli", tmp_path / "ray")


def test_failed_points_are_reported_and_retried(socsim, tmp_path, ray_session):
    weights = SRC / "examples" / "policies" / "top_high_load.weights"
    sweep = tmp_path / "fail.yaml"
    sweep.write_text(f"base: {BASE}\nset: {{stop.jobs: 20}}\naxes:\n"
                     f"  scheduler: [heft, 'neural:{weights}']\n  seed: [1, 2]\n")
    cli = cli_sweep(socsim, sweep, tmp_path / "cli")
    assert cli.returncode == 1
    for attempt in range(2):  # the second run retries the failed points only
        errors = []
        with pytest.raises(ray_sweep.SweepFailed) as e:
            ray_sweep.run(str(sweep), str(tmp_path / "ray"),
                          on_error=lambda p, m: errors.append((p, m)))
        assert e.value.failed == 2
        assert sorted(p for p, _ in errors) == [2, 3]
        assert all("obs_dim 128" in m for _, m in errors)
        for p, m in errors:  # the CLI's message, word for word
            assert f"socsim: point {p} failed: {m}" in cli.stderr
        # the rows written are the CLI's (both unsorted: the sweep is unfinished)
        ours = (tmp_path / "ray" / "results.csv").read_text().splitlines()
        theirs = (tmp_path / "cli" / "results.csv").read_text().splitlines()
        assert ours[0] == theirs[0] and sorted(ours[1:]) == sorted(theirs[1:]) and len(ours) == 3
        assert not (tmp_path / "ray" / "summary.csv").exists()


def native_latency(socsim: str, weights: Path, seed: int) -> float:
    r = subprocess.run([socsim, "run", str(SMALL_CONFIG), "--scheduler", f"neural:{weights}",
                        "--seed", str(seed), "--json"], check=True, capture_output=True, text=True)
    return json.loads(r.stdout.splitlines()[0])["avg_latency_us"]


def test_env_runner_actors(socsim, ray_session):
    weights = SRC / "examples" / "policies" / "top_small.weights"
    pol = MLPPolicy.load(str(weights))
    kw = dict(config_path=str(SMALL_CONFIG), options={"slots": pol.slots})
    runners = make_runners(2, envs_per_runner=2, **kw)
    seeds = [11, 12, 13, 14, 15]
    # greedy = the C `neural` scheduler: the remote envs are real simulations
    greedy = play(runners, pol, seeds, mode="greedy")
    assert greedy["avg_latency_us"] == [native_latency(socsim, weights, s) for s in seeds]
    # sampled episodes: the same arrays whatever the spread over actors
    remote = play(runners, pol, seeds, mode="sample", rng_seed=4)
    local_runner = EnvRunner(3, **kw)
    try:
        local = local_runner.episodes(pol, seeds, mode="sample", rng_seed=4)
        assert remote["avg_latency_us"] == local["avg_latency_us"]
        assert remote["steps"] == local["steps"] and min(local["steps"]) >= 200  # 20 jobs x 10 tasks
        for key in ("obs", "masks", "actions", "rewards"):
            for a, b in zip(remote[key], local[key]):
                np.testing.assert_array_equal(a, b, err_msg=key)
        # sampling explores: not the greedy schedule; another rng_seed, other episodes
        assert remote["avg_latency_us"] != greedy["avg_latency_us"]
        again = play(runners[:1], pol, seeds, mode="sample", rng_seed=5)
        assert again["avg_latency_us"] != remote["avg_latency_us"]
    finally:
        local_runner.close()
    for r in runners:
        ray.kill(r)


def test_ray_pg_example_trains_the_same_on_any_number_of_actors(socsim, ray_session, tmp_path):
    """examples/agents/ray_pg.py: 3 iterations on 2 actors x 2 envs and on
    1 actor x 3 envs give the same network, bit for bit; the script's
    weights run in the C simulator."""
    sys.path.insert(0, str(AGENTS_DIR))
    try:
        import ray_pg
    finally:
        sys.path.remove(str(AGENTS_DIR))
    kw = dict(config_path=str(SMALL_CONFIG), options={"slots": 4})
    probe = socsim_gym.SocSimVectorEnv(1, **kw)
    nets = []
    try:
        start = MLPPolicy.for_env(probe, hidden=(16,), rng=np.random.default_rng(1)).layers[0][0]
        for n_runners, per in ((2, 2), (1, 3)):
            pol = MLPPolicy.for_env(probe, hidden=(16,), rng=np.random.default_rng(1))
            runners = make_runners(n_runners, per, **kw)
            nets.append(ray_pg.train(runners, pol, iterations=3, episodes=4, seed=2, log=None))
            for r in runners:
                ray.kill(r)
    finally:
        probe.close()
    for (wa, ba, _), (wb, bb, _) in zip(nets[0].layers, nets[1].layers):
        np.testing.assert_array_equal(wa, wb)
        np.testing.assert_array_equal(ba, bb)
    assert not np.array_equal(nets[0].layers[0][0], start)  # it did learn something
    out = tmp_path / "p.weights"
    assert ray_pg.main(["--config", str(SMALL_CONFIG), "--option", "slots=4", "--runners", "2",
                        "--envs-per-runner", "2", "--episodes", "4", "--iterations", "2",
                        "--hidden", "16", "--eval-seeds", "4", "--out", str(out)]) == 0
    r = subprocess.run([socsim, "run", str(SMALL_CONFIG), "--scheduler", f"neural:{out}"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
