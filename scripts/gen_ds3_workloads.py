#!/usr/bin/env python3
"""Generate socsim's shipped DS3 workloads as socsim YAML.

Writes workloads/socs/{multiple_bal,bal_only,top}.yaml,
workloads/apps/{wifi_tx,wifi_rx,lag_detection,sct,scr,temporal_mitigation,top}.yaml
and the embedded default, workloads/default.yaml, from DS3's own data files
(config_SoC/SoC.*.txt, config_Jobs/job_*.txt).

Development tooling only: the generated YAML is committed, so users need no
DS3 files.  The figures are carried over unchanged, following DS3's parser
(see the DS3 spec, sections 1.1, 1.2 and 11 A1/B1/B2):
  * a repeated functionality line in a resource block keeps the FIRST value;
  * tokens of add_new_resource are positional (type, name, id, capacity, F,
    DVFS mode), a capacity that is not > 1 is 1;
  * comm_band a b v is symmetric and a later line overrides an earlier one;
    comm_band_self defaults to 1 when absent; pairs not given use 1;
  * task IDs are 0..N-1 in file order, edges come from the predecessor
    lists (in the order listed), volumes from comm_vol (0 when absent).

Usage: scripts/gen_ds3_workloads.py [--ds3 DIR] [--out DIR]
  --ds3  DS3's data folder (default: ../shared/ds3 next to the repository)
  --out  the repository's workloads/ folder (default: workloads/)
"""
import argparse
import os
import sys

DS3_COMMIT = "github.com/segemena/DS3, commit 056c930"

SOCS = [
    # (DS3 file, output stem, description)
    ("SoC.MULTIPLE_BAL.txt", "multiple_bal",
     "DS3's default SoC: 4 Arm A7 (LITTLE), 4 Arm A15 (big), 2 matrix-multiply,\n"
     "# 4 FFT and 2 Viterbi accelerators, and the memory used for shared-memory transfers."),
    ("SoC.BAL_only.txt", "bal_only",
     "DS3's CPU-only SoC: 4 Arm A7 (LITTLE) and 4 Arm A15 (big) cores plus the memory."),
    ("SoC.Top.txt", "top",
     "DS3's 3-CPU SoC for the Topcuoglu et al. (2002) example DAG, plus the memory."),
]

APPS = [
    # (DS3 file, output stem, description, DS3 job_probabilities share in the default mix)
    ("job_WIFI_5TXM.txt", "wifi_tx", "WiFi transmitter (5 parallel OFDM symbol chains)", 0.2),
    ("job_WIFI_5RXM.txt", "wifi_rx", "WiFi receiver (5 parallel OFDM symbol chains)", 0.2),
    ("job_LAG.txt", "lag_detection", "range (lag) detection by FFT cross-correlation", 0.2),
    ("job_SCT.txt", "sct", "single-carrier transmitter", 0.1),
    ("job_SCR.txt", "scr", "single-carrier receiver", 0.1),
    ("job_TEMP_MIT.txt", "temporal_mitigation", "temporal interference mitigation", 0.2),
    ("job_Top.txt", "top", "the Topcuoglu et al. (2002) 10-task example DAG", None),
]

# The embedded default's arrival process (native semantics).
DEFAULT_MEAN_US = 100
DEFAULT_JOBS = 2000
DEFAULT_WARMUP_US = 10000


def lines_of(path):
    """Tokenised lines, comments and blank lines dropped (DS3: a line is
    skipped when it is empty or its first token contains '#')."""
    with open(path, encoding="utf-8") as f:
        for raw in f:
            tok = raw.split()
            if not tok or "#" in tok[0]:
                continue
            yield tok


def num(text):
    v = float(text)
    return int(v) if v == int(v) else v


def fmt(v):
    if isinstance(v, float) and v == int(v):
        v = int(v)
    return repr(v) if isinstance(v, float) else str(v)


def parse_soc(path):
    clusters, bw, bw_self = [], {}, None
    cur, need = None, 0
    for tok in lines_of(path):
        key = tok[0]
        if key == "add_new_resource":
            cap = int(tok[8])
            cur = {
                "kind": tok[2], "name": tok[4], "id": int(tok[6]),
                "count": cap if cap > 1 else 1, "dvfs": tok[12],
                "exec": {}, "opps": [], "trip": None, "dtpm": None,
                "profile": [], "pg": [],
            }
            if cur["id"] != len(clusters):
                sys.exit(f"{path}: resource IDs must be 0,1,2... in file order")
            clusters.append(cur)
            need = int(tok[10])
        elif cur is not None and need > 0:
            if key == "opp":
                cur["opps"].append((num(tok[1]), num(tok[2])))
            elif key == "trip_freq":
                cur["trip"] = [num(t) for t in tok[1:]]
            elif key == "DTPM_trip_freq":
                cur["dtpm"] = [num(t) for t in tok[1:]]
            elif key == "power_profile":
                cur["profile"].append((num(tok[1]), [num(t) for t in tok[2:]]))
            elif key == "PG_profile":
                cur["pg"].append((num(tok[1]), [num(t) for t in tok[2:]]))
            elif key == "mesh_information":
                pass
            else:
                # a functionality line; extra columns are ignored, and a
                # repeated name keeps its FIRST value (DS3 spec 11 A1)
                cur["exec"].setdefault(key, num(tok[1]))
                need -= 1
        elif key == "comm_band_self":
            bw_self = num(tok[1])
        elif key == "comm_band":
            a, b, v = int(tok[1]), int(tok[2]), num(tok[3])
            bw[(a, b)] = v
            bw[(b, a)] = v
        else:
            sys.exit(f"{path}: unexpected line {' '.join(tok)}")
    for c in clusters:
        c["opps"].sort()
    return clusters, bw, bw_self


def parse_job(path):
    name, tasks, vol = None, [], {}
    n, done, mode = 0, 0, False
    head = tail = None
    for tok in lines_of(path):
        if mode:
            if tok[1] == "HEAD":
                head = len(tasks) - 1
            elif tok[1] == "TAIL":
                tail = len(tasks) - 1
            elif tok[1] == "earliest_start":
                done += 1
                if done == n:
                    mode = False
            else:
                tid = int(tok[1])
                if tid != len(tasks):
                    sys.exit(f"{path}: task IDs must be 0..N-1 in order")
                tasks.append((tok[0], [int(p) for p in tok[2:]]))
        elif tok[0] == "job_name":
            name = tok[1]
        elif tok[0] == "add_new_tasks":
            n, done, mode = int(tok[1]), 0, True
        elif tok[0] == "comm_vol":
            vol[(int(tok[1]), int(tok[2]))] = int(tok[3])
        else:
            sys.exit(f"{path}: unexpected line {' '.join(tok)}")
    edges = [(p, t, vol.get((p, t), 0)) for t, (_, preds) in enumerate(tasks) for p in preds]
    unused = sorted(k for k in vol if k not in {(p, t) for p, t, _ in edges})
    return name, tasks, edges, head, tail, unused


def flow(items):
    return "[" + ", ".join(items) + "]"


def soc_yaml(clusters, bw, bw_self, name, ind):
    """The platform mapping, indented by `ind` spaces."""
    p = " " * ind
    out = [f"{p}name: {name}", f"{p}clusters:"]
    for c in clusters:
        out.append(f"{p}  - name: {c['name']}")
        out.append(f"{p}    kind: {c['kind']}")
        out.append(f"{p}    count: {c['count']}")
        if c["kind"] == "MEM":
            out.append(f"{p}    memory: true")
            # DS3's constant base power (DTPM_power_models.py: P_mem 0.0473 W
            # + P_GPU 0.1201 W), charged by the native model through the
            # memory cluster (DS3 semantics adds it by its own rules)
            out.append(f"{p}    power: {{idle_w: 0.1674}}")
            continue
        out.append(f"{p}    exec_us:")
        for t, us in c["exec"].items():
            out.append(f"{p}      {t}: {fmt(us)}")
        out.append(f"{p}    power:")
        out.append(f"{p}      governor: {c['dvfs']}")
        if c["opps"]:
            out.append(f"{p}      opps: " + flow(flow([fmt(f), fmt(v)]) for f, v in c["opps"]))
        if c["trip"] is not None:
            out.append(f"{p}      trip_freq_mhz: " + flow(fmt(x) for x in c["trip"]))
        if c["dtpm"] is not None:
            out.append(f"{p}      dtpm_trip_freq_mhz: " + flow(fmt(x) for x in c["dtpm"]))
        for key, rows in (("power_profile", c["profile"]), ("pg_profile", c["pg"])):
            if rows:
                out.append(f"{p}      {key}:")
                for f, w in rows:
                    out.append(f"{p}        - [{fmt(f)}, {flow(fmt(x) for x in w)}]")
    mem = [c["name"] for c in clusters if c["kind"] == "MEM"]
    out.append(f"{p}communication:")
    out.append(f"{p}  mode: pe_to_pe")
    if mem:
        out.append(f"{p}  memory: {mem[-1]}")
    out.append(f"{p}  bandwidth_self: {fmt(1 if bw_self is None else bw_self)}"
               + ("   # DS3's default: the SoC file gives no comm_band_self" if bw_self is None else ""))
    out.append(f"{p}  bandwidth_default: 1")
    pairs = []
    skipped = []
    for a in range(len(clusters)):
        for b in range(a, len(clusters)):
            v = bw.get((a, b))
            if v is None:
                continue
            if v <= 0:
                skipped.append(f"{clusters[a]['name']}-{clusters[b]['name']}")
                continue
            pairs.append(f"{p}    - [{clusters[a]['name']}, {clusters[b]['name']}, {fmt(v)}]")
    if pairs:
        out.append(f"{p}  bandwidth:")
        out.extend(pairs)
    if skipped:
        out.append(f"{p}  # DS3's 'comm_band ... 0' for {', '.join(skipped)} is left out: those")
        out.append(f"{p}  # clusters hold one PE, so only bandwidth_self ever applies there.")
    return out


def app_yaml(stem, tasks, edges, head, tail, ind):
    p = " " * ind
    names = [t for t, _ in tasks]
    out = [f"{p}name: {stem}"]
    if head is not None:
        out.append(f"{p}head: {names[head]}")
    if tail is not None:
        out.append(f"{p}tail: {names[tail]}")
    out.append(f"{p}tasks:")
    for t in names:
        out.append(f"{p}  - {t}")
    out.append(f"{p}edges:")
    for s, d, v in edges:
        out.append(f"{p}  - [{names[s]}, {names[d]}, {v}]")
    return out


def write(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {path}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ds3", default=os.path.join(root, "..", "shared", "ds3"))
    ap.add_argument("--out", default=os.path.join(root, "workloads"))
    args = ap.parse_args()
    os.makedirs(os.path.join(args.out, "socs"), exist_ok=True)
    os.makedirs(os.path.join(args.out, "apps"), exist_ok=True)

    socs = {}
    for fname, stem, desc in SOCS:
        clusters, bw, bw_self = parse_soc(os.path.join(args.ds3, "config_SoC", fname))
        name = fname[len("SoC."):-len(".txt")]
        socs[stem] = (clusters, bw, bw_self, name)
        head = [
            f"# {desc}",
            f"# Generated by scripts/gen_ds3_workloads.py from DS3's config_SoC/{fname}",
            f"# ({DS3_COMMIT}). Figures carried over unchanged; a",
            "# functionality listed twice in DS3's file keeps its first value, as in DS3.",
            "# Execution times in µs, bandwidths in data units per µs, power in W, OPPs",
            "# as [MHz, mV]. Use it from a config as `platform: <path to this file>`.",
        ]
        write(os.path.join(args.out, "socs", stem + ".yaml"),
              head + soc_yaml(clusters, bw, bw_self, name, 0))

    apps = {}
    for fname, stem, desc, _ in APPS:
        job, tasks, edges, hd, tl, unused = parse_job(os.path.join(args.ds3, "config_Jobs", fname))
        apps[stem] = (tasks, edges, hd, tl)
        head = [
            f"# {desc}: DS3 job '{job}', {len(tasks)} tasks, {len(edges)} edges.",
            f"# Generated by scripts/gen_ds3_workloads.py from DS3's config_Jobs/{fname}",
            f"# ({DS3_COMMIT}). Task order = DS3 task IDs; a task's",
            "# type is its name; edges = DS3's predecessor lists, volumes from comm_vol",
            "# (0 when absent). Use it as an entry of a config's `applications:`.",
        ]
        if unused:
            head.append("# comm_vol lines without a dependency, ignored as DS3 does: "
                        + ", ".join(f"{a}->{b}" for a, b in unused))
        write(os.path.join(args.out, "apps", stem + ".yaml"),
              head + app_yaml(stem, tasks, edges, hd, tl, 0))

    # the embedded default: MULTIPLE_BAL and the six-application mix, inline
    clusters, bw, bw_self, name = socs["multiple_bal"]
    lines = [
        "# socsim's embedded default configuration: what `socsim` (or `socsim default`)",
        "# runs with every scheduler. A heterogeneous SoC modelled on DS3's",
        "# MULTIPLE_BAL (4 A7 LITTLE, 4 A15 big, 2 matrix-multiply, 4 FFT and 2 Viterbi",
        "# accelerators) running DS3's six-application radio mix with DS3's shares, in",
        "# native semantics, under steady Poisson arrivals at moderate load.",
        "# Generated by scripts/gen_ds3_workloads.py from DS3's config_SoC/SoC.MULTIPLE_BAL.txt",
        f"# and six config_Jobs files ({DS3_COMMIT}); the same figures as",
        "# workloads/socs/multiple_bal.yaml and workloads/apps/*.yaml. Reference: docs/config.md.",
        "name: default",
        "seed: 1",
        "scheduler: etf",
        "semantics: native",
        "power: false",
        "platform:",
    ]
    lines += soc_yaml(clusters, bw, bw_self, name, 2)
    lines.append("applications:")
    for _, stem, _, share in APPS:
        if share is None:
            continue
        tasks, edges, hd, tl = apps[stem]
        body = app_yaml(stem, tasks, edges, hd, tl, 4)
        body[0] = "  - " + body[0].lstrip()
        lines += body
    mix = ", ".join(f"{stem}: {share}" for _, stem, _, share in APPS if share is not None)
    lines += [
        "injection:",
        "  arrival: poisson",
        f"  mean_interarrival_us: {DEFAULT_MEAN_US}",
        f"  mix: {{{mix}}}",
        f"  warmup_us: {DEFAULT_WARMUP_US}",
        "stop:",
        f"  jobs: {DEFAULT_JOBS}",
    ]
    write(os.path.join(args.out, "default.yaml"), lines)


if __name__ == "__main__":
    main()
