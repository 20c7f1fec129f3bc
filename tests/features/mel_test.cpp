// Tests for the librosa-0.6 mel spectrogram and the .npy writer. librosa is not installed, so
// golden values come from librosa 0.6's filters.mel / stft / amplitude_to_db formulas re-typed
// in numpy (reflect pad, periodic Hann, rfft, |.|^2, mel dot, 10*log10(max(1e-10, S^2)), top 80).

#include "helmholtz/features/mel.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "helmholtz/core/error.hpp"
#include "helmholtz/features/npy.hpp"
#include "test_support.hpp"

namespace helmholtz::features {
namespace {

constexpr double kPi = 3.14159265358979323846;

class MelTest : public ::testing::Test {
 protected:
  void SetUp() override { at::set_num_threads(1); }
};

// float32 [1, n] of sum_i amp_i * sin(2 pi f_i t), computed in double, cast once.
torch::Tensor sines(int64_t n, const std::vector<std::pair<double, double>>& freq_amp,
                    int sample_rate = 44100) {
  const auto t = torch::arange(n, torch::kFloat64) / sample_rate;
  auto y = torch::zeros({n}, torch::kFloat64);
  for (const auto& [f, a] : freq_amp) y += a * torch::sin(2 * kPi * f * t);
  return y.to(torch::kFloat32).unsqueeze(0);
}

std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST_F(MelTest, SlaneyMelScale) {
  EXPECT_DOUBLE_EQ(hz_to_mel_slaney(0), 0.0);
  EXPECT_NEAR(hz_to_mel_slaney(1000), 15.0, 1e-12);
  EXPECT_NEAR(hz_to_mel_slaney(500), 7.5, 1e-12);  // linear part: 200/3 Hz per mel
  EXPECT_NEAR(mel_to_hz_slaney(15), 1000.0, 1e-9);
  EXPECT_NEAR(mel_to_hz_slaney(hz_to_mel_slaney(4000)), 4000.0, 1e-9);
  // log part: 6.4x the frequency every 27 mel.
  EXPECT_NEAR(hz_to_mel_slaney(6400), 15.0 + 27.0, 1e-9);
}

TEST_F(MelTest, FilterbankShapeAndKnownValues) {
  const auto fb = slaney_mel_filterbank(MelOptions{});
  ASSERT_EQ(fb.sizes(), (std::vector<int64_t>{96, 1025}));
  ASSERT_EQ(fb.scalar_type(), torch::kFloat32);
  const auto edges = mel_band_edges(MelOptions{});
  ASSERT_EQ(edges.size(), 98u);
  EXPECT_DOUBLE_EQ(edges.front(), 0.0);
  EXPECT_NEAR(edges[1], 41.2319413315927, 1e-9);
  EXPECT_NEAR(edges[48], 2744.9344664596915, 1e-8);
  EXPECT_NEAR(edges.back(), 22050.0, 1e-8);
  // (band, bin, value) from the numpy re-typing of librosa.filters.mel(44100, 2048, 96).
  const std::vector<std::tuple<int, int, double>> known = {{0, 1, 0.012666046283118744},
                                                           {0, 2, 0.023173991198185258},
                                                           {1, 3, 0.013745096967144863},
                                                           {10, 21, 0.023456553123379898},
                                                           {10, 22, 0.01238348435792412},
                                                           {40, 95, 0.010573785805110142},
                                                           {40, 96, 0.007768572511979738},
                                                           {60, 222, 0.0047029124612552224},
                                                           {60, 223, 0.004190887537246319},
                                                           {95, 981, 0.0011024523651428754},
                                                           {95, 982, 0.0010961235684912528},
                                                           {10, 25, 0.0},
                                                           {95, 1024, 0.0}};
  const auto a = fb.accessor<float, 2>();
  for (const auto& [m, k, v] : known) {
    EXPECT_NEAR(a[m][k], v, 1e-6 * v + 1e-12) << "band " << m << " bin " << k;
  }
}

// Slaney normalisation: each triangle has unit area, i.e. its (interpolated) peak at the centre
// frequency is 2 / (f[m+2] - f[m]). The bins rarely hit the centre, so extend the line through
// each side's zero and one sampled bin to the centre.
TEST_F(MelTest, FilterbankPeaksAreAreaNormalised) {
  const MelOptions o;
  const auto fb = slaney_mel_filterbank(o);
  const auto edges = mel_band_edges(o);
  const auto a = fb.accessor<float, 2>();
  const double bin_hz = o.sample_rate / static_cast<double>(o.n_fft);
  for (int m = 0; m < o.n_mels; ++m) {
    const double lo = edges[m], c = edges[m + 1], hi = edges[m + 2];
    const double enorm = 2.0 / (hi - lo);
    bool rising_seen = false, falling_seen = false;
    for (int k = 0; k < fb.size(1); ++k) {
      const double f = k * bin_hz;
      const double w = a[m][k];
      if (f > lo && f < c) {
        EXPECT_NEAR(w * (c - lo) / (f - lo), enorm, 1e-5 * enorm) << "band " << m << " bin " << k;
        rising_seen = true;
      } else if (f > c && f < hi) {
        EXPECT_NEAR(w * (hi - c) / (hi - f), enorm, 1e-5 * enorm) << "band " << m << " bin " << k;
        falling_seen = true;
      } else if (f <= lo || f >= hi) {
        EXPECT_EQ(w, 0.0f) << "band " << m << " bin " << k;
      }
      EXPECT_LE(w, enorm * (1 + 1e-6));
    }
    EXPECT_TRUE(rising_seen && falling_seen) << "band " << m;
  }
}

TEST_F(MelTest, FilterbankRowsNonNegativeAndNonZero) {
  const auto fb = slaney_mel_filterbank(MelOptions{});
  EXPECT_GE(fb.min().item<float>(), 0.0f);
  const auto row_max = std::get<0>(fb.max(1));
  EXPECT_TRUE((row_max > 0).all().item<bool>());
}

TEST_F(MelTest, OneKilohertzSinePeaksInNearestBand) {
  const MelOptions o;
  const auto edges = mel_band_edges(o);
  int nearest = 0;
  for (int m = 1; m < o.n_mels; ++m) {
    if (std::abs(edges[m + 1] - 1000) < std::abs(edges[nearest + 1] - 1000)) nearest = m;
  }
  const auto db = mel_db(sines(88200, {{1000.0, 0.5}}), o);
  const auto per_band = db[0].mean(1);
  EXPECT_EQ(per_band.argmax().item<int64_t>(), nearest);
}

TEST_F(MelTest, TwoSecondClipsGive96x173) {
  const auto clips = torch::randn({3, 88200}) * 0.1;
  const auto db = mel_db(clips, MelOptions{});
  EXPECT_EQ(db.sizes(), (std::vector<int64_t>{3, 96, 173}));
  EXPECT_EQ(db.scalar_type(), torch::kFloat32);
  // frames = 1 + T / hop for other lengths too.
  EXPECT_EQ(mel_db(torch::randn({1, 22050}), MelOptions{}).size(2), 1 + 22050 / 512);
}

TEST_F(MelTest, DecibelFloorPerClipAndSilence) {
  torch::manual_seed(3);
  auto loud = sines(88200, {{440.0, 0.9}}) + 0.001 * torch::randn({1, 88200});
  // 0.1x the amplitude is -20 dB of amplitude, -40 dB on the power spectrogram's 20*log10.
  auto quiet = 0.1 * loud;
  auto silent = torch::zeros({1, 88200});
  const auto db = mel_db(torch::cat({loud, quiet, silent}), MelOptions{});
  for (int b = 0; b < 3; ++b) {
    const double range = (db[b].max() - db[b].min()).item<double>();
    EXPECT_LE(range, 80.0 + 1e-4) << "clip " << b;
  }
  // The floor is per clip: the quiet clip is the loud one 40 dB down, floor included (a floor
  // shared across the batch would sit 40 dB higher in the quiet clip).
  EXPECT_TRUE(torch::allclose(db[1], db[0] - 40, 0, 1e-3));
  EXPECT_GT(db[1].min().item<float>(), -100);
  const double floor_db = 20 * std::log10(1e-5);  // -100
  EXPECT_NEAR(db[2].min().item<float>(), floor_db, 1e-4);
  EXPECT_NEAR(db[2].max().item<float>(), floor_db, 1e-4);
}

TEST_F(MelTest, BatchedEqualsPerClip) {
  torch::manual_seed(7);
  const auto clips = torch::randn({4, 30000}) * 0.2;
  const auto batched = mel_db(clips, MelOptions{});
  for (int b = 0; b < 4; ++b) {
    const auto single = mel_db(clips.narrow(0, b, 1), MelOptions{});
    EXPECT_TRUE(torch::allclose(batched.narrow(0, b, 1), single, 1e-5, 1e-4)) << "clip " << b;
  }
}

// Golden values: same signal through the numpy re-typing of librosa 0.6 (reflect-padded,
// periodic Hann, 44 frames for 22050 samples, peak 63.9496 dB, floor -16.0504 dB).
TEST_F(MelTest, MatchesLibrosaFormulasOnKnownSignal) {
  const int64_t n = 22050;
  const auto t = torch::arange(n, torch::kFloat64) / 44100;
  // numpy summed all three terms in double before the float32 cast; do the same.
  const auto yd = 0.5 * torch::sin(2 * kPi * 440 * t) + 0.25 * torch::sin(2 * kPi * 3000 * t) +
                  0.01 * torch::cos(2 * kPi * 97 * t);
  const auto db = mel_db(yd.to(torch::kFloat32).unsqueeze(0), MelOptions{});
  ASSERT_EQ(db.sizes(), (std::vector<int64_t>{1, 96, 44}));
  EXPECT_NEAR(db.max().item<double>(), 63.94955682253502, 1e-3);
  EXPECT_NEAR(db.min().item<double>(), -16.050443177464977, 1e-3);
  const std::vector<std::tuple<int, int, double>> known = {
      {0, 0, 22.98002508034064},    {3, 0, 25.246276782408845},  {3, 1, 13.15995802461223},
      {3, 43, 25.089882735679872},  {10, 0, 56.52844029989374},  {10, 1, 62.60377370898213},
      {10, 21, 63.94955448697899},  {11, 21, 23.70933507058716}, {20, 0, -1.1680690322359992},
      {50, 1, 26.70472000591932},   {51, 1, -3.590972662560628}, {52, 43, -1.7415420897970615},
      {95, 42, -16.050443177464977}};
  const auto a = db.accessor<float, 3>();
  for (const auto& [m, f, v] : known) {
    EXPECT_NEAR(a[0][m][f], v, 1e-2) << "band " << m << " frame " << f;
  }
}

TEST_F(MelTest, RunsOnCudaWhenPresent) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  torch::manual_seed(1);
  const auto clips = torch::randn({2, 30000}) * 0.2;
  const auto cpu = mel_db(clips, MelOptions{});
  const auto gpu = mel_db(clips.to(torch::kCUDA), MelOptions{});
  EXPECT_TRUE(gpu.is_cuda());
  EXPECT_TRUE(torch::allclose(gpu.cpu(), cpu, 1e-4, 1e-2));
}

TEST_F(MelTest, PadOrCut) {
  const auto clips = torch::arange(1, 7, torch::kFloat32).view({2, 3});
  const auto padded = pad_or_cut(clips, 5);
  EXPECT_EQ(padded.sizes(), (std::vector<int64_t>{2, 5}));
  EXPECT_TRUE(torch::equal(
      padded, torch::tensor({1.f, 2.f, 3.f, 0.f, 0.f, 4.f, 5.f, 6.f, 0.f, 0.f}).view({2, 5})));
  const auto cut = pad_or_cut(clips, 2);
  EXPECT_TRUE(torch::equal(cut, torch::tensor({1.f, 2.f, 4.f, 5.f}).view({2, 2})));
  EXPECT_TRUE(torch::equal(pad_or_cut(clips, 3), clips));
}

TEST_F(MelTest, WriteNpyBytes) {
  testing::TempDir dir;
  const auto file = dir.path() / "x.npy";
  const auto t = torch::arange(24, torch::kFloat32).view({2, 3, 4}) * 0.5;
  write_npy(file, t);
  EXPECT_FALSE(std::filesystem::exists(file.string() + ".tmp"));
  const std::string bytes = read_all(file);
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 6), std::string("\x93NUMPY", 6));
  EXPECT_EQ(bytes[6], '\x01');
  EXPECT_EQ(bytes[7], '\x00');
  const std::size_t header_len =
      static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
  const std::size_t data_start = 10 + header_len;
  EXPECT_EQ(data_start % 64, 0u);
  const std::string dict = bytes.substr(10, header_len);
  EXPECT_EQ(dict.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }", 0), 0u)
      << dict;
  EXPECT_EQ(dict.back(), '\n');
  ASSERT_EQ(bytes.size(), data_start + 24 * sizeof(float));
  for (int i = 0; i < 24; ++i) {
    float v = 0;
    std::memcpy(&v, bytes.data() + data_start + i * sizeof(float), sizeof(float));
    EXPECT_EQ(v, 0.5f * i);
  }
  // 1-D shapes need the trailing comma: (5,).
  EXPECT_NE(npy_header_f32({5}).find("'shape': (5,), }"), std::string::npos);
  EXPECT_NE(npy_header_f32({}).find("'shape': (), }"), std::string::npos);
}

TEST_F(MelTest, WriteNpyLoadsInNumpy) {
  if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "/usr/bin/python3 has no numpy";
  }
  testing::TempDir dir;
  const auto file = dir.path() / "mel.npy";
  const auto t = torch::arange(96 * 173, torch::kFloat32).view({1, 96, 173}) / 7;
  write_npy(file, t);
  const std::string cmd = "/usr/bin/python3 -c \"import numpy as np; a = np.load('" +
                          file.string() + "'); print(a.dtype, a.shape, repr(float(a[0, 5, 9])))\"";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, pipe)) out += buf;
  ASSERT_EQ(pclose(pipe), 0) << out;
  const float expected = static_cast<float>(5 * 173 + 9) / 7;
  char want[128];
  std::snprintf(want, sizeof want, "float32 (1, 96, 173) %.17g", static_cast<double>(expected));
  // Python prints the shortest repr; compare the parsed value instead of the text.
  EXPECT_EQ(out.rfind("float32 (1, 96, 173) ", 0), 0u) << out;
  const double got = std::stod(out.substr(std::string("float32 (1, 96, 173) ").size()));
  EXPECT_EQ(static_cast<float>(got), expected) << want;
}

TEST_F(MelTest, WriteNpyErrorNamesFile) {
  testing::TempDir dir;
  const auto file = dir.path() / "missing-folder" / "x.npy";
  const std::string msg =
      testing::error_message_of<core::RunError>([&] { write_npy(file, torch::ones({2})); });
  EXPECT_NE(msg.find("x.npy"), std::string::npos) << msg;
}

}  // namespace
}  // namespace helmholtz::features
