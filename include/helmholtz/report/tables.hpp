#pragma once
// The report's tables as text: report.csv (one row per run), helmholtz.csv (one row per dataset
// and model) and report.md (both, the per-seed cells, the definition and the plots).

#include <string>
#include <vector>

#include "helmholtz/report/estimate.hpp"
#include "helmholtz/report/runs.hpp"

namespace helmholtz::report {

inline constexpr const char* kReportCsvHeader =
    "dataset,model,setting,level_kind,level,seed,bits_per_sample,payload_bits_per_sample,"
    "lossless_bits_per_sample,lossless_payload_bits_per_sample,distortion_metric,"
    "distortion_db,best_val_acc,mean_top10_val_acc,convergence_epoch,epochs_run,"
    "epochs_requested,finished,wall_seconds,samples_per_second,accuracy_from,"
    "validation_samples,accuracy_ci95_low,accuracy_ci95_high,above_chance,run_dir,status,"
    "diverged_epoch";

inline constexpr const char* kHelmholtzCsvHeader =
    "dataset,model,level_kind,tolerance_pp,reference_level,reference_bits,best_level,"
    "best_accuracy,knee_level,knee_bits,knee_accuracy,noise_bits,noise_fraction,levels,"
    "at_chance,knee_test,bits_measure,knee_file_bits,lossless_bits,noise_bits_vs_lossless,"
    "noise_fraction_vs_lossless";

inline constexpr const char* kCrossEvalReportCsvHeader =
    "dataset,model,setting,level_kind,codec,train_level,test_level,runs,mean_accuracy,"
    "std_accuracy,accuracy_ci95_low,accuracy_ci95_high,test_payload_bits";

// Accuracies are fractions (as val_acc in history.csv); empty fields are missing values.
std::string report_csv(const std::vector<RunRecord>& runs);
std::string helmholtz_csv(const std::vector<HelmholtzEstimate>& estimates);
std::string cross_eval_report_csv(const std::vector<CrossCell>& cells);

struct MarkdownInput {
  std::string logdir;  // as the user gave it
  double tolerance_pp = 1.0;
  BitsMeasure bits = BitsMeasure::kPayload;  // the measure asked for
  const std::vector<RunRecord>* runs = nullptr;
  const std::vector<Cell>* cells = nullptr;
  const std::vector<HelmholtzEstimate>* estimates = nullptr;
  const std::vector<CrossCell>* cross = nullptr;  // may be empty or null: no section
  // PNGs to link, relative to report.md, with their titles.
  std::vector<std::pair<std::string, std::string>> images;
  std::string plots_note;          // why there are no plots, when there are none
  std::vector<std::string> notes;  // skipped folders, left-out levels, plot failures
};

std::string report_markdown(const MarkdownInput& in);

// The definition of the Helmholtz estimate in words (markdown), as report.md states it.
std::string helmholtz_definition(double tolerance_pp, BitsMeasure bits = BitsMeasure::kPayload);

}  // namespace helmholtz::report
