#pragma once
// The report's tables as text: report.csv (one row per run), helmholtz.csv (one row per dataset,
// model and codec), codecs.csv (the codec comparison) and report.md (all of them, the per-seed
// cells, the definition and the plots). New columns go at the end: consumers read by position.

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
    "diverged_epoch,codec,codec_version";

inline constexpr const char* kHelmholtzCsvHeader =
    "dataset,model,level_kind,tolerance_pp,reference_level,reference_bits,best_level,"
    "best_accuracy,knee_level,knee_bits,knee_accuracy,noise_bits,noise_fraction,levels,"
    "at_chance,knee_test,bits_measure,knee_file_bits,lossless_bits,noise_bits_vs_lossless,"
    "noise_fraction_vs_lossless,codec";

inline constexpr const char* kCrossEvalReportCsvHeader =
    "dataset,model,setting,level_kind,codec,train_level,test_level,runs,mean_accuracy,"
    "std_accuracy,accuracy_ci95_low,accuracy_ci95_high,test_payload_bits,train_codec";

// One row per codec of a (dataset, setting, model, level kind) with two or more codecs: the
// codec's own best, the common best over all codecs, the codec's first level within tolerance
// of it (empty knee fields: not reached) and its bits over the baseline codec's.
inline constexpr const char* kCodecsCsvHeader =
    "dataset,model,setting,level_kind,codec,codec_version,codec_best_level,codec_best_accuracy,"
    "best_codec,best_level,best_accuracy,tolerance_pp,knee_level,knee_accuracy,knee_bits,"
    "knee_file_bits,knee_worse_by_at_most,knee_test,ratio_to_baseline,baseline_codec,"
    "bits_measure";

// Accuracies are fractions (as val_acc in history.csv); empty fields are missing values.
std::string report_csv(const std::vector<RunRecord>& runs);
std::string helmholtz_csv(const std::vector<HelmholtzEstimate>& estimates);
std::string cross_eval_report_csv(const std::vector<CrossCell>& cells);
std::string codecs_csv(const std::vector<CodecComparison>& comparisons);

struct MarkdownInput {
  std::string logdir;  // as the user gave it
  double tolerance_pp = 1.0;
  BitsMeasure bits = BitsMeasure::kPayload;  // the measure asked for
  const std::vector<RunRecord>* runs = nullptr;
  const std::vector<Cell>* cells = nullptr;
  const std::vector<HelmholtzEstimate>* estimates = nullptr;
  const std::vector<CrossCell>* cross = nullptr;  // may be empty or null: no section
  const std::vector<CodecComparison>* codecs = nullptr;  // may be empty or null: no section
  // PNGs to link, relative to report.md, with their titles.
  std::vector<std::pair<std::string, std::string>> images;
  std::string plots_note;          // why there are no plots, when there are none
  std::vector<std::string> notes;  // skipped folders, left-out levels, plot failures
};

std::string report_markdown(const MarkdownInput& in);

// The definition of the Helmholtz estimate in words (markdown), as report.md states it.
std::string helmholtz_definition(double tolerance_pp, BitsMeasure bits = BitsMeasure::kPayload);

}  // namespace helmholtz::report
