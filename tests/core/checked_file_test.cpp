// Checked cache files: what is written reads back, and any damage is reported, never used.

#include "helmholtz/core/checked_file.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <numeric>
#include <vector>

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/files.hpp"
#include "test_support.hpp"

namespace helmholtz::core {
namespace {

using testing::TempDir;

std::vector<float> ramp(std::size_t n) {
  std::vector<float> v(n);
  std::iota(v.begin(), v.end(), 0.5f);
  return v;
}

std::vector<float> read_back(const std::filesystem::path& file, std::string& header) {
  std::vector<float> out;
  const bool read = read_checked_file(file, [&](const std::string& h, std::size_t bytes) -> void* {
    header = h;
    out.resize(bytes / sizeof(float));
    return out.data();
  });
  EXPECT_TRUE(read);
  return out;
}

TEST(CheckedFile, RoundTripsHeaderAndPayload) {
  TempDir dir;
  const auto file = dir.path() / "a.cache";
  const auto data = ramp(1000);
  write_checked_file(file, "{\"x\":1}", data.data(), data.size() * sizeof(float));
  EXPECT_EQ(std::filesystem::file_size(file), 32u + 7u + 4000u + 4u);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "a.cache.tmp"));
  EXPECT_EQ(read_checked_header(file), "{\"x\":1}");
  std::string header;
  EXPECT_EQ(read_back(file, header), data);
  EXPECT_EQ(header, "{\"x\":1}");
}

TEST(CheckedFile, AcceptCanDeclineThePayload) {
  TempDir dir;
  const auto file = dir.path() / "a.cache";
  const auto data = ramp(10);
  write_checked_file(file, "h", data.data(), data.size() * sizeof(float));
  EXPECT_FALSE(read_checked_file(file, [](const std::string&, std::size_t) -> void* {
    return nullptr;
  }));
}

TEST(CheckedFile, AFlippedPayloadByteIsAChecksumMismatch) {
  TempDir dir;
  const auto file = dir.path() / "a.cache";
  const auto data = ramp(1000);
  write_checked_file(file, "h", data.data(), data.size() * sizeof(float));
  testing::flip_byte(file, 32 + 1 + 2000);
  std::string header;
  const auto message = testing::error_message_of<DataError>([&] {
    std::vector<float> out(1000);
    read_checked_file(file, [&](const std::string&, std::size_t) -> void* { return out.data(); });
  });
  EXPECT_NE(message.find("a.cache"), std::string::npos) << message;
  EXPECT_NE(message.find("checksum mismatch"), std::string::npos) << message;
}

TEST(CheckedFile, TruncatedAndForeignFilesAreDamaged) {
  TempDir dir;
  const auto file = dir.path() / "a.cache";
  const auto data = ramp(100);
  write_checked_file(file, "h", data.data(), data.size() * sizeof(float));
  std::filesystem::resize_file(file, 200);
  auto message = testing::error_message_of<DataError>([&] { read_checked_header(file); });
  EXPECT_NE(message.find("damaged"), std::string::npos) << message;

  const auto foreign = dir.path() / "b.cache";
  std::ofstream(foreign) << "this is not a cache file at all, but it is long enough";
  message = testing::error_message_of<DataError>([&] { read_checked_header(foreign); });
  EXPECT_NE(message.find("not a helmholtz cache file"), std::string::npos) << message;
}

TEST(CheckedBytes, RoundTripInMemoryAndEveryDamageIsNamed) {
  const std::string payload = "the archive";
  const std::string bytes = checked_bytes(CheckedKind::kCheckpoint, "{\"epoch\":1}",
                                          payload.data(), payload.size());
  ASSERT_EQ(bytes.size(), 32u + 11u + payload.size() + 4u);
  EXPECT_EQ(bytes.substr(0, 16), "HELMHOLTZ-CKPT1\n");
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  EXPECT_TRUE(has_checked_magic(CheckedKind::kCheckpoint, data, bytes.size()));
  EXPECT_FALSE(has_checked_magic(CheckedKind::kCache, data, bytes.size()));
  const CheckedView view = parse_checked_bytes(CheckedKind::kCheckpoint, data, bytes.size(), "f");
  EXPECT_EQ(view.header, "{\"epoch\":1}");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(view.payload), view.payload_bytes), payload);

  const auto problem = [](const std::string& b) {
    return testing::error_message_of<DataError>([&] {
      parse_checked_bytes(CheckedKind::kCheckpoint,
                          reinterpret_cast<const std::uint8_t*>(b.data()), b.size(), "f");
    });
  };
  std::string flipped = bytes;
  flipped[40] ^= 0x04;
  EXPECT_EQ(problem(flipped), "'f' is damaged (checksum mismatch)");
  EXPECT_NE(problem(bytes.substr(0, bytes.size() - 1)).find("does not match its header"),
            std::string::npos);
  EXPECT_NE(problem(bytes + "x").find("does not match its header"), std::string::npos);
  EXPECT_NE(problem(bytes.substr(0, 20)).find("shorter than its fixed header"), std::string::npos);
  EXPECT_NE(problem("HELMHOLTZ-CACHE\n" + bytes.substr(16)).find("not a helmholtz checkpoint"),
            std::string::npos);
  // Sizes whose sum wraps around are refused, not trusted.
  std::string huge = bytes;
  for (int i = 16; i < 32; ++i) huge[static_cast<std::size_t>(i)] = '\xff';
  EXPECT_NE(problem(huge).find("does not match its header"), std::string::npos);
}

TEST(AtomicWrite, KeepsThePreviousGenerationOnlyOnceTheNewOneIsWhole) {
  TempDir dir;
  const auto file = dir.path() / "last.pt";
  const auto previous = dir.path() / "last.pt.prev";
  write_file_atomic(file, {{"one", 3}}, previous);
  EXPECT_FALSE(std::filesystem::exists(previous));  // nothing to keep yet
  write_file_atomic(file, {{"tw", 2}, {"o", 1}}, previous);
  EXPECT_EQ(testing::read_text(file), "two");
  EXPECT_EQ(testing::read_text(previous), "one");
  // A write that fails (here the folder is gone from under it) leaves both as they were.
  write_file_atomic(file, std::string("three"));
  EXPECT_EQ(testing::read_text(file), "three");
  EXPECT_EQ(testing::read_text(previous), "one");
  const auto missing = dir.path() / "gone" / "last.pt";
  const auto message = testing::error_message_of<RunError>(
      [&] { write_file_atomic(missing, {{"x", 1}}, dir.path() / "gone" / "last.pt.prev"); });
  EXPECT_NE(message.find("gone"), std::string::npos) << message;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "gone"));
}

}  // namespace
}  // namespace helmholtz::core
