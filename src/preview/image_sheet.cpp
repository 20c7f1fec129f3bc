#include "helmholtz/preview/image_sheet.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>

#include "helmholtz/core/error.hpp"
#include "helmholtz/data/datasets.hpp"
#include "helmholtz/data/folder_loader.hpp"
#include "helmholtz/data/image_folder.hpp"

namespace helmholtz::preview {
namespace {

constexpr Rgb kPaper{255, 255, 255};
constexpr Rgb kInk{25, 25, 25};
constexpr Rgb kMuted{105, 105, 105};

// The first candidate that fits `width` pixels, else the last one cut to fit.
std::string first_fitting(const std::vector<std::string>& candidates, int width, Font font) {
  for (const auto& c : candidates) {
    if (text_width(c, font) <= width) return c;
  }
  return fit_text(candidates.back(), width, font);
}

std::string format_psnr(double db) {
  if (std::isinf(db)) return "identical";
  char text[32];
  std::snprintf(text, sizeof text, "PSNR %.1f dB", db);
  return text;
}

bool jpeg_or_raw(const data::Quality& q) { return q.raw || q.codec == codec::ImageCodec::kJpeg; }

// "q5 412 B"; with `split` (a sheet of several codecs), "webp76 210+20 B": payload + container,
// since the container is most of a small image's file for some codecs and none for others.
std::string cell_caption(const data::Quality& q, const ImageCell& cell, bool split) {
  const std::string level =
      q.raw ? "raw " : (jpeg_or_raw(q) ? "q" : codec::to_string(q.codec)) + q.to_string() + " ";
  if (!split || q.raw) return level + std::to_string(cell.bytes) + " B";
  return level + std::to_string(cell.payload_bytes) + "+" +
         std::to_string(cell.bytes - cell.payload_bytes) + " B";
}

std::string column_header(const data::Quality& q, bool several_codecs) {
  if (q.raw) return "raw";
  return (jpeg_or_raw(q) && !several_codecs ? std::string("quality") : codec::to_string(q.codec)) +
         " " + q.to_string();
}

void check_scale(int scale) {
  if (scale < 1 || scale > kMaxScale) {
    throw core::UsageError("--scale " + std::to_string(scale) + ": use 1.." +
                           std::to_string(kMaxScale) + " (pixels per image pixel)");
  }
}

// Copies an HWC image (1 or 3 channels) onto the canvas, each pixel a scale x scale block.
void blit(Canvas& canvas, const std::uint8_t* pixels, int width, int height, int channels,
          int scale, int x0, int y0) {
  for (int y = 0; y < height * scale; ++y) {
    for (int x = 0; x < width * scale; ++x) {
      const std::uint8_t* p =
          pixels + (static_cast<std::size_t>(y / scale) * width + x / scale) * channels;
      canvas.set(x0 + x, y0 + y, channels == 3 ? Rgb{p[0], p[1], p[2]} : Rgb{p[0], p[0], p[0]});
    }
  }
}

}  // namespace

int ImageSheetLayout::column_left(int column) const {
  return kMargin + kRowLabelWidth + column * (column_width + kColumnGap);
}

int ImageSheetLayout::cell_x(int column) const {
  return column_left(column) + (column_width - cell_width) / 2;
}

int ImageSheetLayout::cell_y(int row) const {
  return kMargin + kTitleHeight + kHeaderHeight + row * (cell_height + kLabelHeight + kRowGap);
}

ImageSheetLayout image_sheet_layout(int rows, int columns, int image_width, int image_height,
                                    int scale) {
  ImageSheetLayout l;
  l.rows = rows;
  l.columns = columns;
  l.cell_width = image_width * scale;
  l.cell_height = image_height * scale;
  l.column_width = std::max(l.cell_width, ImageSheetLayout::kMinColumnWidth);
  l.width = 2 * ImageSheetLayout::kMargin + ImageSheetLayout::kRowLabelWidth +
            columns * l.column_width + (columns - 1) * ImageSheetLayout::kColumnGap;
  l.height = 2 * ImageSheetLayout::kMargin + ImageSheetLayout::kTitleHeight +
             ImageSheetLayout::kHeaderHeight +
             rows * (l.cell_height + ImageSheetLayout::kLabelHeight) +
             (rows - 1) * ImageSheetLayout::kRowGap;
  return l;
}

std::vector<data::Quality> parse_qualities(const std::vector<std::string>& items,
                                           const std::vector<codec::ImageCodec>& codecs) {
  if (items.empty()) {
    throw core::UsageError("--qualities: give at least one JPEG quality (1..100) or raw");
  }
  std::vector<data::Quality> qualities;
  bool raw = false;
  for (const auto codec : codecs) {
    for (const auto& item : items) {
      data::Quality q;
      try {
        q = data::Quality::parse(item, codec);
      } catch (const core::UsageError& e) {
        throw core::UsageError("--qualities: " + std::string(e.what()));
      }
      if (q.raw && raw && codec != codecs.front()) continue;  // one raw column for all codecs
      for (const auto& seen : qualities) {
        if (seen.raw == q.raw && seen.value == q.value && seen.codec == q.codec) {
          throw core::UsageError("--qualities: '" + item + "' is listed twice");
        }
      }
      raw = raw || q.raw;
      qualities.push_back(q);
    }
  }
  // Over several codecs raw, the uncoded original, closes the sheet.
  if (codecs.size() > 1) {
    std::stable_partition(qualities.begin(), qualities.end(),
                          [](const data::Quality& q) { return !q.raw; });
  }
  return qualities;
}

ImageSheet draw_image_sheet(const data::ImageSet& test, const std::vector<std::string>& class_names,
                            const std::string& title_name, const std::vector<std::int64_t>& indices,
                            const std::vector<data::Quality>& qualities, int scale,
                            codec::Subsampling subsampling,
                            const std::vector<std::int64_t>& row_numbers) {
  check_scale(scale);
  if (qualities.empty()) {
    throw core::UsageError("--qualities: give at least one JPEG quality (1..100) or raw");
  }
  if (indices.empty()) throw core::UsageError("--indices: give at least one test image");
  for (const std::int64_t i : indices) {
    if (i < 0 || i >= test.count) {
      throw core::UsageError("--indices " + std::to_string(i) + ": out of range (the " +
                             title_name + " test set holds " + std::to_string(test.count) +
                             " images, 0.." + std::to_string(test.count - 1) + ")");
    }
  }
  const int rows = static_cast<int>(indices.size());
  const int columns = static_cast<int>(qualities.size());
  const ImageSheetLayout layout = image_sheet_layout(rows, columns, test.width, test.height, scale);
  ImageSheet sheet{Canvas(layout.width, layout.height, kPaper), layout, indices, qualities, {}};
  Canvas& canvas = sheet.canvas;
  using L = ImageSheetLayout;

  // Title, shortened to what the sheet's width holds.
  std::string chroma;
  if (test.channels == 3) {
    chroma = subsampling == codec::Subsampling::k420 ? ", 4:2:0 chroma" : ", 4:4:4 chroma";
  }
  const std::string x = "x" + std::to_string(scale);
  const bool jpeg_only = std::all_of(qualities.begin(), qualities.end(), jpeg_or_raw);
  if (!jpeg_only) chroma.clear();  // --subsampling is JPEG's
  const std::string what = jpeg_only ? "JPEG" : "each codec";
  canvas.text(
      L::kMargin, L::kMargin,
      first_fitting(
          {title_name + " test images after " + (jpeg_only ? "a JPEG" : "each codec's") +
               " round trip" + chroma + ", " + x + " nearest neighbour" +
               (jpeg_only ? "" : "; bytes: payload+container"),
           title_name + " after " + what + chroma + ", " + x +
               (jpeg_only ? "" : "; bytes: payload+container"),
           title_name + " test images after " + (jpeg_only ? "a JPEG" : "each codec's") +
               " round trip" + chroma + ", " + x + " nearest neighbour",
           title_name + " after " + what + chroma + ", " + x, title_name + ", " + what + " " + x},
          layout.width - 2 * L::kMargin, Font::kBold),
      kInk, Font::kBold);

  // Column headers.
  const int header_y = L::kMargin + L::kTitleHeight;
  for (int c = 0; c < columns; ++c) {
    const auto& q = qualities[static_cast<std::size_t>(c)];
    const std::string header = column_header(q, !jpeg_only);
    canvas.text_centred(layout.column_left(c) + layout.column_width / 2, header_y,
                        fit_text(header, layout.column_width, Font::kBold), kInk, Font::kBold);
  }

  std::vector<std::unique_ptr<codec::ImageCoder>> coders;  // one per column (raw: none)
  for (const auto& q : qualities) {
    coders.push_back(q.raw ? nullptr : codec::make_image_coder(q.codec, q.value, subsampling));
  }
  std::vector<std::uint8_t> decoded(test.image_bytes());
  const int line = font_height(Font::kSmall);
  for (int r = 0; r < rows; ++r) {
    const std::int64_t index = indices[static_cast<std::size_t>(r)];
    const std::uint8_t* original = test.image(index);
    const int y = layout.cell_y(r);

    // Row label: the index and the class, centred on the image's height.
    const std::uint8_t label = test.labels[static_cast<std::size_t>(index)];
    const std::string name =
        label < class_names.size() ? class_names[label] : "class " + std::to_string(label);
    const int label_y = y + layout.cell_height / 2 - line;
    const std::int64_t number =
        row_numbers.empty() ? index : row_numbers[static_cast<std::size_t>(r)];
    canvas.text(L::kMargin, label_y, "#" + std::to_string(number), kInk, Font::kBold);
    canvas.text(L::kMargin, label_y + line, fit_text(name, L::kRowLabelWidth - 4, Font::kSmall),
                kMuted, Font::kSmall);

    std::vector<ImageCell> cells;
    for (int c = 0; c < columns; ++c) {
      const auto& q = qualities[static_cast<std::size_t>(c)];
      ImageCell cell;
      const std::uint8_t* shown = original;
      if (q.raw) {
        cell.bytes = test.image_bytes();
        cell.psnr_db = std::numeric_limits<double>::infinity();
      } else {
        auto& coder = *coders[static_cast<std::size_t>(c)];
        const auto bytes = coder.encode(original, test.width, test.height, test.channels);
        coder.decode(bytes.data(), bytes.size(), decoded.data(), test.width, test.height,
                     test.channels);
        cell.bytes = bytes.size();
        cell.payload_bytes = coder.payload_bytes(bytes.data(), bytes.size());
        cell.psnr_db = codec::psnr(original, decoded.data(), decoded.size());
        shown = decoded.data();
      }
      blit(canvas, shown, test.width, test.height, test.channels, scale, layout.cell_x(c), y);
      const int centre = layout.column_left(c) + layout.column_width / 2;
      const int text_y = y + layout.cell_height + 3;
      canvas.text_centred(
          centre, text_y,
          fit_text(cell_caption(q, cell, !jpeg_only), layout.column_width, Font::kSmall), kInk,
          Font::kSmall);
      canvas.text_centred(centre, text_y + line,
                          fit_text(q.raw ? "original" : format_psnr(cell.psnr_db),
                                   layout.column_width, Font::kSmall),
                          kMuted, Font::kSmall);
      cells.push_back(cell);
    }
    sheet.cells.push_back(std::move(cells));
  }
  return sheet;
}

data::Quality level_nearest_bytes(const data::ImageSet& test,
                                  const std::vector<std::int64_t>& indices, codec::ImageCodec codec,
                                  double target_bytes, codec::Subsampling subsampling) {
  if (!(target_bytes > 0)) throw core::UsageError("--bytes: give a positive number of bytes");
  if (indices.empty()) throw core::UsageError("--indices: give at least one test image");
  const auto& info = codec::image_codec_info(codec);
  data::Quality best{false, info.min_quality, codec};
  double best_gap = std::numeric_limits<double>::infinity();
  for (int q = info.min_quality; q <= info.max_quality; ++q) {
    const auto coder = codec::make_image_coder(codec, q, subsampling);
    double bytes = 0;
    for (const std::int64_t i : indices) {
      const auto coded = coder->encode(test.image(i), test.width, test.height, test.channels);
      bytes += static_cast<double>(coder->payload_bytes(coded.data(), coded.size()));
    }
    const double gap = std::abs(bytes / static_cast<double>(indices.size()) - target_bytes);
    if (gap < best_gap) {  // ties keep the lower level
      best_gap = gap;
      best.value = q;
    }
  }
  return best;
}

namespace {

// The photos of a folder dataset's val/ at `indices` (positions in its listing), resized and
// centre-cropped to request.side as the loader does for evaluation: a test set of those images
// alone (image i is indices[i]).
data::ImageDataset folder_sheet_images(const ImageSheetRequest& request,
                                       std::vector<std::int64_t>* indices) {
  if (request.data_dir.empty()) {
    throw core::UsageError("--dataset folder needs --data-dir D (train/<class>/, val/<class>/)");
  }
  if (request.side < 8 || request.side > 1024) {
    throw core::UsageError("--crop " + std::to_string(request.side) + ": use 8 to 1024 pixels");
  }
  const data::ImageFolder folder = data::list_image_folder(request.data_dir);
  const auto count = static_cast<std::int64_t>(folder.val.images.size());
  if (indices->empty()) {
    if (request.images > count) {
      throw core::UsageError("--images " + std::to_string(request.images) + ": val/ of '" +
                             folder.root.string() + "' holds only " + std::to_string(count) +
                             " images");
    }
    for (std::int64_t i = 0; i < request.images; ++i)
      indices->push_back(i * count / request.images);
  }
  data::ImageDataset d;
  d.name = "folder " + folder.root.filename().string();
  d.class_names = folder.classes;
  d.num_classes = static_cast<int>(folder.classes.size());
  d.test.height = d.test.width = request.side;
  d.test.channels = 3;
  data::TransformOptions transform;
  transform.crop = request.side;
  transform.resize = request.side;
  const data::LoaderFiles files = data::loader_files(folder.val);
  for (const std::int64_t i : *indices) {
    if (i < 0 || i >= count) {
      throw core::UsageError("--indices " + std::to_string(i) + ": out of range (val/ of '" +
                             folder.root.string() + "' holds " + std::to_string(count) +
                             " images, 0.." + std::to_string(count - 1) + ")");
    }
    const auto pixels = data::load_sample(files, static_cast<std::size_t>(i),
                                          data::LoaderMode::kEval, transform, 0, 0);
    d.test.pixels.insert(d.test.pixels.end(), pixels.begin(), pixels.end());
    d.test.labels.push_back(
        static_cast<std::uint8_t>(files.files[static_cast<std::size_t>(i)].label));
    ++d.test.count;
  }
  return d;
}

}  // namespace

ImageSheet make_image_sheet(const ImageSheetRequest& request) {
  const auto& names = data::image_dataset_names();
  const bool folder = data::is_folder_dataset(request.dataset);
  if (!folder && std::find(names.begin(), names.end(), request.dataset) == names.end()) {
    data::check_dataset_name(request.dataset);  // names every dataset when unknown
    throw core::UsageError("--dataset " + request.dataset +
                           ": not an image dataset (this preview takes cifar10, fashion-mnist or "
                           "folder)");
  }
  check_scale(request.scale);
  if (request.qualities.empty() && request.match_codecs.empty()) {
    throw core::UsageError("--qualities: give at least one JPEG quality (1..100) or raw");
  }
  if (request.indices.empty() && request.images < 1) {
    throw core::UsageError("--images " + std::to_string(request.images) +
                           ": show at least one image");
  }
  std::vector<std::int64_t> indices = request.indices;
  // A folder's sheet holds the chosen photos alone: its rows are images 0..n-1 of that set.
  std::vector<std::int64_t> positions = request.indices;
  const data::ImageDataset dataset =
      folder ? folder_sheet_images(request, &positions)
             : data::load_image_dataset(request.dataset, request.data_dir);
  if (folder) {
    indices.clear();
    for (std::int64_t i = 0; i < dataset.test.count; ++i) indices.push_back(i);
  }
  if (indices.empty()) {
    if (request.images > dataset.test.count) {
      throw core::UsageError("--images " + std::to_string(request.images) + ": the " +
                             request.dataset + " test set holds only " +
                             std::to_string(dataset.test.count) + " images");
    }
    for (std::int64_t i = 0; i < request.images; ++i) indices.push_back(i);
  }
  std::vector<data::Quality> columns = request.qualities;
  if (!request.match_codecs.empty()) {
    columns.clear();
    for (const auto codec : request.match_codecs) {
      columns.push_back(level_nearest_bytes(dataset.test, indices, codec, request.match_bytes,
                                            request.subsampling));
    }
    columns.push_back(data::Quality{true, 0});
  }
  ImageSheet sheet =
      draw_image_sheet(dataset.test, dataset.class_names, folder ? dataset.name : request.dataset,
                       indices, columns, request.scale, request.subsampling,
                       folder ? positions : std::vector<std::int64_t>{});
  if (folder) sheet.indices = positions;  // the rows' photos, as positions in val/
  return sheet;
}

}  // namespace helmholtz::preview
