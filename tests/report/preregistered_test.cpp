// The pre-registered estimate (report/preregistered.hpp) and its tables, on run folders written
// by hand: summary.json from testing::sample_summary, history.csv and per-sample predictions
// files made so that every figure is known in advance. No training.

#include "helmholtz/report/preregistered.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "helmholtz/core/files.hpp"
#include "helmholtz/report/estimate.hpp"
#include "helmholtz/report/report.hpp"
#include "helmholtz/report/runs.hpp"
#include "helmholtz/report/tables.hpp"
#include "helmholtz/run/folder.hpp"
#include "helmholtz/run/history.hpp"
#include "helmholtz/run/predictions.hpp"
#include "helmholtz/run/summary.hpp"
#include "test_support.hpp"

namespace helmholtz::report {
namespace {
namespace fs = std::filesystem;

// The study: CIFAR-10 / all-cnns through JPEG at qualities 90, 50 and 10, and raw; seeds 0-2;
// 200 test images per run. Payload bits: raw 24576, q90 6000, q50 3000, q10 1000 (file bits
// 800 more; raw's are the signal's). So the fixed sequence tests raw, then 90, 50, 10.
//
// Seed s's raw run gets image i wrong when (i + 3 s) % 5 == 0: 160 of 200 right, 80%. Against
// it, per seed:
//   q90: right on raw's first two wrong images, wrong on raw's first right one: +1 image,
//        +0.5 points, 3 discordant images. Its bootstrap sd is about 0.5 points, so the
//        one-sided bound (about -0.3) is far above -1: it passes. It is also the best level.
//   q50: wrong on 9 + s more of raw's right images: -4.5, -5, -5.5 points (mean -5, sd 0.5):
//        its bound is near -6.5 points; it fails, and the sequence stops.
//   q10: raw's outcomes exactly (difference 0): it would pass, but after a failure it is not
//        tested. q* = q90, noise bits 24576 - 6000 = 18576.
constexpr int kImages = 200;
constexpr int kSeeds = 3;
constexpr double kRawBits = 24576.0;

double payload_bits(const std::string& level) {
  if (level == "raw") return kRawBits;
  if (level == "90") return 6000.0;
  if (level == "50") return 3000.0;
  return 1000.0;  // 10
}

std::vector<bool> outcomes(const std::string& level, int seed) {
  std::vector<bool> right(kImages);
  std::vector<int> raw_right, raw_wrong;
  for (int i = 0; i < kImages; ++i) {
    right[i] = (i + 3 * seed) % 5 != 0;
    (right[i] ? raw_right : raw_wrong).push_back(i);
  }
  if (level == "90") {
    right[raw_wrong[0]] = right[raw_wrong[1]] = true;
    right[raw_right[0]] = false;
  } else if (level == "50") {
    for (int k = 0; k < 9 + seed; ++k) right[raw_right[k]] = false;
  }
  return right;
}

std::string folder_name(const std::string& level) { return "quality_" + level; }

// Labels 0-9 in turn; `shift` moves them (another test split's images).
run::Predictions predictions_of(const std::string& level, int seed, int shift = 0) {
  run::Predictions p;
  p.weights_epoch = 5;
  p.level = level == "raw" ? "raw" : folder_name(level);
  const auto right = outcomes(level, seed);
  for (int i = 0; i < kImages; ++i) {
    const int label = (i + shift) % 10;
    p.label.push_back(label);
    p.predicted.push_back(right[i] ? label : (label + 1) % 10);
    p.p_true.push_back(right[i] ? 0.9f : 0.05f);
  }
  return p;
}

fs::path run_dir(const fs::path& logdir, const std::string& level, int seed) {
  return logdir / "cifar10" / "all-cnns" / folder_name(level) / ("seed_" + std::to_string(seed));
}

// val_acc 0.5, 0.6, 0.7, then 0.8 to the last epoch: converged with 10 epochs (the last 5 gain
// nothing over the first 5), not with 1. Raw epochs take 20 s, coded ones 10 s.
std::vector<run::EpochRecord> history_of(const std::string& level, int epochs) {
  std::vector<run::EpochRecord> h;
  for (int e = 1; e <= epochs; ++e) {
    run::EpochRecord r;
    r.epoch = e;
    r.loss = r.val_loss = 1.0;
    r.acc = 0.8;
    r.val_acc = std::min(0.8, 0.5 + 0.1 * (e - 1));
    r.lr = 0.01;
    r.seconds = level == "raw" ? 20.0 : 10.0;
    h.push_back(r);
  }
  return h;
}

// One finished run folder as `helmholtz train` writes it: summary.json, history.csv and its
// predictions file.
void write_run(const fs::path& logdir, const std::string& level, int seed, int epochs = 10) {
  const bool raw = level == "raw";
  run::Identity identity = {{"dataset", "cifar10"}};
  if (!raw) {
    identity.emplace_back("codec", "jpeg");
    identity.emplace_back("codec-version", "libjpeg-turbo 2.1.5");
  }
  identity.emplace_back("quality", level);
  identity.emplace_back("seed", std::to_string(seed));
  run::Summary s = testing::sample_summary(identity);
  s.level = level;
  s.codec = raw ? "" : "jpeg";
  s.seed = static_cast<std::uint64_t>(seed);
  s.epochs_requested = s.epochs_completed = epochs;
  s.best_val_acc = 0.8;
  s.best_epoch = std::min(4, epochs);
  s.test_samples = kImages;
  s.payload_bits_per_sample = payload_bits(level);
  s.bits_per_sample = raw ? kRawBits : payload_bits(level) + 800.0;
  s.signal_bits_per_sample = kRawBits;
  if (raw) s.distortion_db.reset();

  const run::RunFolder folder(run_dir(logdir, level, seed));
  fs::create_directories(folder.dir());
  run::Predictions p = predictions_of(level, seed);
  p.weights_epoch = *s.best_epoch;
  const fs::path file = folder.predictions(p.level);
  run::write_predictions(file, p);
  s.predictions = file.lexically_relative(folder.dir()).generic_string();
  s.test_best = run::TestFigures{p.weights_epoch, p.accuracy(), 0.6};
  s.test_last = run::TestFigures{epochs, p.accuracy(), 0.6};
  core::write_file_atomic(folder.summary(), run::to_json(s).dump(2));
  core::write_file_atomic(folder.history(), run::history_csv(history_of(level, epochs)));
}

const std::vector<std::string> kLevels = {"raw", "90", "50", "10"};

void write_study(const fs::path& logdir) {
  for (const auto& level : kLevels) {
    for (int seed = 0; seed < kSeeds; ++seed) write_run(logdir, level, seed);
  }
}

// The runs below a log folder, their cells by test accuracy (which point into the runs) and
// the pre-registered estimate of them, with its notes.
struct Study {
  std::vector<RunRecord> runs;
  std::vector<Cell> cells;
  std::vector<std::string> notes;
  std::vector<PreregisteredEstimate> estimates;
};

void estimate(const fs::path& logdir, Study& s) {
  s.runs = collect_runs(logdir).runs;
  s.cells = make_cells(s.runs, BitsMeasure::kPayload, &s.notes, AccuracyMeasure::kTest);
  s.estimates = preregistered_estimates(s.cells, EstimatorOptions{}, &s.notes);
}

ReportResult report_of(const fs::path& logdir, const fs::path& out = {}) {
  ReportOptions o;
  o.logdir = logdir;
  o.out = out;
  o.plots = false;
  return write_report(o);
}

// CSV rows by column name, with quoted fields ("a, b" and "" inside them).
using Row = std::map<std::string, std::string>;

std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      out.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

std::vector<Row> read_csv(const fs::path& file, std::string* header = nullptr) {
  std::istringstream in(testing::read_text(file));
  std::string line;
  std::getline(in, line);
  if (header) *header = line;
  const auto names = csv_fields(line);
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    const auto fields = csv_fields(line);
    EXPECT_EQ(fields.size(), names.size()) << line;
    Row row;
    for (std::size_t i = 0; i < std::min(fields.size(), names.size()); ++i) {
      row[names[i]] = fields[i];
    }
    rows.push_back(row);
  }
  return rows;
}

// The line of `text` that starts with `start` ("" when none).
std::string line_starting(const std::string& text, const std::string& start) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(start, 0) == 0) return line;
  }
  return {};
}

TEST(PreregisteredEstimate, FixedSequenceAgainstRawStopsAtTheFirstFailure) {
  testing::TempDir dir;
  write_study(dir.path());
  Study study;
  estimate(dir.path(), study);
  EXPECT_TRUE(study.notes.empty()) << study.notes.front();
  ASSERT_EQ(study.estimates.size(), 1u);
  const PreregisteredEstimate& e = study.estimates[0];
  EXPECT_EQ(e.codec, "jpeg");
  EXPECT_EQ(e.codec_version, "libjpeg-turbo 2.1.5");
  EXPECT_EQ(e.seeds, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(e.test_samples, kImages);
  EXPECT_EQ(e.bits_measure, BitsMeasure::kPayload);
  EXPECT_FALSE(e.selected_on_test);

  // The comparator is raw, fixed, though q90 is more accurate; then the most bits first.
  ASSERT_EQ(e.levels.size(), 4u);
  std::vector<std::string> order;
  for (const auto& l : e.levels) order.push_back(l.level.to_string());
  EXPECT_EQ(order, kLevels);
  EXPECT_DOUBLE_EQ(e.levels[0].bits, kRawBits);
  EXPECT_DOUBLE_EQ(e.levels[1].bits, 6000.0);
  EXPECT_DOUBLE_EQ(*e.levels[1].file_bits, 6800.0);

  const auto& raw = e.levels[0].inference;
  EXPECT_NEAR(raw.accuracy, 0.80, 1e-12);
  EXPECT_TRUE(raw.tested && raw.passes);
  const auto& a = e.levels[1].inference;  // as good as raw (half a point better)
  EXPECT_NEAR(a.accuracy, 0.805, 1e-12);
  EXPECT_NEAR(a.difference, 0.005, 1e-12);
  EXPECT_EQ(a.discordant_level_right, 6);  // 2 per seed
  EXPECT_EQ(a.discordant_reference_right, 3);
  EXPECT_FALSE(a.mcnemar_p.has_value());  // three seeds
  EXPECT_TRUE(a.tested);
  EXPECT_TRUE(a.passes);
  EXPECT_GT(a.lower_bound, -0.01);
  EXPECT_LT(a.two_sided.low, a.difference);
  EXPECT_GT(a.two_sided.high, a.difference);
  const auto& b = e.levels[2].inference;  // 5 points worse
  EXPECT_NEAR(b.accuracy, 0.75, 1e-12);
  EXPECT_NEAR(b.difference, -0.05, 1e-12);
  EXPECT_TRUE(b.tested);
  EXPECT_FALSE(b.passes);
  EXPECT_LT(b.lower_bound, -0.01);
  EXPECT_LT(b.two_sided.high, 0.0);
  const auto& c = e.levels[3].inference;  // as good as raw, but after the failure
  EXPECT_NEAR(c.accuracy, 0.80, 1e-12);
  EXPECT_NEAR(c.difference, 0.0, 1e-12);
  EXPECT_FALSE(c.tested);
  EXPECT_FALSE(c.passes);
  EXPECT_DOUBLE_EQ(c.q_star_frequency, 0.0);

  // q* = 90, and the noise bits and fraction with intervals that hold them.
  EXPECT_EQ(e.q_star, 1u);
  EXPECT_DOUBLE_EQ(e.noise_bits, 18576.0);
  EXPECT_DOUBLE_EQ(e.noise_fraction, 18576.0 / kRawBits);
  EXPECT_LE(e.noise_bits_interval.low, e.noise_bits);
  EXPECT_GE(e.noise_bits_interval.high, e.noise_bits);
  EXPECT_LE(e.noise_fraction_interval.low, e.noise_fraction);
  EXPECT_GE(e.noise_fraction_interval.high, e.noise_fraction);
  EXPECT_GT(a.q_star_frequency, 0.9);
  double shares = 0.0;
  for (const auto& l : e.levels) shares += l.inference.q_star_frequency;
  EXPECT_NEAR(shares, 1.0, 1e-12);
  EXPECT_TRUE(e.finding);
  EXPECT_EQ(e.withheld, "");
  EXPECT_EQ(e.unconverged, 0);

  // Planning from the per-seed paired differences: q50's -0.045, -0.05, -0.055 (sd 0.005) are
  // the widest. Seeds for 1 point at 80% power: the smallest n with t(0.95, n-1) + t(0.8, n-1)
  // <= 0.01 sqrt(n) / 0.005: n = 3 gives 2.920 + 1.061 = 3.98 > 3.46, n = 4 gives 2.353 +
  // 0.978 = 3.33 <= 4. Three seeds detect (2.919986 + 1.060660) x 0.005 / sqrt 3 = 1.149 points.
  ASSERT_EQ(e.levels[2].seed_differences.size(), 3u);
  EXPECT_NEAR(e.levels[2].seed_differences[0], -0.045, 1e-12);
  EXPECT_NEAR(e.levels[2].seed_differences[2], -0.055, 1e-12);
  ASSERT_TRUE(e.paired_sd.has_value());
  EXPECT_NEAR(*e.paired_sd, 0.005, 1e-12);
  EXPECT_EQ(e.seeds_needed, 4);
  ASSERT_TRUE(e.detectable_pp.has_value());
  EXPECT_NEAR(*e.detectable_pp, 1.14911, 1e-4);

  // Time to 98% of raw's best validation accuracy (0.784): epoch 4 everywhere; 40 s coded, 80 s
  // raw, so every coded seed is 40 s faster.
  EXPECT_NEAR(e.target_accuracy, 0.784, 1e-12);
  const TimeToTarget& t = e.levels[1].time;
  EXPECT_EQ(t.runs, 3);
  EXPECT_EQ(t.reached, 3);
  EXPECT_NEAR(t.epochs->mean, 4.0, 1e-12);
  EXPECT_NEAR(t.seconds->mean, 40.0, 1e-12);
  ASSERT_TRUE(t.seconds_vs_reference.has_value());
  EXPECT_NEAR(t.seconds_vs_reference->mean, -40.0, 1e-12);
  EXPECT_NEAR(t.epochs_vs_reference->mean, 0.0, 1e-12);

  // No accident of one bootstrap seed: the verdicts hold for others.
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    EstimatorOptions o;
    o.seed = seed;
    const auto again = preregistered_estimates(study.cells, o, nullptr);
    ASSERT_EQ(again.size(), 1u);
    const auto& x = again[0];
    EXPECT_EQ(x.q_star, 1u) << "bootstrap seed " << seed;
    EXPECT_TRUE(x.levels[2].inference.tested && !x.levels[2].inference.passes) << seed;
    EXPECT_FALSE(x.levels[3].inference.tested) << seed;
    EXPECT_LE(x.noise_bits_interval.low, x.noise_bits) << seed;
    EXPECT_GE(x.noise_bits_interval.high, x.noise_bits) << seed;
  }

  // The earlier estimator on the same accuracies compares with the best level (q90) and skips
  // q50's failure: it takes q10, which the fixed sequence never reached.
  const auto old = helmholtz_estimates(study.cells, 1.0);
  ASSERT_EQ(old.size(), 1u);
  EXPECT_EQ(old[0].best.to_string(), "90");
  EXPECT_EQ(old[0].knee.to_string(), "10");
}

TEST(PreregisteredReport, MarkdownNamesTheFixedComparatorTheIntervalsAndQStar) {
  testing::TempDir dir;
  write_study(dir.path());
  const ReportResult result = report_of(dir.path());
  EXPECT_TRUE(result.warnings.empty()) << result.warnings.front();
  const std::string md = testing::read_text(dir.path() / "report.md");
  EXPECT_NE(md.find("### cifar10 / all-cnns / JPEG"), std::string::npos) << md;
  EXPECT_NE(md.find("Comparator (fixed): **raw**, 24576 bits. Seeds 0, 1, 2, 200 test images per "
                    "run, margin 1 point(s)."),
            std::string::npos)
      << md;
  // Each level: its difference from raw in points and a two-sided interval, then the verdict.
  const std::string q90 = line_starting(md, "| q90 | 6000 | 80.50 | +0.50 | [");
  EXPECT_NE(q90.find("| passes, **q\\*** |"), std::string::npos) << md;
  const std::string q50 = line_starting(md, "| q50 | 3000 | 75.00 | -5.00 | [-");
  EXPECT_NE(q50.find("| **fails** |"), std::string::npos) << md;
  const std::string q10 = line_starting(md, "| q10 | 1000 | 80.00 | +0.00 | [+0.00, +0.00] |");
  EXPECT_NE(q10.find("| not tested |"), std::string::npos) << md;
  EXPECT_NE(line_starting(md, "| raw | 24576 | 80.00 | 0 |").find("| reference |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("**q\\* = q90** (6000 bits;"), std::string::npos) << md;
  EXPECT_NE(md.find("**noise bits 18576** [95% "), std::string::npos) << md;
  EXPECT_NE(md.find("**noise fraction 75.6%** ["), std::string::npos) << md;  // 18576 / 24576
  EXPECT_EQ(md.find("No noise fraction is stated"), std::string::npos) << md;
  EXPECT_NE(md.find("needs 4 seeds"), std::string::npos) << md;
  // The tables beside it.
  for (const char* name : {"report.csv", "helmholtz.csv", "levels.csv", "cross_eval.csv"}) {
    EXPECT_TRUE(fs::exists(dir.path() / name)) << name;
  }
  EXPECT_FALSE(fs::exists(dir.path() / "codecs.csv"));
  const auto rows = read_csv(dir.path() / "helmholtz.csv");
  ASSERT_EQ(rows.size(), 1u);
  const Row& h = rows[0];
  EXPECT_EQ(h.at("reference_level"), "raw");
  EXPECT_EQ(h.at("q_star"), "90");
  EXPECT_EQ(h.at("seeds"), "0 1 2");
  EXPECT_EQ(h.at("test_samples"), "200");
  EXPECT_DOUBLE_EQ(std::stod(h.at("noise_bits")), 18576.0);
  EXPECT_LE(std::stod(h.at("noise_bits_low")), 18576.0);
  EXPECT_GE(std::stod(h.at("noise_bits_high")), 18576.0);
  EXPECT_EQ(h.at("finding"), "true");
  EXPECT_EQ(h.at("replicates"), "2000");
  EXPECT_EQ(h.at("bootstrap_seed"), "0");
}

// A run with one epoch of history has not converged: the runs table says so, and its line
// states no noise fraction (it says what q* would be and why it is withheld).
TEST(PreregisteredReport, AnUnconvergedRunWithholdsTheNoiseFraction) {
  testing::TempDir dir;
  write_study(dir.path());
  write_run(dir.path(), "raw", 1, 1);
  report_of(dir.path());
  const auto runs = read_csv(dir.path() / "report.csv");
  int unconverged = 0;
  for (const auto& r : runs) {
    if (r.at("converged") == "false") {
      ++unconverged;
      EXPECT_EQ(r.at("run_dir"), "cifar10/all-cnns/quality_raw/seed_1");
      EXPECT_EQ(r.at("epochs_run"), "1");
    } else {
      EXPECT_EQ(r.at("converged"), "true");
    }
  }
  EXPECT_EQ(unconverged, 1);
  const std::string md = testing::read_text(dir.path() / "report.md");
  const std::string row = line_starting(md, "| cifar10 | all-cnns | 0 | none | raw | 1 |");
  EXPECT_NE(row.find("| **unconverged** |"), std::string::npos) << md;
  EXPECT_NE(md.find("**No noise fraction is stated**: 1 run(s) had not converged"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("(q\\* would be q90.)"), std::string::npos) << md;
  EXPECT_EQ(md.find("**noise fraction "), std::string::npos) << md;
  const auto h = read_csv(dir.path() / "helmholtz.csv");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].at("finding"), "false");
  EXPECT_EQ(h[0].at("unconverged_runs"), "1");
  EXPECT_NE(h[0].at("withheld").find("had not converged"), std::string::npos);
  EXPECT_EQ(h[0].at("q_star"), "90");
}

// One --bootstrap-seed, one report: the same tables byte for byte, through the binary.
TEST(PreregisteredReport, AFixedBootstrapSeedGivesTheSameTables) {
  testing::TempDir dir;
  write_study(dir.path());
  std::string tables[2][2];
  for (int i = 0; i < 2; ++i) {
    const fs::path out = dir.path() / ("out" + std::to_string(i));
    const auto r = testing::run_helmholtz("report " + testing::quoted(dir.path()) + " --out " +
                                          testing::quoted(out) +
                                          " --bootstrap-seed 7 --replicates 500 --no-plots");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    tables[i][0] = testing::read_text(out / "helmholtz.csv");
    tables[i][1] = testing::read_text(out / "levels.csv");
  }
  EXPECT_EQ(tables[0][0], tables[1][0]);
  EXPECT_EQ(tables[0][1], tables[1][1]);
  const auto rows = read_csv(dir.path() / "out0" / "helmholtz.csv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("bootstrap_seed"), "7");
  EXPECT_EQ(rows[0].at("replicates"), "500");
  EXPECT_NE(testing::read_text(dir.path() / "out0" / "report.md").find("500 replicates, seed 7"),
            std::string::npos);
}

// Predictions of another test split (other labels) cannot be paired with the reference's: the
// line gets no estimate, and the note names the file.
TEST(PreregisteredReport, PredictionsOfAnotherTestSplitGiveNoEstimate) {
  testing::TempDir dir;
  write_study(dir.path());
  const run::RunFolder other(run_dir(dir.path(), "10", 1));
  const fs::path file = other.predictions(folder_name("10"));
  run::write_predictions(file, predictions_of("10", 1, /*shift=*/3));
  Study study;
  estimate(dir.path(), study);
  EXPECT_TRUE(study.estimates.empty());
  const auto& notes = study.notes;
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("cifar10 / all-cnns / JPEG: no pre-registered estimate"),
            std::string::npos)
      << notes[0];
  EXPECT_NE(notes[0].find("'" + file.string() + "' scores other test images"), std::string::npos)
      << notes[0];

  const ReportResult result = report_of(dir.path());
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_EQ(result.warnings[0], notes[0]);
  EXPECT_EQ(testing::read_text(dir.path() / "helmholtz.csv"),
            std::string(kPreregisteredCsvHeader) + "\n");
  EXPECT_NE(testing::read_text(dir.path() / "report.md").find(file.string()), std::string::npos);
}

// levels.csv: its header, then one row per level of the line in test order.
TEST(PreregisteredReport, LevelsCsvHasOneRowPerLevel) {
  testing::TempDir dir;
  write_study(dir.path());
  report_of(dir.path());
  std::string header;
  const auto rows = read_csv(dir.path() / "levels.csv", &header);
  EXPECT_EQ(header, kPreregisteredLevelsCsvHeader);
  ASSERT_EQ(rows.size(), 4u);
  const std::vector<std::string> tested = {"true", "true", "true", "false"};
  const std::vector<std::string> passes = {"true", "true", "false", "false"};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    EXPECT_EQ(r.at("level"), kLevels[i]);
    EXPECT_EQ(r.at("codec"), "jpeg");
    EXPECT_DOUBLE_EQ(std::stod(r.at("bits")), payload_bits(kLevels[i]));
    EXPECT_EQ(r.at("tested"), tested[i]) << kLevels[i];
    EXPECT_EQ(r.at("passes"), passes[i]) << kLevels[i];
    EXPECT_EQ(r.at("mcnemar_p"), "");  // three seeds
    EXPECT_EQ(r.at("runs_reaching_target"), "3");
    EXPECT_DOUBLE_EQ(std::stod(r.at("epochs_to_target")), 4.0);
    if (i == 0) {
      EXPECT_EQ(r.at("seconds_vs_reference"), "");
    } else {
      EXPECT_DOUBLE_EQ(std::stod(r.at("seconds_vs_reference")), -40.0);
    }
  }
  EXPECT_NEAR(std::stod(rows[1].at("difference")), 0.005, 1e-12);
  EXPECT_NEAR(std::stod(rows[2].at("difference")), -0.05, 1e-12);
}

}  // namespace
}  // namespace helmholtz::report
