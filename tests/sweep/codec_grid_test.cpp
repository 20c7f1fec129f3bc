// A sweep over codecs: each codec's levels in its own scale, one list for all or CODEC=LIST for
// one, raw once, and the cells' folders and ids named by codec.

#include <gtest/gtest.h>

#include "helmholtz/core/error.hpp"
#include "helmholtz/run/settings_file.hpp"
#include "helmholtz/sweep/grid.hpp"
#include "test_support.hpp"

namespace helmholtz::sweep {
namespace {

std::vector<std::string> folders(const std::vector<data::Level>& levels) {
  std::vector<std::string> out;
  for (const auto& l : levels) out.push_back(l.folder_name());
  return out;
}

TEST(CodecGrid, DefaultCodecsKeepTheReferenceGrids) {
  EXPECT_EQ(folders(sweep_levels(parse_codecs("jpeg", false), {}, "--qualities")).size(), 9u);
  EXPECT_EQ(default_levels(data::Codec(codec::ImageCodec::kJpeg)), "1,5,10,15,20,25,50,75,100");
  EXPECT_EQ(default_levels(data::Codec(codec::AudioCodec::kMp3)), "8,16,32,64,96,128,160");
}

TEST(CodecGrid, CodecsAreOfOneKindAndListedOnce) {
  auto m = testing::error_message_of<core::UsageError>([] { parse_codecs("jpeg,mp3", false); });
  EXPECT_NE(m.find("mp3 is an audio codec"), std::string::npos) << m;
  m = testing::error_message_of<core::UsageError>([] { parse_codecs("mp3,jpeg", true); });
  EXPECT_NE(m.find("jpeg is an image codec"), std::string::npos) << m;
  m = testing::error_message_of<core::UsageError>([] { parse_codecs("heic", false); });
  EXPECT_NE(m.find("--codec heic: unknown codec"), std::string::npos) << m;
  EXPECT_EQ(parse_codecs("jpeg,jpeg", false).size(), 1u);
}

#if defined(HELMHOLTZ_WITH_WEBP) && defined(HELMHOLTZ_WITH_J2K)
TEST(CodecGrid, OneListForAllCodecsAndOwnListsPerCodec) {
  const auto codecs = parse_codecs("jpeg,webp,j2k", false);
  EXPECT_EQ(folders(sweep_levels(codecs, {"5,raw", "j2k=20,30"}, "--qualities")),
            (std::vector<std::string>{"quality_5", "quality_raw", "webp_5", "j2k_20", "j2k_30"}));
  // Without a list, each codec takes its own default grid.
  const auto defaults = sweep_levels(parse_codecs("webp", false), {}, "--qualities");
  EXPECT_EQ(defaults.size(), parse_levels(default_levels(codecs[1]), codecs[1]).size());

  auto m = testing::error_message_of<core::UsageError>(
      [&] { sweep_levels(codecs, {"avif=5"}, "--qualities"); });
  EXPECT_NE(m.find("avif is not one of the swept --codecs"), std::string::npos) << m;
  m = testing::error_message_of<core::UsageError>([&] {
    sweep_levels(codecs, {"5", "10"}, "--qualities");
  });
  EXPECT_NE(m.find("given twice"), std::string::npos) << m;
  m = testing::error_message_of<core::UsageError>(
      [&] { sweep_levels(codecs, {"0"}, "--qualities"); });  // JPEG's range is 1..100
  EXPECT_NE(m.find("jpeg takes 1..100"), std::string::npos) << m;
}

// Raw is no codec: listed first by WebP, it is still the one raw run, with JPEG's identity (its
// --subsampling included), and its config file trains exactly that cell.
TEST(CodecGrid, RawListedByAnotherCodecIsTheOneRawRun) {
  const auto levels = sweep_levels(parse_codecs("webp,jpeg", false), {"50,raw"}, "--qualities");
  ASSERT_EQ(levels.size(), 3u);
  EXPECT_EQ(levels[1].folder_name(), "quality_raw");
  EXPECT_EQ(levels[1].codec(), "jpeg");
  run::RunSpec base;
  base.data.level = levels[1];
  run::finalize(base, {});
  const auto cells = expand_grid(base, levels, {0}, {0});
  const auto& raw = cells[1];
  testing::TempDir dir;
  const run::RunSpec back = run::read_run_spec(write_cell_config(raw, dir.path()));
  EXPECT_EQ(run::identity(back), run::identity(raw.spec));
  EXPECT_EQ(run::identity_line(run::identity(raw.spec)).find("codec="), std::string::npos);
  EXPECT_NE(run::identity_line(run::identity(raw.spec)).find("subsampling=420"),
            std::string::npos);
}

TEST(CodecGrid, CellsAreNamedByCodec) {
  run::RunSpec base;
  base.data.level = data::Quality::parse("5");
  run::finalize(base, {});
  const auto levels = sweep_levels(parse_codecs("jpeg,webp", false), {"50,raw"}, "--qualities");
  const auto cells = expand_grid(base, levels, {0}, {0});
  ASSERT_EQ(cells.size(), 3u);
  EXPECT_EQ(cells[0].id, "all-cnns-quality_50-seed_0");
  EXPECT_EQ(cells[1].id, "all-cnns-quality_raw-seed_0");
  EXPECT_EQ(cells[2].id, "all-cnns-webp_50-seed_0");
  EXPECT_EQ(cells[2].run_dir.filename(), "webp_50");
  EXPECT_EQ(cells[2].spec.data.codec_level().codec(), "webp");
}
#endif

}  // namespace
}  // namespace helmholtz::sweep
