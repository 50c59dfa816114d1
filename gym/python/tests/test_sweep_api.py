"""The sweep API of the in-process extension (socsim_gym._core.Sweep and
Results) and the parts of socsim_gym.ray_sweep that need no Ray.

The reference is the `socsim sweep` command: a sweep whose units are run one
by one through Sweep.run_unit, in a shuffled order, and recorded through
Results must give its results.csv and summary.csv byte for byte.  These
tests run in the sanitizer build too (Ray itself only runs in the normal
build: test_ray.py).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

import socsim_gym

from conftest import SRC

if not socsim_gym.HAVE_INPROC:
    pytest.skip("the in-process extension is not built", allow_module_level=True)

from socsim_gym import _core, ray_sweep  # noqa: E402

DS3_CHAIN = SRC / "tests" / "data" / "study" / "ds3_chain.yaml"
BASE = SRC / "tests" / "sweep" / "base.yaml"


def native_sweep(d: Path) -> Path:
    """3 schedulers x 2 rates x 3 seeds + an explicit point: 19 units."""
    p = d / "native.yaml"
    p.write_text(f"base: {BASE}\nset: {{stop.jobs: 40}}\naxes:\n"
                 "  scheduler: [met, heft, etf]\n"
                 "  injection.mean_interarrival_us: [40, 90]\n"
                 "  seed: {from: 1, to: 3}\n"
                 "points:\n  - {scheduler: eft, injection.mean_interarrival_us: 25, seed: 9}\n")
    return p


def ds3_sweep(d: Path) -> Path:
    """2 schedulers x 2 job counts, each a chain of 2 scales x 3 iterations."""
    p = d / "ds3.yaml"
    p.write_text(f"base: {DS3_CHAIN}\naxes:\n  scheduler: [etf, met]\n  ds3.max_jobs: [20, 30]\n")
    return p


def cli_sweep(socsim: str, sweep: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([socsim, "sweep", "-j", "2", "--out", str(out), *args, str(sweep)],
                          capture_output=True, text=True)


def by_hand(sweep: Path, out: Path, order_seed: int) -> dict:
    """Every unit through run_unit/add in a shuffled order, then finish."""
    sw = _core.Sweep(str(sweep))
    with _core.Results(sw, str(out)) as res:
        todo = res.todo()
        random.Random(order_seed).shuffle(todo)
        for u in todo:
            res.add(u, sw.run_unit(u))
        return res.finish()


def same_files(a: Path, b: Path) -> None:
    for name in ("results.csv", "summary.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.mark.parametrize("kind", ["native", "ds3"])
def test_units_by_hand_equal_socsim_sweep(socsim, tmp_path, kind):
    sweep = (native_sweep if kind == "native" else ds3_sweep)(tmp_path)
    r = cli_sweep(socsim, sweep, tmp_path / "cli")
    assert r.returncode == 0, r.stderr
    sw = _core.Sweep(str(sweep))
    # the expansion is the CLI's: --list prints the header's identifying
    # columns and every point's cells
    listed = cli_sweep(socsim, sweep, tmp_path / "unused", "--list").stdout.splitlines()
    assert sw.header().startswith(listed[0] + ",")
    assert [sw.point_cells(p) for p in range(sw.n_points)] == listed[1:]
    units = [sw.unit(u) for u in range(sw.n_units)]
    assert sum(n for _, n in units) == sw.n_points
    assert [f for f, _ in units] == sorted(f for f, _ in units)
    if kind == "ds3":  # a unit is a chain: 2 scales x 3 iterations
        assert sw.n_units == 4 and {n for _, n in units} == {6}
    else:
        assert sw.n_units == sw.n_points == 19
    summary = by_hand(sweep, tmp_path / "hand", order_seed=3)
    same_files(tmp_path / "cli", tmp_path / "hand")
    # the summary returned is summary.csv's
    lines = (tmp_path / "hand" / "summary.csv").read_text().splitlines()
    assert len(summary["groups"]) == len(lines) - 1
    assert lines[0].startswith(",".join(summary["keys"]) + ",runs,")
    # and the table is the CLI's, character for character
    import io
    buf = io.StringIO()
    ray_sweep.print_summary(summary, buf)
    assert buf.getvalue() == r.stdout


def test_resume_lock_and_checks(socsim, tmp_path):
    sweep = native_sweep(tmp_path)
    out = tmp_path / "out"
    sw = _core.Sweep(str(sweep))
    res = _core.Results(sw, str(out))
    assert res.n_points == 19 and res.n_done == 0 and res.todo() == list(range(19))
    # one directory, one writer
    with pytest.raises(_core.Error, match="SOC_EIO"):
        _core.Results(_core.Sweep(str(sweep)), str(out))
    cells = sw.run_unit(4)
    with pytest.raises(IndexError):
        sw.run_unit(19)
    with pytest.raises(IndexError):
        res.add(-1, cells)
    with pytest.raises(ValueError, match="has 1 points, got 2"):
        res.add(4, cells * 2)
    for bad in ([cells[0] + ",1"], [cells[0][1:]], [cells[0].replace(",", "\n,", 1)], [7]):
        with pytest.raises((ValueError, TypeError)):
            res.add(4, bad)
    with pytest.raises(_core.Error, match="SOC_ESTATE"):
        res.finish()
    for u in (4, 0, 11):
        res.add(u, sw.run_unit(u))
    assert res.n_done == 3
    res.close()
    assert res.closed
    with pytest.raises(RuntimeError, match="closed"):
        res.todo()
    res.close()  # idempotent
    # resumed: only the missing units are left
    res2 = _core.Results(sw, str(out))
    assert res2.n_done == 3 and res2.todo() == [u for u in range(19) if u not in (0, 4, 11)]
    res2.close()
    # the rows kept are the CLI's, byte for byte
    cli = cli_sweep(socsim, sweep, tmp_path / "cli")
    assert cli.returncode == 0
    kept = (out / "results.csv").read_text().splitlines()
    assert set(kept) <= set((tmp_path / "cli" / "results.csv").read_text().splitlines())
    assert len(kept) == 4
    # a directory of another sweep is refused
    other = tmp_path / "other.yaml"
    other.write_text(sweep.read_text().replace("[met, heft, etf]", "[met, olb]"))
    with pytest.raises(_core.Error, match="SOC_ECONFIG"):
        _core.Results(_core.Sweep(str(other)), str(out))


def test_bad_sweep_file_and_failing_point(socsim, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"base: {BASE}\naxes:\n  stop.jobs: [10, lots]\n")
    with pytest.raises(_core.Error, match=r"SOC_ECONFIG: .*bad.yaml:3:\d+"):
        _core.Sweep(str(bad))
    with pytest.raises(_core.Error):
        _core.Sweep(str(tmp_path / "missing.yaml"))
    # a scheduler that refuses the workload at run time: the unit raises,
    # and the task body reports it as a value (not an exception)
    weights = SRC / "examples" / "policies" / "top_high_load.weights"
    failing = tmp_path / "fail.yaml"
    failing.write_text(f"base: {BASE}\nset: {{stop.jobs: 20}}\naxes:\n"
                       f"  scheduler: [heft, 'neural:{weights}']\n")
    sw = _core.Sweep(str(failing))
    with pytest.raises(_core.Error, match="obs_dim"):
        sw.run_unit(1)
    fp = ray_sweep.fingerprint(sw)
    got = ray_sweep.run_units(str(failing), [0, 1], fp)
    assert got[0] == (0, sw.run_unit(0), None)
    assert got[1][0] == 1 and got[1][1] is None and "obs_dim" in got[1][2]


def test_task_body_is_a_pure_function_of_file_and_unit(socsim, tmp_path):
    sweep = native_sweep(tmp_path)
    sw = _core.Sweep(str(sweep))
    fp = ray_sweep.fingerprint(sw)
    units = [7, 2, 18, 2]
    got = ray_sweep.run_units(str(sweep), units, fp)
    assert [u for u, _, _ in got] == units
    assert [c for _, c, _ in got] == [_core.Sweep(str(sweep)).run_unit(u) for u in units]
    # a node that sees another file refuses rather than mixing results
    changed = tmp_path / "changed.yaml"
    changed.write_text(sweep.read_text().replace("stop.jobs: 40", "stop.jobs: 41"))
    with pytest.raises(RuntimeError, match="not the sweep the driver loaded"):
        ray_sweep.run_units(str(changed), [0], fp)


def test_driver_without_ray(socsim, tmp_path):
    """The CLI entry point: bad input exits 2 without touching --out; a
    finished directory needs no Ray (nothing to run) and rewrites nothing."""
    sweep = native_sweep(tmp_path)
    env = dict(os.environ)

    def driver(*args):
        return subprocess.run([sys.executable, "-m", "socsim_gym.ray_sweep", *args],
                              capture_output=True, text=True, env=env, cwd=tmp_path)

    bad = tmp_path / "bad.yaml"
    bad.write_text(f"base: {BASE}\naxes:\n  scheduler: [heft, nosuch]\n")
    r = driver(str(bad), "--out", "o1")
    assert r.returncode == 2 and "nosuch" in r.stderr and not (tmp_path / "o1").exists()
    (tmp_path / "afile").write_text("x")
    r = driver(str(sweep), "--out", "afile")
    assert r.returncode == 2 and "is a file" in r.stderr
    r = driver(str(sweep), "--address", "auto", "--num-cpus", "2")
    assert r.returncode == 2
    # finished by hand; the driver then has nothing to run
    by_hand(sweep, tmp_path / "done", order_seed=1)
    before = {n: (tmp_path / "done" / n).read_bytes() for n in ("results.csv", "summary.csv")}
    env["PYTHONPATH"] = str(tmp_path / "no_ray")  # shadow ray with a module that fails
    (tmp_path / "no_ray").mkdir()
    (tmp_path / "no_ray" / "ray.py").write_text("raise ImportError('ray must not be imported')\n")
    r = driver(str(sweep), "--out", "done")
    assert r.returncode == 0, r.stderr
    assert "runs" in r.stdout  # the summary table
    assert {n: (tmp_path / "done" / n).read_bytes() for n in before} == before
    # with work to do and no Ray: exit 2, saying so
    r = driver(str(sweep), "--out", "o2")
    assert r.returncode == 2 and "Ray is not installed" in r.stderr
