// helmholtz preview: a PNG that shows what a codec level does to the data, so a reader sees
// what "quality 5" or "8 kbit/s" means.
//   images: test images after the JPEG round trip at each --qualities level, one row per image
//   audio:  one clip's mel spectrogram after the MP3 round trip at each --bitrates level
// A build without libgd (HELMHOLTZ_WITH_PREVIEW unset) keeps the subcommand and its options, and
// says how to get a build that has it.

#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

#include "commands/commands.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/data/datasets.hpp"
#include "helmholtz/data/image_folder.hpp"
#include "helmholtz/sweep/grid.hpp"
#if HELMHOLTZ_WITH_PREVIEW
#include "helmholtz/preview/image_sheet.hpp"
#include "helmholtz/preview/spectrogram_sheet.hpp"
#endif

namespace helmholtz::commands {
namespace {

struct Options {
  std::string dataset;
  std::filesystem::path data_dir;
  std::filesystem::path out;
  int scale = 0;  // when not given: 3 for images, 2 for audio
  bool scale_given = false;
  bool qualities_given = false;  // else each codec's default grid (JPEG: the list below)
  // images
  std::vector<std::string> qualities = {"1", "5", "10", "20", "50", "100", "raw"};
  int images = 8;
  std::vector<std::int64_t> indices;
  std::string subsampling = "420";
  std::vector<std::string> codecs;  // empty: jpeg (images), mp3 (audio)
  double bytes = 0;                 // > 0: one column per codec at about this many bytes per image
  // audio
  std::vector<std::string> bitrates = {"8", "16", "32", "64", "128", "raw"};
  std::string clip = "0";
  int columns = 3;
  int crop = 128;  // folder datasets: the side the photos are shown at
};

#if HELMHOLTZ_WITH_PREVIEW
void refuse(const CLI::App& cmd, const std::vector<const char*>& names, const std::string& dataset,
            const char* kind) {
  for (const char* name : names) {
    if (given(cmd, name)) {
      throw core::UsageError(std::string("--") + name + " does not apply to --dataset " + dataset +
                             " (" + kind + ")");
    }
  }
}

void preview_images(const Options& o) {
  preview::ImageSheetRequest r;
  r.dataset = o.dataset;
  r.data_dir = o.data_dir;
  std::vector<codec::ImageCodec> codecs;
  for (const auto& name : o.codecs.empty() ? std::vector<std::string>{"jpeg"} : o.codecs) {
    const auto c = codec::parse_image_codec(name);
    if (std::find(codecs.begin(), codecs.end(), c) != codecs.end()) {
      throw core::UsageError("--codecs: '" + name + "' is listed twice");
    }
    codecs.push_back(c);
  }
  if (codecs.empty()) throw core::UsageError("--codecs: give at least one image codec");
  if (o.bytes > 0) {
    r.match_codecs = codecs;
    r.match_bytes = o.bytes;
  } else if (!o.qualities_given &&
             codecs != std::vector<codec::ImageCodec>{codec::ImageCodec::kJpeg}) {
    // The default list is JPEG's scale: every other codec takes its own default grid.
    for (const auto c : codecs) {
      std::vector<std::string> items;
      std::stringstream grid(c == codec::ImageCodec::kJpeg ? "1,5,10,20,50,100"
                                                           : sweep::default_levels(data::Codec(c)));
      for (std::string item; std::getline(grid, item, ',');) items.push_back(item);
      for (const auto& q : preview::parse_qualities(items, {c})) r.qualities.push_back(q);
    }
    r.qualities.push_back(data::Quality{true, 0});
  } else {
    r.qualities = preview::parse_qualities(o.qualities, codecs);
  }
  r.images = o.images;
  r.indices = o.indices;
  const bool folder = data::is_folder_dataset(o.dataset);
  r.scale = o.scale_given ? o.scale : folder ? 1 : 3;
  r.side = o.crop;
  r.subsampling = codec::parse_subsampling(o.subsampling);
  preview::check_output_file(o.out);
  const auto sheet = preview::make_image_sheet(r);
  sheet.canvas.write_png(o.out);
  std::printf("wrote %s (%d x %d pixels): %zu %s test images x %zu levels\n", o.out.c_str(),
              sheet.canvas.width(), sheet.canvas.height(), sheet.indices.size(), o.dataset.c_str(),
              sheet.columns.size());
  std::printf("%-8s %-8s %12s %14s %15s\n", "codec", "quality", "mean bytes", "mean payload",
              "mean PSNR (dB)");
  for (std::size_t c = 0; c < sheet.columns.size(); ++c) {
    const auto& q = sheet.columns[c];
    // Means as `compress` reports them: an image that comes back identical counts as kPsnrCap.
    double bytes = 0, payload = 0, psnr = 0;
    for (const auto& row : sheet.cells) {
      bytes += static_cast<double>(row[c].bytes);
      payload += static_cast<double>(q.raw ? row[c].bytes : row[c].payload_bytes);
      psnr += std::isfinite(row[c].psnr_db) ? row[c].psnr_db : data::kPsnrCap;
    }
    const double n = static_cast<double>(sheet.cells.size());
    char psnr_text[32] = "-";
    if (!q.raw) std::snprintf(psnr_text, sizeof psnr_text, "%.2f", psnr / n);
    std::printf("%-8s %-8s %12.1f %14.1f %15s\n", q.raw ? "-" : codec::to_string(q.codec).c_str(),
                q.to_string().c_str(), bytes / n, payload / n, psnr_text);
  }
}

void preview_audio(const Options& o) {
  preview::SpectrogramSheetRequest r;
  r.data_dir = o.data_dir;
  r.clip = o.clip;
  std::vector<codec::AudioCodec> codecs;
  for (const auto& name : o.codecs.empty() ? std::vector<std::string>{"mp3"} : o.codecs) {
    const auto c = codec::parse_audio_codec(name);
    if (std::find(codecs.begin(), codecs.end(), c) != codecs.end()) {
      throw core::UsageError("--codecs: '" + name + "' is listed twice");
    }
    codecs.push_back(c);
  }
  r.bitrates = preview::parse_bitrates(o.bitrates, codecs);
  r.columns = o.columns;
  r.scale = o.scale_given ? o.scale : 2;
  preview::check_output_file(o.out);
  const auto sheet = preview::make_spectrogram_sheet(r);
  sheet.canvas.write_png(o.out);
  std::printf("wrote %s (%d x %d pixels): %s at %zu levels\n", o.out.c_str(), sheet.canvas.width(),
              sheet.canvas.height(), sheet.clip.c_str(), sheet.panels.size());
  std::printf("%-8s %-8s %10s %10s %12s\n", "codec", "bitrate", "bytes", "SNR (dB)", "coded at Hz");
  for (const auto& p : sheet.panels) {
    char snr[32] = "-";
    if (std::isfinite(p.snr_db)) std::snprintf(snr, sizeof snr, "%.2f", p.snr_db);
    std::printf("%-8s %-8s %10zu %10s %12d\n",
                p.bitrate.raw ? "-" : codec::to_string(p.bitrate.codec).c_str(),
                p.bitrate.to_string().c_str(), p.bytes, snr, p.output_sample_rate);
  }
}
#endif

#if HELMHOLTZ_WITH_PREVIEW
constexpr bool kBuilt = true;
#else
constexpr bool kBuilt = false;  // options stay optional, so any call reaches the message below
#endif

}  // namespace

void register_preview(CLI::App& app) {
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "preview",
      "Write a PNG contact sheet of what the codec does: test images after each --codecs at each "
      "quality or at similar --bytes (one row per image, bytes under each), or one clip's mel "
      "spectrogram after MP3 at "
      "each bitrate (MP3 bytes and SNR above each)");
  auto& o = *options;
  cmd->add_option("--dataset", o.dataset,
                  "cifar10, fashion-mnist, audio-effects or folder (val/'s photos of --data-dir)")
      ->required(kBuilt);
  cmd->add_option("--data-dir", o.data_dir,
                  "Dataset folder (default: data/cifar-10-batches-bin for cifar10, "
                  "/usr/share/datasets/fashion-mnist for fashion-mnist, "
                  "data/IDMT-SMT-AUDIO-EFFECTS for audio-effects)");
  cmd->add_option("--out", o.out, "The PNG file to write")->required(kBuilt);
  cmd->add_option("--scale", o.scale,
                  "Pixels per image pixel (images, default 3), or per frame and mel band (audio, "
                  "default 2)");
  cmd->add_option("--codecs", o.codecs,
                  "Codecs, comma-separated: images jpeg, webp, avif, jxl, j2k (default jpeg), the "
                  "columns each codec's --qualities in turn; audio mp3, opus, vorbis (default mp3),"
                  " the panels each codec's --bitrates in turn")
      ->delimiter(',');
  cmd->add_option("--qualities", o.qualities,
                  "Images: levels in each codec's own scale (JPEG 1..100) or raw, comma-separated")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--bytes", o.bytes,
                  "Images: instead of --qualities, one column per codec at the level whose mean "
                  "payload (the coded data without its container) over the shown images is "
                  "nearest this many bytes, then raw");
  cmd->add_option("--images", o.images, "Images: show the first N test images")
      ->capture_default_str();
  cmd->add_option("--indices", o.indices,
                  "Images: show these test images instead (comma-separated)")
      ->delimiter(',');
  cmd->add_option("--subsampling", o.subsampling, "Images: chroma subsampling of colour images")
      ->check(CLI::IsMember({"420", "444"}))
      ->capture_default_str();
  cmd->add_option("--bitrates", o.bitrates,
                  "Audio: bitrates in kbit/s in each codec's range (or raw), comma-separated")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--clip", o.clip,
                  "Audio: a clip index into the dataset folder (class by class, sorted), or the "
                  "path of an audio file")
      ->capture_default_str();
  cmd->add_option("--columns", o.columns, "Audio: spectrograms per row")->capture_default_str();
  cmd->add_option("--crop", o.crop,
                  "Folder datasets: each photo resized and centre-cropped to this side, as the "
                  "network sees it at evaluation, before the codecs (default 128; --scale 1)")
      ->capture_default_str();
  cmd->callback([cmd, options] {
#if !HELMHOLTZ_WITH_PREVIEW
    (void)cmd;
    (void)options;
    throw core::UsageError(
        "preview: this build of helmholtz has no libgd, which preview draws with; install "
        "libgd-dev (scripts/setup.sh does) and rebuild with -DHELMHOLTZ_WITH_PREVIEW=ON (a new "
        "build folder turns it on by itself)");
#else
    options->scale_given = given(*cmd, "scale");
    options->qualities_given = given(*cmd, "qualities");
    const auto& o = *options;
    data::check_dataset_name(o.dataset);
    if (data::is_audio_dataset(o.dataset)) {
      refuse(*cmd, {"qualities", "images", "indices", "subsampling", "bytes", "crop"}, o.dataset,
             "audio is shown at --bitrates");
      preview_audio(o);
    } else {
      refuse(*cmd, {"bitrates", "clip", "columns"}, o.dataset, "images are shown at --qualities");
      if (!data::is_folder_dataset(o.dataset)) {
        refuse(*cmd, {"crop"}, o.dataset, "its images are shown at their own size");
      }
      if (given(*cmd, "images") && given(*cmd, "indices")) {
        throw core::UsageError("--images and --indices: give one of them");
      }
      if (given(*cmd, "bytes") && given(*cmd, "qualities")) {
        throw core::UsageError(
            "--bytes and --qualities: give one of them (--bytes picks each "
            "codec's level)");
      }
      preview_images(o);
    }
#endif
  });
}

}  // namespace helmholtz::commands
