"""The device run: one call on a rented GPU machine (no package archive, no network) that builds
helmholtz against the machine's CUDA PyTorch and the Debian libraries of scripts/gpu-debs.sh,
and always leaves a table of what it found.

    scripts/gpu-check.sh [--preflight]

Steps, in order of what matters most (each with a time cap; a step with no time left is
skipped and says so):
  preflight    torch, GPU, compute capability, C++ ABI and standard, CUDA toolkit, glibc,
               libstdc++, cmake: at most 60 s, and one line, "pre-flight: ...", where one fails
  unpack       the .debs into build-gpucheck-prefix/ (nothing is installed; kept when unchanged)
  configure    with the Torch config the pre-flight chose: torch's own where nvcc, its
               crt/host_defines.h and torch's CUDA version are there, else cmake/torch-wheel
  cuda-syntax  the CUDA-only sources, syntax only (tests/cuda/cuda_syntax_check.sh)
  build        helmholtz and helmholtz_tests only
  cuda-tests   helmholtz_tests --gtest_filter=<CMakeLists.txt's HELMHOLTZ_CUDA_TESTS>; on a GPU
               machine a skipped test, or none run, is a failure
  doctor       helmholtz doctor --json
  bench        helmholtz bench train vs scripts/bench-peer.py (fp32, and bf16 + channels last)
  pack         K = 1, 2, 4 trainings at once on one GPU, setting 0
  train        all-cnns on a generated CIFAR-format set, default precision, then fp32 if time
Into OUT go gpu-check.md (the table, rewritten at every step's start and end, so a run killed
at any point leaves the latest), gpu-check.log (everything printed) and gpu-check-raw.tar.gz
(the raw results, kept in build-gpucheck-raw/). Exit status 0 when no step failed, else 1.
Without a GPU (a rehearsal) every step runs on the CPU at smoke sizes, and the GPU's checks
and tests are "n/a" or skipped rather than failed.

--preflight: the pre-flight alone; prints one line ("pre-flight: ok ..." or the failure).

Environment:
  OUT                      where the table, the log and the archive go (default build-gpucheck-out)
  DEBS                     the .debs of scripts/gpu-debs.sh (default build-debs)
  GPU_CHECK_DEADLINE       seconds for the whole run (default 480)
  GPU_CHECK_REQUIRE_GPU    1: a machine without a GPU fails the pre-flight
  GPU_CHECK_PYTHON         the python with torch (default: python3, then /usr/bin/python3)
  GPU_CHECK_SMOKE          1: tiny sizes (default: 1 where torch sees no GPU)
  GPU_CHECK_TORCH          auto (default), official (torch's own CMake config) or shim (cmake/torch-wheel)
  TORCH_DIR                folder of a TorchConfig.cmake to use instead of python's torch's
  GPU_CHECK_NVCC           the nvcc to use (default: PATH, CUDA_HOME, /usr/local/cuda); none: no toolkit
  GPU_CHECK_CUDA_ARCH      TORCH_CUDA_ARCH_LIST for torch's own config (default: the GPU's capability)
  GPU_CHECK_STEPS          comma-separated subset of the steps (the pre-flight always runs)
  GPU_CHECK_BENCH_SETTINGS settings to benchmark (default 0,5)
  GPU_CHECK_CMAKE_ARGS     extra configure arguments (split at spaces)
  GPU_CHECK_FORCE_TOOLS    1: the .debs' cmake, pkg-config and ninja even where the machine has its own
  GPU_CHECK_UNPACKER       dpkg, ar or python: how to unpack the .debs (default: the first found)
  GPU_CHECK_BUILD_LOCK     a file to flock while configuring and building (a machine shared with
                           other builds); the wait does not count against the deadline
  GPU_CHECK_BUILD_DIR, GPU_CHECK_PREFIX, GPU_CHECK_RUNS, GPU_CHECK_RAW: folders (default
                           build-gpucheck, build-gpucheck-prefix, build-gpucheck-runs, build-gpucheck-raw)
"""

import fcntl
import json
import os
import selectors
import shlex
import signal
import subprocess
import sys
import tarfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import report  # noqa: E402
import steps  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))


class Interrupted(Exception):
    pass


class Runner:
    """Time, output and children of one run; every step is run through step()."""

    def __init__(self, quiet=False):
        env = os.environ
        path = lambda v, d: os.path.abspath(os.path.join(ROOT, env.get(v) or d))
        self.root = ROOT
        self.out = path("OUT", "build-gpucheck-out")
        self.raw = path("GPU_CHECK_RAW", "build-gpucheck-raw")
        self.build = path("GPU_CHECK_BUILD_DIR", "build-gpucheck")
        self.prefix = path("GPU_CHECK_PREFIX", "build-gpucheck-prefix")
        self.runs = path("GPU_CHECK_RUNS", "build-gpucheck-runs")
        self.debs = path("DEBS", "build-debs")
        self.sysroot = os.path.join(self.prefix, "root")
        self.deadline = float(env.get("GPU_CHECK_DEADLINE") or 480)
        self.selected = [s for s in (env.get("GPU_CHECK_STEPS") or "").split(",") if s]
        self.quiet = quiet
        self.t0 = time.monotonic()
        self.waited = 0.0  # seconds spent waiting for GPU_CHECK_BUILD_LOCK
        self.children = []
        for d in (self.out, self.raw):
            os.makedirs(d, exist_ok=True)
        names = os.listdir(self.raw)
        if names and "state.json" not in names:
            sys.exit(f"gpu-check: {self.raw} holds files of something else: give GPU_CHECK_RAW a folder of its own")
        for name in names:  # a fresh raw folder: nothing of an earlier run
            subprocess.run(["rm", "-rf", os.path.join(self.raw, name)])
        self.log = open(os.path.join(self.out, "gpu-check.log"), "w", buffering=1)
        self.state = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "deadline": self.deadline,
                      "steps": [], "facts": {}, "checks": [], "decision": {}, "failure": ""}

    # --- time and output ----------------------------------------------------------------------
    def elapsed(self):
        return time.monotonic() - self.t0

    def left(self):
        return self.deadline - self.elapsed()

    def say(self, msg, console=True):
        line = f"[{time.strftime('%H:%M:%S')} +{self.elapsed():4.0f}s] {msg}"
        self.log.write(line + "\n")
        if console and not self.quiet:
            print(line, flush=True)

    def echo(self, line, console=True):
        self.log.write(line + "\n")
        if console and not self.quiet:
            print(line, flush=True)

    def save(self):
        """The state, the table and the archive, each replaced whole (a kill leaves the last)."""
        self.state["elapsed"] = round(self.elapsed() - self.waited)  # the deadline's seconds
        if self.waited:
            self.state["lock_waited"] = round(self.waited)
        with open(os.path.join(self.raw, "state.json"), "w") as f:
            json.dump(self.state, f, indent=1)
        md = os.path.join(self.out, "gpu-check.md")
        with open(md + ".tmp", "w") as f:
            f.write(report.render(self.state))
        os.replace(md + ".tmp", md)
        tgz = os.path.join(self.out, "gpu-check-raw.tar.gz")
        with tarfile.open(tgz + ".tmp", "w:gz") as t:
            t.add(self.raw, arcname="gpu-check-raw")
        os.replace(tgz + ".tmp", tgz)

    # --- children -----------------------------------------------------------------------------
    def command(self, cmd, timeout, log_name=None, env=None, cwd=None, console=True):
        """Runs cmd, its output (stdout and stderr) into the log, the console and raw/LOG_NAME,
        killed (its whole process group) after timeout seconds. Returns (exit status or 124,
        output)."""
        self.say("$ " + shlex.join(str(c) for c in cmd) + f"   (at most {max(timeout, 1):.0f}s)", console)
        sink = open(os.path.join(self.raw, log_name), "a") if log_name else None
        lines = []
        try:
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 env=env, cwd=cwd, start_new_session=True)
        except OSError as e:
            self.say(f"cannot run {cmd[0]}: {e}", console)
            return 127, str(e)
        self.children.append(p)
        end = time.monotonic() + max(timeout, 1)
        timed_out = finished = False
        pending = b""
        sel = selectors.DefaultSelector()
        sel.register(p.stdout, selectors.EVENT_READ)
        try:
            while True:
                remaining = end - time.monotonic()
                if remaining <= 0:
                    timed_out = True
                    break
                if not sel.select(timeout=min(remaining, 1.0)):
                    continue
                chunk = os.read(p.stdout.fileno(), 65536)
                if not chunk:
                    break
                pending += chunk
                *done, pending = pending.split(b"\n")
                for raw in done:
                    line = raw.decode(errors="replace").rstrip("\r")
                    lines.append(line)
                    if sink:
                        sink.write(line + "\n")
                    self.echo(line, console)
            finished = not timed_out
        finally:
            sel.close()
            if finished:  # its output ended: it is exiting, or a child of its kept the pipe
                try:
                    p.wait(timeout=max(end - time.monotonic(), 1))
                except subprocess.TimeoutExpired:
                    timed_out = True
            if p.poll() is None:  # out of time, or interrupted
                self.kill(p)
            p.wait()
            self.children.remove(p)
            if pending:
                lines.append(pending.decode(errors="replace"))
                self.echo(lines[-1], console)
            if sink:
                sink.close()
        if timed_out:
            self.say(f"stopped after {timeout:.0f}s: {os.path.basename(str(cmd[0]))}", console)
            return 124, "\n".join(lines)
        return p.returncode, "\n".join(lines)

    def parallel(self, cmds, files, timeout, env=None):
        """Runs the commands at once, each one's output into its file; kills what is left after
        timeout seconds. Returns the exit statuses (124: killed)."""
        procs = []
        for cmd, f in zip(cmds, files):
            self.say("$ " + shlex.join(str(c) for c in cmd) + f" > {os.path.relpath(f, self.raw)} &")
            with open(f, "w") as out:
                procs.append(subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                              env=env, start_new_session=True))
        self.children += procs
        end = time.monotonic() + max(timeout, 1)
        codes = []
        for p in procs:
            try:
                codes.append(p.wait(timeout=max(end - time.monotonic(), 0.1)))
            except subprocess.TimeoutExpired:
                self.kill(p)
                codes.append(124)
            self.children.remove(p)
        return codes

    def kill(self, p):
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(p.pid, sig)
            except (ProcessLookupError, PermissionError):
                return
            try:
                p.wait(timeout=5)
                return
            except subprocess.TimeoutExpired:
                continue

    def lock(self):
        """A held flock on GPU_CHECK_BUILD_LOCK (or nothing); the wait extends the deadline."""
        return BuildLock(self)

    # --- steps --------------------------------------------------------------------------------
    def step(self, name, fn, cap, reserve=0, minimum=5, fail_when_skipped=False):
        """Runs fn(seconds) -> (status, note) with at most cap seconds and reserve seconds kept for
        what comes after. status: ok, failed, skipped or n/a (only failed counts as a failure)."""
        row = {"name": name, "status": "running", "seconds": 0, "note": "killed while it ran, if this stays"}
        self.state["steps"].append(row)
        if self.selected and name != "preflight" and name not in self.selected:
            row.update(status="skipped", note="not in GPU_CHECK_STEPS")
            return row
        budget = min(cap, self.left() - reserve)
        if budget < minimum:
            row.update(status="failed" if fail_when_skipped else "skipped",
                       note=f"no time: {max(self.left(), 0):.0f}s left, {reserve}s kept for what follows")
            self.say(f"=== {name}: {row['status']} ({row['note']})")
            self.save()
            return row
        self.say(f"=== {name} (at most {budget:.0f}s; {self.left():.0f}s left)")
        self.save()
        t, waited = time.monotonic(), self.waited
        try:
            status, note = fn(budget)
        except Interrupted:
            row.update(status="failed", seconds=round(time.monotonic() - t), note="interrupted (a signal)")
            raise
        except Exception as e:  # noqa: BLE001 (a broken step is a failed step, the run goes on)
            self.echo(traceback.format_exc())
            status, note = "failed", f"{type(e).__name__}: {e}"
        waited = self.waited - waited
        if waited > 1:
            note += f" (and {waited:.0f}s waiting for the build lock)"
        row.update(status=status, seconds=round(time.monotonic() - t - waited), note=note)
        self.say(f"=== {name}: {status} in {row['seconds']}s" + (f": {note}" if note else ""))
        self.save()
        return row


class BuildLock:
    def __init__(self, runner):
        self.runner, self.file = runner, None

    def __enter__(self):
        path = os.environ.get("GPU_CHECK_BUILD_LOCK")
        if path:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            self.file = open(path, "a")
            t = time.monotonic()
            fcntl.flock(self.file, fcntl.LOCK_EX)
            waited = time.monotonic() - t
            if waited > 1:
                self.runner.deadline += waited
                self.runner.waited += waited
                self.runner.say(f"waited {waited:.0f}s for {path} (the deadline moves by as much)")
        return self

    def __exit__(self, *exc):
        if self.file:
            fcntl.flock(self.file, fcntl.LOCK_UN)
            self.file.close()


def main(argv):
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    if argv not in ([], ["--preflight"]):
        print("gpu-check: the only argument is --preflight (settings come from the environment; see --help)",
              file=sys.stderr)
        return 2
    quiet = argv == ["--preflight"]
    r = Runner(quiet=quiet)

    def on_signal(signum, _frame):
        raise Interrupted(signal.Signals(signum).name)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    try:
        status = steps.run_all(r, preflight_only=quiet)
    except Interrupted as e:
        for p in list(r.children):
            r.kill(p)
        r.state["failure"] = r.state.get("failure") or f"interrupted by {e}"
        r.say(f"interrupted by {e}")
        r.save()
        return 143
    failed = [s for s in r.state["steps"] if s["status"] == "failed"]
    if quiet:
        row = r.state["steps"][0]
        print(r.state["failure"] or (f"pre-flight: {row['note']}" if row["status"] == "failed"
                                     else steps.preflight_ok_line(r.state)))
        return status
    r.echo("")
    r.echo(report.render(r.state))
    r.say(f"done in {r.elapsed():.0f}s: " + (f"{len(failed)} failed ({', '.join(s['name'] for s in failed)})"
                                            if failed else "no step failed"))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
