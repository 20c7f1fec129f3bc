// Checked cache files: what is written reads back, and any damage is reported, never used.

#include "helmholtz/core/checked_file.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <numeric>
#include <vector>

#include "helmholtz/core/error.hpp"
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

void flip_byte(const std::filesystem::path& file, std::streamoff offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(offset);
  char c = 0;
  f.get(c);
  f.seekp(offset);
  f.put(static_cast<char>(c ^ 0x01));
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
  flip_byte(file, 32 + 1 + 2000);
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

}  // namespace
}  // namespace helmholtz::core
