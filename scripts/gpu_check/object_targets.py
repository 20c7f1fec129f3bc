"""The build-system targets that compile just the given sources, from compile_commands.json.

    object_targets.py BUILD/compile_commands.json ninja|make SOURCE...

Prints one line per object: "DIRECTORY<TAB>TARGET". Ninja: DIRECTORY is the build folder and
TARGET the object file as ninja names it (CMakeFiles/<target>.dir/src/x.cpp.o), for
`cmake --build BUILD --target TARGET`. Makefiles: DIRECTORY is the folder of the Makefile that
has the object rule and TARGET that rule (src/x.cpp.o), for `make -C DIRECTORY TARGET`.
Sources missing from the file (not compiled in this configuration) print nothing.
scripts/gpu-check.sh builds the CUDA-only sources so, before the whole build.
"""

import json
import os
import re
import shlex
import sys


def output_of(entry):
    args = entry.get("arguments") or shlex.split(entry.get("command", ""))
    for i, a in enumerate(args[:-1]):
        if a == "-o":
            return args[i + 1]
    return ""


def main(argv):
    if len(argv) < 2 or argv[1] not in ("ninja", "make"):
        sys.exit("usage: object_targets.py compile_commands.json ninja|make SOURCE...")
    entries = json.load(open(argv[0]))
    wanted = {os.path.realpath(s) for s in argv[2:]}
    for e in entries:
        source = os.path.realpath(os.path.join(e["directory"], e["file"]))
        obj = output_of(e)
        if source not in wanted or not obj:
            continue
        if argv[1] == "make":
            obj = re.sub(r"^(.*/)?CMakeFiles/[^/]+\.dir/", "", obj)
        print(f"{e['directory']}\t{obj}")


if __name__ == "__main__":
    main(sys.argv[1:])
