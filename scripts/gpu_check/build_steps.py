"""The device run's build steps: unpack the .debs, configure, the CUDA-only sources' syntax check,
and the build of helmholtz and helmholtz_tests. Each step is a function of the runner, the
shared context (steps.Context) and its seconds that returns (status, note).
"""

import hashlib
import json
import os
import re
import shutil
import sys
import time

import cmake_args

HERE = os.path.dirname(os.path.abspath(__file__))


# --- unpack ---------------------------------------------------------------------------------------
def step_unpack(r, c, budget):
    manifest = open(os.path.join(r.debs, "MANIFEST"), "rb").read()
    unpacker = os.environ.get("GPU_CHECK_UNPACKER", "")
    stamp = hashlib.sha256(manifest + unpacker.encode()).hexdigest()
    stamp_file = os.path.join(r.prefix, "unpacked.sha256")
    tools = os.path.join(r.prefix, "tools")
    note = ""
    kept = os.path.isfile(stamp_file) and open(stamp_file).read().strip() == stamp
    if kept:
        note = "kept: already unpacked from this MANIFEST"
    else:
        shutil.rmtree(r.prefix, ignore_errors=True)
        os.makedirs(r.sysroot)
        os.makedirs(tools)
        rc, out = r.command([sys.executable, os.path.join(HERE, "unpack.py"), r.debs, r.sysroot, tools]
                            + ([unpacker] if unpacker else []), budget - 10, "unpack.txt")
        note = (out.strip().splitlines() or [""])[-1]
        if rc != 0:
            return "failed", note
        rc, _ = r.command([sys.executable, os.path.join(HERE, "fix_sysroot.py"), r.sysroot, tools], 60, "unpack.txt")
        if rc != 0:
            return "failed", "fix_sysroot.py failed"
        with open(stamp_file, "w") as f:
            f.write(stamp + "\n")
    # cmake, pkg-config, ninja: the machine's own where it has them, else wrappers in PREFIX/bin.
    force = os.environ.get("GPU_CHECK_FORCE_TOOLS") == "1"
    shutil.rmtree(os.path.join(r.prefix, "bin"), ignore_errors=True)
    shutil.rmtree(os.path.join(r.prefix, "tool-lib"), ignore_errors=True)
    rc, out = r.command([sys.executable, os.path.join(HERE, "tools.py"), r.prefix, tools, r.sysroot]
                        + (["--force"] if force else []), 60, "unpack.txt")
    used = re.search(r"^tools_unpacked=(.*)$", out, re.M)
    r.state["facts"]["tools_unpacked"] = used.group(1) if used else "?"
    if rc != 0:
        return "failed", "tools.py failed"
    return "ok", f"{note}; tools from the .debs: {r.state['facts']['tools_unpacked']}"


# --- configure ------------------------------------------------------------------------------------
def configure_once(r, c, way, budget):
    d = r.state["decision"]
    if way != d["torch_config"]:
        d = dict(d, cuda_headers=d.get("standin_headers", []))
    args = cmake_args.args(r.state["facts"], d, way, {"root": r.root, "build": r.build, "sysroot": r.sysroot})
    # The build folder is kept (an incremental build) when configured the same way before.
    stamp_file = os.path.join(r.build, "gpu-check-configure.json")
    try:
        same = json.load(open(stamp_file)) == args
    except (OSError, ValueError):
        same = False
    if not same:
        shutil.rmtree(r.build, ignore_errors=True)
    os.makedirs(r.build, exist_ok=True)
    with r.lock():
        rc, out = r.command(["cmake"] + args, budget, f"configure-{way}.txt")
    line = (re.findall(r"helmholtz: LibTorch[^\n]*", out) or ["no 'helmholtz: LibTorch' line"])[-1]
    if rc == 0:
        with open(stamp_file, "w") as f:
            json.dump(args, f)
    else:
        try:
            os.remove(stamp_file)
        except OSError:
            pass
    return rc, line


def step_configure(r, c, budget):
    d = r.state["decision"]
    way = d["torch_config"]
    t = time.monotonic()
    rc, line = configure_once(r, c, way, budget)
    note = ""
    if rc != 0 and way == "official" and (d.get("standin_headers") or not d["cuda_code"]):
        # Configuring is cheap: where torch's own config fails, the stand-in gets its turn.
        r.say("torch's own config failed to configure: configuring with cmake/torch-wheel")
        note = "torch's own config failed to configure (configure-official.txt); "
        way = "stand-in"
        rc, line = configure_once(r, c, way, budget - (time.monotonic() - t))
    r.state["facts"].update(torch_config_used=way, cmake_line=line)
    copy_cache(r)
    if rc != 0:
        return "failed", note + f"cmake exit {rc} with {way} (configure-{way}.txt)"
    if d["cuda_code"] and "CUDA code ON" not in line:
        return "failed", note + f"{line} (the pre-flight expected CUDA code ON)"
    return "ok", note + f"{way}: {line}"


def copy_cache(r):
    keys = re.compile(r"^((CLI11|spdlog|fmt|nlohmann_json|tomlplusplus|GTest|Torch)_DIR|TORCH_WHEEL_[A-Z_]+|"
                      r"TORCH_CUDA_ARCH_LIST|CUDA_TOOLKIT_ROOT_DIR|CMAKE_CXX_COMPILER|HELMHOLTZ_[A-Z_]+|"
                      r"CMAKE_GENERATOR|LAME_LIBRARY|ZLIB_LIBRARY)[:=]|^pkgcfg_lib_")
    try:
        lines = [l[:300] for l in open(os.path.join(r.build, "CMakeCache.txt")) if keys.search(l)]
    except OSError:
        return
    with open(os.path.join(r.raw, "cmake-cache.txt"), "w") as f:
        f.write("".join(lines))


# --- cuda-syntax ----------------------------------------------------------------------------------
def step_cuda_syntax(r, c, budget):
    d = r.state["decision"]
    commands = os.path.join(r.build, "compile_commands.json")
    if not os.path.isfile(commands):
        return "failed", "no compile_commands.json (configure failed)"
    env = dict(os.environ)
    headers = d["cuda_headers"] if r.state["facts"].get("torch_config_used") == d["torch_config"] \
        else d.get("standin_headers", [])
    if d["cuda_code"] and headers:
        # The check takes the CUDA headers from CUDA_HOME/include: the ones configure was given.
        home = os.path.join(r.build, "gpu-check-cuda-home")
        shutil.rmtree(home, ignore_errors=True)
        os.makedirs(home)
        os.symlink(headers[0], os.path.join(home, "include"))
        env["CUDA_HOME"] = home
    with r.lock():
        rc, out = r.command(["bash", os.path.join(r.root, "tests", "cuda", "cuda_syntax_check.sh"), commands, r.root],
                            budget, "cuda-syntax.txt", env=env)
    last = (out.strip().splitlines() or [""])[-1]
    if rc == 77:
        return ("failed" if c.gpu else "n/a"), last + ("" if c.gpu else " (no GPU: rehearsal)")
    if rc != 0:
        return "failed", f"exit {rc}: {last}"
    return "ok", f"{sum(1 for l in out.splitlines() if l.startswith('ok: '))} CUDA-only sources compile"


# --- build ----------------------------------------------------------------------------------------
def step_build(r, c, budget):
    t = time.monotonic()
    for b in (c.hz, c.tests):  # never a stale binary from an earlier build
        if os.path.exists(b):
            os.remove(b)
    jobs = str(r.state["facts"].get("nproc", 4))
    with r.lock():
        # With the unpacked libraries on the library path: a build that lists the tests runs
        # helmholtz_tests (gtest discovery after the link).
        rc, out = r.command(["cmake", "--build", r.build, "-j", jobs, "--target", "helmholtz", "helmholtz_tests"],
                            budget, "build.txt", env=c.env)
        if rc not in (0, 124) and not os.path.exists(c.hz):
            r.say("the build failed: building helmholtz alone (what compiled is kept)")
            r.command(["cmake", "--build", r.build, "-j", jobs, "--target", "helmholtz"],
                      budget - (time.monotonic() - t), "build.txt", env=c.env)
    errors = [l.strip() for l in out.splitlines() if re.search(r"\berror\b|FAILED:", l)][:3]
    built = [os.path.basename(b) for b in (c.hz, c.tests) if os.path.exists(b)]
    if rc == 0:
        return "ok", f"built {', '.join(built)}"
    what = "out of time" if rc == 124 else f"exit {rc}"
    return "failed", f"{what}; built: {', '.join(built) or 'nothing'}" + (f"; {errors[0][:300]}" if errors else "")
