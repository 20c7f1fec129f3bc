"""The device run's steps in their order, with their time caps (run.py runs each through
Runner.step), the context they share, and the pre-flight step. The build steps are in
build_steps.py, the measuring ones in measure_steps.py; each returns (status, note) and puts
what it measured into runner.state, which report.py turns into the table.
"""

import os

import build_steps as build
import measure_steps as measure
import preflight

ARCH = "x86_64-linux-gnu"


class Context:
    """What the steps after the pre-flight share: sizes, device, binaries and their environment."""

    def __init__(self, r):
        s = r.state
        f, d = s["facts"], s["decision"]
        self.gpu = bool(f.get("cuda_available"))
        self.device = "cuda" if self.gpu else "cpu"
        self.smoke = os.environ.get("GPU_CHECK_SMOKE", "0" if self.gpu else "1") == "1"
        s["device"], s["smoke"] = self.device, self.smoke
        self.python = d["python"]
        self.hz = os.path.join(r.build, "helmholtz")
        self.tests = os.path.join(r.build, "helmholtz_tests")
        lib = os.path.join(r.sysroot, "usr", "lib", ARCH)
        paths = [lib, os.path.join(r.sysroot, "lib", ARCH), os.path.join(f["torch_dir"], "lib")]
        old = os.environ.get("LD_LIBRARY_PATH")
        # Our binaries find the unpacked libraries through LD_LIBRARY_PATH: CMake's run path
        # covers direct dependencies only, where the linker writes RUNPATH.
        self.env = dict(os.environ, LD_LIBRARY_PATH=":".join(paths + ([old] if old else [])))
        # The wrappers of the .debs' build tools (step_unpack) and their pkg-config files.
        os.environ["PATH"] = os.path.join(r.prefix, "bin") + os.pathsep + os.environ.get("PATH", "")
        pc = [os.path.join(lib, "pkgconfig"), os.path.join(r.sysroot, "usr", "share", "pkgconfig")]
        old = os.environ.get("PKG_CONFIG_PATH")
        os.environ["PKG_CONFIG_PATH"] = ":".join(pc + ([old] if old else []))
        self.env.update(PATH=os.environ["PATH"], PKG_CONFIG_PATH=os.environ["PKG_CONFIG_PATH"])
        if self.smoke:
            self.bench = {"images": 256, "epochs": 1, "cap": 120}
            self.pack = {"images": 256, "epochs": 1, "ks": (1, 2), "extra": ["--threads", "1"]}
            self.train = {"synth_train": 500, "synth_test": 100, "epochs": 1}
        else:
            self.bench = {"images": 16384, "epochs": 2, "cap": 60}
            self.pack = {"images": 16384, "epochs": 2, "ks": (1, 2, 4), "extra": []}
            self.train = {"synth_train": 50000, "synth_test": 10000, "epochs": 2}
        # Seconds kept for the CUDA tests and the doctor while the build runs.
        self.reserve_tests = 100 if self.gpu else 30
        self.reserve_doctor = 60 if self.smoke else 25


def options():
    e = os.environ
    return {"python": e.get("GPU_CHECK_PYTHON", ""), "require_gpu": e.get("GPU_CHECK_REQUIRE_GPU") == "1",
            "torch": e.get("GPU_CHECK_TORCH", "auto"), "torch_dir_cmake": e.get("TORCH_DIR", ""),
            "force_tools": e.get("GPU_CHECK_FORCE_TOOLS") == "1"}


# --- preflight ------------------------------------------------------------------------------------
def step_preflight(r, budget):
    opts = dict(options(), debs=r.debs)
    result = preflight.run(opts, budget)
    r.state.update(facts=result["facts"], checks=result["checks"], decision=result["decision"],
                   failure=result["failure"])
    for c in result["checks"]:
        r.say(f"  {c['status']:6} {c['name']}: {c['detail']}", console=True)
    if result["failure"]:
        r.say(result["failure"])
        return "failed", result["failure"][len("pre-flight: "):]
    return "ok", preflight_ok_line(r.state)[len("pre-flight: ok: "):]


def preflight_ok_line(state):
    d, f = state["decision"], state["facts"]
    config = {"official": "torch's own CMake config", "stand-in": "cmake/torch-wheel"}.get(d.get("torch_config"), "?")
    return (f"pre-flight: ok: torch {f.get('torch_version', '?')}, "
            f"{f.get('device_name') or 'no GPU (rehearsal)'}, C++{d.get('cxx_standard')}, {config}, "
            f"CUDA-only code {'ON' if d.get('cuda_code') else 'OFF'}, {f.get('preflight_seconds', '?')}s")


# --- the run --------------------------------------------------------------------------------------
ORDER = ("preflight", "unpack", "configure", "cuda-syntax", "build", "cuda-tests", "doctor", "bench", "pack",
         "train")


def run_all(r, preflight_only=False):
    """Runs the steps; returns the exit status (0: no step failed)."""
    row = r.step("preflight", lambda b: step_preflight(r, b), cap=60)
    if preflight_only or row["status"] == "failed":
        if not preflight_only:
            for name in ORDER[1:]:
                r.state["steps"].append({"name": name, "status": "skipped", "seconds": 0, "note": "pre-flight failed"})
            r.save()
        return 1 if row["status"] == "failed" else 0
    c = Context(r)
    keep = c.reserve_tests + c.reserve_doctor + 5  # for the CUDA tests and the doctor, while building
    r.step("unpack", lambda b: build.step_unpack(r, c, b), cap=120, reserve=keep)
    r.step("configure", lambda b: build.step_configure(r, c, b), cap=180, reserve=keep)
    r.step("cuda-syntax", lambda b: build.step_cuda_syntax(r, c, b), cap=120, reserve=keep, fail_when_skipped=c.gpu)
    r.step("build", lambda b: build.step_build(r, c, b), cap=100000, reserve=keep, minimum=30)
    r.step("cuda-tests", lambda b: measure.step_cuda_tests(r, c, b), cap=300, reserve=c.reserve_doctor,
           minimum=20, fail_when_skipped=c.gpu)
    r.step("doctor", lambda b: measure.step_doctor(r, c, b), cap=180 if c.smoke else 90, reserve=5, minimum=10)
    r.step("bench", lambda b: measure.step_bench(r, c, b), cap=400 if c.smoke else 150, reserve=60, minimum=15)
    r.step("pack", lambda b: measure.step_pack(r, c, b), cap=150 if c.smoke else 90, reserve=40, minimum=10)
    r.step("train", lambda b: measure.step_train(r, c, b), cap=300 if c.smoke else 150, reserve=5, minimum=20)
    return 1 if any(s["status"] == "failed" for s in r.state["steps"]) else 0
