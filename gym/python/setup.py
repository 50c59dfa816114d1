"""Build of socsim_gym with its in-process extension ``socsim_gym._core``.

The extension links the static socsim library (``libsocsim.a``, built by the
project's CMake with -fPIC) and its Debian dependencies (igraph, GSL,
libyaml; found with pkg-config).  Where the library is looked for, first
match wins:

* ``$SOCSIM_LIB``        the path of libsocsim.a itself;
* ``$SOCSIM_BUILD_DIR``  a CMake build directory holding libsocsim.a;
* ``../../build``        the default build directory of this source tree.

Headers come from the source tree this file sits in (``$SOCSIM_SOURCE_DIR``
overrides it).  Extra flags for the compiler and linker (a sanitizer build,
say) go in ``$SOCSIM_EXT_CFLAGS`` / ``$SOCSIM_EXT_LDFLAGS``.

Without the library the package still installs (pure Python): the
environments then talk to ``socsim serve`` over a socket, as before.  Set
``SOCSIM_REQUIRE_EXT=1`` to make a missing library or a failed compile an
error instead.
"""

import os
import shlex
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
SRC = Path(os.environ.get("SOCSIM_SOURCE_DIR") or HERE.parent.parent)
REQUIRE = os.environ.get("SOCSIM_REQUIRE_EXT", "") not in ("", "0")


def find_lib():
    cands = []
    if os.environ.get("SOCSIM_LIB"):
        cands.append(Path(os.environ["SOCSIM_LIB"]))
    if os.environ.get("SOCSIM_BUILD_DIR"):
        cands.append(Path(os.environ["SOCSIM_BUILD_DIR"]) / "libsocsim.a")
    cands.append(SRC / "build" / "libsocsim.a")
    for c in cands:
        if c.is_file():
            return c.resolve()
    return None


def pkg_config(*args):
    try:
        out = subprocess.run(["pkg-config", *args], check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        return []
    return shlex.split(out.stdout)


def extensions():
    lib = find_lib()
    includes = [SRC / "sim" / "include", SRC / "sim" / "util" / "include", SRC / "schedulers" / "include",
                SRC / "workloads" / "include", SRC / "workloads" / "study" / "include",
                SRC / "gym" / "include"]
    if lib is None or not all(p.is_dir() for p in includes):
        msg = ("socsim_gym: libsocsim.a or the socsim headers not found (set SOCSIM_BUILD_DIR); "
               "building without the in-process extension (socket backend only)")
        if REQUIRE:
            sys.exit(msg)
        print(msg, file=sys.stderr)
        return []
    pkgs = ["igraph", "gsl", "yaml-0.1"]
    cflags = pkg_config("--cflags", *pkgs)
    libs = pkg_config("--libs", *pkgs) or ["-ligraph", "-lgsl", "-lgslcblas", "-lyaml"]
    extra_c = ["-std=c11", "-O2"] + shlex.split(os.environ.get("SOCSIM_EXT_CFLAGS", "")) + cflags
    extra_l = [str(lib)] + libs + ["-lm", "-ldl"] + shlex.split(os.environ.get("SOCSIM_EXT_LDFLAGS", ""))
    return [Extension("socsim_gym._core", sources=["socsim_gym/_core.c", "socsim_gym/_study.c"],
                      include_dirs=[str(p) for p in includes], extra_compile_args=extra_c,
                      extra_link_args=extra_l, depends=[str(lib), "socsim_gym/_study.h"], optional=not REQUIRE)]


setup(ext_modules=extensions(), cmdclass={"build_ext": build_ext})
