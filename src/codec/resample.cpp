#include "helmholtz/codec/resample.hpp"

#include <soxr.h>

#include <cmath>
#include <string>

#include "helmholtz/core/error.hpp"

namespace helmholtz::codec {

std::vector<float> resample(const std::vector<float>& mono, int from_rate, int to_rate) {
  if (from_rate <= 0 || to_rate <= 0) {
    throw core::UsageError("resample: sample rates must be positive (got " +
                           std::to_string(from_rate) + " Hz -> " + std::to_string(to_rate) +
                           " Hz)");
  }
  if (from_rate == to_rate || mono.empty()) return mono;
  const auto out_size = static_cast<std::size_t>(
      std::llround(static_cast<double>(mono.size()) * to_rate / from_rate));
  std::vector<float> out(out_size);
  // soxr_oneshot creates, uses and deletes its own soxr_t, so there is no handle to own here.
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  std::size_t used = 0;
  std::size_t made = 0;
  const soxr_error_t error = soxr_oneshot(from_rate, to_rate, 1, mono.data(), mono.size(), &used,
                                          out.data(), out.size(), &made, &io, &quality, nullptr);
  if (error != nullptr) {
    throw core::CodecError("resampling " + std::to_string(from_rate) + " Hz -> " +
                           std::to_string(to_rate) + " Hz failed: " + error);
  }
  out.resize(made);
  out.resize(out_size, 0.0f);  // soxr may stop a sample short; pad with silence
  return out;
}

}  // namespace helmholtz::codec

namespace helmholtz::codec {

std::vector<float> mono_at_rate(const Audio& audio, int rate) {
  std::vector<float> mono = to_mono(audio);
  if (audio.sample_rate == rate) return mono;
  return resample(mono, audio.sample_rate, rate);
}

}  // namespace helmholtz::codec
