"""Import real WfCommons instances with socsim and check them independently.

Run by tests/import/test_wfcommons.sh inside a virtual environment that has
the `wfcommons` package (and with it networkx and PyYAML).  For each recipe
instance (WfFormat 1.6 as the package writes it, plus the same instance
rewritten here as WfFormat 1.5 and 1.4):

  * counts, total runtime, total data volume and critical path are computed
    from the JSON with networkx, independently of socsim;
  * `socsim import wfcommons` writes the application and platform files,
    which are read back with PyYAML: every task must be there with its own
    runtime (exec_us of its type = runtimeInSeconds x 1e6), every
    dependency with the total size of the files the child reads that the
    parent writes;
  * HEFT on one PE must take exactly the total runtime, on as many PEs as
    tasks without data exactly the critical path, and with data somewhere
    between the critical path and total work plus total transfer time.

Usage: wfcommons_check.py SOCSIM WORKDIR
"""

import json
import os
import random
import subprocess
import sys
import time

import networkx as nx
import numpy as np
import yaml

from wfcommons import WorkflowGenerator
from wfcommons.wfchef.recipes import (BlastRecipe, CyclesRecipe, EpigenomicsRecipe,
                                      MontageRecipe, SeismologyRecipe)

SOCSIM, WORK = sys.argv[1], sys.argv[2]
FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what)


def close(a, b, rel=1e-9):
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def socsim(*args):
    r = subprocess.run([SOCSIM, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("socsim %s failed (%d): %s" % (" ".join(args), r.returncode,
                                                          r.stderr.strip()))
    return r.stdout


# ----------------------------------------------------------------- reference

def reference(doc):
    """Graph, runtimes, volumes from a WfFormat 1.5/1.6 document."""
    spec = doc["workflow"]["specification"]
    runtime = {t["id"]: float(t["runtimeInSeconds"]) for t in doc["workflow"]["execution"]["tasks"]}
    size = {f["id"]: f["sizeInBytes"] for f in spec.get("files", [])}
    out = {t["id"]: set(t.get("outputFiles", [])) for t in spec["tasks"]}
    inp = {t["id"]: set(t.get("inputFiles", [])) for t in spec["tasks"]}
    g = nx.DiGraph()
    for t in spec["tasks"]:
        g.add_node(t["id"])
        for p in t.get("parents", []):
            g.add_edge(p, t["id"])
        for c in t.get("children", []):
            g.add_edge(t["id"], c)
    vol = {(p, c): sum(size[f] for f in out[p] & inp[c]) for p, c in g.edges}
    for v in g.nodes:
        g.nodes[v]["w"] = runtime[v] * 1e6
    # longest path of runtimes (µs), no communication
    fin = {}
    for v in nx.topological_sort(g):
        fin[v] = g.nodes[v]["w"] + max((fin[p] for p in g.predecessors(v)), default=0.0)
    return {
        "graph": g,
        "runtime_us": {k: v * 1e6 for k, v in runtime.items()},
        "volume": vol,
        "tasks": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "total_us": sum(runtime.values()) * 1e6,
        "total_volume": float(sum(vol.values())),
        "cp_us": max(fin.values()),
        "connected": nx.is_weakly_connected(g),
        "sources": sum(1 for v in g if g.in_degree(v) == 0),
    }


# ------------------------------------------------------- older WfFormat layouts

def as_15(doc):
    d = json.loads(json.dumps(doc))
    d["schemaVersion"] = "1.5"
    d["workflow"]["specification"].pop("metrics", None)
    d["workflow"]["execution"].pop("metrics", None)
    return d


def as_14(doc):
    """The same instance in the pre-1.5 layout: one task list with files."""
    spec, ex = doc["workflow"]["specification"], doc["workflow"]["execution"]
    size = {f["id"]: f["sizeInBytes"] for f in spec.get("files", [])}
    run = {t["id"]: t for t in ex["tasks"]}
    tasks = []
    for t in spec["tasks"]:
        files = [{"name": f, "sizeInBytes": size[f], "link": "input"} for f in t.get("inputFiles", [])]
        files += [{"name": f, "sizeInBytes": size[f], "link": "output"} for f in t.get("outputFiles", [])]
        tasks.append({"name": t["id"], "category": t["name"], "type": "compute",
                      "parents": t.get("parents", []), "children": t.get("children", []),
                      "files": files, "runtimeInSeconds": run[t["id"]]["runtimeInSeconds"],
                      "cores": 1})
    return {"name": doc["name"], "schemaVersion": "1.4",
            "workflow": {"makespanInSeconds": 0, "executedAt": "2024-01-01T00:00:00",
                         "tasks": tasks}}


# ------------------------------------------------------------------ checking

def read_import(app_path, plat_path):
    with open(app_path) as f:
        app = yaml.safe_load(f)
    with open(plat_path) as f:
        plat = yaml.safe_load(f)
    tasks = app["tasks"]
    names, types = [], []
    for t in tasks:
        if isinstance(t, str):
            names.append(t)
            types.append(t)
        else:
            names.append(t["name"])
            types.append(t.get("type", t["name"]))
    edges = {}
    for e in app.get("edges", []):
        a, b = e[0], e[1]
        a = names[a] if isinstance(a, int) else a
        b = names[b] if isinstance(b, int) else b
        edges[(a, b)] = float(e[2]) if len(e) > 2 else 0.0
    return names, types, edges, plat


def makespan(cfg, sched="heft"):
    out = socsim("run", cfg, "--json", "--scheduler", sched)
    m = json.loads(out.strip().splitlines()[-1])
    return m


def check_instance(label, doc):
    ref = reference(doc)
    base = os.path.join(WORK, label)
    for version, d in (("1.6", doc), ("1.5", as_15(doc)), ("1.4", as_14(doc))):
        tag = "%s[%s]" % (label, version)
        src = "%s-%s.json" % (base, version)
        with open(src, "w") as f:
            json.dump(d, f, indent=None if version == "1.4" else 2)
        app, plat, cfg = base + ".yaml", base + ".platform.yaml", base + "_run.yaml"
        t0 = time.time()
        summary = json.loads(socsim("import", "wfcommons", src, "-o", app, "-c", cfg, "--json"))
        took = time.time() - t0
        names, types, edges, platform = read_import(app, plat)
        virtual = 0  # the parts of a disconnected workflow are kept as they are
        check(summary["schema_version"] == version, "%s: version %s" % (tag, summary["schema_version"]))
        check(len(names) == ref["tasks"] + virtual,
              "%s: %d tasks, expected %d + %d virtual" % (tag, len(names), ref["tasks"], virtual))
        check(len(edges) == ref["edges"] + virtual * ref["sources"],
              "%s: %d edges, expected %d" % (tag, len(edges), ref["edges"]))
        cl = platform["clusters"][0]["exec_us"]
        # every task keeps its own runtime; every dependency its volume
        bad_t = [n for n, ty in zip(names, types)
                 if n in ref["runtime_us"] and not close(cl[ty], ref["runtime_us"][n])]
        check(not bad_t, "%s: runtimes differ for %s" % (tag, bad_t[:3]))
        bad_e = [e for e, v in ref["volume"].items() if not close(edges.get(e, -1), v)]
        check(not bad_e, "%s: volumes differ on %s" % (tag, bad_e[:3]))
        total_us = sum(cl[ty] for ty in types)
        total_vol = sum(edges.values())
        check(close(total_us, ref["total_us"]), "%s: total runtime %r vs %r" % (tag, total_us, ref["total_us"]))
        check(close(total_vol, ref["total_volume"]), "%s: total volume %r vs %r" % (tag, total_vol, ref["total_volume"]))
        check(close(summary["critical_path_us"], ref["cp_us"]),
              "%s: critical path %r vs %r" % (tag, summary["critical_path_us"], ref["cp_us"]))
        if version != "1.6":
            continue
        # HEFT with data on the default platform: bounded by CP and total work + comm
        bw = platform["communication"]["bandwidth_default"]
        m = makespan(cfg)
        check(m["completed_jobs"] == 1 and m["tasks_completed"] == len(names), "%s: run" % tag)
        hi = ref["total_us"] + ref["total_volume"] / bw
        check(ref["cp_us"] * (1 - 1e-9) <= m["makespan_us"] <= hi * (1 + 1e-9),
              "%s: HEFT makespan %r outside [%r, %r]" % (tag, m["makespan_us"], ref["cp_us"], hi))
        # one PE: the total work exactly
        socsim("import", "wfcommons", src, "-o", app, "-c", cfg, "--cluster", "pe:1", "-q")
        m1 = makespan(cfg)["makespan_us"]
        check(close(m1, ref["total_us"]), "%s: HEFT on one PE %r, total work %r" % (tag, m1, ref["total_us"]))
        # a PE per task and no data: the critical path exactly
        socsim("import", "wfcommons", src, "-o", app, "-c", cfg, "--cluster",
               "pe:%d" % min(4096, len(names)), "--data-scale", "0", "-q")
        mn = makespan(cfg)["makespan_us"]
        check(close(mn, ref["cp_us"]), "%s: HEFT on %d PEs %r, critical path %r" % (tag, len(names), mn, ref["cp_us"]))
        print("%-22s %4d tasks %5d edges  total %.6g s  data %.4g B  CP %.6g s  HEFT %.6g s  "
              "(import %.3f s)" % (tag, ref["tasks"], ref["edges"], ref["total_us"] / 1e6,
                                  ref["total_volume"], ref["cp_us"] / 1e6,
                                  m["makespan_us"] / 1e6, took))


def main():
    random.seed(15)
    np.random.seed(15)
    cases = [("blast50", BlastRecipe, 50), ("epigenomics100", EpigenomicsRecipe, 100),
             ("montage200", MontageRecipe, 200), ("cycles200", CyclesRecipe, 200),
             ("seismology120", SeismologyRecipe, 120), ("blast500", BlastRecipe, 500)]
    for label, recipe, n in cases:
        wf = WorkflowGenerator(recipe.from_num_tasks(n)).build_workflow()
        path = os.path.join(WORK, label + ".gen.json")
        wf.write_json(path)
        with open(path) as f:
            doc = json.load(f)
        check_instance(label, doc)
    if FAILURES:
        print("%d check(s) failed" % len(FAILURES))
        return 1
    print("all WfCommons checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
