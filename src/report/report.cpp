#include "helmholtz/report/report.hpp"

#include <cmath>

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/files.hpp"
#include "helmholtz/core/logging.hpp"
#include "helmholtz/report/estimate.hpp"
#include "helmholtz/report/plots.hpp"
#include "helmholtz/report/preregistered.hpp"
#include "helmholtz/report/runs.hpp"
#include "helmholtz/report/tables.hpp"

namespace helmholtz::report {
namespace fs = std::filesystem;

Estimator parse_estimator(const std::string& text) {
  if (text == "preregistered") return Estimator::kPreregistered;
  if (text == "reference") return Estimator::kReference;
  throw core::UsageError("--estimator " + text +
                         ": use preregistered (the default) or reference (the earlier "
                         "definition, to compare)");
}

std::string to_string(Estimator estimator) {
  return estimator == Estimator::kPreregistered ? "preregistered" : "reference";
}

ReportResult write_report(const ReportOptions& o) {
  if (!std::isfinite(o.tolerance_pp) || o.tolerance_pp < 0) {
    throw core::UsageError("--tolerance must be 0 or more percentage points");
  }
  auto log = core::console_logger();
  ReportResult result;
  result.out = o.out.empty() ? o.logdir : o.out;
  const auto warn = [&](const std::string& message) {
    log->warn("warning: {}", message);
    result.warnings.push_back(message);
  };

  RunScan scan = collect_runs(o.logdir);
  for (const auto& w : scan.warnings) warn(w);
  result.runs = scan.runs.size();
  log->info("{} run(s) below '{}'", scan.runs.size(), o.logdir.string());

  if (o.replicates < 1) throw core::UsageError("--replicates must be at least 1");
  const bool preregistered = o.estimator == Estimator::kPreregistered;
  std::vector<std::string> notes = scan.warnings;
  const auto cells = make_cells(scan.runs, o.bits, &notes,
                                preregistered ? AccuracyMeasure::kTest : AccuracyMeasure::kMeanTop10);
  std::vector<HelmholtzEstimate> estimates;
  std::vector<CodecComparison> codecs;
  std::vector<PreregisteredEstimate> prereg;
  EstimatorOptions eo;
  eo.tolerance_pp = o.tolerance_pp;
  eo.replicates = o.replicates;
  eo.seed = o.bootstrap_seed;
  if (preregistered) {
    prereg = preregistered_estimates(cells, eo, &notes);
  } else {
    estimates = helmholtz_estimates(cells, o.tolerance_pp, &notes);
    codecs = compare_codecs(estimates, o.tolerance_pp);
  }
  const auto cross = make_cross_cells(scan.runs);
  for (std::size_t i = scan.warnings.size(); i < notes.size(); ++i) warn(notes[i]);

  std::error_code ec;
  fs::create_directories(result.out, ec);
  if (ec) throw core::RunError("cannot create '" + result.out.string() + "': " + ec.message());

  MarkdownInput md;
  md.logdir = o.logdir.string();
  md.tolerance_pp = o.tolerance_pp;
  md.bits = o.bits;
  md.runs = &scan.runs;
  md.cells = &cells;
  md.accuracy = preregistered ? AccuracyMeasure::kTest : AccuracyMeasure::kMeanTop10;
  md.estimates = &estimates;
  if (preregistered) md.preregistered = &prereg;
  md.estimator_options = eo;
  md.cross = &cross;
  md.codecs = &codecs;
  if (!o.plots) {
    md.plots_note = "Plots were not made (`--no-plots`).";
  } else {
    const fs::path plots_dir = result.out / "plots";
    auto scripts = write_plot_files(cells, plots_dir);
    for (auto& s : write_cross_eval_plots(cross, plots_dir)) scripts.push_back(std::move(s));
    const auto gnuplot = find_on_path("gnuplot");
    if (!gnuplot) {
      const std::string message =
          "gnuplot is not on PATH, so no plots were drawn: install it (Debian: apt-get install "
          "gnuplot-nox) and run the report again, or pass --no-plots. The data and scripts are "
          "in '" +
          plots_dir.string() + "'.";
      warn(message);
      md.plots_note =
          "No plots: gnuplot is not installed (Debian package `gnuplot-nox`). The "
          "data and gnuplot scripts are in `plots/`.";
    } else {
      for (const auto& s : scripts) {
        for (const auto& image : s.images) fs::remove(plots_dir / image.file, ec);
        const std::string failure = run_gnuplot(*gnuplot, s.script);
        if (!failure.empty()) {
          warn(failure);
          notes.push_back(failure);
        }
        for (const auto& image : s.images) {
          const fs::path png = plots_dir / image.file;
          if (fs::is_regular_file(png, ec) && fs::file_size(png, ec) > 0) {
            md.images.emplace_back("plots/" + image.file, image.title);
            result.files.push_back(png);
          } else if (failure.empty()) {
            const std::string missing =
                "gnuplot did not draw '" + png.string() + "' (script '" + s.script.string() + "')";
            warn(missing);
            notes.push_back(missing);
          }
        }
      }
      if (md.images.empty()) md.plots_note = "No plots: gnuplot failed (see the notes).";
    }
  }
  md.notes = notes;

  std::vector<std::pair<std::string, std::string>> tables = {
      {"report.csv", report_csv(scan.runs)},
      {"helmholtz.csv", preregistered ? preregistered_csv(prereg) : helmholtz_csv(estimates)},
      {"cross_eval.csv", cross_eval_report_csv(cross)}};
  if (preregistered) {
    tables.emplace_back("levels.csv", preregistered_levels_csv(prereg));
  } else {
    tables.emplace_back("codecs.csv", codecs_csv(codecs));
  }
  tables.emplace_back("report.md", report_markdown(md));
  std::vector<fs::path> written;
  for (const auto& [name, text] : tables) {
    core::write_file_atomic(result.out / name, text);
    written.push_back(result.out / name);
  }
  result.files.insert(result.files.begin(), written.begin(), written.end());
  log->info("wrote {}", (result.out / "report.md").string());
  return result;
}

}  // namespace helmholtz::report
