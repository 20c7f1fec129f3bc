#include "helmholtz/features/mel.hpp"

#include <algorithm>
#include <string>

#include "helmholtz/core/error.hpp"

// Formulas: librosa 0.6 (librosa/filters.py mel(), librosa/core/time_frequency.py
// hz_to_mel/mel_to_hz/mel_frequencies/fft_frequencies, librosa/core/spectrum.py stft() with
// window 'hann' from scipy get_window(fftbins=True) = periodic, center=True,
// pad_mode='reflect', and amplitude_to_db(S, ref=1.0, amin=1e-5, top_db=80) =
// power_to_db(S**2, amin=1e-10) = max(10*log10(max(1e-10, S^2)), max - 80), which equals
// 20*log10(max(1e-5, S)) floored at max - 80). librosa itself is not installed here, so the
// tests check the formulas' properties and a few values computed with numpy.

namespace helmholtz::features {
namespace {

// np.linspace(start, stop, num) with endpoint=True: start + i * step, the last value exactly stop.
std::vector<double> linspace(double start, double stop, int num) {
  std::vector<double> out(static_cast<std::size_t>(num));
  if (num == 1) {
    out[0] = start;
    return out;
  }
  const double step = (stop - start) / (num - 1);
  for (int i = 0; i < num; ++i) out[static_cast<std::size_t>(i)] = start + i * step;
  out.back() = stop;
  return out;
}

void check_options(const MelOptions& o) {
  if (o.sample_rate <= 0 || o.n_fft <= 0 || o.hop <= 0 || o.n_mels <= 0 || o.top_db < 0) {
    throw core::UsageError(
        "mel options: sample_rate, n_fft, hop and n_mels must be positive "
        "and top_db non-negative (got sr " +
        std::to_string(o.sample_rate) + ", n_fft " + std::to_string(o.n_fft) + ", hop " +
        std::to_string(o.hop) + ", n_mels " + std::to_string(o.n_mels) + ")");
  }
}

}  // namespace

double resolved_fmax(const MelOptions& options) {
  check_options(options);
  const double fmax = options.fmax > 0 ? options.fmax : options.sample_rate / 2.0;
  if (options.fmin < 0 || fmax <= options.fmin) {
    throw core::UsageError("mel options: need 0 <= fmin < fmax (got fmin " +
                           std::to_string(options.fmin) + ", fmax " + std::to_string(fmax) + ")");
  }
  return fmax;
}

std::vector<double> mel_band_edges(const MelOptions& options) {
  const double fmax = resolved_fmax(options);
  std::vector<double> edges =
      linspace(hz_to_mel_slaney(options.fmin), hz_to_mel_slaney(fmax), options.n_mels + 2);
  for (double& e : edges) e = mel_to_hz_slaney(e);
  return edges;
}

torch::Tensor slaney_mel_filterbank(const MelOptions& options) {
  const std::vector<double> mel_f = mel_band_edges(options);
  const int n_mels = options.n_mels;
  const int n_freqs = options.n_fft / 2 + 1;
  const std::vector<double> fft_f = linspace(0, options.sample_rate / 2.0, n_freqs);

  auto weights = torch::zeros({n_mels, n_freqs}, torch::kFloat64);
  auto w = weights.accessor<double, 2>();
  for (int m = 0; m < n_mels; ++m) {
    const double fdiff_lo = mel_f[m + 1] - mel_f[m];
    const double fdiff_hi = mel_f[m + 2] - mel_f[m + 1];
    // Slaney area normalisation: every triangle has unit area in Hz.
    const double enorm = 2.0 / (mel_f[m + 2] - mel_f[m]);
    for (int k = 0; k < n_freqs; ++k) {
      // librosa: ramps = mel_f[i] - fftfreqs; lower = -ramps[m] / fdiff[m],
      // upper = ramps[m + 2] / fdiff[m + 1]; weight = max(0, min(lower, upper)) * enorm.
      const double lower = -(mel_f[m] - fft_f[k]) / fdiff_lo;
      const double upper = (mel_f[m + 2] - fft_f[k]) / fdiff_hi;
      w[m][k] = std::max(0.0, std::min(lower, upper)) * enorm;
    }
  }
  return weights.to(torch::kFloat32);
}

torch::Tensor mel_db(const torch::Tensor& clips, const MelOptions& options) {
  TORCH_CHECK(clips.dim() == 2, "mel_db: clips must be [B, T], got ", clips.sizes());
  TORCH_CHECK(clips.scalar_type() == torch::kFloat32, "mel_db: clips must be float32");
  // Reflect padding by n_fft / 2 needs more samples than that.
  TORCH_CHECK(clips.size(1) > options.n_fft / 2, "mel_db: clips of ", clips.size(1),
              " samples are too short for n_fft ", options.n_fft);
  const auto device = clips.device();
  const auto fb = slaney_mel_filterbank(options).to(device);  // [M, F]
  const auto window = torch::hann_window(options.n_fft, /*periodic=*/true,
                                         torch::dtype(torch::kFloat32).device(device));

  // [B, F, frames] complex, frames = 1 + T / hop (centred: n_fft / 2 reflected samples each side).
  const auto spec = torch::stft(clips, options.n_fft, options.hop, options.n_fft, window,
                                /*center=*/true, /*pad_mode=*/"reflect", /*normalized=*/false,
                                /*onesided=*/true, /*return_complex=*/true);
  const auto power = spec.abs().square();     // librosa: np.abs(stft) ** 2
  const auto mel = torch::matmul(fb, power);  // [B, M, frames]

  // amplitude_to_db on the power spectrogram (the reference's choice), per clip top_db floor.
  auto db = 20.0 * torch::log10(torch::clamp_min(mel, 1e-5));
  const auto peak = std::get<0>(db.flatten(1).max(1)).view({-1, 1, 1});
  return torch::max(db, peak - options.top_db);
}

torch::Tensor pad_or_cut(const torch::Tensor& clips, int64_t length) {
  TORCH_CHECK(clips.dim() == 2, "pad_or_cut: clips must be [B, T], got ", clips.sizes());
  TORCH_CHECK(length > 0, "pad_or_cut: length must be positive, got ", length);
  const int64_t t = clips.size(1);
  if (t >= length) return clips.narrow(1, 0, length).contiguous();
  return torch::constant_pad_nd(clips, {0, length - t}, 0);
}

}  // namespace helmholtz::features
