#pragma once
// A clean stop on request: SIGINT (Ctrl-C), SIGTERM (kill, Slurm at preemption or its time
// limit) and SIGUSR1 (Slurm's warning signal, `--signal=USR1@<seconds>`) set a flag that long
// loops read at their next safe point (a training step, a sweep's poll) instead of the process
// dying mid-write. A second SIGINT ends the process at once, as Ctrl-C usually does. No torch.

#include <string>

namespace helmholtz::core {

// Installs the handlers for its lifetime (nested guards share them) and restores the previous
// ones when the last guard goes. A stop requested before it was made is forgotten.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
};

// The signal that asked for a stop (SIGINT, SIGTERM or SIGUSR1), 0 when none did.
int stop_signal();
inline bool stop_requested() { return stop_signal() != 0; }

// "SIGINT", "SIGTERM", "SIGUSR1", or "signal N".
std::string signal_name(int signal);

}  // namespace helmholtz::core
