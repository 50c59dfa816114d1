#!/usr/bin/env python3
"""Max-min fairness of socsim's flow model against SimGrid (tests/net).

For each scenario (crossbar, shared bus, 2x2 and 4x4 XY meshes, shared
memory through a memory controller; staggered flow starts) this script
  1. writes a socsim config and a flow set, runs `socsim flows` on them;
  2. builds the same platform independently in SimGrid (its own routes:
     ports, XY hops, controller), in a fresh process per scenario (one
     SimGrid engine per process), with CM02, latency and bandwidth factors
     1, weight-S 0, TCP gamma 0 and network/crosstraffic:0, links of
     latency 0 (or one start-up latency equal for every flow) -- plain
     max-min sharing;
  3. compares every flow's completion time, relative tolerance 1e-9.
Units: socsim's data units and units per µs are SimGrid's bytes and
bytes per second (1 µs = 1 s), volumes integers (SimGrid sizes are).

usage: simgrid_compare.py SOCSIM            (all scenarios; exit 0/1)
       simgrid_compare.py --simgrid JSON    (internal: one SimGrid run)
Exit 77 (skipped) when SimGrid's Python module is absent."""
import json, os, random, subprocess, sys, tempfile

TOL = 1e-9


# ------------------------------------------------------------- scenarios

def scenario(name, seed, nflows, topo, clusters, bw, port_bw=None, mesh=None, memory=None,
             staggered=True, lat=0.0):
    """clusters: [(name, count)]; mesh: (cols, rows, {cluster: [[x, y]...]});
    memory: controller bandwidth (shared_memory mode) or None."""
    rnd = random.Random(seed)
    pes = [(c, k) for c, n in clusters for k in range(n)]
    task_pes = [i for i, (c, k) in enumerate(pes) if c != "MEM"]
    flows = []
    for i in range(nflows):
        s, d = rnd.sample(task_pes, 2)
        vol = rnd.randrange(200000, 2000000)
        start = round(rnd.uniform(0, 3.0), 3) if staggered else 0.0
        if i < 3:
            start = 0.0  # a few start together (ties)
        flows.append((s, d, vol, start))
    return dict(name=name, topo=topo, clusters=clusters, bw=bw, port_bw=port_bw or {},
                mesh=mesh, memory=memory, flows=flows, pes=pes, lat=lat)


def scenarios():
    out = []
    cl = [("A", 4), ("B", 3), ("C", 2)]
    out.append(scenario("crossbar", 1, 40, "crossbar", cl, 1e6, port_bw={"B": 4e5, "C": 2.5e6}))
    out.append(scenario("shared_bus", 2, 25, "shared_bus", cl, 3e6))
    at2 = {"A": [[0, 0], [1, 0], [0, 1], [1, 1]], "B": [[0, 0], [1, 1], [1, 0]], "C": [0, 1]}
    out.append(scenario("mesh2x2", 3, 40, "mesh", cl, 1e6, port_bw={"A": 3e6, "B": 2e6, "C": 5e6},
                        mesh=(2, 2, at2)))
    cl4 = [("A", 8), ("B", 6), ("C", 2)]
    rnd = random.Random(44)
    at4 = {"A": [[rnd.randrange(4), rnd.randrange(4)] for _ in range(8)],
           "B": [[rnd.randrange(4), rnd.randrange(4)] for _ in range(6)], "C": [3, 0]}
    out.append(scenario("mesh4x4", 4, 80, "mesh", cl4, 1.5e6, port_bw={"A": 4e6, "B": 4e6, "C": 8e6},
                        mesh=(4, 4, at4)))
    out.append(scenario("mesh4x4_together", 5, 60, "mesh", cl4, 1e6, mesh=(4, 4, at4),
                        staggered=False))
    clm = [("A", 4), ("B", 2), ("MEM", 1)]
    out.append(scenario("shared_memory", 6, 20, "crossbar", clm, 2e6, port_bw={"MEM": 3e6},
                        memory=2.5e6))
    out.append(scenario("crossbar_big", 7, 150, "crossbar", [("A", 12), ("B", 8)], 1e6,
                        port_bw={"B": 6e5}))
    # a start-up latency equal for every transfer (latency_us; SimGrid: split
    # over the route's links).  Unequal route latencies would differ: CM02
    # then weights the sharing by latency, socsim's flow model does not.
    out.append(scenario("shared_bus_latency", 8, 25, "shared_bus", cl, 3e6, lat=0.25))
    out.append(scenario("crossbar_latency", 9, 40, "crossbar", cl, 1e6, port_bw={"C": 2e6},
                        lat=0.125))
    return out


# -------------------------------------------------------------- socsim side

def socsim_yaml(sc):
    lines = ["seed: 1", "platform:", "  clusters:"]
    for c, n in sc["clusters"]:
        if c == "MEM":
            lines.append("    - {name: MEM, count: %d, memory: true}" % n)
        else:
            lines.append("    - {name: %s, count: %d, exec_us: {t: 1}}" % (c, n))
    lines += ["  communication:",
              "    mode: %s" % ("shared_memory" if sc["memory"] else "pe_to_pe"),
              "    latency_us: %r" % sc["lat"],
              "    contention:", "      model: flow", "      topology: %s" % sc["topo"],
              "      bandwidth: %r" % sc["bw"]]
    if sc["memory"]:
        lines.append("      memory_bandwidth: %r" % sc["memory"])
    if sc["port_bw"]:
        lines.append("      port_bandwidth: {%s}" % ", ".join("%s: %r" % kv for kv in sc["port_bw"].items()))
    if sc["mesh"]:
        cols, rows, at = sc["mesh"]
        lines += ["      cols: %d" % cols, "      rows: %d" % rows, "      at:"]
        for c, pos in at.items():
            lines.append("        %s: %s" % (c, json.dumps(pos)))
    lines += ["applications:", "  - {name: a, tasks: [t]}",
              "injection: {arrival: periodic, period_us: 1}", "stop: {jobs: 1}"]
    return "\n".join(lines) + "\n"


def run_socsim(socsim, sc, tmp):
    cfg = os.path.join(tmp, sc["name"] + ".yaml")
    fl = os.path.join(tmp, sc["name"] + ".csv")
    with open(cfg, "w") as f:
        f.write(socsim_yaml(sc))
    with open(fl, "w") as f:
        f.write("src_pe,dst_pe,volume,start_us\n")
        for s, d, v, t in sc["flows"]:
            f.write("%d,%d,%d,%r\n" % (s, d, v, t))
    out = subprocess.run([socsim, "flows", cfg, fl], check=True, capture_output=True, text=True).stdout
    rows = out.strip().splitlines()[1:]
    return [float(r.split(",")[5]) for r in rows]


# ------------------------------------------------------------ SimGrid side

def simgrid_run(sc):
    """Build the platform in SimGrid (routes computed here, independently of
    socsim) and return every flow's completion time."""
    from simgrid import Engine, NetZone, LinkInRoute, Actor, Mailbox, this_actor
    e = Engine(["sg", "--cfg=network/model:CM02", "--cfg=network/latency-factor:1",
                "--cfg=network/bandwidth-factor:1", "--cfg=network/weight-S:0",
                "--cfg=network/TCP-gamma:0", "--cfg=network/crosstraffic:0",
                "--log=root.thres:critical"])
    z = NetZone.create_full_zone("soc")
    pes = sc["pes"]
    hosts = [z.create_host("%s.%d" % (c, k), 1.0) for c, k in pes]
    port_bw = lambda i: sc["port_bw"].get(pes[i][0], sc["bw"])
    links = {}

    def link(name, bw, lat=0.0):
        if name not in links:
            links[name] = z.create_link(name, bw).set_latency(lat).seal()
        return links[name]

    def route(a, b):
        if sc["topo"] == "shared_bus":
            return [link("bus", sc["bw"], sc["lat"])]
        r = [link("out%d" % a, port_bw(a), sc["lat"] / 2)]
        if sc["topo"] == "mesh":
            cols, rows, at = sc["mesh"]
            pos = []
            for c, n in sc["clusters"]:
                p = at[c]
                pos += [p[k] if isinstance(p[0], list) else p for k in range(n)]
            (x, y), (tx, ty) = pos[a], pos[b]
            while x != tx:
                nx = x + (1 if tx > x else -1)
                r.append(link("(%d,%d)>(%d,%d)" % (x, y, nx, y), sc["bw"]))
                x = nx
            while y != ty:
                ny = y + (1 if ty > y else -1)
                r.append(link("(%d,%d)>(%d,%d)" % (x, y, x, ny), sc["bw"]))
                y = ny
        r.append(link("in%d" % b, port_bw(b), sc["lat"] / 2))
        return r

    mem = next((i for i, (c, k) in enumerate(pes) if c == "MEM"), None)
    ctrl = link("ctrl", sc["memory"]) if sc["memory"] else None
    pairs = set()
    for s, d, v, t in sc["flows"]:
        if mem is None:
            pairs.add((s, d))
        else:
            pairs.add((s, mem))
            pairs.add((mem, d))
    for a, b in sorted(pairs):
        r = route(a, b)
        if ctrl is not None:
            r = r + [ctrl] if b == mem else [ctrl] + r
        z.add_route(hosts[a].netpoint, hosts[b].netpoint, None, None, [LinkInRoute(l) for l in r], False)
    z.seal()
    done = {}

    def sender(mb, size, t0):
        this_actor.sleep_until(t0)
        Mailbox.by_name(mb).put(mb, size)

    def relay(mb_in, mb_out, size):  # the memory: write received, then read
        Mailbox.by_name(mb_in).get()
        Mailbox.by_name(mb_out).put(mb_out, size)

    def receiver(mb, i):
        Mailbox.by_name(mb).get()
        done[i] = Engine.clock

    for i, (s, d, v, t) in enumerate(sc["flows"]):
        if mem is None:
            Actor.create("s%d" % i, hosts[s], sender, "f%d" % i, v, t)
            Actor.create("r%d" % i, hosts[d], receiver, "f%d" % i, i)
        else:
            Actor.create("s%d" % i, hosts[s], sender, "w%d" % i, v, t)
            Actor.create("m%d" % i, hosts[mem], relay, "w%d" % i, "r%d" % i, v)
            Actor.create("r%d" % i, hosts[d], receiver, "r%d" % i, i)
    e.run()
    return [done[i] for i in range(len(sc["flows"]))]


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--simgrid":
        sc = json.load(open(sys.argv[2]))
        print(json.dumps(simgrid_run(sc)))
        return 0
    try:
        import simgrid  # noqa: F401
    except ImportError:
        print("SKIP: SimGrid's Python module (Debian python3-simgrid) is not installed")
        return 77
    socsim = sys.argv[1]
    worst_all, bad = 0.0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for sc in scenarios():
            mine = run_socsim(socsim, sc, tmp)
            js = os.path.join(tmp, sc["name"] + ".json")
            with open(js, "w") as f:
                json.dump(sc, f)
            out = subprocess.run([sys.executable, __file__, "--simgrid", js], check=True,
                                 capture_output=True, text=True).stdout
            ref = json.loads(out.strip().splitlines()[-1])
            worst = 0.0
            for i, (a, b) in enumerate(zip(mine, ref)):
                rel = abs(a - b) / max(abs(b), 1e-300)
                worst = max(worst, rel)
                if rel > TOL:
                    bad += 1
                    print("FAIL %s flow %d %s: socsim %.17g SimGrid %.17g (rel %.3g)"
                          % (sc["name"], i, sc["flows"][i], a, b, rel))
            worst_all = max(worst_all, worst)
            print("%-18s %3d flows, last ends at %10.6f, worst relative difference %.3g"
                  % (sc["name"], len(mine), max(ref), worst))
    print("worst relative difference over all scenarios: %.3g (tolerance %g)" % (worst_all, TOL))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
