#!/usr/bin/env python3
"""Compare goldens before and after regenerating them: every value present
before must be unchanged; new keys, columns and rows may appear.
  usage: scripts/golden_diff.py OLD_DIR NEW_DIR
OLD_DIR/NEW_DIR hold copies of tests/golden/* and tests/regress/golden.csv.
JSON lines are compared key by key, line by line; CSV rows by
(workload, scheduler, seed) when the file has those columns, else by
position.  Exit 1 when a pre-existing value changed or disappeared."""
import csv, json, os, sys

old, new = sys.argv[1], sys.argv[2]
bad = checked = 0
for name in sorted(os.listdir(old)):
    po, pn = os.path.join(old, name), os.path.join(new, name)
    if not os.path.exists(pn):
        print("MISSING", name); bad += 1; continue
    if name.endswith('.json'):
        o = [json.loads(l) for l in open(po) if l.strip()]
        n = [json.loads(l) for l in open(pn) if l.strip()]
        if len(o) != len(n):
            print("LINES", name, len(o), len(n)); bad += 1; continue
        extra = set()
        for a, b in zip(o, n):
            extra |= set(b) - set(a)
            for k, v in a.items():
                checked += 1
                if k not in b or b[k] != v:
                    print("DIFF", name, k, v, b.get(k)); bad += 1
        print("%-30s same; new keys: %s" % (name, sorted(extra)))
    elif name.endswith('.csv'):
        ro, rn = list(csv.DictReader(open(po))), list(csv.DictReader(open(pn)))
        keyed = ro and all(c in ro[0] for c in ("workload", "scheduler", "seed"))
        key = (lambda i, r: (r["workload"], r["scheduler"], r["seed"])) if keyed else (lambda i, r: i)
        nm = {key(i, r): r for i, r in enumerate(rn)}
        for i, a in enumerate(ro):
            b = nm.get(key(i, a))
            if b is None:
                print("ROW MISSING", name, key(i, a)); bad += 1; continue
            for k, v in a.items():
                checked += 1
                if b.get(k) != v:
                    print("DIFF", name, key(i, a), k, v, b.get(k)); bad += 1
        newcols = sorted(set(rn[0]) - set(ro[0])) if rn and ro else []
        print("%-30s same; rows %d -> %d; new columns: %s" % (name, len(ro), len(rn), newcols))
print("checked %d pre-existing values: %d differ" % (checked, bad))
sys.exit(1 if bad else 0)
