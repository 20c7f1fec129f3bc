#pragma once
// Log-mel spectrograms exactly as the reference computed them with librosa 0.6 (REFERENCE.md
// section 2): |STFT|^2 (n_fft 2048, hop 512, periodic Hann, centred frames, reflect padding),
// a Slaney-scale, Slaney-normalised mel filterbank (librosa.filters.mel, htk=False, norm=1),
// then librosa.amplitude_to_db applied to that POWER spectrogram: 20*log10(max(1e-5, S)),
// floored per clip at (max - top_db). Batched on the clips' device, one stft call per batch.

#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace helmholtz::features {

struct MelOptions {
  int sample_rate = 44100;
  int n_fft = 2048;
  int hop = 512;
  int n_mels = 96;
  double fmin = 0;
  double fmax = 0;  // 0 = sample_rate / 2
  double top_db = 80;
};

// The Slaney ("auditory toolbox") mel scale of librosa.hz_to_mel(htk=False): linear below
// 1000 Hz at 200/3 Hz per mel (so 1000 Hz = 15 mel), logarithmic above with ln(6.4)/27 per mel.
inline constexpr double kSlaneyHzPerMel = 200.0 / 3.0;
inline constexpr double kSlaneyMinLogHz = 1000.0;
inline constexpr double kSlaneyMinLogMel = kSlaneyMinLogHz / kSlaneyHzPerMel;  // 15

inline double slaney_log_step() { return std::log(6.4) / 27.0; }

inline double hz_to_mel_slaney(double hz) {
  if (hz >= kSlaneyMinLogHz) {
    return kSlaneyMinLogMel + std::log(hz / kSlaneyMinLogHz) / slaney_log_step();
  }
  return hz / kSlaneyHzPerMel;
}

inline double mel_to_hz_slaney(double mel) {
  if (mel >= kSlaneyMinLogMel) {
    return kSlaneyMinLogHz * std::exp(slaney_log_step() * (mel - kSlaneyMinLogMel));
  }
  return kSlaneyHzPerMel * mel;
}

// fmax with 0 resolved to sample_rate / 2. Throws core::UsageError on nonsensical options.
double resolved_fmax(const MelOptions& options);

// The n_mels + 2 band edges in Hz (librosa.mel_frequencies(n_mels + 2, fmin, fmax)): band m
// rises from edges[m] to its centre edges[m + 1] and falls to edges[m + 2].
std::vector<double> mel_band_edges(const MelOptions& options);

// librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk=False, norm=1) as float32
// [n_mels, n_fft / 2 + 1] on the CPU (computed in double, then cast).
torch::Tensor slaney_mel_filterbank(const MelOptions& options);

// clips: float32 [B, T] on any device, T > n_fft / 2. Returns the mel dB spectrograms, float32
// [B, n_mels, 1 + T / hop] on the same device.
torch::Tensor mel_db(const torch::Tensor& clips, const MelOptions& options);

// Zero-pads each clip of [B, T] at the end, or cuts it, to `length` samples.
torch::Tensor pad_or_cut(const torch::Tensor& clips, int64_t length);

}  // namespace helmholtz::features
