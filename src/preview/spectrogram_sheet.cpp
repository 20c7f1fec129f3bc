#include "helmholtz/preview/spectrogram_sheet.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

#include "helmholtz/core/error.hpp"
#include "helmholtz/data/audio_dataset.hpp"
#include "helmholtz/features/audio_features.hpp"
#include "helmholtz/preview/colormap.hpp"

namespace helmholtz::preview {
namespace fs = std::filesystem;
namespace {

constexpr Rgb kPaper{255, 255, 255};
constexpr Rgb kInk{25, 25, 25};
constexpr Rgb kMuted{105, 105, 105};
constexpr double kRangeDb = 80;  // the colour scale spans the reference's top_db

std::string first_fitting(const std::vector<std::string>& candidates, int width, Font font) {
  for (const auto& c : candidates) {
    if (text_width(c, font) <= width) return c;
  }
  return fit_text(candidates.back(), width, font);
}

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}

// "32 kbit/s"; "Opus 32 kbit/s" when the sheet is not MP3 alone (`name_codec`).
std::string panel_title(const CodedSpectrogram& p, bool name_codec) {
  if (p.bitrate.raw) return "raw (no codec)";
  return (name_codec ? codec::audio_codec_display_name(p.bitrate.codec) + " " : "") +
         p.bitrate.to_string() + " kbit/s";
}

std::string panel_figures(const CodedSpectrogram& p) {
  if (p.bitrate.raw) return "16-bit PCM " + std::to_string(p.bytes) + " B";
  return std::to_string(p.bytes) + " B  SNR " + format("%.1f dB", p.snr_db) + "  at " +
         format("%g kHz", p.output_sample_rate / 1000.0);
}

bool all_digits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](unsigned char c) { return std::isdigit(c) != 0; });
}

// The clip to show and a short name for it ("Chorus/Chorus_0000.wav").
fs::path resolve_clip(const SpectrogramSheetRequest& r) {
  if (all_digits(r.clip)) {
    const fs::path dir = r.data_dir.empty() ? features::default_audio_data_dir() : r.data_dir;
    const auto list = data::scan_audio_effects(dir, "all");
    const std::size_t n = list.files.size();
    if (r.clip.size() > 18 || std::stoull(r.clip) >= n) {
      throw core::UsageError("--clip " + r.clip + ": out of range ('" + dir.string() + "' holds " +
                             std::to_string(n) + " clips, 0.." + std::to_string(n - 1) + ")");
    }
    return list.files[std::stoull(r.clip)];
  }
  std::error_code ec;
  if (!fs::is_regular_file(r.clip, ec)) {
    throw core::UsageError("--clip '" + r.clip +
                           "': neither a clip index (0, 1, ...) nor an existing audio file");
  }
  return r.clip;
}

// Position of `hz` in mel bands, as a fraction of the band axis: band m is centred on the
// (m + 1)-th of n_mels + 2 points spaced evenly in mel from fmin to fmax.
double band_of(double hz, const features::MelOptions& mel) {
  const double lo = features::hz_to_mel_slaney(mel.fmin);
  const double hi = features::hz_to_mel_slaney(features::resolved_fmax(mel));
  return (features::hz_to_mel_slaney(hz) - lo) / (hi - lo) * (mel.n_mels + 1) - 1;
}

void check_ranges(int columns, int scale) {
  if (columns < 1 || columns > kMaxColumns) {
    throw core::UsageError("--columns " + std::to_string(columns) + ": use 1.." +
                           std::to_string(kMaxColumns));
  }
  if (scale < 1 || scale > kMaxSpectrogramScale) {
    throw core::UsageError("--scale " + std::to_string(scale) + ": use 1.." +
                           std::to_string(kMaxSpectrogramScale) +
                           " for audio (pixels per frame and per mel band)");
  }
}

}  // namespace

int SpectrogramSheetLayout::panel_x(int panel) const {
  return kMargin + kAxisWidth + (panel % columns) * (panel_width + kColumnGap);
}

int SpectrogramSheetLayout::panel_y(int panel) const {
  return kMargin + kTitleHeight + kLabelHeight +
         (panel / columns) * (kLabelHeight + panel_height + kRowGap);
}

int SpectrogramSheetLayout::bar_x() const {
  return kMargin + kAxisWidth + columns * panel_width + (columns - 1) * kColumnGap + kBarGap;
}

SpectrogramSheetLayout spectrogram_sheet_layout(int panels, int columns, int n_mels, int frames,
                                                int scale) {
  using L = SpectrogramSheetLayout;
  L l;
  l.panels = panels;
  l.columns = std::min(columns, panels);
  l.rows = (panels + l.columns - 1) / l.columns;
  l.panel_width = frames * scale;
  l.panel_height = n_mels * scale;
  l.width = 2 * L::kMargin + L::kAxisWidth + l.columns * l.panel_width +
            (l.columns - 1) * L::kColumnGap + L::kBarGap + L::kBarWidth + L::kBarLabelWidth;
  l.height = 2 * L::kMargin + L::kTitleHeight + l.rows * (L::kLabelHeight + l.panel_height) +
             (l.rows - 1) * L::kRowGap;
  return l;
}

std::vector<data::Bitrate> parse_bitrates(const std::vector<std::string>& items,
                                          const std::vector<codec::AudioCodec>& codecs) {
  if (items.empty()) {
    throw core::UsageError("--bitrates: give at least one MP3 bitrate (kbit/s) or raw");
  }
  std::vector<data::Bitrate> bitrates;
  bool raw = false;
  for (const auto codec : codecs) {
    for (const auto& item : items) {
      data::Bitrate b;
      try {
        b = data::Bitrate::parse(item, codec);
      } catch (const core::UsageError& e) {
        // Bitrate::parse names --bitrate; say which option of this command it was.
        const std::string why = e.what();
        if (why.rfind("--bitrate ", 0) == 0) {
          throw core::UsageError("--bitrates " + why.substr(10));
        }
        throw core::UsageError("--bitrates: " + why);
      }
      if (b.raw && raw && codec != codecs.front()) continue;  // one raw panel for all codecs
      for (const auto& seen : bitrates) {
        if (seen.raw == b.raw && seen.kbps == b.kbps && seen.codec == b.codec) {
          throw core::UsageError("--bitrates: '" + item + "' is listed twice");
        }
      }
      raw = raw || b.raw;
      bitrates.push_back(b);
    }
  }
  if (codecs.size() > 1) {  // over several codecs raw, the uncoded clip, closes the sheet
    std::stable_partition(bitrates.begin(), bitrates.end(),
                          [](const data::Bitrate& b) { return !b.raw; });
  }
  return bitrates;
}

SpectrogramSheet draw_spectrogram_sheet(const std::string& title,
                                        std::vector<CodedSpectrogram> panels,
                                        const features::MelOptions& mel, int columns, int scale) {
  check_ranges(columns, scale);
  TORCH_CHECK(!panels.empty(), "draw_spectrogram_sheet: no panels");
  const auto shape = panels.front().mel_db.sizes().vec();
  TORCH_CHECK(shape.size() == 2, "draw_spectrogram_sheet: spectrograms are [bands, frames]");
  float top = -std::numeric_limits<float>::infinity();
  for (auto& p : panels) {
    TORCH_CHECK(p.mel_db.sizes().vec() == shape, "draw_spectrogram_sheet: panels differ in shape");
    p.mel_db = p.mel_db.to(torch::kCPU, torch::kFloat32).contiguous();
    top = std::max(top, p.mel_db.max().item<float>());
  }
  const int bands = static_cast<int>(shape[0]);
  const int frames = static_cast<int>(shape[1]);
  const auto layout =
      spectrogram_sheet_layout(static_cast<int>(panels.size()), columns, bands, frames, scale);
  using L = SpectrogramSheetLayout;
  Canvas canvas(layout.width, layout.height, kPaper);
  const int line = font_height(Font::kSmall);

  // Title: the clip, then what the axes are, as much as the width holds.
  const double seconds = static_cast<double>(frames - 1) * mel.hop / mel.sample_rate;
  const std::string axes = std::to_string(bands) + " mel bands (" +
                           format("%g", features::resolved_fmax(mel) / 1000.0) +
                           " kHz at the top) x " + std::to_string(frames) + " frames (" +
                           format("%.2f s", seconds) + ")";
  std::string codecs;
  for (const auto& p : panels) {
    if (p.bitrate.raw) continue;
    const std::string name = codec::audio_codec_display_name(p.bitrate.codec);
    if (codecs.find(name) == std::string::npos) codecs += (codecs.empty() ? "" : ", ") + name;
  }
  if (codecs.empty()) codecs = "no codec";
  canvas.text(L::kMargin, L::kMargin,
              first_fitting({title + ": mel spectrogram after " + codecs + ", " + axes,
                             title + ": mel spectrogram after " + codecs + ", " +
                                 std::to_string(bands) + " bands x " + std::to_string(frames) +
                                 " frames (" + format("%.2f s", seconds) + ")",
                             title + ": after " + codecs + ", " + std::to_string(bands) + " x " +
                                 std::to_string(frames),
                             title},
                            layout.width - 2 * L::kMargin, Font::kBold),
              kInk, Font::kBold);

  // Tick frequencies for the axis left of each row.
  struct Tick {
    double hz;
    const char* label;
  };
  const Tick ticks[] = {{250, "250"}, {1000, "1k"}, {4000, "4k"}, {16000, "16k"}};

  for (int i = 0; i < layout.panels; ++i) {
    const auto& p = panels[static_cast<std::size_t>(i)];
    const int x0 = layout.panel_x(i);
    const int y0 = layout.panel_y(i);
    canvas.text(x0, y0 - L::kLabelHeight + 1,
                fit_text(panel_title(p, codecs != "MP3"), layout.panel_width, Font::kBold), kInk,
                Font::kBold);
    canvas.text(x0, y0 - L::kLabelHeight + 1 + line,
                fit_text(panel_figures(p), layout.panel_width, Font::kSmall), kMuted, Font::kSmall);
    const auto values = p.mel_db.accessor<float, 2>();
    for (int y = 0; y < layout.panel_height; ++y) {
      const int band = bands - 1 - y / scale;  // low bands at the bottom
      for (int x = 0; x < layout.panel_width; ++x) {
        const double t = (values[band][x / scale] - (top - kRangeDb)) / kRangeDb;
        canvas.set(x0 + x, y0 + y, magma(t));
      }
    }
    if (i % layout.columns == 0) {  // the frequency axis of this row
      canvas.text(x0 - L::kAxisWidth, y0 - line - 2, "Hz", kMuted, Font::kSmall);
      for (const Tick& tick : ticks) {
        if (tick.hz >= features::resolved_fmax(mel)) continue;
        const double band = band_of(tick.hz, mel);
        if (band < 0) continue;
        const int y =
            y0 + layout.panel_height - static_cast<int>(std::lround((band + 0.5) * scale));
        canvas.fill(x0 - 4, y, 3, 1, kMuted);
        canvas.text(x0 - 6 - text_width(tick.label, Font::kSmall), y - line / 2, tick.label, kMuted,
                    Font::kSmall);
      }
    }
  }

  // Colour bar beside the first row: the top of the scale at the top.
  const int bar_x = layout.bar_x();
  const int bar_y = layout.panel_y(0);
  const int bar_h = layout.panel_height;
  for (int y = 0; y < bar_h; ++y) {
    canvas.fill(bar_x, bar_y + y, L::kBarWidth, 1,
                magma(1.0 - static_cast<double>(y) / (bar_h - 1)));
  }
  canvas.text(bar_x, bar_y - line - 2, "dB", kMuted, Font::kSmall);
  for (int db = 0; db <= static_cast<int>(kRangeDb); db += 20) {
    const int y = bar_y + static_cast<int>(std::lround(db / kRangeDb * (bar_h - 1)));
    canvas.fill(bar_x + L::kBarWidth, y, 3, 1, kMuted);
    canvas.text(bar_x + L::kBarWidth + 5, y - line / 2, db == 0 ? "0" : "-" + std::to_string(db),
                kMuted, Font::kSmall);
  }

  return SpectrogramSheet{std::move(canvas), layout, {}, std::move(panels), top};
}

SpectrogramSheet make_spectrogram_sheet(const SpectrogramSheetRequest& request) {
  check_ranges(request.columns, request.scale);
  if (request.bitrates.empty()) {
    throw core::UsageError("--bitrates: give at least one MP3 bitrate (kbit/s) or raw");
  }
  const fs::path clip = resolve_clip(request);
  const features::MelOptions mel;
  const std::size_t min_samples = static_cast<std::size_t>(mel.n_fft / 2 + 1);
  std::vector<CodedSpectrogram> panels;
  for (const auto& bitrate : request.bitrates) {
    data::CodedClip coded = data::code_clip(clip, bitrate, mel.sample_rate, min_samples);
    CodedSpectrogram p;
    p.bitrate = bitrate;
    p.bytes = bitrate.raw ? coded.samples.size() * 2 : coded.bytes;
    p.snr_db = coded.snr_db;
    p.output_sample_rate = coded.output_sample_rate;
    const auto samples =
        torch::from_blob(coded.samples.data(), {1, static_cast<std::int64_t>(coded.samples.size())},
                         torch::kFloat32);
    p.mel_db = features::mel_db(samples, mel).squeeze(0).clone();
    panels.push_back(std::move(p));
  }
  const std::string name = clip.has_parent_path() && clip.parent_path().has_filename()
                               ? (clip.parent_path().filename() / clip.filename()).string()
                               : clip.filename().string();
  auto sheet = draw_spectrogram_sheet(name, std::move(panels), mel, request.columns, request.scale);
  sheet.clip = clip;
  return sheet;
}

}  // namespace helmholtz::preview
