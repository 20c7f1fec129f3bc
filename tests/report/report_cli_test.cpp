// `helmholtz report` end to end, through the binary, on log folders written by hand.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "helmholtz/report/plots.hpp"
#include "helmholtz/report/tables.hpp"
#include "helmholtz/run/summary.hpp"
#include "test_support.hpp"

namespace helmholtz {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using testing::quoted;
using testing::read_text;

// The earlier estimator (the mean of the 10 best validation accuracies, q* against the best
// level), whose tables (helmholtz.csv of kHelmholtzCsvHeader, codecs.csv) most tests here check.
const std::string kReference = " --estimator reference ";

void write_text(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

// 12 epochs of val_acc rising by 0.001 to top = accuracy + 0.0045: the ten best are top-0.009
// .. top, so the mean of the 10 best (the run's accuracy) is `accuracy`. The convergence epoch
// is 1 for any top above 0.65: epoch 1's full window {top-0.011 .. top-0.002} averages
// top-0.0065 > 0.99 top (and the later, shorter windows count as 10 epochs and fail).
std::string ramp_history(double accuracy) {
  const double top = accuracy + 0.0045;
  std::string csv = "epoch,loss,acc,val_loss,val_acc,lr,seconds\n";
  for (int e = 1; e <= 12; ++e) {
    csv += std::to_string(e) + ",1.0,0.5,1.0," + std::to_string(top - (12 - e) * 0.001) +
           ",0.01,10.0\n";
  }
  return csv;
}

struct Run {
  std::string dataset = "cifar10";
  std::string model = "all-cnns";
  int setting = 0;
  std::string kind = "quality";
  std::string level;
  int seed = 1;
  double bits = 0;
  // Payload: the file bits less 800 (raw: the file); the lossless reference: 12000 bits as a
  // file, 11000 as payload.
  double payload = 0;
  double db = 30.0;
  double accuracy = 0.9;       // the mean of the ramp history's 10 best val_acc
  int validation_samples = 0;  // 0: the summary holds no counts
  int classes = 10;
  // The identity's codec and its version; "" writes no identity, and the summary's codec is
  // the level kind's first (JPEG, MP3). A raw run's identity has neither.
  std::string codec;
  std::string codec_version;
};

// The summary (schema 3) `helmholtz train` would write for `r`, from testing::sample_summary.
run::Summary summary_of(const Run& r) {
  run::Identity identity;
  if (!r.codec.empty()) {
    identity = {{"dataset", r.dataset}, {r.kind, r.level}, {"seed", std::to_string(r.seed)}};
    if (r.level != "raw") {
      identity.emplace_back("codec", r.codec);
      identity.emplace_back("codec-version", r.codec_version);
    }
  }
  run::Summary s = testing::sample_summary(identity);
  s.dataset = r.dataset;
  s.model = r.model;
  s.setting = r.setting;
  s.level_option = r.kind;
  s.level = r.level;
  s.codec = r.level == "raw"      ? ""
            : !r.codec.empty()    ? r.codec
            : r.kind == "bitrate" ? "mp3"
                                  : "jpeg";
  s.seed = static_cast<std::uint64_t>(r.seed);
  s.epochs_requested = 12;
  s.epochs_completed = 12;
  // Deliberately not what history.csv gives: the report must recompute.
  s.best_val_acc = 0.1;
  s.mean_top10_val_acc = 0.1;
  s.convergence_epoch = 99;
  s.test_best = run::TestFigures{12, r.accuracy, 0.5};
  s.test_last = run::TestFigures{12, r.accuracy, 0.5};
  s.wall_seconds = 3600.5;
  s.train_samples_per_second = 1500.0;
  s.bits_per_sample = r.bits;
  s.payload_bits_per_sample = r.payload;
  s.lossless_bits_per_sample = 12000.0;
  s.lossless_payload_bits_per_sample = 11000.0;
  s.distortion_metric = r.kind == "quality" ? "psnr" : "snr";
  s.distortion_db = r.level == "raw" ? std::nullopt : std::optional<double>(r.db);
  s.validation_samples = r.validation_samples;
  s.num_classes = r.classes;
  return s;
}

fs::path run_folder(const fs::path& logdir, const Run& r) {
  // Folders as `helmholtz train` names them: quality_5 (JPEG), bitrate_32 (MP3), webp_50, ...
  const bool default_codec = r.codec.empty() || r.codec == "jpeg" || r.codec == "mp3";
  const std::string folder = (default_codec || r.level == "raw" ? r.kind : r.codec) + "_" + r.level;
  return logdir / r.model / folder / ("seed_" + std::to_string(r.seed));
}

void write_run(const fs::path& logdir, const Run& r) {
  const fs::path dir = run_folder(logdir, r);
  write_text(dir / "summary.json", run::to_json(summary_of(r)).dump(2));
  write_text(dir / "history.csv", ramp_history(r.accuracy));
}

Run run_at(const std::string& level, int seed, double bits, double db, double accuracy) {
  Run r;
  r.level = level;
  r.seed = seed;
  r.bits = bits;
  r.payload = level == "raw" ? bits : bits - 800;
  r.db = db;
  r.accuracy = accuracy;
  return r;
}

// The study's shape: cifar10 all-cnns at quality 5, 20 (a summary without history), 50
// (two seeds) and raw; a second model; an audio run.
void write_study(const fs::path& logdir) {
  write_run(logdir, run_at("5", 1, 1000, 24.5, 0.800));  // accuracy 0.800
  write_run(logdir, run_at("50", 1, 2900, 33.0, 0.890));
  write_run(logdir, run_at("50", 2, 3100, 33.0, 0.900));
  write_run(logdir, run_at("raw", 1, 24576, 0.0, 0.900));
  Run dense = run_at("5", 1, 1000, 24.5, 0.760);
  dense.model = "cnns-dense-64";
  dense.setting = 1;
  write_run(logdir, dense);
  Run audio = run_at("32", 1, 64000, 12.5, 0.700);
  audio.dataset = "audio-effects";
  audio.model = "audio-0";
  audio.kind = "bitrate";
  write_run(logdir, audio);
  // Quality 20: a run killed at epoch 9 of 30, whose summary holds its figures and no history.
  Run killed = run_at("20", 1, 1600, 30.25, 0.7);
  run::Summary old = summary_of(killed);
  old.epochs_requested = 30;
  old.epochs_completed = 9;
  old.finished = false;
  old.status = run::RunStatus::kInterrupted;
  old.best_val_acc = 0.75;
  old.mean_top10_val_acc = 0.7;
  old.convergence_epoch = 7;
  old.test_best.reset();
  old.test_last.reset();
  old.wall_seconds = 50.0;
  old.train_samples_per_second = 999.0;
  old.payload_bits_per_sample = 800.0;
  write_text(logdir / "all-cnns" / "quality_20" / "summary.json", run::to_json(old).dump(2));
}

using Row = std::map<std::string, std::string>;

std::vector<Row> read_csv(const fs::path& file) {
  std::istringstream in(read_text(file));
  std::string line;
  std::vector<std::string> header;
  std::getline(in, line);
  {
    std::istringstream h(line);
    for (std::string field; std::getline(h, field, ',');) header.push_back(field);
  }
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    // Split at every comma, so that empty fields at the end count too (no field here is quoted).
    Row row;
    std::size_t i = 0;
    for (std::size_t start = 0;;) {
      const std::size_t end = std::min(line.find(',', start), line.size());
      row[header.at(i++)] = line.substr(start, end - start);
      if (end == line.size()) break;
      start = end + 1;
    }
    rows.push_back(row);
  }
  return rows;
}

double num(const Row& row, const std::string& key) { return std::stod(row.at(key)); }

TEST(ReportCli, TablesFromASyntheticLogdir) {
  testing::TempDir dir;
  write_study(dir.path());
  const auto r = testing::run_helmholtz("report" + kReference + quoted(dir.path()) + " --no-plots");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(fs::exists(dir.path() / "plots"));

  const auto rows = read_csv(dir.path() / "report.csv");
  ASSERT_EQ(rows.size(), 7u);
  // Sorted by dataset, setting, level (raw last), seed.
  std::vector<std::string> order;
  for (const auto& row : rows) {
    order.push_back(row.at("dataset") + "/" + row.at("setting") + "/" + row.at("level") + "/" +
                    row.at("seed"));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"audio-effects/0/32/1", "cifar10/0/5/1",
                                             "cifar10/0/20/1", "cifar10/0/50/1", "cifar10/0/50/2",
                                             "cifar10/0/raw/1", "cifar10/1/5/1"}));
  // Quality 5: figures from its history, not from its summary.
  const Row& q5 = rows[1];
  EXPECT_EQ(q5.at("model"), "all-cnns");
  EXPECT_EQ(q5.at("level_kind"), "quality");
  EXPECT_DOUBLE_EQ(num(q5, "bits_per_sample"), 1000.0);
  EXPECT_DOUBLE_EQ(num(q5, "payload_bits_per_sample"), 200.0);
  EXPECT_DOUBLE_EQ(num(q5, "lossless_bits_per_sample"), 12000.0);
  EXPECT_DOUBLE_EQ(num(q5, "lossless_payload_bits_per_sample"), 11000.0);
  EXPECT_EQ(q5.at("distortion_metric"), "psnr");
  EXPECT_DOUBLE_EQ(num(q5, "distortion_db"), 24.5);
  EXPECT_NEAR(num(q5, "best_val_acc"), 0.8045, 1e-9);
  EXPECT_NEAR(num(q5, "mean_top10_val_acc"), 0.800, 1e-9);
  EXPECT_EQ(q5.at("convergence_epoch"), "1");
  EXPECT_EQ(q5.at("epochs_run"), "12");
  EXPECT_EQ(q5.at("finished"), "true");
  EXPECT_DOUBLE_EQ(num(q5, "wall_seconds"), 3600.5);
  EXPECT_DOUBLE_EQ(num(q5, "samples_per_second"), 1500.0);
  EXPECT_EQ(q5.at("accuracy_from"), "history");
  EXPECT_EQ(q5.at("run_dir"), "all-cnns/quality_5/seed_1");
  // Quality 20: a summary without history.csv.
  const Row& q20 = rows[2];
  EXPECT_DOUBLE_EQ(num(q20, "bits_per_sample"), 1600.0);  // 200 bytes x 8
  EXPECT_DOUBLE_EQ(num(q20, "distortion_db"), 30.25);
  EXPECT_DOUBLE_EQ(num(q20, "mean_top10_val_acc"), 0.7);
  EXPECT_EQ(q20.at("convergence_epoch"), "7");
  EXPECT_EQ(q20.at("epochs_run"), "9");
  EXPECT_EQ(q20.at("finished"), "false");
  EXPECT_DOUBLE_EQ(num(q20, "samples_per_second"), 999.0);
  EXPECT_EQ(q20.at("accuracy_from"), "summary");
  // Raw has no PSNR; audio has a bitrate and an SNR.
  EXPECT_EQ(rows[5].at("distortion_db"), "");
  EXPECT_EQ(rows[0].at("level_kind"), "bitrate");
  EXPECT_EQ(rows[0].at("distortion_metric"), "snr");
  EXPECT_NEAR(num(rows[0], "mean_top10_val_acc"), 0.700, 1e-9);

  // The estimate for cifar10/all-cnns, in payload bits: accuracy 5: 0.800, 20: 0.700, 50:
  // (0.890 + 0.900) / 2 = 0.895 at (2100 + 2300) / 2 = 2200 bits (3000 as files), raw: 0.900
  // at 24576 bits. Best raw; within 1 point (>= 0.890): 50 and raw. q* = 50; noise bits
  // 24576 - 2200 = 22376; against the lossless 11000: 8800, 80%.
  const auto estimates = read_csv(dir.path() / "helmholtz.csv");
  ASSERT_EQ(estimates.size(), 3u);
  const Row& h = estimates[1];
  EXPECT_EQ(h.at("dataset") + "/" + h.at("model"), "cifar10/all-cnns");
  EXPECT_EQ(h.at("bits_measure"), "payload");
  EXPECT_EQ(h.at("reference_level"), "raw");
  EXPECT_DOUBLE_EQ(num(h, "reference_bits"), 24576.0);
  EXPECT_EQ(h.at("best_level"), "raw");
  EXPECT_NEAR(num(h, "best_accuracy"), 0.900, 1e-9);
  EXPECT_EQ(h.at("knee_level"), "50");
  EXPECT_NEAR(num(h, "knee_bits"), 2200.0, 1e-6);
  EXPECT_NEAR(num(h, "knee_file_bits"), 3000.0, 1e-6);
  EXPECT_NEAR(num(h, "knee_accuracy"), 0.895, 1e-9);
  EXPECT_NEAR(num(h, "noise_bits"), 22376.0, 1e-6);
  EXPECT_NEAR(num(h, "noise_fraction"), 22376.0 / 24576.0, 1e-9);
  EXPECT_NEAR(num(h, "lossless_bits"), 11000.0, 1e-6);
  EXPECT_NEAR(num(h, "noise_bits_vs_lossless"), 8800.0, 1e-6);
  EXPECT_NEAR(num(h, "noise_fraction_vs_lossless"), 0.8, 1e-9);
  EXPECT_EQ(h.at("levels"), "5 20 50 raw");
  // One level only: it is reference, best and q*; nothing is noise.
  EXPECT_EQ(estimates[2].at("model"), "cnns-dense-64");
  EXPECT_EQ(estimates[2].at("knee_level"), "5");
  EXPECT_DOUBLE_EQ(num(estimates[2], "noise_bits"), 0.0);

  // report.md: the definition, the seeds table with mean ± sample std, the estimate.
  const std::string md = read_text(dir.path() / "report.md");
  EXPECT_NE(md.find("## Seeds per cell"), std::string::npos);
  // Quality 50: accuracy 89.50 ± 0.71 (|90.0 - 89.0| / sqrt 2 = 0.707), its 95% t-interval
  // 89.50 ± t(0.975, 1) x 0.707 / sqrt 2 = 89.50 ± 12.706 x 0.5 = [83.15, 95.85], payload bits
  // 2200 ± 141 and file bits 3000 ± 141 (200 / sqrt 2), no chance test without validation
  // counts, no unconverged run (each ramp gains 0.5 points in its last 5 epochs), convergence
  // 1.0 ± 0.0.
  EXPECT_NE(md.find("| cifar10 | all-cnns | jpeg | q50 | 2 | 1 2 | 2200 ± 141 | 3000 ± 141 | "
                    "89.50 ± 0.71 | [83.15, 95.85] | 0 | 0 | 1.0 ± 0.0 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("by more than 1 percentage point(s)"), std::string::npos);
  EXPECT_NE(md.find("**payload bits**"), std::string::npos);
  EXPECT_NE(
      md.find("| all-cnns | jpeg | payload | raw | 24576 | raw | 90.00 | **q50** | 2200 | 89.50 | "
              "22376 | 91.0% | 11000 | 8800 | 80.0% |"),
      std::string::npos)
      << md;
  EXPECT_NE(md.find("have not finished"), std::string::npos);

  // A tighter tolerance moves q* to raw (0.895 < 0.8975); --out puts the report elsewhere.
  const fs::path out = dir.path() / "tight";
  const auto tight = testing::run_helmholtz("report" + kReference + quoted(dir.path()) + " --out " +
                                            quoted(out) + " --tolerance 0.25 --no-plots");
  ASSERT_EQ(tight.exit_code, 0) << tight.output;
  const auto tight_rows = read_csv(out / "helmholtz.csv");
  ASSERT_EQ(tight_rows.size(), 3u);
  EXPECT_EQ(tight_rows[1].at("knee_level"), "raw");
  EXPECT_DOUBLE_EQ(num(tight_rows[1], "noise_bits"), 0.0);
  // Raw spends more than the lossless reference: negative noise against it.
  EXPECT_DOUBLE_EQ(num(tight_rows[1], "noise_bits_vs_lossless"), 11000.0 - 24576.0);

  // --bits file: whole files throughout (q* 50 at 3000 bits; lossless 12000 as a file).
  const fs::path files = dir.path() / "files";
  const auto by_file =
      testing::run_helmholtz("report" + kReference + quoted(dir.path()) + " --out " +
                             quoted(files) + " --bits file --no-plots");
  ASSERT_EQ(by_file.exit_code, 0) << by_file.output;
  const Row f = read_csv(files / "helmholtz.csv")[1];
  EXPECT_EQ(f.at("bits_measure"), "file");
  EXPECT_NEAR(num(f, "knee_bits"), 3000.0, 1e-6);
  EXPECT_NEAR(num(f, "noise_bits"), 21576.0, 1e-6);
  EXPECT_NEAR(num(f, "lossless_bits"), 12000.0, 1e-6);
  EXPECT_NEAR(num(f, "noise_fraction_vs_lossless"), 0.75, 1e-9);
  EXPECT_NE(read_text(files / "report.md").find("87.8%"), std::string::npos);  // 21576 / 24576
  const auto bad = testing::run_helmholtz("report " + quoted(dir.path()) + " --bits bytes");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--bits bytes: use payload"), std::string::npos) << bad.output;
}

// A run folder of the summary schema before this one (a helmholtz from before held-out
// selection wrote "quality" and no test figures) is left out with one line naming its file and
// both schemas; the tables are those of the other runs. (A line whose runs lack payload bits
// falls back to file bits: no schema-3 summary lacks them, so ReportCodecs covers that on
// RunRecords.)
TEST(ReportCli, ARunOfTheEarlierSchemaIsLeftOutWithOneLine) {
  testing::TempDir with, without;
  for (const auto* dir : {&with, &without}) {
    write_run(dir->path(), run_at("5", 1, 1000, 24.5, 0.800));
    write_run(dir->path(), run_at("raw", 1, 24576, 0.0, 0.900));
  }
  const fs::path old = with.path() / "all-cnns" / "quality_50" / "seed_1" / "summary.json";
  const json schema2 = {{"schema", 2},
                        {"level_option", "quality"},
                        {"dataset", "cifar10"},
                        {"model", "all-cnns"},
                        {"setting", 0},
                        {"quality", "50"},
                        {"seed", 1},
                        {"epochs_requested", 12},
                        {"epochs_completed", 12},
                        {"finished", true},
                        {"best_val_acc", 0.9},
                        {"mean_top10_val_acc", 0.9},
                        {"convergence_epoch", 5},
                        {"wall_seconds", 3600.5},
                        {"train_samples_per_second", 1500.0},
                        {"bits_per_sample", 3000.0},
                        {"payload_bits_per_sample", 2200.0},
                        {"distortion", {{"metric", "psnr"}, {"db", 33.0}}}};
  write_text(old, schema2.dump(2));
  write_text(old.parent_path() / "history.csv", ramp_history(0.9));
  for (const auto* dir : {&with, &without}) {
    const auto r =
        testing::run_helmholtz("report" + kReference + quoted(dir->path()) + " --no-plots");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    if (dir == &with) {
      const std::string line =
          "'" + old.string() + "' has summary schema 2; this helmholtz reads schema 3";
      const auto first = r.output.find(line);
      EXPECT_NE(first, std::string::npos) << r.output;
      EXPECT_EQ(r.output.find(line, first + 1), std::string::npos) << r.output;  // once
    }
  }
  EXPECT_EQ(read_csv(with.path() / "report.csv").size(), 2u);
  EXPECT_EQ(read_text(with.path() / "helmholtz.csv"), read_text(without.path() / "helmholtz.csv"));
  EXPECT_NE(read_text(with.path() / "report.md").find("has summary schema 2"), std::string::npos);
}

TEST(ReportCli, DamagedSummaryIsSkippedWithAWarning) {
  testing::TempDir dir;
  write_run(dir.path(), run_at("5", 1, 1000, 24.5, 0.800));
  const fs::path damaged = dir.path() / "all-cnns" / "quality_9" / "summary.json";
  write_text(damaged, "{\"dataset\": \"cifar10\", \"model\": ");
  // A folder of an earlier schema (no version) gets one line saying so, not a guess.
  const fs::path old = dir.path() / "all-cnns" / "quality_7" / "summary.json";
  write_text(old, "{\"dataset\": \"cifar10\", \"model\": \"all-cnns\", \"quality\": \"7\"}");
  const auto r = testing::run_helmholtz("report " + quoted(dir.path()) + " --no-plots");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("warning"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(damaged.string()), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("'" + old.string() + "' was written by an older helmholtz"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(read_csv(dir.path() / "report.csv").size(), 1u);
  EXPECT_NE(read_text(dir.path() / "report.md").find(damaged.string()), std::string::npos);
}

// A diverged run is a result: listed with its epoch, left out of the cells and the estimate
// with a note, so the estimate is the one of the other runs alone.
TEST(ReportCli, DivergedRunsAreListedApartAndLeftOutOfTheEstimate) {
  testing::TempDir with, without;
  for (const auto* dir : {&with, &without}) {
    write_run(dir->path(), run_at("5", 1, 1000, 24.5, 0.800));
    write_run(dir->path(), run_at("raw", 1, 24576, 0.0, 0.900));
  }
  const auto bad = run_at("5", 2, 1000, 24.5, 0.100);
  write_run(with.path(), bad);
  const fs::path summary = with.path() / "all-cnns" / "quality_5" / "seed_2" / "summary.json";
  json j = json::parse(read_text(summary));
  j["status"] = "diverged";
  j["diverged_epoch"] = 3;
  j["finished"] = false;
  write_text(summary, j.dump(2));
  for (const auto* dir : {&with, &without}) {
    const auto r =
        testing::run_helmholtz("report" + kReference + quoted(dir->path()) + " --no-plots");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  const auto runs = read_csv(with.path() / "report.csv");
  ASSERT_EQ(runs.size(), 3u);
  int diverged = 0;
  for (const auto& row : runs) {
    if (row.at("status") == "diverged") {
      ++diverged;
      EXPECT_EQ(row.at("diverged_epoch"), "3");
      EXPECT_EQ(row.at("seed"), "2");
    } else {
      EXPECT_EQ(row.at("status"), "finished");
    }
  }
  EXPECT_EQ(diverged, 1);
  // The estimate is the same as without the diverged run.
  EXPECT_EQ(read_text(with.path() / "helmholtz.csv"), read_text(without.path() / "helmholtz.csv"));
  const std::string md = read_text(with.path() / "report.md");
  EXPECT_NE(md.find("**diverged** at epoch 3"), std::string::npos) << md;
  EXPECT_NE(md.find("1 run(s) diverged (a NaN or infinite training loss) and are left out"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("all-cnns/quality_5/seed_2 (epoch 3)"), std::string::npos) << md;
  // A status the report does not know is a damaged summary, skipped with a warning.
  j["status"] = "exploded";
  write_text(summary, j.dump(2));
  const auto r = testing::run_helmholtz("report " + quoted(with.path()) + " --no-plots");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("unknown run status 'exploded'"), std::string::npos) << r.output;
}

TEST(ReportCli, EmptyLogdirFailsWithAClearMessage) {
  testing::TempDir dir;
  fs::create_directories(dir.path() / "all-cnns");
  const auto r = testing::run_helmholtz("report " + quoted(dir.path()));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("no run folders found below '" + dir.path().string() + "'"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(dir.path() / "report.csv"));

  const auto missing = testing::run_helmholtz("report " + quoted(dir.path() / "nope"));
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("nope"), std::string::npos) << missing.output;

  const auto bad = testing::run_helmholtz("report " + quoted(dir.path()) + " --tolerance -1");
  EXPECT_NE(bad.exit_code, 0);
}

bool is_png(const fs::path& file) {
  const std::string bytes = read_text(file);
  return bytes.size() > 8 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
}

TEST(ReportCli, PlotsArePngFiles) {
  if (!report::find_on_path("gnuplot")) {
    GTEST_SKIP() << "gnuplot is not on PATH (Debian: apt-get install gnuplot-nox)";
  }
  testing::TempDir dir;
  write_study(dir.path());
  const fs::path out = dir.path() / "report";
  const auto r =
      testing::run_helmholtz("report" + kReference + quoted(dir.path()) + " --out " + quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("warning"), std::string::npos) << r.output;
  const std::string md = read_text(out / "report.md");
  for (const char* name :
       {"cifar10-accuracy-vs-level.png", "cifar10-convergence-vs-level.png",
        "cifar10-accuracy-vs-bits.png", "cifar10-all-cnns-val-acc-by-epoch.png",
        "cifar10-cnns-dense-64-val-acc-by-epoch.png", "audio-effects-accuracy-vs-level.png",
        "audio-effects-audio-0-val-acc-by-epoch.png"}) {
    const fs::path png = out / "plots" / name;
    EXPECT_TRUE(is_png(png)) << png;
    EXPECT_NE(md.find(std::string("(plots/") + name + ")"), std::string::npos) << name;
  }
  EXPECT_TRUE(fs::exists(out / "plots" / "cifar10.gp"));
}

// Short runs that never converge (the window is always divided by 10) of a network from an
// architecture file (setting -1): no convergence plot for gnuplot to refuse, and the network
// named as it is, not as "setting -1".
TEST(ReportCli, RunsThatNeverConvergeAndArchitectureFilesReportCleanly) {
  if (!report::find_on_path("gnuplot")) {
    GTEST_SKIP() << "gnuplot is not on PATH (Debian: apt-get install gnuplot-nox)";
  }
  testing::TempDir dir;
  for (const char* level : {"5", "raw"}) {
    auto run = run_at(level, 1, std::string(level) == "raw" ? 8192 : 3000, 20.0, 0.3);
    run.dataset = "fashion-mnist";
    run.model = "small-cnn";
    run.setting = -1;
    write_run(dir.path(), run);
  }
  const fs::path out = dir.path() / "report";
  const auto r = testing::run_helmholtz("report " + quoted(dir.path()) + " --out " + quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("undefined"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out / "plots" / "fashion-mnist-convergence-vs-level.png"));
  EXPECT_TRUE(is_png(out / "plots" / "fashion-mnist-accuracy-vs-level.png"));
  const std::string md = read_text(out / "report.md");
  EXPECT_EQ(md.find("-convergence-vs-level.png"), std::string::npos);
  EXPECT_NE(md.find("| fashion-mnist | small-cnn | file |"), std::string::npos) << md;
  EXPECT_EQ(read_text(out / "plots" / "fashion-mnist.gp").find("setting -1"), std::string::npos);
}

// The tiny sweep a new user runs first (2 qualities x 2 settings, 1 epoch on Fashion-MNIST):
// accuracies of 8-11% on 1,000 validation images of 10 classes. Every run is marked as not
// above chance, and no noise fraction is printed as a finding.
TEST(ReportCli, ChanceLevelRunsAreFlaggedAndGiveNoNoiseFraction) {
  testing::TempDir dir;
  const std::vector<std::tuple<const char*, int, double>> runs = {
      {"5", 0, 0.080}, {"50", 0, 0.110}, {"5", 1, 0.095}, {"50", 1, 0.105}};
  for (const auto& [level, setting, accuracy] : runs) {
    auto run = run_at(level, 1, std::string(level) == "5" ? 2500 : 4200, 25.0, accuracy);
    run.dataset = "fashion-mnist";
    run.model = setting == 0 ? "all-cnns" : "cnns-dense-64";
    run.setting = setting;
    run.validation_samples = 1000;
    write_run(dir.path(), run);
  }
  const auto r = testing::run_helmholtz("report" + kReference + quoted(dir.path()) + " --no-plots");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string md = read_text(dir.path() / "report.md");
  std::size_t marks = 0;
  const std::string mark = "] **chance** |";  // a run's accuracy cell
  for (auto at = md.find(mark); at != std::string::npos; at = md.find(mark, at + 1)) ++marks;
  EXPECT_EQ(marks, 4u) << md;  // each run, in the runs table
  EXPECT_NE(md.find("none: runs at chance"), std::string::npos) << md;
  EXPECT_EQ(md.find("%|"), std::string::npos) << md;  // no "27.9%" noise fraction
  // 11.0% on 1,000: Wilson [9.21, 13.09] reaches down past 10%: even the best run is at chance.
  EXPECT_NE(md.find("11.00 [9.21, 13.09] **chance**"), std::string::npos) << md;
  const auto rows = read_csv(dir.path() / "report.csv");
  for (const auto& row : rows) EXPECT_EQ(row.at("above_chance"), "false");
  for (const auto& row : read_csv(dir.path() / "helmholtz.csv")) {
    EXPECT_EQ(row.at("at_chance"), "true");
  }
}

TEST(ReportCli, WithoutGnuplotTheTablesAreStillWritten) {
  testing::TempDir dir;
  write_study(dir.path());
  fs::create_directories(dir.path() / "empty-path");
  // The binary is started by its full path; PATH holds only an empty folder.
  const std::string command = "PATH=" + quoted(dir.path() / "empty-path") + " '" +
                              HELMHOLTZ_BINARY + "' report " + quoted(dir.path()) + " --out " +
                              quoted(dir.path() / "no-gnuplot") + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
  const int status = pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output;
  EXPECT_NE(output.find("gnuplot-nox"), std::string::npos) << output;
  EXPECT_NE(output.find("--no-plots"), std::string::npos) << output;
  EXPECT_EQ(read_csv(dir.path() / "no-gnuplot" / "report.csv").size(), 7u);
  EXPECT_TRUE(fs::exists(dir.path() / "no-gnuplot" / "report.md"));
  EXPECT_TRUE(fs::exists(dir.path() / "no-gnuplot" / "plots" / "cifar10.gp"));
  EXPECT_FALSE(fs::exists(dir.path() / "no-gnuplot" / "plots" / "cifar10-accuracy-vs-level.png"));
}

// Without --estimator the report is the pre-registered one: helmholtz.csv and levels.csv of
// its headers, no codecs.csv, and a line whose runs have no predictions files (these, written
// by hand) gets no estimate and a note saying why. --estimator reference writes codecs.csv and
// no levels.csv.
TEST(ReportCli, TheDefaultEstimatorIsPreregisteredAndSaysWhyALineHasNone) {
  testing::TempDir dir;
  write_study(dir.path());
  const auto r = testing::run_helmholtz("report " + quoted(dir.path()) + " --no-plots");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_text(dir.path() / "helmholtz.csv"),
            std::string(report::kPreregisteredCsvHeader) + "\n");
  EXPECT_EQ(read_text(dir.path() / "levels.csv"),
            std::string(report::kPreregisteredLevelsCsvHeader) + "\n");
  EXPECT_FALSE(fs::exists(dir.path() / "codecs.csv"));
  const std::string note =
      "cifar10 / all-cnns / JPEG: no pre-registered estimate: the reference level's runs have no "
      "predictions file";
  EXPECT_NE(r.output.find(note), std::string::npos) << r.output;
  const std::string md = read_text(dir.path() / "report.md");
  EXPECT_NE(md.find(note), std::string::npos) << md;
  EXPECT_NE(md.find("No codec line had predictions to compare"), std::string::npos) << md;
  // The runs table holds the test figures of the kept weights.
  EXPECT_NE(md.find("test acc, kept (epoch)"), std::string::npos) << md;
  const auto rows = read_csv(dir.path() / "report.csv");
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_NEAR(num(rows[1], "test_acc"), 0.800, 1e-9);  // cifar10 quality 5
  EXPECT_EQ(rows[1].at("test_epoch"), "12");
  EXPECT_EQ(rows[1].at("converged"), "true");  // its ramp gains 0.005 in the last 5 epochs
  EXPECT_EQ(rows[2].at("test_acc"), "");       // quality 20: killed before its test
  EXPECT_EQ(rows[2].at("converged"), "");      // and no history.csv

  const fs::path out = dir.path() / "reference";
  const auto ref = testing::run_helmholtz("report" + kReference + quoted(dir.path()) + " --out " +
                                          quoted(out) + " --no-plots");
  ASSERT_EQ(ref.exit_code, 0) << ref.output;
  EXPECT_TRUE(fs::exists(out / "codecs.csv"));
  EXPECT_FALSE(fs::exists(out / "levels.csv"));
  EXPECT_EQ(read_text(out / "helmholtz.csv").rfind(report::kHelmholtzCsvHeader, 0), 0u);
}

TEST(ReportCli, EstimatorOptionsAreChecked) {
  testing::TempDir dir;
  write_study(dir.path());
  const auto bad =
      testing::run_helmholtz("report " + quoted(dir.path()) + " --estimator median --no-plots");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--estimator median: use preregistered"), std::string::npos)
      << bad.output;
  EXPECT_FALSE(fs::exists(dir.path() / "report.md"));
  const auto none =
      testing::run_helmholtz("report " + quoted(dir.path()) + " --replicates 0 --no-plots");
  EXPECT_EQ(none.exit_code, 105) << none.output;  // CLI11's code for a value out of range
  EXPECT_NE(none.output.find("--replicates"), std::string::npos) << none.output;
  EXPECT_FALSE(fs::exists(dir.path() / "report.md"));
}

// A study of three image codecs on one model: JPEG (quality_5, quality_50), WebP (webp_30,
// webp_70), AVIF (avif_20, avif_60) and raw, one seed each, no validation counts (so every
// comparison is the point difference). Payload = file - 800 (raw: the file). A second model
// trained through JPEG alone has no comparison.
Run coded(const std::string& codec, const std::string& version, const std::string& level,
          double bits, double accuracy) {
  Run r = run_at(level, 1, bits, 30.0, accuracy);
  r.codec = codec;
  r.codec_version = version;
  return r;
}

void write_codec_study(const fs::path& logdir) {
  write_run(logdir, coded("jpeg", "libjpeg-turbo 2.1.5", "5", 1000, 0.800));
  write_run(logdir, coded("jpeg", "libjpeg-turbo 2.1.5", "50", 3000, 0.897));
  write_run(logdir, coded("webp", "libwebp 1.2.4", "30", 1800, 0.880));
  write_run(logdir, coded("webp", "libwebp 1.2.4", "70", 2600, 0.905));
  write_run(logdir, coded("avif", "libavif 0.11.1 (aom v3.6.0)", "20", 1500, 0.850));
  write_run(logdir, coded("avif", "libavif 0.11.1 (aom v3.6.0)", "60", 2300, 0.885));
  write_run(logdir, coded("jpeg", "", "raw", 24576, 0.900));  // an identity without codec
  Run dense = coded("jpeg", "libjpeg-turbo 2.1.5", "5", 1000, 0.760);
  dense.model = "cnns-dense-64";
  dense.setting = 1;
  write_run(logdir, dense);
}

// By hand, in payload bits. The common best of all-cnns is WebP 70 at 0.905 (above raw's
// 0.900); within 1 point of it (>= 0.895): JPEG 50 (0.897, 2200 bits; 3000 as files) and WebP
// 70 (1800; 2600), but no AVIF level (its best, 60, is at 0.885). Ratios to JPEG: WebP 1800 /
// 2200 = 0.8182, JPEG 1, AVIF none. Each codec's own estimate: JPEG's best is raw, q* 50
// (noise 24576 - 2200 = 22376); WebP's best and q* are 70 (noise 22776); AVIF's best is raw,
// and no AVIF level is within 1 point of it, so q* is raw (noise 0).
TEST(ReportCli, CodecStudyComparesCodecsByBits) {
  testing::TempDir dir;
  write_codec_study(dir.path());
  const auto r = testing::run_helmholtz("report" + kReference + quoted(dir.path()) + " --no-plots");
  ASSERT_EQ(r.exit_code, 0) << r.output;

  // report.csv: the codec and its version at the end of each row, in codec order, raw last.
  const auto rows = read_csv(dir.path() / "report.csv");
  ASSERT_EQ(rows.size(), 8u);
  std::vector<std::string> order;
  for (const auto& row : rows) {
    order.push_back(row.at("setting") + "/" + row.at("codec") + "/" + row.at("level"));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"0/jpeg/5", "0/jpeg/50", "0/webp/30", "0/webp/70",
                                             "0/avif/20", "0/avif/60", "0//raw", "1/jpeg/5"}));
  EXPECT_EQ(rows[2].at("codec_version"), "libwebp 1.2.4");
  EXPECT_EQ(rows[2].at("run_dir"), "all-cnns/webp_30/seed_1");
  EXPECT_EQ(rows[6].at("codec_version"), "");
  const std::string header = read_text(dir.path() / "report.csv").substr(0, 300);
  EXPECT_EQ(header.rfind("dataset,model,setting,level_kind,level,seed,", 0), 0u) << header;

  // helmholtz.csv: one estimate per (model, codec), the codec last; raw in each line.
  const auto estimates = read_csv(dir.path() / "helmholtz.csv");
  ASSERT_EQ(estimates.size(), 4u);
  std::map<std::string, Row> by;
  for (const auto& e : estimates) by[e.at("model") + "/" + e.at("codec")] = e;
  ASSERT_EQ(by.size(), 4u);
  const Row& jpeg = by.at("all-cnns/jpeg");
  EXPECT_EQ(jpeg.at("levels"), "5 50 raw");
  EXPECT_EQ(jpeg.at("best_level"), "raw");
  EXPECT_EQ(jpeg.at("knee_level"), "50");
  EXPECT_NEAR(num(jpeg, "noise_bits"), 22376.0, 1e-6);
  const Row& webp = by.at("all-cnns/webp");
  EXPECT_EQ(webp.at("levels"), "30 70 raw");
  EXPECT_EQ(webp.at("best_level"), "70");
  EXPECT_EQ(webp.at("knee_level"), "70");
  EXPECT_NEAR(num(webp, "knee_bits"), 1800.0, 1e-6);
  EXPECT_NEAR(num(webp, "noise_bits"), 22776.0, 1e-6);
  EXPECT_NEAR(num(webp, "noise_fraction"), 22776.0 / 24576.0, 1e-9);
  const Row& avif = by.at("all-cnns/avif");
  EXPECT_EQ(avif.at("knee_level"), "raw");
  EXPECT_DOUBLE_EQ(num(avif, "noise_bits"), 0.0);
  EXPECT_EQ(by.at("cnns-dense-64/jpeg").at("knee_level"), "5");

  // codecs.csv: the first level within tolerance of the common best, its bits and ratio.
  const auto codecs = read_csv(dir.path() / "codecs.csv");
  ASSERT_EQ(codecs.size(), 3u);  // all-cnns only: cnns-dense-64 has one codec
  EXPECT_EQ(codecs[0].at("codec"), "jpeg");
  EXPECT_EQ(codecs[1].at("codec"), "webp");
  EXPECT_EQ(codecs[2].at("codec"), "avif");
  for (const auto& row : codecs) {
    EXPECT_EQ(row.at("best_codec"), "webp");
    EXPECT_EQ(row.at("best_level"), "70");
    EXPECT_NEAR(num(row, "best_accuracy"), 0.905, 1e-9);
    EXPECT_EQ(row.at("baseline_codec"), "jpeg");
    EXPECT_EQ(row.at("bits_measure"), "payload");
    EXPECT_EQ(row.at("model"), "all-cnns");
  }
  EXPECT_EQ(codecs[0].at("knee_level"), "50");
  EXPECT_NEAR(num(codecs[0], "knee_bits"), 2200.0, 1e-6);
  EXPECT_NEAR(num(codecs[0], "knee_file_bits"), 3000.0, 1e-6);
  EXPECT_NEAR(num(codecs[0], "knee_worse_by_at_most"), 0.008, 1e-9);
  EXPECT_NEAR(num(codecs[0], "ratio_to_baseline"), 1.0, 1e-12);
  EXPECT_EQ(codecs[0].at("codec_best_level"), "raw");
  EXPECT_EQ(codecs[1].at("knee_level"), "70");
  EXPECT_NEAR(num(codecs[1], "knee_bits"), 1800.0, 1e-6);
  EXPECT_NEAR(num(codecs[1], "knee_file_bits"), 2600.0, 1e-6);
  EXPECT_NEAR(num(codecs[1], "ratio_to_baseline"), 1800.0 / 2200.0, 1e-9);
  EXPECT_EQ(codecs[1].at("codec_version"), "libwebp 1.2.4");
  // AVIF never gets within 1 point: its knee fields are empty.
  EXPECT_EQ(codecs[2].at("knee_level"), "");
  EXPECT_EQ(codecs[2].at("knee_bits"), "");
  EXPECT_EQ(codecs[2].at("ratio_to_baseline"), "");

  const std::string md = read_text(dir.path() / "report.md");
  EXPECT_NE(md.find("## Codecs"), std::string::npos) << md;
  EXPECT_NE(md.find("Common best: 90.50 at q70 through WebP, 1800 payload bits."),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| jpeg | libjpeg-turbo 2.1.5 | raw | 90.00 | **q50** | 2200 | 3000 | 89.70 | "
                    "0.80 | point estimate (no seeds or counts to test) | 1.00 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| webp | libwebp 1.2.4 | q70 | 90.50 | **q70** | 1800 | 2600 | 90.50 | 0.00 "
                    "| the best level | 0.82 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| avif | libavif 0.11.1 (aom v3.6.0) | raw | 90.00 | not reached |"),
            std::string::npos)
      << md;
  // The estimate table names the codec of each line; the seeds table holds raw in every line.
  EXPECT_NE(md.find("| all-cnns | webp | payload | raw | 24576 | q70 | 90.50 | **q70** | 1800 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("all-cnns (avif), by level:"), std::string::npos) << md;
  // Runs: the codec column (none for raw).
  EXPECT_NE(md.find("| cifar10 | all-cnns | 0 | none | raw | 1 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| cifar10 | all-cnns | 0 | webp | q30 | 1 |"), std::string::npos) << md;
}

// A study through one codec reads as before: no Codecs section, a codecs.csv of its header
// alone, and the codec (the summary's: JPEG, MP3 for the audio run) in every coded row.
TEST(ReportCli, SingleCodecStudyHasNoCodecsSection) {
  testing::TempDir dir;
  write_study(dir.path());
  const auto r = testing::run_helmholtz("report" + kReference + quoted(dir.path()) + " --no-plots");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string md = read_text(dir.path() / "report.md");
  EXPECT_EQ(md.find("## Codecs"), std::string::npos) << md;
  EXPECT_EQ(read_text(dir.path() / "codecs.csv"), std::string(report::kCodecsCsvHeader) + "\n");
  const auto rows = read_csv(dir.path() / "report.csv");
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[0].at("codec"), "mp3");  // audio-effects, bitrate 32
  EXPECT_EQ(rows[1].at("codec"), "jpeg");
  EXPECT_EQ(rows[5].at("level"), "raw");
  EXPECT_EQ(rows[5].at("codec"), "");
  EXPECT_EQ(rows[5].at("codec_version"), "");
  const auto estimates = read_csv(dir.path() / "helmholtz.csv");
  ASSERT_EQ(estimates.size(), 3u);
  EXPECT_EQ(estimates[0].at("codec"), "mp3");
  EXPECT_EQ(estimates[1].at("codec"), "jpeg");
  EXPECT_EQ(estimates[1].at("levels"), "5 20 50 raw");
}

TEST(ReportCli, CodecStudyPlotsPerCodecAndOneBitsAxis) {
  if (!report::find_on_path("gnuplot")) {
    GTEST_SKIP() << "gnuplot is not on PATH (Debian: apt-get install gnuplot-nox)";
  }
  testing::TempDir dir;
  write_codec_study(dir.path());
  const fs::path out = dir.path() / "report";
  const auto r =
      testing::run_helmholtz("report" + kReference + quoted(dir.path()) + " --out " + quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("warning"), std::string::npos) << r.output;
  const std::string md = read_text(out / "report.md");
  for (const char* name :
       {"cifar10-jpeg-accuracy-vs-level.png", "cifar10-webp-accuracy-vs-level.png",
        "cifar10-avif-accuracy-vs-level.png", "cifar10-accuracy-vs-bits.png",
        "cifar10-all-cnns-webp-val-acc-by-epoch.png",
        "cifar10-cnns-dense-64-jpeg-val-acc-by-epoch.png"}) {
    EXPECT_TRUE(is_png(out / "plots" / name)) << name;
    EXPECT_NE(md.find(std::string("(plots/") + name + ")"), std::string::npos) << name;
  }
  // One plot per codec on a level axis: never one of the levels of several codecs.
  EXPECT_FALSE(fs::exists(out / "plots" / "cifar10-accuracy-vs-level.png"));
  EXPECT_NE(md.find("cifar10: accuracy vs WebP quality"), std::string::npos) << md;
  const std::string gp = read_text(out / "plots" / "cifar10.gp");
  EXPECT_NE(gp.find("title 'all-cnns (webp, setting 0)'"), std::string::npos) << gp;
  EXPECT_NE(gp.find("title 'all-cnns (jpeg, setting 0)'"), std::string::npos) << gp;
  EXPECT_EQ(gp.find("x2tics rotate"), std::string::npos) << gp;  // levels differ per codec
  // The raw runs are the reference of every codec's line: in each codec's levels file.
  for (const char* codec : {"jpeg", "webp", "avif"}) {
    const std::string levels =
        read_text(out / "plots" / (std::string("cifar10.") + codec + ".levels.dat"));
    EXPECT_NE(levels.find(" raw 24576 90"), std::string::npos) << codec << "\n" << levels;
  }
}

}  // namespace
}  // namespace helmholtz
