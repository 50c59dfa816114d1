"""Run a socsim sweep on a Ray cluster: ``python -m socsim_gym.ray_sweep``.

::

    python -m socsim_gym.ray_sweep SWEEP.yaml --out DIR [--address ADDR]
                                   [--num-cpus N] [--units-per-task K] [--quiet]

The sweep file is the one of ``socsim sweep`` (docs/sweeps.md).  Its units
(a point, or the chain of DS3 runs of one point) run as Ray tasks; each task
is a pure function of the sweep file and its unit indices (it loads the file
through the in-process extension and calls the library's
``soc_sweep_run_unit``, exactly what a ``socsim sweep`` worker runs).  Only
this driver writes: every finished unit goes through the library's
crash-safe results store (``soc_results_*``: one checksummed row per point,
appended with one ``write``), so killing the driver at any moment loses only
the units in flight, running the same command again runs only what is
missing, and the finished ``results.csv`` and ``summary.csv`` are
byte-identical to ``socsim sweep`` of the same file.

Exit status as ``socsim sweep``: 0 when every point has a row, 1 when points
failed (run again to retry them), 2 for bad input (the sweep file, ``--out``,
a directory in use or holding another sweep) or when Ray is missing.

The same from Python (inside or outside a Ray session)::

    from socsim_gym import ray_sweep
    summary = ray_sweep.run("study.yaml", "out/study")
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import math
import os
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from . import inproc

PROG = "python -m socsim_gym.ray_sweep"


class SweepFailed(RuntimeError):
    """Some points failed; their rows are missing (run again to retry)."""

    def __init__(self, msg: str, failed: int):
        super().__init__(msg)
        self.failed = failed


def fingerprint(sweep: Any) -> str:
    """What a worker must have loaded to run units for this driver: the
    library's version, the sweep file's bytes, the results header and every
    point's identifying cells, so that a node that sees another version of
    the sweep file or another socsim refuses instead of mixing results.
    (The base configuration and the files it names are not hashed: they
    must be the same on every node, e.g. on a shared file system.)"""
    h = hashlib.sha256()
    h.update(inproc._core.LIBRARY_VERSION.encode())
    h.update(b"\n")
    with open(sweep.path, "rb") as f:
        h.update(hashlib.sha256(f.read()).digest())
    h.update(sweep.header().encode())
    for p in range(sweep.n_points):
        h.update(b"\n")
        h.update(sweep.point_cells(p).encode())
    return h.hexdigest()


# One loaded sweep per worker process: the loader's work and the library's
# cache of the last unit's configuration are reused by the next task.
_LOADED: Dict[str, Tuple[Any, str]] = {}


def _load(path: str, fp: str) -> Any:
    hit = _LOADED.get(path)
    if hit is not None and hit[1] == fp:
        return hit[0]
    _LOADED.pop(path, None)
    sweep = inproc._core.Sweep(path)
    got = fingerprint(sweep)
    if got != fp:
        raise RuntimeError(f"{path} on this node is not the sweep the driver loaded (another "
                           "version of the file, its configs or socsim): refusing to run it")
    _LOADED[path] = (sweep, fp)
    return sweep


def run_units(path: str, units: Sequence[int], fp: str
              ) -> List[Tuple[int, Optional[List[str]], Optional[str]]]:
    """The body of one Ray task: run `units` of the sweep at `path`.

    Returns ``(unit, cells, None)`` for each unit that ran (cells as
    ``Sweep.run_unit`` gives them) and ``(unit, None, message)`` for one that
    failed; raises only when the sweep itself cannot be loaded here.
    """
    inproc.require()
    sweep = _load(path, fp)
    out: List[Tuple[int, Optional[List[str]], Optional[str]]] = []
    for u in units:
        try:
            out.append((int(u), sweep.run_unit(int(u)), None))
        except inproc._core.Error as e:
            out.append((int(u), None, str(e).partition(": ")[2] or str(e)))
    return out


def _chunks(todo: Sequence[int], k: int) -> List[List[int]]:
    return [list(todo[i:i + k]) for i in range(0, len(todo), k)]


def print_summary(summary: Dict[str, Any], file: Any = None) -> None:
    """The table ``socsim sweep`` prints at the end (same layout)."""
    file = file or sys.stdout
    names = summary["metrics"]
    col = {m: (names.index(m) if m in names else -1)
           for m in ("avg_latency_us", "throughput_jobs_per_s", "energy_j")}
    keys = summary["keys"][:64]
    wid = []
    for q, name in enumerate(keys):
        w = max([len(name)] + [len(g["keys"][q]) for g in summary["groups"]])
        wid.append(min(w, 32))
    lines = [""]
    head = "".join("%-*.*s " % (wid[q], wid[q], k) for q, k in enumerate(keys))
    lines.append(head + "%5s %24s %22s %20s" % ("runs", "avg latency us (95% CI)",
                                                 "jobs/s (95% CI)", "energy J (95% CI)"))
    for g in summary["groups"]:
        row = "".join("%-*.*s " % (wid[q], wid[q], g["keys"][q]) for q in range(len(keys)))
        row += "%5d" % g["runs"]
        for m, width in (("avg_latency_us", 24), ("throughput_jobs_per_s", 22), ("energy_j", 20)):
            i = col[m]
            mean = g["mean"][i] if i >= 0 else math.nan
            ci = g["ci95"][i] if i >= 0 else math.nan
            if math.isnan(mean):
                cell = "-"
            elif math.isnan(ci):
                cell = "%.4g" % mean
            else:
                cell = "%.4g +- %.3g" % (mean, ci)
            row += " %*s" % (width, cell)
        lines.append(row)
    print("\n".join(lines), file=file, flush=True)


class _Progress:
    def __init__(self, quiet: bool, total: int, done: int):
        self.quiet, self.total, self.t0 = quiet, total, time.monotonic()
        self.start_done = done
        self.last = self.t0

    def __call__(self, done: int, failed: int, final: bool = False) -> None:
        now = time.monotonic()
        if self.quiet or (not final and now - self.last < 10.0):
            return
        self.last = now
        rate = (done - self.start_done) / max(now - self.t0, 1e-9)
        left = (self.total - done) / rate if rate > 0 else math.inf
        eta = "?" if math.isinf(left) else "%.0fs" % left
        extra = f", {failed} failed" if failed else ""
        print(f"ray_sweep: {done}/{self.total} points ({100 * done // max(self.total, 1)}%), "
              f"{rate:.1f} points/s, {eta} left{extra}", file=sys.stderr, flush=True)


def run(sweep_path: str, out: str, *, units_per_task: int = 1, max_in_flight: Optional[int] = None,
        quiet: bool = True, on_error: Optional[Callable[[int, str], None]] = None
        ) -> Dict[str, Any]:
    """Run the sweep on the Ray session of this process (``ray.init()`` is
    called with defaults when none is running) and return its summary.

    Resumes what ``out`` already holds.  Raises :class:`SweepFailed` when
    points failed (their rows are missing; call again to retry them) and
    ``socsim_gym._core.Error`` for a bad sweep file or an unusable ``out``.
    """
    inproc.require()
    sweep = inproc._core.Sweep(os.path.abspath(sweep_path))
    with inproc._core.Results(sweep, out) as results:
        return _drive(sweep, results, units_per_task, max_in_flight, quiet, on_error)


def _drive(sweep: Any, results: Any, units_per_task: int, max_in_flight: Optional[int],
           quiet: bool, on_error: Optional[Callable[[int, str], None]]) -> Dict[str, Any]:
    todo = results.todo()
    failed = 0
    if todo:
        import ray  # only now: a finished sweep needs no Ray

        if not ray.is_initialized():
            ray.init()
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        if not quiet:
            print(f"ray_sweep: {results.n_points} points, {results.n_done} already done, "
                  f"{results.n_points - results.n_done} to run on Ray ({cpus} CPUs)",
                  file=sys.stderr, flush=True)
        progress = _Progress(quiet, results.n_points, results.n_done)
        fp = fingerprint(sweep)
        task = ray.remote(num_cpus=1)(run_units)
        chunks = _chunks(todo, max(1, int(units_per_task)))
        window = max_in_flight or max(8, 4 * cpus)
        pending: Dict[Any, List[int]] = {}
        nxt = 0
        while nxt < len(chunks) or pending:
            while nxt < len(chunks) and len(pending) < window:
                pending[task.remote(sweep.path, chunks[nxt], fp)] = chunks[nxt]
                nxt += 1
            ready, rest = ray.wait(list(pending), num_returns=1)
            if rest:  # everything else already finished, without waiting
                more, _ = ray.wait(rest, num_returns=len(rest), timeout=0)
                ready += more
            for ref in ready:
                units = pending.pop(ref)
                try:
                    answers = ray.get(ref)
                except Exception as e:  # the task itself failed (see run_units)
                    answers = [(u, None, f"{type(e).__name__}: {e}") for u in units]
                for unit, cells, error in answers:
                    first, n = sweep.unit(unit)
                    if error is None:
                        try:
                            results.add(unit, cells)
                            continue
                        except (ValueError, TypeError) as e:  # never from run_units
                            error = f"malformed answer from a worker: {e}"
                    failed += n
                    msg = error.strip().splitlines()[-1] if error.strip() else "failed"
                    if on_error is not None:
                        on_error(first, msg)
                    else:
                        print(f"socsim: point {first} failed: {msg}", file=sys.stderr, flush=True)
            progress(results.n_done, failed)
        progress(results.n_done, failed, final=True)
    if results.n_done < results.n_points:
        missing = results.n_points - results.n_done
        raise SweepFailed(f"{missing} of {results.n_points} points failed; run the command "
                          "again to retry them", missing)
    return results.finish()


def _status_of(e: BaseException) -> Tuple[str, str]:
    code, _, msg = str(e).partition(": ")
    return code, msg or str(e)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(
        prog=PROG, description="Run the points of a socsim sweep file as Ray tasks; results "
        "go to DIR/results.csv and DIR/summary.csv, byte-identical to `socsim sweep`.  Running "
        "the same command again resumes.  See docs/sweeps.md.")
    ap.add_argument("sweep", metavar="SWEEP.yaml")
    ap.add_argument("--out", default="sweep-out", metavar="DIR",
                    help="results directory (default: sweep-out)")
    ap.add_argument("--address", metavar="ADDR",
                    help="a running Ray cluster (ray.init(address=ADDR): 'auto', HOST:PORT, "
                    "ray://HOST:10001); default: start a local Ray instance")
    ap.add_argument("--num-cpus", type=int, metavar="N",
                    help="CPUs of the local Ray instance (default: all); not with --address")
    ap.add_argument("--units-per-task", type=int, default=1, metavar="K",
                    help="units per Ray task (default 1; raise it for sweeps of very short "
                    "points, where Ray's per-task cost of about a millisecond shows)")
    ap.add_argument("--quiet", action="store_true", help="no progress and no summary table")
    a = ap.parse_args(argv)
    if a.address is not None and a.num_cpus is not None:
        ap.error("--num-cpus sizes a local Ray instance: not with --address")
    if a.num_cpus is not None and a.num_cpus < 1 or a.units_per_task < 1:
        ap.error("--num-cpus and --units-per-task must be at least 1")
    if not inproc.AVAILABLE:
        print(f"{PROG}: socsim_gym was installed without its in-process extension; rebuild it "
              "against libsocsim.a (gym/python/setup.py)", file=sys.stderr)
        return 2
    if os.path.exists(a.out) and not os.path.isdir(a.out):
        print(f"{PROG}: --out {a.out} is a file; --out names a folder (created when missing) "
              f"for results.csv and summary.csv, e.g. --out out/study", file=sys.stderr)
        return 2
    try:
        sweep = inproc._core.Sweep(os.path.abspath(a.sweep))
    except inproc._core.Error as e:
        print(f"socsim: {_status_of(e)[1]}", file=sys.stderr)
        return 2
    for w in sweep.warnings:
        print(f"socsim: warning: {w}", file=sys.stderr)
    if importlib.util.find_spec("ray") is None and not os.path.exists(
            os.path.join(a.out, "results.csv")):
        # nothing to resume, so everything would need Ray: write nothing
        print(f"{PROG}: Ray is not installed (pip install ray)", file=sys.stderr)
        return 2
    try:
        results = inproc._core.Results(sweep, a.out)
    except inproc._core.Error as e:
        code, msg = _status_of(e)
        print(f"socsim: {msg}", file=sys.stderr)
        return 2 if code in ("SOC_EIO", "SOC_ECONFIG", "SOC_EINVAL") else 1
    started_ray = False
    try:
        with results:
            if results.dropped and not a.quiet:
                print(f"ray_sweep: results.csv: dropped {results.dropped} incomplete row(s)",
                      file=sys.stderr)
            if results.todo():
                try:
                    import ray
                except ImportError:
                    print(f"{PROG}: Ray is not installed (pip install ray)", file=sys.stderr)
                    return 2
                if not ray.is_initialized():
                    kw: Dict[str, Any] = {"log_to_driver": False}
                    if a.address is not None:
                        kw["address"] = a.address
                    else:  # a local instance: no dashboard
                        kw["include_dashboard"] = False
                        if a.num_cpus is not None:
                            kw["num_cpus"] = a.num_cpus
                    ray.init(**kw)
                    started_ray = True
            try:
                summary = _drive(sweep, results, a.units_per_task, None, a.quiet, None)
            except SweepFailed as e:
                print(f"{PROG}: {e}", file=sys.stderr)
                return 1
            except inproc._core.Error as e:  # a write error of the store
                print(f"socsim: {_status_of(e)[1]}", file=sys.stderr)
                return 1
    finally:
        if started_ray:
            import ray
            ray.shutdown()
    if not a.quiet:
        print_summary(summary)
        print(f"ray_sweep: results in {a.out}/results.csv, summary in {a.out}/summary.csv",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    # Run through the package's module (not this __main__ copy), so that Ray
    # ships run_units to its workers by reference, as socsim_gym.ray_sweep.
    from socsim_gym.ray_sweep import main as _main

    sys.exit(_main())
