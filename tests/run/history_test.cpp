#include "helmholtz/run/history.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>

#include "helmholtz/core/error.hpp"
#include "helmholtz/run/folder.hpp"
#include "helmholtz/run/predictions.hpp"
#include "test_support.hpp"

namespace helmholtz::run {
namespace {
namespace fs = std::filesystem;

std::vector<EpochRecord> with_val_acc(const std::vector<double>& acc) {
  std::vector<EpochRecord> h;
  for (std::size_t i = 0; i < acc.size(); ++i) {
    EpochRecord r;
    r.epoch = static_cast<int>(i) + 1;
    r.val_acc = acc[i];
    h.push_back(r);
  }
  return h;
}

TEST(History, MeanOfTenBest) {
  std::vector<double> acc;
  for (int i = 1; i <= 12; ++i) acc.push_back(i / 100.0);  // 0.01..0.12
  // ten best: 0.03..0.12 -> mean 0.075
  EXPECT_NEAR(mean_top_val_acc(with_val_acc(acc)), 0.075, 1e-12);
  EXPECT_NEAR(mean_top_val_acc(with_val_acc({0.5, 0.7})), 0.6, 1e-12);
}

TEST(History, ConvergenceEpochAsTheReferenceDefinesIt) {
  // max 0.9 -> threshold 0.891. Window from epoch 1 (0.5, 0.8, 0.9 x 10...) fails; the first
  // window whose mean exceeds 0.891 starts at epoch 3.
  std::vector<double> acc = {0.5, 0.8};
  for (int i = 0; i < 12; ++i) acc.push_back(0.9);
  EXPECT_EQ(convergence_epoch(with_val_acc(acc)), 3);
  // The sum is always divided by 10: windows cut short by the end of the run fail.
  EXPECT_FALSE(convergence_epoch(with_val_acc({0.1, 0.2, 0.3})).has_value());
  // 11 epochs, 0.5 then ten at 0.9: epoch 1's window averages 0.86, epoch 2's full window 0.9
  // passes; epoch 3's (nine epochs, / 10 = 0.81) would not.
  std::vector<double> eleven = {0.5};
  for (int i = 0; i < 10; ++i) eleven.push_back(0.9);
  EXPECT_EQ(convergence_epoch(with_val_acc(eleven)), 2);
  // A run still improving at its last epoch: the best is at the end, no window reaches it.
  std::vector<double> rising;
  for (int i = 0; i < 30; ++i) rising.push_back(0.3 + 0.02 * i);
  EXPECT_FALSE(convergence_epoch(with_val_acc(rising)).has_value());
  EXPECT_FALSE(convergence_epoch({}).has_value());
}

TEST(History, CsvRoundTrip) {
  testing::TempDir dir;
  std::vector<EpochRecord> h = {{1, 2.3, 0.1, 2.2, 0.15, 0.01, 12.5},
                                {2, 1.9, 0.3, 1.8, 0.35, 0.0099, 11.0}};
  const auto file = dir.path() / "history.csv";
  std::ofstream(file) << history_csv(h);
  const auto back = read_history_csv(file);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].epoch, 2);
  EXPECT_NEAR(back[1].val_acc, 0.35, 1e-9);
  EXPECT_NEAR(back[1].lr, 0.0099, 1e-12);
  std::ofstream(file) << "epoch,loss\n1,2\n";
  EXPECT_THROW(read_history_csv(file), core::DataError);
}

// Five test samples of the kept weights of epoch 12 at WebP 50; three predicted right. Each
// probability has at most six decimals, so that the file's %.6f gives it back exactly.
Predictions five_predictions() {
  Predictions p;
  p.weights_epoch = 12;
  p.level = "webp_50";
  p.label = {3, 0, 9, 9, 1};
  p.predicted = {3, 2, 9, 4, 1};
  p.p_true = {0.981234f, 0.0f, 1.0f, 0.000001f, 0.5f};
  return p;
}

// Where a predictions file's rows begin: after its two header lines.
std::size_t rows_offset(const std::string& text) {
  return text.find('\n', text.find('\n') + 1) + 1;
}

TEST(PredictionsFile, RoundTripsEveryRowIntoTheRunFoldersPredictionsFolder) {
  testing::TempDir dir;
  const RunFolder folder(dir.path() / "run");
  const auto file = folder.predictions("webp_50");
  EXPECT_EQ(file, dir.path() / "run" / "predictions" / "webp_50.csv");
  const Predictions p = five_predictions();
  write_predictions(file, p);  // creates the folder
  const std::string text = testing::read_text(file);
  EXPECT_EQ(text.rfind("# helmholtz predictions 2\n# weights_epoch=12 level=webp_50 samples=5 "
                       "crc32=",
                       0),
            0u)
      << text;
  EXPECT_NE(text.find("\nindex,label,predicted,p_true\n0,3,3,0.981234\n1,0,2,0.000000\n"),
            std::string::npos)
      << text;
  const Predictions back = read_predictions(file);
  EXPECT_EQ(back.weights_epoch, 12);
  EXPECT_EQ(back.level, "webp_50");
  EXPECT_EQ(back.label, p.label);
  EXPECT_EQ(back.predicted, p.predicted);
  EXPECT_EQ(back.p_true, p.p_true);
  EXPECT_DOUBLE_EQ(back.accuracy(), 0.6);
  EXPECT_TRUE(back.correct(0));
  EXPECT_FALSE(back.correct(1));
  // None at all is a file too (a test split cut to nothing is refused before this).
  Predictions none;
  none.level = "raw";
  write_predictions(folder.predictions("raw"), none);
  const Predictions empty = read_predictions(folder.predictions("raw"));
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_DOUBLE_EQ(empty.accuracy(), 0.0);
  // Columns of unequal length are never written.
  Predictions torn = p;
  torn.p_true.pop_back();
  EXPECT_THROW(predictions_csv(torn), core::Error);
}

TEST(PredictionsFile, AnyFlippedByteOfItsRowsOrATruncatedFileIsRefusedNamingTheFile) {
  testing::TempDir dir;
  const auto file = dir.path() / "predictions" / "webp_50.csv";
  write_predictions(file, five_predictions());
  const std::string good = testing::read_text(file);
  const auto refused = [&](const std::string& what) {
    const std::string message =
        testing::error_message_of<core::DataError>([&] { read_predictions(file); });
    EXPECT_NE(message.find("'" + file.string() + "'"), std::string::npos)
        << what << ": " << message;
  };
  // Every byte of the rows (the columns line included), one at a time: the checksum.
  for (std::size_t at = rows_offset(good); at < good.size(); ++at) {
    testing::flip_byte(file, static_cast<std::streamoff>(at));
    refused("byte " + std::to_string(at) + " flipped");
    testing::flip_byte(file, static_cast<std::streamoff>(at));
  }
  // The header's magic line, its sample count and its checksum.
  for (const std::string field : {"helmholtz", "samples=", "crc32="}) {
    const auto at = static_cast<std::streamoff>(good.find(field) + field.size() - 1 +
                                                (field.back() == '=' ? 1 : 0));
    testing::flip_byte(file, at);
    refused("a byte of '" + field + "' flipped");
    testing::flip_byte(file, at);
  }
  ASSERT_EQ(testing::read_text(file), good);
  ASSERT_NO_THROW(read_predictions(file));
  // Cut anywhere: within the last row, at a row's end, after the header, within it, empty.
  for (const std::size_t keep :
       {good.size() - 1, good.size() - 3, good.rfind('\n', good.size() - 2) + 1, rows_offset(good),
        std::size_t{30}, std::size_t{0}}) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << good.substr(0, keep);
    refused("cut to " + std::to_string(keep) + " bytes");
  }
  fs::remove(file);
  refused("missing");
}

TEST(PredictionsFile, AnotherFormatOrAHeaderThatDisagreesIsRefused) {
  testing::TempDir dir;
  const auto file = dir.path() / "p.csv";
  const std::string good = predictions_csv(five_predictions());
  const auto message_for = [&](const std::string& text) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
    return testing::error_message_of<core::DataError>([&] { read_predictions(file); });
  };
  // Another version of the format.
  std::string other = good;
  other.replace(other.find("predictions 2"), 13, "predictions 3");
  auto message = message_for(other);
  EXPECT_NE(message.find("first line is not '# helmholtz predictions 2'"), std::string::npos)
      << message;
  // The rows alone, as a plain CSV.
  message = message_for(good.substr(good.find("index,")));
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  // A header line of another layout.
  std::string header = good;
  header.replace(header.find("weights_epoch="), 14, "epoch=");
  message = message_for(header);
  EXPECT_NE(message.find("header line '# epoch=12"), std::string::npos) << message;
  // The checksum covers the header's fields: another epoch, level or count is an edit. (A count
  // of 2^64 - 1 was once read before the checksum and reserved as a vector's size.)
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"weights_epoch=12", "weights_epoch=13"},
                                 {"level=webp_50", "level=webp_20"},
                                 {"samples=5", "samples=6"},
                                 {"samples=5", "samples=18446744073709551615"}}) {
    std::string edited = good;
    if (edited.find(from) == std::string::npos) continue;
    edited.replace(edited.find(from), from.size(), to);
    message = message_for(edited);
    EXPECT_NE(message.find("checksum mismatch"), std::string::npos) << to << ": " << message;
  }
}

// Format 1 checksummed the rows alone: such files (of the first build that wrote them) are read,
// and their rows are still protected.
TEST(PredictionsFile, TheFirstFormatIsStillRead) {
  testing::TempDir dir;
  const auto file = dir.path() / "p.csv";
  const Predictions p = five_predictions();
  const std::string v2 = predictions_csv(p);
  const std::string rows = v2.substr(v2.find("index,"));
  char crc[16];
  std::snprintf(crc, sizeof crc, "%08lx",
                ::crc32(0L, reinterpret_cast<const Bytef*>(rows.data()), static_cast<uInt>(rows.size())));
  const std::string v1 = "# helmholtz predictions 1\n# weights_epoch=12 level=" + p.level +
                         " samples=5 crc32=" + crc + "\n" + rows;
  std::ofstream(file, std::ios::binary) << v1;
  const Predictions back = read_predictions(file);
  EXPECT_EQ(back.label, p.label);
  EXPECT_EQ(back.predicted, p.predicted);
  std::string edited = v1;
  edited[edited.size() - 3] = edited[edited.size() - 3] == '1' ? '2' : '1';
  std::ofstream(file, std::ios::binary | std::ios::trunc) << edited;
  EXPECT_THROW(read_predictions(file), core::DataError);
}

}  // namespace
}  // namespace helmholtz::run
