// helmholtz report: tables, the Helmholtz estimate and plots over the run folders of a log folder.

#include "helmholtz/report/report.hpp"

#include <memory>

#include "commands/commands.hpp"

namespace helmholtz::commands {

void register_report(CLI::App& app) {
  struct Options {
    std::filesystem::path logdir;
    std::filesystem::path out;
    double tolerance = 1.0;
    std::string bits = "payload";
    bool no_plots = false;
    std::string estimator = "preregistered";
    int replicates = 2000;
    std::uint64_t bootstrap_seed = 0;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "report",
      "Summarise every run folder below LOGDIR: report.csv, report.md, the Helmholtz estimate "
      "(helmholtz.csv, levels.csv: the pre-registered test of each codec line against raw) and "
      "PNG plots (gnuplot)");
  auto& o = *options;
  cmd->add_option("LOGDIR", o.logdir, "Log folder holding run folders (any depth)")->required();
  cmd->add_option("--out", o.out, "Folder for the report (default: LOGDIR)");
  cmd->add_option("--tolerance", o.tolerance,
                  "The non-inferiority margin: percentage points of test accuracy q* may lose "
                  "against the reference level (raw), tested in a fixed sequence")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  cmd->add_option("--bits", o.bits,
                  "Bits per sample for the estimate and the bits axes: payload (the coded data "
                  "without the headers and tables every file repeats) or file (whole files)")
      ->capture_default_str();
  cmd->add_option("--estimator", o.estimator,
                  "preregistered (the default: test accuracy of the kept weights, raw as the "
                  "fixed comparator, a fixed-sequence non-inferiority test by a bootstrap over "
                  "seeds and test images, intervals on q* and the noise fraction) or reference "
                  "(the earlier definition: the mean of the 10 best validation accuracies "
                  "against the best level), to compare")
      ->capture_default_str();
  cmd->add_option("--replicates", o.replicates, "Bootstrap replicates of the estimate")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--bootstrap-seed", o.bootstrap_seed,
                  "Seed of the bootstrap: one seed, one report")
      ->capture_default_str();
  cmd->add_flag("--no-plots", o.no_plots, "Write the tables only (no gnuplot needed)");
  cmd->callback([options] {
    const auto& o = *options;
    report::ReportOptions r;
    r.logdir = o.logdir;
    r.out = o.out;
    r.tolerance_pp = o.tolerance;
    r.estimator = report::parse_estimator(o.estimator);
    r.replicates = o.replicates;
    r.bootstrap_seed = o.bootstrap_seed;
    r.bits = report::parse_bits_measure(o.bits);
    r.plots = !o.no_plots;
    report::write_report(r);
  });
}

}  // namespace helmholtz::commands
