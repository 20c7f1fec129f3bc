#pragma once
// The report's tables as text: report.csv (one row per run), helmholtz.csv (one row per dataset,
// model and codec), codecs.csv (the codec comparison) and report.md (all of them, the per-seed
// cells, the definition and the plots). New columns go at the end: consumers read by position.

#include <string>
#include <vector>

#include "helmholtz/report/estimate.hpp"
#include "helmholtz/report/preregistered.hpp"
#include "helmholtz/report/runs.hpp"

namespace helmholtz::report {

inline constexpr const char* kReportCsvHeader =
    "dataset,model,setting,level_kind,level,seed,bits_per_sample,payload_bits_per_sample,"
    "lossless_bits_per_sample,lossless_payload_bits_per_sample,distortion_metric,"
    "distortion_db,best_val_acc,mean_top10_val_acc,convergence_epoch,epochs_run,"
    "epochs_requested,finished,wall_seconds,samples_per_second,accuracy_from,"
    "validation_samples,accuracy_ci95_low,accuracy_ci95_high,above_chance,run_dir,status,"
    "diverged_epoch,codec,codec_version,validation_data,test_samples,test_acc,test_epoch,"
    "last_test_acc,converged,stopped_early";

inline constexpr const char* kHelmholtzCsvHeader =
    "dataset,model,level_kind,tolerance_pp,reference_level,reference_bits,best_level,"
    "best_accuracy,knee_level,knee_bits,knee_accuracy,noise_bits,noise_fraction,levels,"
    "at_chance,knee_test,bits_measure,knee_file_bits,lossless_bits,noise_bits_vs_lossless,"
    "noise_fraction_vs_lossless,codec";

// The pre-registered estimate, one row per codec line. Fractions as fractions; *_low and
// *_high: 95% intervals from the bootstrap.
inline constexpr const char* kPreregisteredCsvHeader =
    "dataset,model,setting,level_kind,codec,bits_measure,tolerance_pp,reference_level,"
    "reference_bits,seeds,test_samples,q_star,q_star_bits,q_star_share,noise_bits,"
    "noise_bits_low,noise_bits_high,noise_fraction,noise_fraction_low,noise_fraction_high,"
    "finding,withheld,unconverged_runs,selected_on_test,paired_sd,seeds_needed,"
    "detectable_pp,replicates,bootstrap_seed,codec_version";

// One row per level of each line, in test order (the reference first).
inline constexpr const char* kPreregisteredLevelsCsvHeader =
    "dataset,model,setting,codec,level,bits,accuracy,difference,difference_low,"
    "difference_high,lower_bound,tested,passes,mcnemar_p,q_star_share,seed_difference_sd,"
    "unconverged_runs,target_accuracy,runs_reaching_target,epochs_to_target,"
    "epochs_to_target_half,epochs_vs_reference,epochs_vs_reference_low,"
    "epochs_vs_reference_high,seconds_to_target,seconds_vs_reference,"
    "seconds_vs_reference_low,seconds_vs_reference_high";

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
// The pre-registered estimate: one row per codec line (helmholtz.csv under the default
// estimator), and one row per level of each line (levels.csv).
std::string preregistered_csv(const std::vector<PreregisteredEstimate>& estimates);
std::string preregistered_levels_csv(const std::vector<PreregisteredEstimate>& estimates);

struct MarkdownInput {
  std::string logdir;  // as the user gave it
  double tolerance_pp = 1.0;
  BitsMeasure bits = BitsMeasure::kPayload;  // the measure asked for
  const std::vector<RunRecord>* runs = nullptr;
  const std::vector<Cell>* cells = nullptr;
  AccuracyMeasure accuracy = AccuracyMeasure::kTest;  // the cells' accuracy
  const std::vector<HelmholtzEstimate>* estimates = nullptr;  // --estimator reference
  // The pre-registered estimate (the default estimator); null under --estimator reference.
  const std::vector<PreregisteredEstimate>* preregistered = nullptr;
  EstimatorOptions estimator_options;  // what the pre-registered estimate was made with
  const std::vector<CrossCell>* cross = nullptr;  // may be empty or null: no section
  const std::vector<CodecComparison>* codecs = nullptr;  // may be empty or null: no section
  // PNGs to link, relative to report.md, with their titles.
  std::vector<std::pair<std::string, std::string>> images;
  std::string plots_note;          // why there are no plots, when there are none
  std::vector<std::string> notes;  // skipped folders, left-out levels, plot failures
};

std::string report_markdown(const MarkdownInput& in);

// The definitions of the two estimates in words (markdown), as report.md states them.
std::string preregistered_definition(const EstimatorOptions& options,
                                     BitsMeasure bits = BitsMeasure::kPayload);
std::string helmholtz_definition(double tolerance_pp, BitsMeasure bits = BitsMeasure::kPayload);

}  // namespace helmholtz::report
