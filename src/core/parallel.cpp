#include "helmholtz/core/parallel.hpp"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace helmholtz::core {

int resolve_threads(int requested) {
  if (requested > 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

void parallel_for(std::size_t n, int threads,
                  const std::function<void(int, std::size_t, std::size_t)>& fn) {
  if (n == 0) return;
  const std::size_t workers = std::min<std::size_t>(std::max(threads, 1), n);
  if (workers == 1) {
    fn(0, 0, n);
    return;
  }
  std::exception_ptr first_error;
  std::mutex error_mutex;
  std::vector<std::thread> pool;
  pool.reserve(workers);
  const std::size_t chunk = (n + workers - 1) / workers;
  const auto join_all = [&pool] {
    for (auto& t : pool) t.join();
  };
  for (std::size_t w = 0; w < workers; ++w) {
    const std::size_t begin = w * chunk;
    const std::size_t end = std::min(n, begin + chunk);
    if (begin >= end) break;
    try {
      pool.emplace_back([&, w, begin, end] {
        try {
          fn(static_cast<int>(w), begin, end);
        } catch (...) {
          std::lock_guard<std::mutex> lock(error_mutex);
          if (!first_error) first_error = std::current_exception();
        }
      });
    } catch (...) {
      // Thread creation failed (std::system_error): joinable threads must not be destroyed.
      join_all();
      throw;
    }
  }
  join_all();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace helmholtz::core
