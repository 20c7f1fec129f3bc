#include "helmholtz/features/audio_features.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "helmholtz/codec/audio.hpp"
#include "helmholtz/codec/audio_codecs.hpp"
#include "helmholtz/core/checked_file.hpp"
#include "helmholtz/core/hash.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/parallel.hpp"
#include "helmholtz/core/progress.hpp"
#include "helmholtz/data/audio_dataset.hpp"
#include "helmholtz/data/report_json.hpp"

namespace helmholtz::features {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Bump when the computation changes in a way the settings below do not capture
// (2: one calibrated codec delay per bitrate instead of a per-clip estimate; 3: the figures
// gain MP3 payload and FLAC reference sizes; 4: the codec is named, Opus and Vorbis).
constexpr int kFeatureVersion = 4;

std::string settings_line(const AudioFeatureRequest& r) {
  std::ostringstream out;
  out << "helmholtz audio features v" << kFeatureVersion << "; "
      << codec::audio_codec_versions(r.bitrate.codec) << "; instrument=" << r.instrument
      << "; codec=" << codec::to_string(r.bitrate.codec) << "; bitrate=" << r.bitrate.to_string()
      << "; sr=" << r.mel.sample_rate << "; n_fft=" << r.mel.n_fft << "; hop=" << r.mel.hop
      << "; n_mels=" << r.mel.n_mels << "; fmin=" << r.mel.fmin << "; fmax=" << resolved_fmax(r.mel)
      << "; top_db=" << r.mel.top_db;
  return out.str();
}

// Every input that decides the features: the settings, and each file's path, label, size and
// modification time. Any change gives another fingerprint.
std::string fingerprint(const AudioFeatureRequest& r, const fs::path& dir,
                        const data::AudioClipList& list, std::int64_t clip_samples) {
  std::ostringstream out;
  out << settings_line(r) << "; length=" << clip_samples << "\n";
  for (std::size_t i = 0; i < list.files.size(); ++i) {
    std::error_code ec;
    const auto size = fs::file_size(list.files[i], ec);
    const auto mtime = fs::last_write_time(list.files[i], ec).time_since_epoch().count();
    out << fs::relative(list.files[i], dir, ec).generic_string() << "\t" << list.labels[i] << "\t"
        << size << "\t" << mtime << "\n";
  }
  return out.str();
}

// Reads a cache file when it holds exactly these features; nothing (and a log line saying why)
// when it is absent, stale or damaged.
bool read_cache(const fs::path& file, const std::string& wanted, AudioFeatures& out,
                spdlog::logger& log) {
  if (!fs::exists(file)) return false;
  try {
    json header;
    bool stale = false;
    const bool read = core::read_checked_file(
        file, [&](const std::string& text, std::size_t payload_bytes) -> void* {
          header = json::parse(text);
          if (header.at("fingerprint").get<std::string>() != wanted) {
            stale = true;
            return nullptr;
          }
          const auto shape = header.at("shape").get<std::vector<std::int64_t>>();
          // The header is read before the checksum is verified: each size is checked, and
          // their product without overflowing, before torch sees them.
          std::uint64_t elements = 1;
          bool fits = shape.size() == 4;
          for (const std::int64_t d : shape) {
            fits = fits && d >= 0 &&
                   !__builtin_mul_overflow(elements, static_cast<std::uint64_t>(d), &elements);
          }
          if (!fits || elements > payload_bytes / 4 || elements * 4 != payload_bytes) {
            throw core::DataError("cache file '" + file.string() +
                                  "' is damaged (its shape does not match its size)");
          }
          out.features = torch::empty(shape, torch::kFloat32);
          return out.features.data_ptr();
        });
    if (!read) {
      if (stale) {
        log.info("cache {} was made from other files or settings; rebuilding it", file.string());
      }
      return false;
    }
    out.labels = header.at("labels").get<std::vector<int>>();
    out.classes = header.at("classes").get<std::vector<std::string>>();
    out.clip_samples = header.at("clip_samples").get<std::int64_t>();
    out.stats = data::audio_stats_from_json(header.at("stats"));
    if (static_cast<std::int64_t>(out.labels.size()) != out.features.size(0)) {
      throw core::DataError("cache file '" + file.string() +
                            "' is damaged (labels and features disagree)");
    }
    return true;
  } catch (const core::DataError& e) {
    log.warn("{}; rebuilding it", e.what());
  } catch (const json::exception& e) {
    log.warn("cache file '{}' is damaged (its header does not parse: {}); rebuilding it",
             file.string(), e.what());
  }
  out = AudioFeatures{};
  return false;
}

}  // namespace

fs::path default_audio_data_dir() { return "data/IDMT-SMT-AUDIO-EFFECTS"; }

AudioFeatures prepare_audio_features(const AudioFeatureRequest& r, spdlog::logger& log) {
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const fs::path dir = r.data_dir.empty() ? default_audio_data_dir() : r.data_dir;
  const int threads = core::resolve_threads(r.threads);
  const auto list = data::scan_audio_effects(dir, r.instrument);
  const std::size_t n = list.files.size();
  const int rate = r.mel.sample_rate;
  const std::size_t min_samples = static_cast<std::size_t>(r.mel.n_fft / 2 + 1);

  // The headers give every clip's length at the study's rate, hence the common length.
  std::vector<std::int64_t> lengths(n);
  core::parallel_for(n, threads, [&](int, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const auto info = codec::read_audio_info(list.files[i]);
      lengths[i] = static_cast<std::int64_t>(
          std::llround(static_cast<double>(info.frames) * rate / info.sample_rate));
    }
  });
  const std::int64_t clip_samples = *std::max_element(lengths.begin(), lengths.end());

  AudioFeatures out;
  const std::string print = fingerprint(r, dir, list, clip_samples);
  fs::path cache_file;
  if (!r.cache_dir.empty()) {
    // One file per (folder, instrument, bitrate, settings); the fingerprint inside tells
    // whether it still matches the files.
    std::error_code ec;
    const std::string where = fs::weakly_canonical(fs::absolute(dir), ec).string();
    cache_file = r.cache_dir / "audio-effects" /
                 (r.instrument + "-" + r.bitrate.folder_name() + "-" +
                  core::hex16(core::fnv1a(where + "\n" + settings_line(r))) + ".cache");
    if (read_cache(cache_file, print, out, log)) {
      out.from_cache = true;
      out.cache_file = cache_file;
      out.seconds = elapsed();
      log.info("{} clips at {} from cache {} ({:.1f} s)", out.labels.size(),
               r.bitrate.raw ? std::string("raw") : r.bitrate.to_string() + " kbit/s",
               cache_file.string(), out.seconds);
      return out;
    }
  }
  out.cache_file = cache_file;

  log.info(
      "{} clips from {}: MP3 round trip at {} and mel spectrograms on {} threads", n, dir.string(),
      r.bitrate.raw ? std::string("raw (no codec)") : r.bitrate.to_string() + " kbit/s", threads);
  const std::int64_t frames = 1 + clip_samples / r.mel.hop;
  out.features = torch::empty({static_cast<std::int64_t>(n), 1, r.mel.n_mels, frames});
  out.labels = list.labels;
  out.classes = list.classes;
  out.clip_samples = clip_samples;
  data::AudioStatsAccumulator stats(r.bitrate, rate);
  core::ProgressBar bar(r.progress);
  bar.start("clips");
  // Chunks bound the memory (clips are 0.35 MB each); each chunk codes its clips in parallel,
  // then one batched mel call turns them into spectrograms.
  const std::size_t chunk = std::max<std::size_t>(64, static_cast<std::size_t>(threads) * 16);
  std::vector<data::CodedClip> coded;
  for (std::size_t begin = 0; begin < n; begin += chunk) {
    const std::size_t end = std::min(n, begin + chunk);
    coded.assign(end - begin, {});
    core::parallel_for(end - begin, threads, [&](int, std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) {
        coded[i] = data::code_clip(list.files[begin + i], r.bitrate, rate, min_samples);
      }
    });
    auto clips = torch::zeros({static_cast<std::int64_t>(end - begin), clip_samples});
    for (std::size_t i = 0; i < coded.size(); ++i) {
      stats.add(coded[i]);
      const auto m = std::min<std::int64_t>(clip_samples, coded[i].samples.size());
      std::copy_n(coded[i].samples.data(), m,
                  clips[static_cast<std::int64_t>(i)].data_ptr<float>());
    }
    const auto mel = mel_db(clips.to(r.device), r.mel).to(torch::kCPU);
    out.features.slice(0, static_cast<std::int64_t>(begin), static_cast<std::int64_t>(end))
        .copy_(mel.unsqueeze(1));
    bar.update(static_cast<std::int64_t>(end), static_cast<std::int64_t>(n));
  }
  bar.clear();
  out.stats = stats.result();
  out.seconds = elapsed();
  log.info("{} clips coded and analysed in {:.1f} s ({:.1f} clips/s)", n, out.seconds,
           n / std::max(out.seconds, 1e-9));

  if (!out.cache_file.empty()) {
    std::error_code ec;
    fs::create_directories(out.cache_file.parent_path(), ec);
    if (ec) {
      throw core::RunError("cannot create cache folder '" + out.cache_file.parent_path().string() +
                           "': " + ec.message() + " (choose another with --cache-dir)");
    }
    json header;
    header["fingerprint"] = print;
    header["shape"] = out.features.sizes().vec();
    header["classes"] = out.classes;
    header["labels"] = out.labels;
    header["clip_samples"] = out.clip_samples;
    header["stats"] = data::to_json(out.stats);
    core::write_checked_file(out.cache_file, header.dump(), out.features.data_ptr(),
                             static_cast<std::size_t>(out.features.numel()) * sizeof(float));
    log.debug("wrote cache {}", out.cache_file.string());
  }
  return out;
}

}  // namespace helmholtz::features
