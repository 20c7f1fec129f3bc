"""Makes unpacked .debs usable where they are, not under /usr: scripts/gpu-check.sh's fix-ups.

    fix_sysroot.py SYSROOT [TOP...]

In SYSROOT and each TOP: absolute symlinks (to /usr/lib/...) would point out of the folder, so
they become relative ones inside it. In SYSROOT's pkg-config files, prefix=/usr and the -I/usr/...,
-L/usr/... written out point into SYSROOT/usr. CMake config files that name /usr paths are only
listed (their imported targets mostly compute their prefix from where they are).
"""

import os
import re
import sys

ARCH = "x86_64-linux-gnu"
USR = re.compile(r"(^|[=\s]|-I|-L)/usr(?=/|\s|$)", re.M)


def relative_symlinks(top):
    fixed = 0
    for d, dirs, files in os.walk(top):
        for n in dirs + files:
            p = os.path.join(d, n)
            if os.path.islink(p) and os.readlink(p).startswith("/"):
                target = top + os.readlink(p)
                os.remove(p)
                os.symlink(os.path.relpath(target, d), p)
                fixed += 1
    print(f"{top}: {fixed} absolute symlinks made relative")


def pkg_config_files(sysroot):
    usr = os.path.join(sysroot, "usr")
    seen = set()
    for d in (f"lib/{ARCH}/pkgconfig", "share/pkgconfig", "lib/pkgconfig"):
        d = os.path.join(usr, d)
        for n in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            p = os.path.realpath(os.path.join(d, n))
            if not n.endswith(".pc") or not os.path.isfile(p) or p in seen:
                continue
            seen.add(p)
            text = open(p).read()
            open(p, "w").write(USR.sub(lambda m: m.group(1) + usr, text))
    print(f"rewrote {len(seen)} pkg-config files to {usr}")


def cmake_files_naming_usr(sysroot):
    usr = os.path.join(sysroot, "usr")
    tops = [os.path.join(usr, "lib", ARCH, "cmake")]
    tops += [os.path.join(usr, "share", n) for n in sorted(os.listdir(os.path.join(usr, "share")))
             if n.startswith("cmake")] if os.path.isdir(os.path.join(usr, "share")) else []
    named = set()
    for top in tops:
        for d, _, files in os.walk(top):
            for n in files:
                p = os.path.join(d, n)
                try:
                    lines = open(p, errors="replace").read().splitlines()
                except OSError:
                    continue
                if any(re.search(r'"/usr/(include|lib)', l) and not re.search("_realOrig|_IMPORT_PREFIX", l)
                       for l in lines):
                    named.add(p)
    if named:
        print("note: CMake files naming /usr paths (left as they are): " + " ".join(sorted(named)))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: fix_sysroot.py SYSROOT [TOP...]")
    for top in sys.argv[1:]:
        relative_symlinks(top)
    pkg_config_files(sys.argv[1])
    cmake_files_naming_usr(sys.argv[1])
