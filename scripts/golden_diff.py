#!/usr/bin/env python3
"""Compare old vs new goldens by key: every value present before must be
unchanged (new keys may appear).  usage: scripts/golden_diff.py OLD_DIR NEW_DIR (copies of tests/golden/* and
tests/regress/golden.csv before and after regenerating them)"""
import csv, json, os, sys
old, new = sys.argv[1], sys.argv[2]
bad = 0; checked = 0
for name in sorted(os.listdir(old)):
    po, pn = os.path.join(old, name), os.path.join(new, name)
    if name.endswith('.json'):
        o = [json.loads(l) for l in open(po) if l.strip()]
        n = [json.loads(l) for l in open(pn) if l.strip()]
        assert len(o) == len(n), name
        for a, b in zip(o, n):
            for k, v in a.items():
                checked += 1
                if b.get(k, object()) != v:
                    print("DIFF", name, k, v, b.get(k)); bad += 1
            extra = sorted(set(b) - set(a))
        print(name, "ok; new keys:", extra)
    elif name.endswith('.csv'):
        ro = list(csv.DictReader(open(po))); rn = list(csv.DictReader(open(pn)))
        assert len(ro) == len(rn), name
        for a, b in zip(ro, rn):
            for k, v in a.items():
                checked += 1
                if b.get(k) != v:
                    print("DIFF", name, k, v, b.get(k)); bad += 1
        print(name, "ok; rows", len(ro), "new columns:", sorted(set(rn[0]) - set(ro[0])) if rn else [])
print("checked", checked, "values;", bad, "differ")
sys.exit(1 if bad else 0)
