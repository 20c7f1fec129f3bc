// Fuzz target: the CSV files of a run folder, history.csv (run::read_history_csv, and the
// report's figures computed from it), cross_eval.csv (run::read_cross_eval_csv) and a
// predictions file (run::read_predictions).

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "helmholtz/run/cross_eval_file.hpp"
#include "helmholtz/run/history.hpp"
#include "helmholtz/run/predictions.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace helmholtz;
  const auto history_file = fuzz::write_input("history.csv", data, size);
  fuzz::refused_or_read([&] {
    const auto history = run::read_history_csv(history_file);
    (void)run::mean_top_val_acc(history, 10);
    if (const auto epoch = run::convergence_epoch(history)) {
      bool found = false;
      for (const auto& r : history) found = found || r.epoch == *epoch;
      HELMHOLTZ_FUZZ_CHECK(found);
    }
  });
  const auto cross_file = fuzz::write_input("cross_eval.csv", data, size);
  fuzz::refused_or_read([&] {
    for (const auto& e : run::read_cross_eval_csv(cross_file)) {
      HELMHOLTZ_FUZZ_CHECK(!e.codec.empty() && !e.level.empty());
      HELMHOLTZ_FUZZ_CHECK(std::isfinite(e.test_acc) && std::isfinite(e.bits_per_sample));
    }
  });
  const auto predictions_file = fuzz::write_input("predictions.csv", data, size);
  fuzz::refused_or_read([&] {
    const auto p = run::read_predictions(predictions_file);
    HELMHOLTZ_FUZZ_CHECK(p.predicted.size() == p.size() && p.p_true.size() == p.size());
    const double acc = p.accuracy();
    HELMHOLTZ_FUZZ_CHECK(acc >= 0.0 && acc <= 1.0);
  });
  return 0;
}
