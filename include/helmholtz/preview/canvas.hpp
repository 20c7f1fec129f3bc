#pragma once
// An RGB raster to draw contact sheets on, and PNG files in and out, through libgd.
//
// Why libgd (Debian: libgd-dev) and not cairo: its bitmap fonts are compiled into the library,
// so labels come out pixel-identical on every machine with no font files or fontconfig to
// install, and crisp at the small sizes a contact sheet needs; one small C API draws pixels,
// rectangles and text and reads and writes PNG. Cairo's toy text API would pick whatever
// system font fontconfig finds (or none on a bare machine).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

struct gdImageStruct;  // libgd's image, kept out of this header

namespace helmholtz::preview {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb& o) const { return r == o.r && g == o.g && b == o.b; }
  bool operator!=(const Rgb& o) const { return !(*this == o); }
};

// libgd's built-in fonts: Small is 6 x 13 pixels a character, Bold (gd's MediumBold) 7 x 13.
enum class Font { kSmall, kBold };

int font_width(Font font);   // pixels per character
int font_height(Font font);  // pixels per line
int text_width(const std::string& text, Font font);

// `text` cut to at most `max_width` pixels, ending in "..." when it was cut.
std::string fit_text(const std::string& text, int max_width, Font font);

// Checks, before any work is done, that `file` can be written: its folder exists and is
// writable and `file` is not a folder. Throws core::RunError naming the file otherwise.
void check_output_file(const std::filesystem::path& file);

// A true-colour image that owns its libgd handle. Drawing outside the image is clipped.
class Canvas {
 public:
  Canvas(int width, int height, Rgb background);
  Canvas(Canvas&&) noexcept = default;
  Canvas& operator=(Canvas&&) noexcept = default;

  int width() const;
  int height() const;

  void set(int x, int y, Rgb colour);
  Rgb get(int x, int y) const;
  void fill(int x, int y, int width, int height, Rgb colour);
  // Text with its top-left corner at (x, y); ASCII only (the fonts are ISO-8859-2).
  void text(int x, int y, const std::string& text, Rgb colour, Font font);
  // Text centred horizontally on `centre_x`.
  void text_centred(int centre_x, int y, const std::string& text, Rgb colour, Font font);

  // Writes the image as PNG through a temporary file and a rename. Throws core::RunError naming
  // `file` when it cannot be written.
  void write_png(const std::filesystem::path& file) const;

  // Reads a PNG file (any colour type). Throws core::DataError naming the file when it is
  // missing or not a PNG.
  static Canvas read_png(const std::filesystem::path& file);

 private:
  struct Destroy {
    void operator()(gdImageStruct* image) const;
  };
  explicit Canvas(gdImageStruct* image);
  std::unique_ptr<gdImageStruct, Destroy> image_;
};

}  // namespace helmholtz::preview
