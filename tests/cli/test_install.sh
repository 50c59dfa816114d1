#!/usr/bin/env bash
# `cmake --install` puts the library, headers, pkg-config file and CLI in
# place, and a program built with pkg-config against the installed copy
# (shared and static) runs.  Env: SOCSIM (build/socsim), SOC_SOURCE_DIR.
set -u
S=${SOCSIM:?}; SRC=${SOC_SOURCE_DIR:?}; B=$(dirname "$S")
command -v cc >/dev/null || { echo "no C compiler: skipped"; exit 77; }
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cmake --install "$B" --prefix "$t/prefix" >/dev/null || fail "cmake --install"
for f in bin/socsim include/soc/sim.h include/soc/sched.h include/soc/schedulers.h \
         include/soc/workload.h; do
    [ -e "$t/prefix/$f" ] || fail "$f not installed"
done
pc=$(find "$t/prefix" -name socsim.pc | head -1)
[ -n "$pc" ] || fail "socsim.pc not installed"
export PKG_CONFIG_PATH=$(dirname "$pc")
libdir=$(pkg-config --variable=libdir socsim)
# a sanitizer build of the library needs the same runtime in the program
san=""
if nm -D "$libdir/libsocsim.so" 2>/dev/null | grep -q "__asan_init\|__ubsan_handle"; then
    san="-fsanitize=address,undefined"
fi
cc -std=c11 $san "$SRC/examples/minimal_sim.c" -o "$t/shared" $(pkg-config --cflags --libs socsim) \
   -Wl,-rpath,"$libdir" || fail "build against the shared library"
out=$("$t/shared" "$SRC/examples/topcuoglu.yaml") || fail "shared: run"
[ "$out" = "makespan 80" ] || fail "shared: '$out'"
cc -std=c11 $san "$SRC/examples/minimal_sim.c" -o "$t/static" $(pkg-config --cflags socsim) \
   "$libdir/libsocsim.a" $(pkg-config --libs igraph gsl yaml-0.1) -ldl -lm || fail "static build"
out=$("$t/static" "$SRC/examples/topcuoglu.yaml") || fail "static: run"
[ "$out" = "makespan 80" ] || fail "static: '$out'"
"$t/prefix/bin/socsim" run "$SRC/examples/topcuoglu.yaml" --json | grep -q '"makespan_us":80' \
    || fail "installed CLI"
echo "install: 3 passed, 0 failed"
