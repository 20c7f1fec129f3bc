#include "helmholtz/codec/audio_codecs.hpp"

#include <kiss_fftr.h>
#include <soxr.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <type_traits>

#include "helmholtz/codec/audio.hpp"
#include "helmholtz/codec/mp3.hpp"
#include "helmholtz/codec/resample.hpp"
#include "helmholtz/core/error.hpp"

// Opus and Vorbis are built where CMake found their libraries (HELMHOLTZ_WITH_OPUS,
// HELMHOLTZ_WITH_VORBIS); both are Ogg formats, and pkg-config finds opusfile and vorbisenc only
// together with ogg, so ogg.cpp (HELMHOLTZ_WITH_OGG) is there whenever either is.
#if defined(HELMHOLTZ_WITH_OPUS) || defined(HELMHOLTZ_WITH_VORBIS)
#include "helmholtz/codec/ogg.hpp"
#endif
#ifdef HELMHOLTZ_WITH_OPUS
#include "helmholtz/codec/opus.hpp"
#endif
#ifdef HELMHOLTZ_WITH_VORBIS
#include "helmholtz/codec/vorbis.hpp"
#endif

namespace helmholtz::codec {
namespace {

// The round trip searches the codec delay up to this fraction of a second either way.
constexpr double kMaxDelaySeconds = 0.25;

// The header packets before the audio in each Ogg format: OpusHead and OpusTags (RFC 7845);
// identification, comment and setup (the Vorbis I specification).
constexpr int kOpusHeaderPackets = 2;
constexpr int kVorbisHeaderPackets = 3;

struct KnownCodec {
  AudioCodecInfo info;
  bool built;
  const char* missing;  // for a codec this build left out: what to install
};

#ifdef HELMHOLTZ_WITH_OPUS
constexpr bool kWithOpus = true;
#else
constexpr bool kWithOpus = false;
#endif
#ifdef HELMHOLTZ_WITH_VORBIS
constexpr bool kWithVorbis = true;
#else
constexpr bool kWithVorbis = false;
#endif

// Every audio codec the project knows, in the order of AudioCodec. The Vorbis range is
// libvorbis' for mono at the study's 44.1 kHz (check_bitrate words it for the rate at hand).
const std::array<KnownCodec, 3> kKnown = {{
    {{AudioCodec::kMp3, "mp3", "MP3", "LAME",
      "8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 192, 224, 256, 320"},
     true,
     ""},
    {{AudioCodec::kOpus, "opus", "Opus", "libopus", "6 to 256"},
     kWithOpus,
     "libopus-dev libopusenc-dev libopusfile-dev"},
    {{AudioCodec::kVorbis, "vorbis", "Vorbis", "libvorbis", "32 to 240"},
     kWithVorbis,
     "libvorbis-dev libogg-dev"},
}};

const KnownCodec& known(AudioCodec codec) {
  for (const KnownCodec& k : kKnown) {
    if (k.info.id == codec) return k;
  }
  throw core::UsageError("unknown audio codec " + std::to_string(static_cast<int>(codec)));
}

[[noreturn]] void throw_not_built(AudioCodec codec) {
  const KnownCodec& k = known(codec);
  throw core::UsageError(std::string("--codec ") + k.info.name + ": this build has no " +
                         audio_codec_display_name(codec) + " (" + k.info.library +
                         " was not found when it was configured; install " + k.missing +
                         " and rebuild)");
}

// Owns a kissfft real-transform plan.
struct FftrFree {
  void operator()(kiss_fftr_cfg cfg) const { kiss_fftr_free(cfg); }
};
using FftrPlan = std::unique_ptr<std::remove_pointer_t<kiss_fftr_cfg>, FftrFree>;

FftrPlan make_plan(int n, bool inverse) {
  FftrPlan plan(kiss_fftr_alloc(n, inverse ? 1 : 0, nullptr, nullptr));
  if (!plan) throw core::CodecError("kissfft: cannot plan a real FFT of size " + std::to_string(n));
  return plan;
}

// Planning costs as much as the transform itself: each thread keeps the plans of the last size
// it used (clips of one dataset share their length).
kiss_fftr_cfg cached_plan(int n, bool inverse) {
  struct Plans {
    int n = 0;
    FftrPlan forward, inverse;
  };
  thread_local Plans plans;
  if (plans.n != n) {
    plans.forward = make_plan(n, false);
    plans.inverse = make_plan(n, true);
    plans.n = n;
  }
  return inverse ? plans.inverse.get() : plans.forward.get();
}

// sum_i x[i] y[i + lag] in double, over the samples both signals have.
double dot_at_lag(const std::vector<float>& x, const std::vector<float>& y, long lag) {
  double sum = 0.0;
  for (long i = std::max(0L, -lag); i < static_cast<long>(x.size()); ++i) {
    const long j = i + lag;
    if (j >= static_cast<long>(y.size())) break;
    sum += static_cast<double>(x[i]) * y[j];
  }
  return sum;
}

double energy(const std::vector<float>& x) {
  double sum = 0.0;
  for (float v : x) sum += static_cast<double>(v) * v;
  return sum;
}

// One encode and decode, the decoded signal back at the input's rate but not yet aligned.
struct Coded {
  std::size_t bytes = 0;
  std::size_t payload_bytes = 0;
  int coded_rate = 0;
  std::vector<float> back;
};

// The decoded mono signal at `rate`: soxr resamples it when the codec decoded at another rate.
std::vector<float> back_at_rate(const Audio& decoded, int rate) {
  std::vector<float> back = to_mono(decoded);
  if (decoded.sample_rate != rate) back = resample(back, decoded.sample_rate, rate);
  return back;
}

Coded code(AudioCodec codec, const std::vector<float>& mono, int rate, int kbps) {
  Coded out;
  switch (codec) {
    case AudioCodec::kMp3: {
      const Mp3 mp3 = encode_mp3(mono, rate, kbps);
      const Audio decoded = decode_mp3(mp3.bytes);
      out.bytes = mp3.bytes.size();
      out.payload_bytes = mp3_payload_bytes(mp3.bytes.data(), mp3.bytes.size());
      out.coded_rate = decoded.sample_rate;
      out.back = back_at_rate(decoded, rate);
      return out;
    }
    case AudioCodec::kOpus: {
#ifdef HELMHOLTZ_WITH_OPUS
      const std::vector<std::uint8_t> opus = encode_opus(mono, rate, kbps);
      const Audio decoded = decode_opus(opus);
      out.bytes = opus.size();
      out.payload_bytes = ogg_payload_bytes(opus.data(), opus.size(), kOpusHeaderPackets);
      out.coded_rate = kOpusRate;
      out.back = back_at_rate(decoded, rate);
      return out;
#else
      throw_not_built(codec);
#endif
    }
    case AudioCodec::kVorbis: {
#ifdef HELMHOLTZ_WITH_VORBIS
      const std::vector<std::uint8_t> vorbis = encode_vorbis(mono, rate, kbps);
      const Audio decoded = decode_vorbis(vorbis);
      // Vorbis codes at the input's rate: nothing to resample (and no soxr in its versions).
      if (decoded.sample_rate != rate) {
        throw core::CodecError("Vorbis decoded at " + std::to_string(decoded.sample_rate) +
                               " Hz what was coded at " + std::to_string(rate) + " Hz");
      }
      out.bytes = vorbis.size();
      out.payload_bytes = ogg_payload_bytes(vorbis.data(), vorbis.size(), kVorbisHeaderPackets);
      out.coded_rate = decoded.sample_rate;
      out.back = to_mono(decoded);
      return out;
#else
      throw_not_built(codec);
#endif
    }
  }
  throw core::UsageError("unknown audio codec " + std::to_string(static_cast<int>(codec)));
}

}  // namespace

std::string audio_codec_display_name(AudioCodec codec) { return known(codec).info.display; }

const std::vector<AudioCodecInfo>& known_audio_codecs() {
  static const std::vector<AudioCodecInfo> all = [] {
    std::vector<AudioCodecInfo> list;
    for (const KnownCodec& k : kKnown) list.push_back(k.info);
    return list;
  }();
  return all;
}

const std::vector<AudioCodecInfo>& audio_codecs() {
  static const std::vector<AudioCodecInfo> built = [] {
    std::vector<AudioCodecInfo> list;
    for (const KnownCodec& k : kKnown) {
      if (k.built) list.push_back(k.info);
    }
    return list;
  }();
  return built;
}

const AudioCodecInfo& audio_codec_info(AudioCodec codec) { return known(codec).info; }

std::string to_string(AudioCodec codec) { return known(codec).info.name; }

bool is_audio_codec_name(const std::string& name) {
  return std::any_of(kKnown.begin(), kKnown.end(),
                     [&](const KnownCodec& k) { return name == k.info.name; });
}

AudioCodec parse_audio_codec(const std::string& name) {
  for (const KnownCodec& k : kKnown) {
    if (name != k.info.name) continue;
    if (!k.built) throw_not_built(k.info.id);
    return k.info.id;
  }
  std::string names;
  for (const AudioCodecInfo& info : audio_codecs()) {
    names += (names.empty() ? "" : ", ") + std::string(info.name);
  }
  throw core::UsageError("--codec " + name + ": not an audio codec (use one of " + names + ")");
}

void check_bitrate(AudioCodec codec, int kbps, int sample_rate) {
  static_cast<void>(sample_rate);  // only Vorbis' range depends on the rate
  switch (codec) {
    case AudioCodec::kMp3:
      check_mpeg_bitrate(kbps);
      return;
    case AudioCodec::kOpus:
#ifdef HELMHOLTZ_WITH_OPUS
      check_opus_bitrate(kbps);
      return;
#else
      throw_not_built(codec);
#endif
    case AudioCodec::kVorbis:
#ifdef HELMHOLTZ_WITH_VORBIS
      check_vorbis_bitrate(kbps, sample_rate);
      return;
#else
      throw_not_built(codec);
#endif
  }
  throw core::UsageError("unknown audio codec " + std::to_string(static_cast<int>(codec)));
}

int estimate_delay(const std::vector<float>& original, const std::vector<float>& decoded,
                   int max_lag) {
  if (max_lag < 0) {
    throw core::UsageError("estimate_delay: max_lag " + std::to_string(max_lag) + " < 0");
  }
  const double norm = std::sqrt(energy(original) * energy(decoded));
  if (original.empty() || decoded.empty() || norm <= 0.0) return 0;

  // r[d] = sum_i x[i] y[i + d] = IFFT(conj(X) * Y)[d mod n]. With n >= max(|x|, |y|) + max_lag
  // no pair of samples further apart than n - max_lag wraps onto a lag we look at. kissfft's
  // real transforms (float) find the peak; the lags around it are then recomputed exactly in
  // double, so float rounding cannot move the answer by a sample.
  const std::size_t longest = std::max(original.size(), decoded.size());
  const int n = kiss_fftr_next_fast_size_real(static_cast<int>(longest) + max_lag);
  std::vector<float> x(n, 0.0f), y(n, 0.0f), r(n);
  std::copy(original.begin(), original.end(), x.begin());
  std::copy(decoded.begin(), decoded.end(), y.begin());
  std::vector<kiss_fft_cpx> fx(n / 2 + 1), fy(n / 2 + 1);
  kiss_fftr(cached_plan(n, false), x.data(), fx.data());
  kiss_fftr(cached_plan(n, false), y.data(), fy.data());
  for (std::size_t k = 0; k < fx.size(); ++k) {
    const std::complex<float> product =
        std::conj(std::complex<float>(fx[k].r, fx[k].i)) * std::complex<float>(fy[k].r, fy[k].i);
    fx[k] = {product.real(), product.imag()};
  }
  kiss_fftri(cached_plan(n, true), fx.data(), r.data());

  const auto correlation = [&](long lag) {
    return r[lag >= 0 ? static_cast<std::size_t>(lag) : n - static_cast<std::size_t>(-lag)];
  };
  const long max_positive = std::min<long>(max_lag, static_cast<long>(decoded.size()) - 1);
  const long max_negative = std::min<long>(max_lag, static_cast<long>(original.size()) - 1);
  // Polarity is kept (the codecs do not invert), so the signed maximum is the match; ties go to
  // the smaller |lag| because lag 0 is tried first.
  long coarse = 0;
  float best = correlation(0);
  for (long lag = 1; lag <= std::max(max_positive, max_negative); ++lag) {
    if (lag <= max_positive && correlation(lag) > best) {
      best = correlation(lag);
      coarse = lag;
    }
    if (lag <= max_negative && correlation(-lag) > best) {
      best = correlation(-lag);
      coarse = -lag;
    }
  }
  constexpr long kRefine = 3;
  long best_lag = coarse;
  double best_exact = dot_at_lag(original, decoded, coarse);
  for (long d = 1; d <= kRefine; ++d) {
    for (long lag : {coarse - d, coarse + d}) {
      if (lag > max_positive || -lag > max_negative) continue;
      const double v = dot_at_lag(original, decoded, lag);
      if (v > best_exact || (v == best_exact && std::labs(lag) < std::labs(best_lag))) {
        best_exact = v;
        best_lag = lag;
      }
    }
  }
  return static_cast<int>(best_lag);
}

std::vector<float> align(const std::vector<float>& decoded, int delay, std::size_t length) {
  std::vector<float> out(length, 0.0f);
  for (std::size_t i = 0; i < length; ++i) {
    const long source = static_cast<long>(i) + delay;
    if (source >= 0 && source < static_cast<long>(decoded.size())) out[i] = decoded[source];
  }
  return out;
}

double snr_db(const std::vector<float>& reference, const std::vector<float>& processed) {
  const std::size_t n = std::min(reference.size(), processed.size());
  double signal = 0.0;
  double noise = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = reference[i];
    const double e = x - processed[i];
    signal += x * x;
    noise += e * e;
  }
  if (noise == 0.0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal / noise);
}

int codec_delay(AudioCodec codec, int sample_rate, int bitrate_kbps) {
  static std::mutex mutex;
  static std::map<std::tuple<AudioCodec, int, int>, int> known_delays;
  const auto key = std::make_tuple(codec, sample_rate, bitrate_kbps);
  {
    const std::lock_guard<std::mutex> lock(mutex);
    const auto it = known_delays.find(key);
    if (it != known_delays.end()) return it->second;
  }
  // One second of seeded white noise: its autocorrelation is a single sharp peak, so the lag
  // is unambiguous (a clip's own pitch can make neighbouring periods look alike).
  std::vector<float> probe(static_cast<std::size_t>(sample_rate));
  std::uint64_t state = 0x5eedULL;
  for (float& v : probe) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    v = 0.3f * (static_cast<float>(state >> 40) / static_cast<float>(1 << 24) * 2.0f - 1.0f);
  }
  const Coded coded = code(codec, probe, sample_rate, bitrate_kbps);
  const int delay = estimate_delay(probe, coded.back,
                                   static_cast<int>(std::lround(kMaxDelaySeconds * sample_rate)));
  const std::lock_guard<std::mutex> lock(mutex);
  known_delays.emplace(key, delay);
  return delay;
}

std::vector<std::uint8_t> encode_audio(AudioCodec codec, const std::vector<float>& mono,
                                       int sample_rate, int bitrate_kbps) {
  switch (codec) {
    case AudioCodec::kMp3: return encode_mp3(mono, sample_rate, bitrate_kbps).bytes;
    case AudioCodec::kOpus:
#ifdef HELMHOLTZ_WITH_OPUS
      return encode_opus(mono, sample_rate, bitrate_kbps);
#else
      throw_not_built(codec);
#endif
    case AudioCodec::kVorbis:
#ifdef HELMHOLTZ_WITH_VORBIS
      return encode_vorbis(mono, sample_rate, bitrate_kbps);
#else
      throw_not_built(codec);
#endif
  }
  throw core::UsageError("unknown audio codec " + std::to_string(static_cast<int>(codec)));
}

AudioRoundTrip audio_round_trip(AudioCodec codec, const std::vector<float>& mono, int sample_rate,
                                int bitrate_kbps) {
  const Coded coded = code(codec, mono, sample_rate, bitrate_kbps);
  AudioRoundTrip result;
  result.bytes = coded.bytes;
  result.payload_bytes = coded.payload_bytes;
  result.output_sample_rate = coded.coded_rate;
  result.delay_samples = codec_delay(codec, sample_rate, bitrate_kbps);
  result.samples = align(coded.back, result.delay_samples, mono.size());
  result.snr_db = snr_db(mono, result.samples);
  return result;
}

std::string audio_codec_versions(AudioCodec codec) {
  switch (codec) {
    case AudioCodec::kMp3:
      return audio_codec_versions();  // mp3.cpp: LAME, libsndfile (the decoder), soxr
    case AudioCodec::kOpus:
#ifdef HELMHOLTZ_WITH_OPUS
      return opus_version() + "; soxr " + soxr_version();  // soxr: to 48 kHz and back
#else
      throw_not_built(codec);
#endif
    case AudioCodec::kVorbis:
#ifdef HELMHOLTZ_WITH_VORBIS
      return vorbis_version();
#else
      throw_not_built(codec);
#endif
  }
  throw core::UsageError("unknown audio codec " + std::to_string(static_cast<int>(codec)));
}

}  // namespace helmholtz::codec
