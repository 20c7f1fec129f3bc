#pragma once
// The exit codes of `helmholtz`, one source for main, the sweep (which reads its children's)
// and the Slurm script. The README's "Exit codes" table lists them.

namespace helmholtz::core {

inline constexpr int kExitOk = 0;           // done (or nothing to do: already finished)
inline constexpr int kExitCheckFailed = 1;  // `doctor`: a fast path differs from the plain one
inline constexpr int kExitError = 2;        // a bad option, bad input, or a failed write
inline constexpr int kExitInternal = 3;     // a bug: an exception from outside the project
inline constexpr int kExitDiverged = 4;     // the run diverged (NaN or infinite loss): a result
inline constexpr int kExitInterrupted = 5;  // stopped by SIGINT, SIGTERM or SIGUSR1; --resume

}  // namespace helmholtz::core
