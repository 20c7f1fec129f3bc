#pragma once
// The image contact sheet of `helmholtz preview`: test images after a codec's round trip at each
// level, one row per image and one column per (codec, level), so a reader sees what "quality 5"
// does to the pictures a network is trained on; or one column per codec at similar byte sizes.
//
//   +------------------------------------------------------------+
//   | title: dataset, chroma subsampling, scale                   |
//   |            quality 1     quality 5    ...   raw            |  column headers
//   | #0         [image]       [image]      ...   [image]        |  nearest neighbour x scale
//   | class      q1 301 B      q5 412 B     ...   raw 1024 B     |  JPEG bytes (raw: pixel bytes)
//   |            PSNR 19.8 dB  PSNR 24.1 dB ...   original       |
//   | #1         ...                                             |
//   +------------------------------------------------------------+

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "helmholtz/codec/jpeg.hpp"
#include "helmholtz/data/compress.hpp"
#include "helmholtz/data/image_set.hpp"
#include "helmholtz/preview/canvas.hpp"

namespace helmholtz::preview {

// Where everything sits on an image sheet, in pixels. Columns are at least kMinColumnWidth wide
// so their labels fit; the image is centred in its column.
struct ImageSheetLayout {
  static constexpr int kMargin = 10;          // around the whole sheet
  static constexpr int kTitleHeight = 21;     // title line and the space under it
  static constexpr int kHeaderHeight = 19;    // column headers and the space under them
  static constexpr int kRowLabelWidth = 78;   // "#index" and the class name, left of each row
  static constexpr int kMinColumnWidth = 78;  // fits "PSNR 24.1 dB" and "q100 2345 B"
  static constexpr int kColumnGap = 10;
  static constexpr int kLabelHeight = 30;  // two label lines under each image
  static constexpr int kRowGap = 8;

  int rows = 0;
  int columns = 0;
  int cell_width = 0;  // image width x scale
  int cell_height = 0;
  int column_width = 0;
  int width = 0;
  int height = 0;

  int column_left(int column) const;  // left edge of a column
  int cell_x(int column) const;       // left edge of the image in a column
  int cell_y(int row) const;          // top edge of the image in a row
};

ImageSheetLayout image_sheet_layout(int rows, int columns, int image_width, int image_height,
                                    int scale);

// Parses the --qualities items (each codec's levels or "raw") for each codec in turn: the
// columns are codec-major, raw once. Throws core::UsageError naming --qualities for a bad or
// repeated item or an empty list.
std::vector<data::Quality> parse_qualities(const std::vector<std::string>& items,
                                           const std::vector<codec::ImageCodec>& codecs = {
                                               codec::ImageCodec::kJpeg});

// The level of `codec` whose mean payload bytes (the coded data without its container: the
// container is most of a small JPEG or AVIF file) over the images `indices` of `test` is nearest
// `target_bytes` (ties: the lower level), found by coding them at every level of its range.
data::Quality level_nearest_bytes(const data::ImageSet& test,
                                  const std::vector<std::int64_t>& indices, codec::ImageCodec codec,
                                  double target_bytes, codec::Subsampling subsampling);

struct ImageSheetRequest {
  std::string dataset = "fashion-mnist";
  std::filesystem::path data_dir;  // empty: data::default_data_dir(dataset)
  std::vector<data::Quality> qualities;
  int images = 8;                     // the first N test images...
  std::vector<std::int64_t> indices;  // ...or these test images, when not empty
  int scale = 3;                      // nearest-neighbour enlargement, 1..kMaxScale
  codec::Subsampling subsampling = codec::Subsampling::k420;
  // When not empty: one column per codec at the level nearest `match_bytes` mean payload bytes
  // (level_nearest_bytes), then raw; `qualities` is then not used.
  std::vector<codec::ImageCodec> match_codecs;
  double match_bytes = 0;
  // A folder dataset (--dataset folder): val/'s photos as the network sees them at evaluation,
  // each resized (shorter side) and centre-cropped to this side before the codecs code it; the
  // first N images are spread evenly over val/'s sorted listing, so that the classes vary, and
  // --indices are positions in that listing.
  int side = 128;
};

inline constexpr int kMaxScale = 16;

// One cell's figures: the JPEG's size in bytes (raw: the pixel bytes) and its PSNR against the
// original in dB (+infinity when identical; raw: +infinity).
struct ImageCell {
  std::size_t bytes = 0;
  std::size_t payload_bytes = 0;  // the coded data without the container (raw: 0)
  double psnr_db = 0;
};

struct ImageSheet {
  Canvas canvas;
  ImageSheetLayout layout;
  std::vector<std::int64_t> indices;          // the test images, one per row
  std::vector<data::Quality> columns;         // the level of each column
  std::vector<std::vector<ImageCell>> cells;  // [row][column]
};

// Draws the sheet for `indices` of `test` (the dataset's test split, labelled with
// `class_names`; each row numbered by its index, or by `row_numbers` when given). Throws
// core::UsageError naming --indices for an index outside the set,
// --scale for a scale outside 1..kMaxScale.
ImageSheet draw_image_sheet(const data::ImageSet& test, const std::vector<std::string>& class_names,
                            const std::string& title_name, const std::vector<std::int64_t>& indices,
                            const std::vector<data::Quality>& qualities, int scale,
                            codec::Subsampling subsampling,
                            const std::vector<std::int64_t>& row_numbers = {});

// Loads the dataset and draws its sheet. Throws core::UsageError naming the option for an
// unknown --dataset, a bad --images / --indices / --scale or an empty quality list, and
// core::DataError when the dataset cannot be read.
ImageSheet make_image_sheet(const ImageSheetRequest& request);

}  // namespace helmholtz::preview
