// `helmholtz report --estimator reference` (the earlier estimator: the mean of each run's 10 best
// validation accuracies, q* against the best level) reproduces the earlier Fashion-MNIST study.
// Its report.csv and helmholtz.csv were committed under docs/results/fashion-mnist (1966d93) and
// removed when the study was replaced (5a06d37); they are kept as fixtures in
// tests/fixtures/fashion-mnist-2018-study. Its run folders were never committed, so each
// report.csv row becomes a schema-3 summary holding that row's figures, with no history.csv and
// no predictions: the report then takes best_val_acc, mean_top10_val_acc and convergence_epoch
// from the summary, as it did from the study's history.csv files.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "helmholtz/report/report.hpp"
#include "helmholtz/run/folder.hpp"
#include "helmholtz/run/summary.hpp"
#include "test_support.hpp"

namespace helmholtz::report {
namespace {
namespace fs = std::filesystem;

fs::path fixture(const std::string& name) {
  return fs::path(HELMHOLTZ_SOURCE_DIR) / "tests" / "fixtures" / "fashion-mnist-2018-study" / name;
}

// A CSV of unquoted fields (as these tables are): the header's names and each row's fields.
struct Csv {
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
};

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  for (std::size_t start = 0;;) {
    const std::size_t end = std::min(line.find(',', start), line.size());
    out.push_back(line.substr(start, end - start));
    if (end == line.size()) return out;
    start = end + 1;
  }
}

Csv read_csv(const fs::path& file) {
  std::istringstream in(testing::read_text(file));
  Csv csv;
  std::string line;
  std::getline(in, line);
  csv.header = split(line);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto fields = split(line);
    EXPECT_EQ(fields.size(), csv.header.size()) << file << ": " << line;
    auto& row = csv.rows.emplace_back();
    for (std::size_t i = 0; i < std::min(fields.size(), csv.header.size()); ++i) {
      row[csv.header[i]] = fields[i];
    }
  }
  return csv;
}

std::optional<double> number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return v;
}

// The summary the study's run would hold under schema 3: the row's figures, the rest as
// testing::sample_summary has them. The study validated on the first 2,000 test images and
// recorded no test figures apart; its raw level's bits are those of its 32 x 32 padded input
// (8,192), as the row gives them.
run::Summary summary_of(const std::map<std::string, std::string>& row) {
  const std::string level = row.at("level");
  const bool raw = level == "raw";
  run::Identity identity = {{"dataset", row.at("dataset")}};
  if (!raw) identity.emplace_back("codec", "jpeg");
  identity.emplace_back("quality", level);
  identity.emplace_back("seed", row.at("seed"));
  run::Summary s = testing::sample_summary(identity);
  s.dataset = row.at("dataset");
  s.model = row.at("model");
  s.setting = std::stoi(row.at("setting"));
  s.level_option = row.at("level_kind");
  s.level = level;
  s.codec = raw ? "" : "jpeg";
  s.seed = std::stoull(row.at("seed"));
  s.parameters = 1078986;
  s.train_samples = 4000;
  s.bits_per_sample = *number(row.at("bits_per_sample"));
  s.payload_bits_per_sample = *number(row.at("payload_bits_per_sample"));
  s.lossless_bits_per_sample = *number(row.at("lossless_bits_per_sample"));
  s.lossless_payload_bits_per_sample = *number(row.at("lossless_payload_bits_per_sample"));
  s.signal_bits_per_sample = 28 * 28 * 8;
  s.distortion_metric = row.at("distortion_metric");
  s.distortion_db = number(row.at("distortion_db"));
  s.best_val_acc = number(row.at("best_val_acc"));
  s.mean_top10_val_acc = number(row.at("mean_top10_val_acc"));
  const auto convergence = number(row.at("convergence_epoch"));
  s.convergence_epoch.reset();
  if (convergence) s.convergence_epoch = static_cast<int>(*convergence);
  s.best_epoch.reset();
  s.validation_data = run::ValidationData::kTest;
  s.validation_samples = std::stoll(row.at("validation_samples"));
  s.test_samples = 0;
  s.test_best.reset();
  s.test_last.reset();
  s.predictions.clear();
  s.num_classes = 10;
  s.epochs_requested = std::stoi(row.at("epochs_requested"));
  s.epochs_completed = std::stoi(row.at("epochs_run"));
  s.finished = row.at("finished") == "true";
  s.status = s.finished ? run::RunStatus::kFinished : run::RunStatus::kRunning;
  s.wall_seconds = *number(row.at("wall_seconds"));
  s.train_samples_per_second = *number(row.at("samples_per_second"));
  return s;
}

// The study's run folders, where its run_dir column puts them (seeds 1 and 2 inside seed 0's).
std::size_t write_study(const fs::path& logdir) {
  const Csv study = read_csv(fixture("report.csv"));
  for (const auto& row : study.rows) {
    const run::RunFolder folder(logdir / row.at("run_dir"));
    fs::create_directories(folder.dir());
    std::ofstream(folder.summary()) << run::to_json(summary_of(row)).dump(2);
  }
  return study.rows.size();
}

ReportResult reference_report(const fs::path& logdir, const fs::path& out, double tolerance) {
  ReportOptions o;
  o.logdir = logdir;
  o.out = out;
  o.estimator = Estimator::kReference;
  o.tolerance_pp = tolerance;
  o.plots = false;
  return write_report(o);
}

// Every column of `expected` that `actual` has too, row by row: numbers to 1e-9 relative,
// text exactly. `skip`: columns known to differ, each with its reason at the call.
void expect_same_columns(const Csv& expected, const Csv& actual,
                         const std::vector<std::string>& skip = {}) {
  ASSERT_EQ(actual.rows.size(), expected.rows.size());
  std::size_t compared = 0;
  for (const auto& column : expected.header) {
    if (std::find(skip.begin(), skip.end(), column) != skip.end()) continue;
    if (std::find(actual.header.begin(), actual.header.end(), column) == actual.header.end()) {
      ADD_FAILURE() << "column " << column << " is gone";
      continue;
    }
    ++compared;
    for (std::size_t i = 0; i < expected.rows.size(); ++i) {
      const std::string& want = expected.rows[i].at(column);
      const std::string& got = actual.rows[i].at(column);
      const auto a = number(want), b = number(got);
      if (a && b) {
        EXPECT_LE(std::fabs(*a - *b), 1e-9 * std::max(std::fabs(*a), std::fabs(*b)))
            << "row " << i + 1 << ", " << column << ": " << want << " then, " << got << " now";
      } else {
        EXPECT_EQ(got, want) << "row " << i + 1 << ", " << column;
      }
    }
  }
  EXPECT_EQ(compared, expected.header.size() - skip.size());
}

TEST(ReferenceEstimator, ReproducesTheEarlierFashionMnistStudy) {
  testing::TempDir dir;
  ASSERT_EQ(write_study(dir.path() / "runs"), 21u);
  const fs::path out = dir.path() / "report";
  const ReportResult result = reference_report(dir.path() / "runs", out, 1.0);
  EXPECT_EQ(result.runs, 21u);
  EXPECT_TRUE(result.warnings.empty()) << result.warnings.front();

  // helmholtz.csv: every column of the study's, in full. (The codec column came later.)
  const Csv expected = read_csv(fixture("helmholtz.csv"));
  const Csv actual = read_csv(out / "helmholtz.csv");
  ASSERT_EQ(expected.rows.size(), 1u);
  expect_same_columns(expected, actual);
  EXPECT_EQ(actual.rows[0].at("knee_level"), "100");
  EXPECT_EQ(actual.rows[0].at("codec"), "jpeg");

  // report.csv: the same runs in the same order with the same figures; accuracy_from said
  // "history" there, where every run folder had its history.csv, and says "summary" here.
  const Csv runs = read_csv(out / "report.csv");
  expect_same_columns(read_csv(fixture("report.csv")), runs, {"accuracy_from"});
  for (const auto& row : runs.rows) EXPECT_EQ(row.at("accuracy_from"), "summary");
}

// The study's README: "With --tolerance 2, q* is quality 5: 429 payload bits, 94.8% of raw's
// bits and 88.3% of the lossless size noise for this task", and at 1 point "the paired t bound
// of how much worse quality 5 may be than quality 100 is 1.29 points".
TEST(ReferenceEstimator, ReproducesTheStudysReadingAtTwoPoints) {
  testing::TempDir dir;
  write_study(dir.path() / "runs");
  const fs::path out = dir.path() / "report";
  reference_report(dir.path() / "runs", out, 2.0);
  const auto row = read_csv(out / "helmholtz.csv").rows.at(0);
  EXPECT_EQ(row.at("best_level"), "100");
  EXPECT_EQ(row.at("knee_level"), "5");
  EXPECT_NEAR(*number(row.at("knee_bits")), 429.288, 1e-9);
  EXPECT_NEAR(*number(row.at("noise_fraction")), (8192 - 429.288) / 8192, 1e-9);  // 94.76%
  EXPECT_NEAR(*number(row.at("noise_fraction_vs_lossless")), (3679.328 - 429.288) / 3679.328,
              1e-9);  // 88.33%
  EXPECT_EQ(row.at("knee_test"), "paired t over 3 seeds");
  // Quality 5: 66.70% (0.66525, 0.6679, 0.66785) against quality 100's 67.52%.
  const std::string md = testing::read_text(out / "report.md");
  EXPECT_NE(
      md.find("| q5 | 429 | 3069 | 66.70 | -0.82 | 1.29 | paired t over 3 seeds | **q\\*** |"),
      std::string::npos)
      << md;
}

}  // namespace
}  // namespace helmholtz::report
