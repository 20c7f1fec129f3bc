#pragma once
// A minimal fork-join helper: split [0, n) into contiguous chunks, one per worker thread.

#include <cstddef>
#include <functional>

namespace helmholtz::core {

// Number of worker threads to use when the user gave `requested` (0 = all hardware threads).
int resolve_threads(int requested);

// Calls fn(worker, begin, end) for contiguous chunks covering [0, n), on up to `threads`
// threads (worker is 0..threads-1). Exceptions thrown by fn are re-thrown on the caller's
// thread (the first one wins) after all workers have finished.
void parallel_for(std::size_t n, int threads,
                  const std::function<void(int worker, std::size_t begin, std::size_t end)>& fn);

}  // namespace helmholtz::core
