#include "helmholtz/codec/mp3.hpp"

#include <lame/lame.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <limits>
#include <memory>
#include <string>

#include "helmholtz/codec/resample.hpp"
#include "helmholtz/core/error.hpp"

namespace helmholtz::codec {
namespace {

constexpr std::array<int, 18> kMpegBitrates = {8,  16,  24,  32,  40,  48,  56,  64,  80,
                                               96, 112, 128, 144, 160, 192, 224, 256, 320};

// The round trip searches the codec delay up to this fraction of a second either way.
constexpr double kMaxDelaySeconds = 0.25;

struct LameCloser {
  void operator()(lame_global_flags* flags) const { lame_close(flags); }
};
using LameHandle = std::unique_ptr<lame_global_flags, LameCloser>;

// In-place iterative radix-2 FFT of a power-of-two size; `inverse` computes the unscaled
// inverse transform. Twiddles come from a table (exact per entry, and faster than a recurrence).
void fft(std::vector<std::complex<double>>& a, bool inverse) {
  const std::size_t n = a.size();
  for (std::size_t i = 1, j = 0; i < n; ++i) {
    std::size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  const double pi = std::acos(-1.0);
  std::vector<std::complex<double>> twiddle(n / 2);
  for (std::size_t k = 0; k < n / 2; ++k) {
    const double angle = 2.0 * pi * static_cast<double>(k) / static_cast<double>(n);
    twiddle[k] =
        std::complex<double>(std::cos(angle), inverse ? std::sin(angle) : -std::sin(angle));
  }
  for (std::size_t len = 2; len <= n; len <<= 1) {
    const std::size_t half = len / 2;
    const std::size_t stride = n / len;
    for (std::size_t start = 0; start < n; start += len) {
      for (std::size_t k = 0; k < half; ++k) {
        const std::complex<double> u = a[start + k];
        const std::complex<double> v = a[start + k + half] * twiddle[k * stride];
        a[start + k] = u + v;
        a[start + k + half] = u - v;
      }
    }
  }
}

double energy(const std::vector<float>& x) {
  double sum = 0.0;
  for (float v : x) sum += static_cast<double>(v) * v;
  return sum;
}

}  // namespace

bool is_mpeg_bitrate(int kbps) {
  return std::find(kMpegBitrates.begin(), kMpegBitrates.end(), kbps) != kMpegBitrates.end();
}

void check_mpeg_bitrate(int kbps) {
  if (is_mpeg_bitrate(kbps)) return;
  std::string list;
  for (int rate : kMpegBitrates) list += (list.empty() ? "" : ", ") + std::to_string(rate);
  throw core::UsageError("--bitrate " + std::to_string(kbps) + ": not an MP3 bitrate (use one of " +
                         list + ")");
}

Mp3 encode_mp3(const std::vector<float>& mono, int sample_rate, int bitrate_kbps) {
  check_mpeg_bitrate(bitrate_kbps);
  if (sample_rate <= 0) {
    throw core::UsageError("MP3 encode: sample rate " + std::to_string(sample_rate) +
                           " Hz is not positive");
  }
  if (mono.empty()) throw core::CodecError("MP3 encode: no samples to encode");
  if (mono.size() > static_cast<std::size_t>(std::numeric_limits<int>::max() / 2)) {
    throw core::UsageError("MP3 encode: " + std::to_string(mono.size()) +
                           " samples is too long for one LAME call; cut the clip");
  }

  LameHandle lame(lame_init());
  if (!lame) throw core::CodecError("cannot create a LAME encoder (out of memory?)");
  lame_global_flags* gf = lame.get();
  // As `lame -b N`: CBR at N kbit/s; mono input, mono output; the output rate is left to LAME.
  lame_set_num_channels(gf, 1);
  lame_set_in_samplerate(gf, sample_rate);
  lame_set_brate(gf, bitrate_kbps);
  lame_set_VBR(gf, vbr_off);
  lame_set_mode(gf, MONO);
  if (lame_init_params(gf) < 0) {
    throw core::CodecError("LAME refused " + std::to_string(bitrate_kbps) + " kbit/s at " +
                           std::to_string(sample_rate) + " Hz input; try another bitrate");
  }

  Mp3 mp3;
  mp3.output_sample_rate = lame_get_out_samplerate(gf);
  const int samples = static_cast<int>(mono.size());
  // LAME's documented worst case: 1.25 * samples + 7200 bytes.
  std::vector<unsigned char> buffer(static_cast<std::size_t>(1.25 * samples) + 7200);
  const int encoded = lame_encode_buffer_ieee_float(gf, mono.data(), mono.data(), samples,
                                                    buffer.data(), static_cast<int>(buffer.size()));
  if (encoded < 0) {
    throw core::CodecError("LAME encode failed (error " + std::to_string(encoded) + ") at " +
                           std::to_string(bitrate_kbps) + " kbit/s");
  }
  mp3.bytes.assign(buffer.begin(), buffer.begin() + encoded);
  const int flushed = lame_encode_flush(gf, buffer.data(), static_cast<int>(buffer.size()));
  if (flushed < 0) {
    throw core::CodecError("LAME flush failed (error " + std::to_string(flushed) + ")");
  }
  mp3.bytes.insert(mp3.bytes.end(), buffer.begin(), buffer.begin() + flushed);

  // The first frame LAME wrote is a placeholder for the LAME/Xing info tag (the encoder delay,
  // padding and frame count); the `lame` program overwrites it once the stream is complete.
  const std::size_t tag_size = lame_get_lametag_frame(gf, buffer.data(), buffer.size());
  if (tag_size > 0 && tag_size <= buffer.size() && tag_size <= mp3.bytes.size()) {
    std::copy(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(tag_size),
              mp3.bytes.begin());
  }
  return mp3;
}

Audio decode_mp3(const std::vector<std::uint8_t>& bytes) {
  return read_audio_memory(bytes.data(), bytes.size(), "MP3 data");
}

int estimate_delay(const std::vector<float>& original, const std::vector<float>& decoded,
                   int max_lag) {
  if (max_lag < 0) {
    throw core::UsageError("estimate_delay: max_lag " + std::to_string(max_lag) + " < 0");
  }
  const double norm = std::sqrt(energy(original) * energy(decoded));
  if (original.empty() || decoded.empty() || norm <= 0.0) return 0;

  // r[d] = sum_i x[i] y[i + d] = IFFT(conj(X) * Y)[d mod n]. With n >= max(|x|, |y|) + max_lag
  // no pair of samples further apart than n - max_lag wraps onto a lag we look at.
  std::size_t n = 1;
  while (n < std::max(original.size(), decoded.size()) + static_cast<std::size_t>(max_lag)) n <<= 1;
  // Both real signals in one complex transform: z = x + i y, then X[k] = (Z[k] + conj(Z[-k])) / 2
  // and Y[k] = (Z[k] - conj(Z[-k])) / 2i.
  std::vector<std::complex<double>> z(n);
  for (std::size_t i = 0; i < original.size(); ++i) z[i].real(original[i]);
  for (std::size_t i = 0; i < decoded.size(); ++i) z[i].imag(decoded[i]);
  fft(z, false);
  std::vector<std::complex<double>> x(n);
  for (std::size_t k = 0; k < n; ++k) {
    const std::complex<double> a = z[k];
    const std::complex<double> b = std::conj(z[(n - k) % n]);
    const std::complex<double> xk = 0.5 * (a + b);
    const std::complex<double> yk = std::complex<double>(0.0, -0.5) * (a - b);
    x[k] = std::conj(xk) * yk;
  }
  fft(x, true);

  const auto correlation = [&](long lag) {
    const std::size_t index =
        lag >= 0 ? static_cast<std::size_t>(lag) : n - static_cast<std::size_t>(-lag);
    return x[index].real() / static_cast<double>(n) / norm;
  };
  const long max_positive = std::min<long>(max_lag, static_cast<long>(decoded.size()) - 1);
  const long max_negative = std::min<long>(max_lag, static_cast<long>(original.size()) - 1);
  // Polarity is kept (the codecs do not invert), so the signed maximum is the match; ties go to
  // the smaller |lag| because lag 0 is tried first.
  long best_lag = 0;
  double best = correlation(0);
  for (long lag = 1; lag <= std::max(max_positive, max_negative); ++lag) {
    if (lag <= max_positive && correlation(lag) > best) {
      best = correlation(lag);
      best_lag = lag;
    }
    if (lag <= max_negative && correlation(-lag) > best) {
      best = correlation(-lag);
      best_lag = -lag;
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

Mp3RoundTrip mp3_round_trip(const std::vector<float>& mono, int sample_rate, int bitrate_kbps) {
  const Mp3 mp3 = encode_mp3(mono, sample_rate, bitrate_kbps);
  const Audio decoded = decode_mp3(mp3.bytes);
  std::vector<float> back = to_mono(decoded);
  if (decoded.sample_rate != sample_rate) back = resample(back, decoded.sample_rate, sample_rate);

  Mp3RoundTrip result;
  result.mp3_bytes = mp3.bytes.size();
  result.output_sample_rate = decoded.sample_rate;
  const int max_lag = static_cast<int>(std::lround(kMaxDelaySeconds * sample_rate));
  result.delay_samples = estimate_delay(mono, back, max_lag);
  result.samples = align(back, result.delay_samples, mono.size());
  result.snr_db = snr_db(mono, result.samples);
  return result;
}

}  // namespace helmholtz::codec
