#include "helmholtz/data/audio_synth.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include "helmholtz/codec/audio.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/parallel.hpp"
#include "helmholtz/core/random.hpp"

// How a note is made:
// - Dry note: Karplus-Strong. A one-period noise burst, lowpassed by a random "pick brightness"
//   and combed at a random pluck position, feeds a delay loop of sr/f samples (linear-interpolated
//   fractional delay plus a two-point averaging loop filter). Pitch is log-uniform over a guitar's
//   range, E2 (82.4 Hz) to E5 (659 Hz); the loop gain gives a random T60 of 2-5 s at the
//   fundamental. After 0.6-1.1 s the note is muted (T60 0.03-0.1 s), as a player would, so the
//   last half second of a dry note is silence and delay/reverb tails stand out.
// - The dry note is drawn from its own random stream (seed only) and peak-normalised to 1
//   before the effect, so gains of the clipping effects mean the same for every note, and
//   NoFX of a seed is the unprocessed note of every other effect with that seed.
// - The effect draws its settings from a second stream, then the result is peak-normalised
//   to 0.8.

namespace helmholtz::data {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kPeak = 0.8;
constexpr int kFileSampleRate = 44100;
constexpr double kFileSeconds = 2.0;

enum Effect {
  kChorus,
  kDistortion,
  kEq,
  kFeedbackDelay,
  kFlanger,
  kNoFx,
  kOverdrive,
  kPhaser,
  kReverb,
  kSlapbackDelay,
  kTremolo,
  kVibrato,
  kEffectCount
};

using core::splitmix64;
using core::uniform;
double uniform(std::mt19937_64& gen, double lo, double hi) { return lo + (hi - lo) * uniform(gen); }
double random_sign(std::mt19937_64& gen) { return (gen() >> 63) ? 1.0 : -1.0; }

// x read `delay` samples (fractional, >= 0) before index n, linear interpolation, 0 before start.
double read_delayed(const std::vector<double>& x, std::size_t n, double delay) {
  const double pos = static_cast<double>(n) - delay;
  if (pos < 0.0) return 0.0;
  const auto i = static_cast<std::size_t>(pos);
  const double frac = pos - static_cast<double>(i);
  const double a = x[i];
  const double b = i + 1 < x.size() ? x[i + 1] : 0.0;
  return a + frac * (b - a);
}

void scale_peak(std::vector<double>& x, double peak) {
  double max_abs = 0.0;
  for (double& v : x) {
    if (!std::isfinite(v)) v = 0.0;
    max_abs = std::max(max_abs, std::abs(v));
  }
  if (max_abs <= 0.0) return;
  const double g = peak / max_abs;
  for (double& v : x) v *= g;
}

std::vector<double> pluck(std::mt19937_64& gen, int sr, std::size_t n) {
  const double f = 82.41 * std::pow(2.0, 3.0 * uniform(gen));  // E2 .. E5
  const double t60 = uniform(gen, 2.0, 5.0);
  const double mute_at = uniform(gen, 0.6, 1.1);
  const double mute_t60 = uniform(gen, 0.03, 0.1);
  const double pluck_pos = uniform(gen, 0.1, 0.45);
  const double brightness = uniform(gen, 0.3, 0.9);  // one-pole lowpass coefficient of the pick
  const auto onset = static_cast<std::size_t>(uniform(gen, 0.0, 0.01) * sr);

  const double period = sr / f;
  const auto burst = static_cast<std::size_t>(period);
  std::vector<double> noise(burst);
  double lp = 0.0;
  for (double& v : noise) {
    lp += brightness * ((2.0 * uniform(gen) - 1.0) - lp);
    v = lp;
  }
  const auto comb = std::max<std::size_t>(1, static_cast<std::size_t>(pluck_pos * period + 0.5));
  std::vector<double> excitation(n, 0.0);
  for (std::size_t i = 0; i < burst && onset + i < n; ++i)
    excitation[onset + i] = noise[i] - (i >= comb ? noise[i - comb] : 0.0);

  // Loop gain per pass for a T60 in seconds at the fundamental (f passes per second).
  const double gain = std::pow(10.0, -3.0 / (t60 * f));
  const double mute_gain = std::pow(10.0, -3.0 / (mute_t60 * f));
  const auto mute_sample = static_cast<std::size_t>(mute_at * sr);
  const double loop_delay = period - 0.5;  // the averaging filter adds half a sample
  std::vector<double> y(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double g = i < mute_sample ? gain : mute_gain;
    const double a = read_delayed(y, i, loop_delay);
    const double b = read_delayed(y, i, loop_delay + 1.0);
    y[i] = excitation[i] + g * 0.5 * (a + b);
  }
  scale_peak(y, 1.0);
  return y;
}

// Robert Bristow-Johnson's cookbook biquads, normalised so a0 = 1.
struct Biquad {
  double b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0;
  void run(std::vector<double>& x) const {
    double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
    for (double& v : x) {
      const double y = b0 * v + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      x2 = x1;
      x1 = v;
      y2 = y1;
      y1 = y;
      v = y;
    }
  }
};

Biquad normalised(double b0, double b1, double b2, double a0, double a1, double a2) {
  return {b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0};
}

Biquad peaking(double sr, double f0, double gain_db, double q) {
  const double a = std::pow(10.0, gain_db / 40.0);
  const double w = 2.0 * kPi * f0 / sr;
  const double alpha = std::sin(w) / (2.0 * q);
  const double c = std::cos(w);
  return normalised(1 + alpha * a, -2 * c, 1 - alpha * a, 1 + alpha / a, -2 * c, 1 - alpha / a);
}

// Shelf with slope 1; low = true for a low shelf.
Biquad shelf(double sr, double f0, double gain_db, bool low) {
  const double a = std::pow(10.0, gain_db / 40.0);
  const double w = 2.0 * kPi * f0 / sr;
  const double c = std::cos(w);
  const double alpha = std::sin(w) / 2.0 * std::sqrt(2.0);
  const double s = 2.0 * std::sqrt(a) * alpha;
  if (low)
    return normalised(a * ((a + 1) - (a - 1) * c + s), 2 * a * ((a - 1) - (a + 1) * c),
                      a * ((a + 1) - (a - 1) * c - s), (a + 1) + (a - 1) * c + s,
                      -2 * ((a - 1) + (a + 1) * c), (a + 1) + (a - 1) * c - s);
  return normalised(a * ((a + 1) + (a - 1) * c + s), -2 * a * ((a - 1) + (a + 1) * c),
                    a * ((a + 1) + (a - 1) * c - s), (a + 1) - (a - 1) * c + s,
                    2 * ((a - 1) - (a + 1) * c), (a + 1) - (a - 1) * c - s);
}

// Modulated delay d(n) = base + depth * sin(2 pi rate n / sr + phase), seconds; dry/wet mix.
void chorus(std::vector<double>& x, std::mt19937_64& gen, double sr) {
  const double base = uniform(gen, 0.015, 0.030);
  const double depth = uniform(gen, 0.001, 0.004);
  const double rate = uniform(gen, 0.3, 1.5);
  const double phase = uniform(gen, 0.0, 2.0 * kPi);
  const double mix = uniform(gen, 0.4, 0.6);
  const std::vector<double> dry = x;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double d = base + depth * std::sin(2.0 * kPi * rate * i / sr + phase);
    x[i] = (1.0 - mix) * dry[i] + mix * read_delayed(dry, i, d * sr);
  }
}

void distortion(std::vector<double>& x, std::mt19937_64& gen) {
  const double gain = uniform(gen, 15.0, 40.0);
  for (double& v : x) v = std::clamp(gain * v, -1.0, 1.0);
}

void overdrive(std::vector<double>& x, std::mt19937_64& gen) {
  const double gain = uniform(gen, 2.0, 6.0);
  for (double& v : x) v = std::tanh(gain * v);
}

// Low shelf, peak and high shelf, each boosting or cutting 6-12 dB.
void equaliser(std::vector<double>& x, std::mt19937_64& gen, double sr) {
  const double low_db = random_sign(gen) * uniform(gen, 6.0, 12.0);
  const double low_f = uniform(gen, 100.0, 300.0);
  const double mid_db = random_sign(gen) * uniform(gen, 6.0, 12.0);
  const double mid_f = 500.0 * std::pow(6.0, uniform(gen));  // 500 .. 3000 Hz
  const double mid_q = uniform(gen, 0.7, 2.0);
  const double high_db = random_sign(gen) * uniform(gen, 6.0, 12.0);
  const double high_f = uniform(gen, 3000.0, 8000.0);
  shelf(sr, low_f, low_db, true).run(x);
  peaking(sr, mid_f, mid_db, mid_q).run(x);
  shelf(sr, high_f, high_db, false).run(x);
}

void feedback_delay(std::vector<double>& x, std::mt19937_64& gen, double sr) {
  const auto d = static_cast<std::size_t>(uniform(gen, 0.100, 0.400) * sr);
  const double feedback = uniform(gen, 0.35, 0.65);
  const double mix = uniform(gen, 0.4, 0.6);
  std::vector<double> w(x.size(), 0.0);  // w[n] = x[n - d] + feedback * w[n - d]
  for (std::size_t i = d; i < x.size(); ++i) w[i] = x[i - d] + feedback * w[i - d];
  for (std::size_t i = 0; i < x.size(); ++i) x[i] += mix * w[i];
}

void flanger(std::vector<double>& x, std::mt19937_64& gen, double sr) {
  const double low = uniform(gen, 0.001, 0.002);
  const double high = uniform(gen, 0.003, 0.005);
  const double rate = uniform(gen, 0.1, 1.0);
  const double phase = uniform(gen, 0.0, 2.0 * kPi);
  const double feedback = uniform(gen, 0.5, 0.8);
  std::vector<double> w(x.size(), 0.0);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double lfo = 0.5 + 0.5 * std::sin(2.0 * kPi * rate * i / sr + phase);
    const double delayed = read_delayed(w, i, (low + (high - low) * lfo) * sr);
    w[i] = x[i] + feedback * delayed;
    x[i] = 0.5 * (x[i] + delayed);
  }
}

// 4-8 first-order all-passes whose break frequency sweeps 300-3000 Hz (log) with an LFO.
void phaser(std::vector<double>& x, std::mt19937_64& gen, double sr) {
  const int stages = 4 + static_cast<int>(gen() % 5);
  const double rate = uniform(gen, 0.2, 2.0);
  const double phase = uniform(gen, 0.0, 2.0 * kPi);
  const double feedback = uniform(gen, 0.0, 0.5);
  std::vector<double> x1(stages, 0.0), y1(stages, 0.0);
  double last = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double lfo = 0.5 + 0.5 * std::sin(2.0 * kPi * rate * i / sr + phase);
    const double fc = 300.0 * std::pow(10.0, lfo);
    const double t = std::tan(kPi * fc / sr);
    const double a = (t - 1.0) / (t + 1.0);
    double v = x[i] + feedback * last;
    for (int s = 0; s < stages; ++s) {
      const double y = a * v + x1[s] - a * y1[s];
      x1[s] = v;
      y1[s] = y;
      v = y;
    }
    last = v;
    x[i] = 0.5 * (x[i] + v);
  }
}

// Freeverb (Jezar's public-domain design): 8 lowpass-feedback combs in parallel, 4 all-passes in
// series, delay lengths scaled from 44.1 kHz.
void reverb(std::vector<double>& x, std::mt19937_64& gen, double sr) {
  constexpr std::array<int, 8> kCombs = {1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617};
  constexpr std::array<int, 4> kAllPasses = {556, 441, 341, 225};
  const double room = uniform(gen, 0.82, 0.95);
  const double damp = uniform(gen, 0.2, 0.5);
  const double wet = uniform(gen, 0.25, 0.45);
  const double scale = sr / 44100.0;
  std::vector<double> sum(x.size(), 0.0);
  for (int length : kCombs) {
    std::vector<double> buf(std::max(1, static_cast<int>(length * scale)), 0.0);
    std::size_t pos = 0;
    double store = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double out = buf[pos];
      store = out * (1.0 - damp) + store * damp;
      buf[pos] = 0.015 * x[i] + store * room;
      sum[i] += out;
      if (++pos == buf.size()) pos = 0;
    }
  }
  for (int length : kAllPasses) {
    std::vector<double> buf(std::max(1, static_cast<int>(length * scale)), 0.0);
    std::size_t pos = 0;
    for (double& v : sum) {
      const double delayed = buf[pos];
      buf[pos] = v + 0.5 * delayed;
      v = delayed - v;
      if (++pos == buf.size()) pos = 0;
    }
  }
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = x[i] + 3.0 * wet * sum[i];
}

void slapback(std::vector<double>& x, std::mt19937_64& gen, double sr) {
  const auto d = static_cast<std::size_t>(uniform(gen, 0.060, 0.150) * sr);
  const double level = uniform(gen, 0.4, 0.8);
  const std::vector<double> dry = x;
  for (std::size_t i = d; i < x.size(); ++i) x[i] += level * dry[i - d];
}

void tremolo(std::vector<double>& x, std::mt19937_64& gen, double sr) {
  const double rate = uniform(gen, 3.0, 10.0);
  const double depth = uniform(gen, 0.4, 0.9);
  const double phase = uniform(gen, 0.0, 2.0 * kPi);
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] *= 1.0 - depth * 0.5 * (1.0 - std::cos(2.0 * kPi * rate * i / sr + phase));
}

// Fully wet modulated delay: the pitch wobbles by depth * 2 pi rate (relative).
void vibrato(std::vector<double>& x, std::mt19937_64& gen, double sr) {
  const double rate = uniform(gen, 4.0, 8.0);
  const double depth = uniform(gen, 0.0005, 0.002);
  const double phase = uniform(gen, 0.0, 2.0 * kPi);
  const double base = 0.005;
  const std::vector<double> dry = x;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double d = base + depth * std::sin(2.0 * kPi * rate * i / sr + phase);
    x[i] = read_delayed(dry, i, d * sr);
  }
}

void apply_effect(int effect, std::vector<double>& x, std::mt19937_64& gen, double sr) {
  switch (effect) {
    case kChorus:
      chorus(x, gen, sr);
      break;
    case kDistortion:
      distortion(x, gen);
      break;
    case kEq:
      equaliser(x, gen, sr);
      break;
    case kFeedbackDelay:
      feedback_delay(x, gen, sr);
      break;
    case kFlanger:
      flanger(x, gen, sr);
      break;
    case kNoFx:
      break;
    case kOverdrive:
      overdrive(x, gen);
      break;
    case kPhaser:
      phaser(x, gen, sr);
      break;
    case kReverb:
      reverb(x, gen, sr);
      break;
    case kSlapbackDelay:
      slapback(x, gen, sr);
      break;
    case kTremolo:
      tremolo(x, gen, sr);
      break;
    case kVibrato:
      vibrato(x, gen, sr);
      break;
    default:
      break;
  }
}

std::uint64_t clip_seed(std::uint64_t seed, std::size_t effect, std::size_t index) {
  return splitmix64(splitmix64(seed ^ splitmix64(effect)) + index);
}

}  // namespace

const std::vector<std::string>& audio_effect_classes() {
  static const std::vector<std::string> kClasses = {
      "Chorus",    "Distortion", "EQ",     "FeedbackDelay", "Flanger", "NoFX",
      "Overdrive", "Phaser",     "Reverb", "SlapbackDelay", "Tremolo", "Vibrato"};
  return kClasses;
}

std::vector<float> synth_note(int effect_index, std::uint64_t seed, int sample_rate,
                              double seconds) {
  if (effect_index < 0 || effect_index >= kEffectCount)
    throw core::UsageError("synth_note: effect index " + std::to_string(effect_index) +
                           " is out of range; use 0.." + std::to_string(kEffectCount - 1));
  if (sample_rate <= 0 || !(seconds > 0.0))
    throw core::UsageError("synth_note: sample rate and length must be positive (got " +
                           std::to_string(sample_rate) + " Hz, " + std::to_string(seconds) + " s)");
  const auto n = static_cast<std::size_t>(std::llround(sample_rate * seconds));
  std::mt19937_64 note_gen(splitmix64(seed));
  std::mt19937_64 effect_gen(splitmix64(seed ^ 0xA5A5A5A5DEADBEEFull) + effect_index);
  std::vector<double> x = pluck(note_gen, sample_rate, n);
  apply_effect(effect_index, x, effect_gen, sample_rate);
  scale_peak(x, kPeak);
  return std::vector<float>(x.begin(), x.end());
}

void write_audio_effects(const std::filesystem::path& out, int per_class, std::uint64_t seed,
                         int threads) {
  if (per_class < 1)
    throw core::UsageError("write_audio_effects: per_class must be at least 1 (got " +
                           std::to_string(per_class) + ")");
  const auto& classes = audio_effect_classes();
  for (const auto& name : classes) {
    std::error_code ec;
    std::filesystem::create_directories(out / "Samples" / name, ec);
    if (ec)
      throw core::RunError("cannot create folder " + (out / "Samples" / name).string() + ": " +
                           ec.message());
  }
  const std::size_t per = static_cast<std::size_t>(per_class);
  core::parallel_for(classes.size() * per, core::resolve_threads(threads),
                     [&](int, std::size_t begin, std::size_t end) {
                       for (std::size_t k = begin; k < end; ++k) {
                         const std::size_t effect = k / per;
                         const std::size_t index = k % per;
                         codec::Audio audio;
                         audio.sample_rate = kFileSampleRate;
                         audio.channels = 1;
                         audio.samples =
                             synth_note(static_cast<int>(effect), clip_seed(seed, effect, index),
                                        kFileSampleRate, kFileSeconds);
                         char number[32];
                         std::snprintf(number, sizeof(number), "_%04zu.wav", index);
                         const std::string& name = classes[effect];
                         codec::write_wav(out / "Samples" / name / (name + number), audio);
                       }
                     });
}

}  // namespace helmholtz::data
