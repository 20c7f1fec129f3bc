#pragma once
// The audio sheet of `helmholtz preview`: one clip's mel spectrogram (the network's input,
// 96 bands x 173 frames for a 2 s clip, in dB) after the MP3 round trip at each bitrate, side by
// side in rows of `columns` panels, colour-mapped with magma on one shared scale (0 to -80 dB
// below the loudest bin of all panels), so a reader sees what "8 kbit/s" removes.
//
//   +-----------------------------------------------------------------+
//   | title: the clip, what the axes are                               |
//   |      8 kbit/s               16 kbit/s             32 kbit/s   dB |  panel labels
//   |      2160 B  SNR 4.1 dB ... ...                   ...            |
//   | Hz  [spectrogram]           [spectrogram]         [...]      [] |  colour bar
//   | 4k  low bands at the bottom                                  [] |  0 .. -80
//   |      64 kbit/s ...                                               |
//   +-----------------------------------------------------------------+

#include <torch/torch.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "helmholtz/data/audio_compress.hpp"
#include "helmholtz/features/mel.hpp"
#include "helmholtz/preview/canvas.hpp"

namespace helmholtz::preview {

// Where everything sits on a spectrogram sheet, in pixels. Panel i is in row i / columns and
// column i % columns; a frequency axis is left of each row's first panel, the colour bar right
// of the first row.
struct SpectrogramSheetLayout {
  static constexpr int kMargin = 10;
  static constexpr int kTitleHeight = 21;  // title line and the space under it
  static constexpr int kAxisWidth = 34;    // frequency tick labels ("16k") left of a row
  static constexpr int kLabelHeight = 30;  // two label lines above each panel
  static constexpr int kColumnGap = 12;
  static constexpr int kRowGap = 10;
  static constexpr int kBarGap = 12;  // between the last column and the colour bar
  static constexpr int kBarWidth = 14;
  static constexpr int kBarLabelWidth = 34;  // tick labels right of the bar ("-80")

  int panels = 0;
  int rows = 0;
  int columns = 0;
  int panel_width = 0;   // frames x scale
  int panel_height = 0;  // mel bands x scale
  int width = 0;
  int height = 0;

  int panel_x(int panel) const;  // left edge of a panel's spectrogram
  int panel_y(int panel) const;  // top edge of a panel's spectrogram
  int bar_x() const;             // left edge of the colour bar (top: panel_y(0))
};

SpectrogramSheetLayout spectrogram_sheet_layout(int panels, int columns, int n_mels, int frames,
                                                int scale);

// Parses the --bitrates items (each codec's bitrates, MP3's MPEG bitrates 8..320, or "raw") for
// each codec in turn: the panels are codec-major, raw once. Throws core::UsageError naming
// --bitrates for a bad or repeated item or an empty list.
std::vector<data::Bitrate> parse_bitrates(
    const std::vector<std::string>& items,
    const std::vector<codec::AudioCodec>& codecs = {codec::AudioCodec::kMp3});

struct SpectrogramSheetRequest {
  std::filesystem::path data_dir;  // empty: features::default_audio_data_dir()
  // A clip: an index into the dataset's files (scan_audio_effects(data_dir, "all"), class by
  // class, sorted), or the path of an audio file.
  std::string clip = "0";
  std::vector<data::Bitrate> bitrates;
  int columns = 3;  // panels per row, 1..kMaxColumns
  int scale = 2;    // pixels per frame and per mel band, 1..kMaxSpectrogramScale
};

inline constexpr int kMaxColumns = 16;
inline constexpr int kMaxSpectrogramScale = 8;

// One panel: the clip after the codec at a bitrate, and its mel dB spectrogram.
struct CodedSpectrogram {
  data::Bitrate bitrate;
  std::size_t bytes = 0;       // MP3 bytes (raw: the 16-bit PCM bytes)
  double snr_db = 0;           // against the original (raw: +infinity)
  int output_sample_rate = 0;  // the rate LAME coded at
  torch::Tensor mel_db;        // float32 [n_mels, frames] on the CPU
};

struct SpectrogramSheet {
  Canvas canvas;
  SpectrogramSheetLayout layout;
  std::filesystem::path clip;  // the file shown
  std::vector<CodedSpectrogram> panels;
  float top_db = 0;  // the loudest bin of all panels: the top of the colour scale
};

// Draws `panels` (all of one shape) under `title`.
SpectrogramSheet draw_spectrogram_sheet(const std::string& title,
                                        std::vector<CodedSpectrogram> panels,
                                        const features::MelOptions& mel, int columns, int scale);

// Finds the clip, codes it at every bitrate, computes the spectrograms and draws them. Throws
// core::UsageError naming --clip (index out of range, or neither an index nor a file),
// --columns, --scale or --bitrates; core::DataError when the folder or the clip cannot be read.
SpectrogramSheet make_spectrogram_sheet(const SpectrogramSheetRequest& request);

}  // namespace helmholtz::preview
