#include "helmholtz/preview/canvas.hpp"

#include <gd.h>
#include <gdfontmb.h>
#include <gdfonts.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/files.hpp"

namespace helmholtz::preview {
namespace fs = std::filesystem;
namespace {

gdFontPtr gd_font(Font font) {
  return font == Font::kBold ? gdFontGetMediumBold() : gdFontGetSmall();
}

int gd_colour(Rgb c) { return gdTrueColor(c.r, c.g, c.b); }

// gdFree for buffers libgd allocates.
struct GdFree {
  void operator()(void* p) const { gdFree(p); }
};

}  // namespace

int font_width(Font font) { return gd_font(font)->w; }
int font_height(Font font) { return gd_font(font)->h; }
int text_width(const std::string& text, Font font) {
  return static_cast<int>(text.size()) * font_width(font);
}

std::string fit_text(const std::string& text, int max_width, Font font) {
  const int chars = std::max(0, max_width / font_width(font));
  if (static_cast<int>(text.size()) <= chars) return text;
  if (chars <= 3) return text.substr(0, static_cast<std::size_t>(chars));
  return text.substr(0, static_cast<std::size_t>(chars - 3)) + "...";
}

void check_output_file(const fs::path& file) {
  const fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    throw core::RunError("cannot write '" + file.string() + "': folder '" + folder.string() +
                         "' does not exist (create it, or choose another --out)");
  }
  if (fs::is_directory(file, ec)) {
    throw core::RunError("cannot write '" + file.string() + "': it is a folder (--out names the " +
                         "PNG file to write)");
  }
  if (::access(folder.c_str(), W_OK) != 0) {
    throw core::RunError("cannot write '" + file.string() + "': folder '" + folder.string() +
                         "' is not writable (choose another --out)");
  }
}

void Canvas::Destroy::operator()(gdImageStruct* image) const { gdImageDestroy(image); }

Canvas::Canvas(gdImageStruct* image) : image_(image) {}

Canvas::Canvas(int width, int height, Rgb background) {
  if (width <= 0 || height <= 0) {
    throw core::UsageError("a canvas of " + std::to_string(width) + " x " + std::to_string(height) +
                           " pixels is empty");
  }
  image_.reset(gdImageCreateTrueColor(width, height));
  if (!image_) {
    throw core::RunError("libgd could not allocate a " + std::to_string(width) + " x " +
                         std::to_string(height) + " image");
  }
  // Opaque drawing: every pixel is replaced, never blended.
  gdImageAlphaBlending(image_.get(), 0);
  fill(0, 0, width, height, background);
}

int Canvas::width() const { return gdImageSX(image_.get()); }
int Canvas::height() const { return gdImageSY(image_.get()); }

void Canvas::set(int x, int y, Rgb colour) {
  gdImageSetPixel(image_.get(), x, y, gd_colour(colour));
}

Rgb Canvas::get(int x, int y) const {
  const int c = gdImageGetTrueColorPixel(image_.get(), x, y);
  return Rgb{static_cast<std::uint8_t>(gdTrueColorGetRed(c)),
             static_cast<std::uint8_t>(gdTrueColorGetGreen(c)),
             static_cast<std::uint8_t>(gdTrueColorGetBlue(c))};
}

void Canvas::fill(int x, int y, int width, int height, Rgb colour) {
  if (width <= 0 || height <= 0) return;
  gdImageFilledRectangle(image_.get(), x, y, x + width - 1, y + height - 1, gd_colour(colour));
}

void Canvas::text(int x, int y, const std::string& text, Rgb colour, Font font) {
  std::vector<unsigned char> chars(text.begin(), text.end());
  chars.push_back(0);
  gdImageString(image_.get(), gd_font(font), x, y, chars.data(), gd_colour(colour));
}

void Canvas::text_centred(int centre_x, int y, const std::string& text, Rgb colour, Font font) {
  this->text(centre_x - text_width(text, font) / 2, y, text, colour, font);
}

void Canvas::write_png(const fs::path& file) const {
  int size = 0;
  // Level 9: the sheets are small and mostly flat colour; the smallest file costs milliseconds.
  std::unique_ptr<void, GdFree> png(gdImagePngPtrEx(image_.get(), &size, 9));
  if (!png || size <= 0) {
    throw core::RunError("cannot write '" + file.string() + "': libgd could not encode the PNG");
  }
  try {
    core::write_file_atomic(
        file, std::string(static_cast<const char*>(png.get()), static_cast<std::size_t>(size)));
  } catch (const core::Error& e) {
    throw core::RunError("cannot write '" + file.string() + "': " + e.what());
  }
}

Canvas Canvas::read_png(const fs::path& file) {
  std::vector<std::uint8_t> bytes = core::read_file_bytes(file);
  static constexpr std::uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (bytes.size() < sizeof kSignature || std::memcmp(bytes.data(), kSignature, 8) != 0) {
    throw core::DataError("'" + file.string() + "' is not a PNG file (no PNG signature)");
  }
  gdImagePtr image = gdImageCreateFromPngPtr(static_cast<int>(bytes.size()), bytes.data());
  if (image == nullptr) {
    throw core::DataError("'" + file.string() + "' is a damaged PNG file (libgd cannot read it)");
  }
  Canvas canvas(image);
  if (!gdImageTrueColor(image) && !gdImagePaletteToTrueColor(image)) {
    throw core::DataError("'" + file.string() + "': libgd could not convert its palette");
  }
  return canvas;
}

}  // namespace helmholtz::preview
