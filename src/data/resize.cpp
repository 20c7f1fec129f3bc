#include "helmholtz/data/resize.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <vector>

#include "helmholtz/core/error.hpp"

namespace helmholtz::data {

namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;  // Pillow's, for 8-bit images

// Pillow's precompute_coeffs for the bilinear filter (support 1), then normalize_coeffs_8bpc:
// for each output pixel its first source pixel, its count and fixed-point weights (`ksize` each).
struct Coefficients {
  int ksize = 0;
  std::vector<int> first;
  std::vector<int> count;
  std::vector<std::int32_t> weights;
};

Coefficients coefficients(double in0, double in1, int lo, int hi, int out_size) {
  const double scale = (in1 - in0) / out_size;
  const double filterscale = std::max(scale, 1.0);
  const double support = 1.0 * filterscale;
  Coefficients c;
  c.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.first.resize(out_size);
  c.count.resize(out_size);
  c.weights.assign(static_cast<std::size_t>(out_size) * c.ksize, 0);
  std::vector<double> k(c.ksize);
  const double ss = 1.0 / filterscale;
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = in0 + (xx + 0.5) * scale;
    int xmin = static_cast<int>(center - support + 0.5);
    xmin = std::max(xmin, lo);
    int xmax = static_cast<int>(center + support + 0.5);
    xmax = std::min(xmax, hi);
    xmax = std::max(xmax - xmin, 0);
    double ww = 0.0;
    for (int x = 0; x < xmax; ++x) {
      double t = std::fabs((x + xmin - center + 0.5) * ss);
      const double w = t < 1.0 ? 1.0 - t : 0.0;
      k[x] = w;
      ww += w;
    }
    std::int32_t* kk = &c.weights[static_cast<std::size_t>(xx) * c.ksize];
    for (int x = 0; x < xmax; ++x) {
      const double v = (ww != 0.0 ? k[x] / ww : k[x]) * (1 << kPrecisionBits);
      kk[x] = static_cast<std::int32_t>(v < 0 ? v - 0.5 : v + 0.5);
    }
    c.first[xx] = xmin;
    c.count[xx] = xmax;
  }
  return c;
}

// The two loops the resize spends its time in, compiled for AVX2 as well where the compiler can
// (picked at run time), since the baseline x86-64 build has no 32-bit vector multiply.
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define HELMHOLTZ_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define HELMHOLTZ_VECTOR_CLONES
#endif

// acc[j] += src[j] * weight
HELMHOLTZ_VECTOR_CLONES void accumulate(const std::uint8_t* __restrict src, std::int32_t weight,
                                        std::int32_t* __restrict acc, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) acc[j] += static_cast<std::int32_t>(src[j]) * weight;
}

// out[j] = clip8(acc[j]): Pillow's clip8, the sum's 8-bit value clamped to 0..255.
HELMHOLTZ_VECTOR_CLONES void narrow(const std::int32_t* __restrict acc,
                                    std::uint8_t* __restrict out, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) {
    const std::int32_t v = acc[j] >> kPrecisionBits;
    out[j] = static_cast<std::uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
  }
}

}  // namespace

void resize_bilinear(const std::uint8_t* rgb, int width, int height, const Region& region,
                     bool clip_to_region, int out_width, int out_height, std::uint8_t* out,
                     const SourceWindow* window) {
  const int xlo = clip_to_region ? std::max(0, static_cast<int>(std::floor(region.x0))) : 0;
  const int xhi = clip_to_region ? std::min(width, static_cast<int>(std::ceil(region.x1))) : width;
  const int ylo = clip_to_region ? std::max(0, static_cast<int>(std::floor(region.y0))) : 0;
  const int yhi =
      clip_to_region ? std::min(height, static_cast<int>(std::ceil(region.y1))) : height;
  const Coefficients cx = coefficients(region.x0, region.x1, xlo, xhi, out_width);
  const Coefficients cy = coefficients(region.y0, region.y1, ylo, yhi, out_height);
  // The rows the vertical pass reads and the columns the horizontal one reads.
  int row_first = height, row_last = 0, col_first = width, col_last = 0;
  for (int y = 0; y < out_height; ++y) {
    if (cy.count[y] == 0) continue;
    row_first = std::min(row_first, cy.first[y]);
    row_last = std::max(row_last, cy.first[y] + cy.count[y]);
  }
  for (int x = 0; x < out_width; ++x) {
    if (cx.count[x] == 0) continue;
    col_first = std::min(col_first, cx.first[x]);
    col_last = std::max(col_last, cx.first[x] + cx.count[x]);
  }
  if (row_first >= row_last || col_first >= col_last) {
    std::memset(out, 0, static_cast<std::size_t>(out_width) * out_height * 3);
    return;
  }
  const SourceWindow held = window != nullptr ? *window : SourceWindow{0, 0, width, height};
  if (row_first < held.top || row_last > held.top + held.height || col_first < held.left ||
      col_last > held.left + held.width) {
    throw core::RunError(
        "resize_bilinear: the pixels read lie outside the decoded window "
        "(internal)");
  }
  // Pillow's horizontal pass (over those rows), then its vertical pass, each output rounded to
  // 8 bits. The horizontal pass runs on the region transposed (one column of all rows
  // contiguous), so that both passes are the same vectorizable sum of weighted source lines.
  const std::size_t line = static_cast<std::size_t>(row_last - row_first) * 3;  // a column
  const int cols = col_last - col_first;
  thread_local std::vector<std::uint8_t> columns, mid_t, mid;
  thread_local std::vector<std::int32_t> acc;
  columns.resize(line * cols);
  constexpr int kBlock = 16;  // rows (columns) moved together, for whole cache lines
  for (int r0 = row_first; r0 < row_last; r0 += kBlock) {
    const int r1 = std::min(r0 + kBlock, row_last);
    for (int c = 0; c < cols; ++c) {
      const std::uint8_t* src =
          rgb +
          (static_cast<std::size_t>(r0 - held.top) * held.width + col_first - held.left + c) * 3;
      std::uint8_t* dst = columns.data() + c * line + static_cast<std::size_t>(r0 - row_first) * 3;
      for (int r = r0; r < r1; ++r, src += static_cast<std::size_t>(held.width) * 3, dst += 3) {
        dst[0] = src[0];
        dst[1] = src[1];
        dst[2] = src[2];
      }
    }
  }
  mid_t.resize(line * out_width);
  acc.resize(std::max(line, static_cast<std::size_t>(out_width) * 3));
  for (int x = 0; x < out_width; ++x) {
    const std::int32_t* k = &cx.weights[static_cast<std::size_t>(x) * cx.ksize];
    std::fill(acc.begin(), acc.begin() + line, 1 << (kPrecisionBits - 1));
    for (int i = 0; i < cx.count[x]; ++i) {
      accumulate(columns.data() + static_cast<std::size_t>(cx.first[x] - col_first + i) * line,
                 k[i], acc.data(), line);
    }
    narrow(acc.data(), mid_t.data() + static_cast<std::size_t>(x) * line, line);
  }
  const std::size_t stride = static_cast<std::size_t>(out_width) * 3;
  mid.resize(stride * (row_last - row_first));
  for (int x0 = 0; x0 < out_width; x0 += kBlock) {
    const int x1 = std::min(x0 + kBlock, out_width);
    for (std::size_t r = 0; r < line; r += 3) {
      std::uint8_t* dst = mid.data() + (r / 3) * stride + static_cast<std::size_t>(x0) * 3;
      const std::uint8_t* src = mid_t.data() + static_cast<std::size_t>(x0) * line + r;
      for (int x = x0; x < x1; ++x, src += line, dst += 3) {
        dst[0] = src[0];
        dst[1] = src[1];
        dst[2] = src[2];
      }
    }
  }
  for (int y = 0; y < out_height; ++y) {
    const std::int32_t* k = &cy.weights[static_cast<std::size_t>(y) * cy.ksize];
    std::fill(acc.begin(), acc.begin() + stride, 1 << (kPrecisionBits - 1));
    for (int i = 0; i < cy.count[y]; ++i) {
      accumulate(mid.data() + static_cast<std::size_t>(cy.first[y] - row_first + i) * stride, k[i],
                 acc.data(), stride);
    }
    narrow(acc.data(), out + static_cast<std::size_t>(y) * stride, stride);
  }
}

}  // namespace helmholtz::data
