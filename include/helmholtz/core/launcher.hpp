#pragma once
// `helmholtz train --processes N`: one run as N processes of this binary on this machine, the
// way torchrun starts them: each child gets RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR
// (127.0.0.1) and MASTER_PORT (a free port) and the parent's command line less
// `--processes N`. The parent forwards SIGINT, SIGTERM and SIGUSR1 to them, ends the others
// (SIGTERM) once one has failed, and waits for all. No torch.

#include <string>
#include <vector>

namespace helmholtz::core {

// This process's command line (/proc/self/cmdline), argv[0] included.
std::vector<std::string> own_command_line();

// `args` without each `--NAME VALUE` / `--NAME=VALUE` of the named options.
std::vector<std::string> without_options(const std::vector<std::string>& args,
                                         const std::vector<std::string>& names);

// A TCP port free on 127.0.0.1 at the time of asking (the kernel's pick).
int free_local_port();

// Runs `processes` copies of /proc/self/exe with `args` (argv[0] first) and the rank
// variables. Returns the exit code of the
// run: rank 0's when it failed, else the first other failure's, else 0. Throws core::RunError
// when a process cannot be started.
int run_local_ranks(const std::vector<std::string>& args, int processes);

}  // namespace helmholtz::core
