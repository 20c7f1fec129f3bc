#pragma once
// Sample-rate conversion through libsoxr (high quality, linear phase, delay compensated).
// No torch.

#include <vector>

#include "helmholtz/codec/audio.hpp"

namespace helmholtz::codec {

// Resamples a mono signal from `from_rate` to `to_rate` Hz with soxr_oneshot at SOXR_HQ. The
// output holds round(size * to_rate / from_rate) samples, time-aligned with the input. The same
// rate returns a copy. Throws core::UsageError on a rate <= 0, core::CodecError if soxr fails.
std::vector<float> resample(const std::vector<float>& mono, int from_rate, int to_rate);

}  // namespace helmholtz::codec

namespace helmholtz::codec {

// The study's input signal: the channels averaged to mono (explicitly: stereo is never read as
// mono by accident) and resampled to `rate` when the file has another rate.
std::vector<float> mono_at_rate(const Audio& audio, int rate);

}  // namespace helmholtz::codec
