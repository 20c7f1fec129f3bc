"""Picks the build tools: the machine's own where it has them, else the unpacked ones.

    tools.py PREFIX TOOLS SYSROOT [--force]

cmake and ctest (where the machine has no CMake 3.18 or newer), pkg-config (pkgconf, where it
has none) and ninja (where it has neither ninja nor make) come from TOOLS/usr/bin, all of them
with --force (GPU_CHECK_FORCE_TOOLS=1, to test them). Each gets a wrapper PREFIX/bin/NAME that
runs it with the unpacked libraries this machine lacks (found with ldd, linked into
PREFIX/tool-lib; the others stay the machine's own). Says on stderr which tool is used from
where; prints tools_unpacked=NAMES (a fact for scripts/gpu-check.sh) on stdout.
"""

import glob
import os
import re
import shutil
import subprocess
import sys

ARCH = "x86_64-linux-gnu"


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def output(cmd, env=None):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def wrap(name, target, prefix, tools, sysroot):
    libdir = os.path.join(prefix, "tool-lib")
    os.makedirs(libdir, exist_ok=True)
    os.makedirs(os.path.join(prefix, "bin"), exist_ok=True)
    if shutil.which("ldd"):
        for _ in range(6):  # a library found may need others
            env = dict(os.environ, LD_LIBRARY_PATH=libdir)
            missing = sorted({l.split()[0] for l in output(["ldd", target], env).splitlines() if "not found" in l})
            linked = 0
            for so in missing:
                found = [p for top in (tools, sysroot) for sub in ("usr/lib", "lib")
                         for p in [os.path.join(top, sub, ARCH, so)] if os.path.exists(p)]
                if found:
                    if os.path.lexists(os.path.join(libdir, so)):
                        os.remove(os.path.join(libdir, so))
                    os.symlink(found[0], os.path.join(libdir, so))
                    linked += 1
                else:
                    log(f"WARNING: {name} needs {so}, which neither this machine nor the .debs have")
            if not linked:
                break
    else:  # no ldd: all unpacked libraries (they may shadow newer ones of the machine)
        for so in glob.glob(os.path.join(tools, "usr/lib", ARCH, "*.so.*")) + glob.glob(os.path.join(tools, "lib", ARCH, "*.so.*")):
            link = os.path.join(libdir, os.path.basename(so))
            if os.path.lexists(link):
                os.remove(link)
            os.symlink(so, link)
    wrapper = os.path.join(prefix, "bin", name)
    with open(wrapper, "w") as f:
        f.write(f'#!/bin/sh\nLD_LIBRARY_PATH="{libdir}${{LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}}" exec "{target}" "$@"\n')
    os.chmod(wrapper, 0o755)
    log(f"using the unpacked {name} ({target}); libraries it lacked: {' '.join(sorted(os.listdir(libdir)))}")


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: tools.py PREFIX TOOLS SYSROOT [--force]")
    prefix, tools, sysroot = argv[:3]
    force = "--force" in argv[3:]
    bin_dir = os.path.join(tools, "usr", "bin")
    have = lambda p: os.access(os.path.join(bin_dir, p), os.X_OK)
    m = re.search(r"[0-9][0-9.]*", (output(["cmake", "--version"]).splitlines() or [""])[0])
    version = [int(x) for x in m.group(0).split(".") if x] if m else []
    if (force or version < [3, 18]) and have("cmake"):
        wrap("cmake", os.path.join(bin_dir, "cmake"), prefix, tools, sysroot)
        wrap("ctest", os.path.join(bin_dir, "ctest"), prefix, tools, sysroot)
    if (force or not shutil.which("pkg-config")) and have("pkgconf"):
        wrap("pkg-config", os.path.join(bin_dir, "pkgconf"), prefix, tools, sysroot)
    if (force or not (shutil.which("ninja") or shutil.which("make"))) and have("ninja"):
        wrap("ninja", os.path.join(bin_dir, "ninja"), prefix, tools, sysroot)
    path = os.path.join(prefix, "bin") + os.pathsep + os.environ.get("PATH", "")
    used = []
    for tool in ("cmake", "ctest", "pkg-config", "ninja", "make"):
        where = shutil.which(tool, path=path)
        first = (output([where, "--version"]).splitlines() or [""])[0] if where else ""
        log(f"{tool}: {where or 'none'} {first}")
        if where and where.startswith(os.path.join(prefix, "bin") + os.sep):
            used.append(tool)
    print(f"tools_unpacked={' '.join(used) or 'none'}")


if __name__ == "__main__":
    main(sys.argv[1:])
