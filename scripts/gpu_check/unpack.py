"""Unpacks the .debs of scripts/gpu-debs.sh into folders of their own (nothing is installed).

    unpack.py DEBS SYSROOT TOOLS [dpkg|ar|python]

DEBS/MANIFEST ("role<TAB>package<TAB>version<TAB>file<TAB>bytes", '#' lines aside) says which
.debs are build dependencies (role dev: into SYSROOT, as if installed under SYSROOT/usr) and
which are build tools (role tool: into TOOLS); without a MANIFEST every .deb in DEBS is a dev
one. The way to unpack: dpkg-deb -x; ar x and tar (zstd for data.tar.zst); or python alone,
for a machine with neither (ar read here, data.tar through tarfile; not .zst). Default: the
first of those this machine has. Ends with "unpacked N .debs (E errors)"; exit status E
(missing or failed .debs, at most 255).
"""

import glob
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile


def unpack_python(deb, dest):
    """The .deb's files (its data.tar member) into dest, with python's stdlib only."""
    with open(deb, "rb") as f:
        if f.read(8) != b"!<arch>\n":
            raise ValueError(f"{deb}: not an ar archive")
        while True:
            header = f.read(60)
            if len(header) < 60:
                raise ValueError(f"{deb}: no data.tar member")
            name = header[:16].decode().strip().rstrip("/")
            size = int(header[48:58].decode().strip())
            data = f.read(size)
            if size % 2:
                f.read(1)
            if name.startswith("data.tar"):
                if name.endswith(".zst"):
                    raise ValueError(f"{deb}: data.tar.zst needs zstd (python's tarfile cannot read it)")
                with tarfile.open(fileobj=io.BytesIO(data)) as t:
                    # Our own downloads, absolute symlinks included (fix_sysroot.py makes them
                    # relative): no extraction filter (Python 3.14 would default to "data").
                    if hasattr(tarfile, "fully_trusted_filter"):
                        t.extractall(dest, filter="fully_trusted")
                    else:
                        t.extractall(dest)
                return


def unpack_ar(deb, dest):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["ar", "x", deb], cwd=tmp, check=True)
        member = (sorted(glob.glob(os.path.join(tmp, "data.tar*"))) or [""])[0]
        if not member:
            raise ValueError(f"{deb}: no data.tar member")
        if member.endswith(".zst"):
            with subprocess.Popen(["zstd", "-dc", member], stdout=subprocess.PIPE) as z:
                subprocess.run(["tar", "-x", "-C", dest], stdin=z.stdout, check=True)
            if z.returncode:
                raise ValueError(f"{deb}: zstd failed")
        else:
            subprocess.run(["tar", "-xf", member, "-C", dest], check=True)


def unpack(way, deb, dest):
    if way == "dpkg":
        subprocess.run(["dpkg-deb", "-x", deb, dest], check=True)
    elif way == "ar":
        unpack_ar(deb, dest)
    else:
        unpack_python(deb, dest)


def listed(debs, sysroot, tools):
    """(file, destination) of each .deb to unpack."""
    manifest = os.path.join(debs, "MANIFEST")
    if not os.path.isfile(manifest):
        print(f"no {manifest}: unpacking every .deb there as a build dependency", flush=True)
        return [(f, sysroot) for f in sorted(glob.glob(os.path.join(debs, "*.deb")))]
    found = []
    for line in open(manifest):
        fields = line.rstrip("\n").split("\t")
        if line.startswith("#") or len(fields) < 4 or not fields[3]:
            continue
        found.append((os.path.join(debs, fields[3]), tools if fields[0] == "tool" else sysroot))
    return found


def main(argv):
    if len(argv) not in (3, 4) or (len(argv) == 4 and argv[3] not in ("dpkg", "ar", "python")):
        sys.exit("usage: unpack.py DEBS SYSROOT TOOLS [dpkg|ar|python]")
    debs, sysroot, tools = (os.path.abspath(a) for a in argv[:3])
    way = argv[3] if len(argv) == 4 else (
        "dpkg" if shutil.which("dpkg-deb") else "ar" if shutil.which("ar") and shutil.which("tar") else "python")
    print(f"unpacking with {way}", flush=True)
    count = errors = 0
    for deb, dest in listed(debs, sysroot, tools):
        if not os.path.isfile(deb):
            print(f"missing {deb}", flush=True)
            errors += 1
            continue
        os.makedirs(dest, exist_ok=True)
        try:
            unpack(way, deb, dest)
        except (OSError, ValueError, subprocess.CalledProcessError) as e:
            print(f"{deb}: {e}", flush=True)
            errors += 1
        count += 1
    print(f"unpacked {count} .debs ({errors} errors)")
    return min(errors, 255)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
