// The checkpoint's frame, read without torch: its header fields come back, and a damaged or
// foreign header, or another format, is one DataError naming the file.

#include "helmholtz/run/checkpoint_header.hpp"

#include <gtest/gtest.h>

#include "helmholtz/core/checked_file.hpp"
#include "helmholtz/core/error.hpp"
#include "test_support.hpp"

namespace helmholtz::run {
namespace {

const std::uint8_t* bytes_of(const std::string& s) {
  return reinterpret_cast<const std::uint8_t*>(s.data());
}

std::string problem(const std::string& bytes) {
  return testing::error_message_of<core::DataError>(
      [&] { read_checkpoint_header(bytes_of(bytes), bytes.size(), "last.pt"); });
}

std::string framed(const std::string& header) {
  const std::string archive = "PK\x03\x04 archive";
  return core::checked_bytes(core::CheckedKind::kCheckpoint, header, archive.data(),
                             archive.size());
}

TEST(CheckpointHeader, RoundTripsEpochIdentityAndTheArchive) {
  const std::string archive = "PK\x03\x04 the torch archive";
  const std::string bytes = checkpoint_bytes(7, "dataset=cifar10;quality=5", archive);
  EXPECT_TRUE(is_framed_checkpoint(bytes_of(bytes), bytes.size()));
  EXPECT_FALSE(is_framed_checkpoint(bytes_of(archive), archive.size()));
  const auto h = read_checkpoint_header(bytes_of(bytes), bytes.size(), "last.pt");
  EXPECT_EQ(h.epoch, 7);
  EXPECT_EQ(h.identity, "dataset=cifar10;quality=5");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(h.archive), h.archive_bytes), archive);
}

TEST(CheckpointHeader, DamagedHeadersAndOtherFormatsAreRefused) {
  EXPECT_EQ(problem(framed("[1,2]")), "'last.pt' has a damaged checkpoint header (not a JSON object)");
  EXPECT_EQ(problem(framed("{\"format\":1,\"epoch\":-3,\"identity\":\"x\"}")),
            "'last.pt' has a damaged checkpoint header (no epoch)");
  EXPECT_EQ(problem(framed("{\"format\":1,\"epoch\":3}")),
            "'last.pt' has a damaged checkpoint header (no identity)");
  EXPECT_EQ(problem(framed("{\"format\":9,\"epoch\":3,\"identity\":\"x\"}")),
            "'last.pt' is a checkpoint of format 9; this helmholtz reads format 1");
  EXPECT_NE(problem(framed("{not json")).find("not a JSON object"), std::string::npos);
  EXPECT_NE(problem("PK\x03\x04 an older checkpoint, a bare torch archive of some length").find("not a helmholtz checkpoint"),
            std::string::npos);
}

}  // namespace
}  // namespace helmholtz::run
