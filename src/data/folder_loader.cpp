#include "helmholtz/data/folder_loader.hpp"

#include <turbojpeg.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "helmholtz/codec/jpeg_window.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/files.hpp"
#include "helmholtz/core/random.hpp"

namespace helmholtz::data {
namespace fs = std::filesystem;

namespace {

std::string quote(const fs::path& p) { return "'" + p.string() + "'"; }

bool is_jpeg(const std::vector<std::uint8_t>& b) {
  return b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF;
}

// The DCT scaling factors libjpeg-turbo offers that reduce by a power of two (1/8, 1/4, 1/2),
// smallest first, then 1. Its other factors (7/8, 3/4, 5/8, 3/8) have no SIMD IDCT: decoding
// at 7/8 takes longer than at full size (measured with libjpeg-turbo 2.1.5), so they are left out.
const std::vector<tjscalingfactor>& reducing_factors() {
  static const std::vector<tjscalingfactor> factors = [] {
    int n = 0;
    const tjscalingfactor* all = tjGetScalingFactors(&n);
    std::vector<tjscalingfactor> out;
    for (int i = 0; all != nullptr && i < n; ++i) {
      const bool power_of_two = all[i].num == 1 && (all[i].denom & (all[i].denom - 1)) == 0;
      if (power_of_two) out.push_back(all[i]);
    }
    std::sort(out.begin(), out.end(), [](const tjscalingfactor& a, const tjscalingfactor& b) {
      return a.num * b.denom < b.num * a.denom;
    });
    if (out.empty()) out.push_back({1, 1});
    return out;
  }();
  return factors;
}

// What one sample becomes: the source region and whether to flip, from the image's size.
struct Geometry {
  Region region;
  bool clip_to_region = false;
  bool flip = false;
};

Geometry geometry(int width, int height, LoaderMode mode, const TransformOptions& t,
                  std::mt19937_64& rng) {
  Geometry g;
  if (mode == LoaderMode::kTrain) {
    const CropBox box = random_resized_crop(width, height, t, rng);
    g.region = {static_cast<double>(box.left), static_cast<double>(box.top),
                static_cast<double>(box.left + box.width),
                static_cast<double>(box.top + box.height)};
    g.clip_to_region = true;  // torchvision crops, then resizes the crop
    g.flip = core::uniform(rng) < t.flip;
    return g;
  }
  // Resize(resize): the shorter side to `resize`, the longer int(resize * long / short); then
  // CenterCrop(crop) at int(round((size - crop) / 2)). The crop of the resized image is the
  // resize of the matching region of the original, the filter reading up to the image's edges.
  const bool wide = width > height;
  const int shorter = wide ? height : width;
  const int longer = wide ? width : height;
  const int new_long =
      static_cast<int>(static_cast<double>(t.resize) * longer / static_cast<double>(shorter));
  const int out_w = wide ? new_long : t.resize;
  const int out_h = wide ? t.resize : new_long;
  const int left = static_cast<int>(std::nearbyint((out_w - t.crop) / 2.0));
  const int top = static_cast<int>(std::nearbyint((out_h - t.crop) / 2.0));
  const double sx = static_cast<double>(width) / out_w;
  const double sy = static_cast<double>(height) / out_h;
  g.region = {left * sx, top * sy, (left + t.crop) * sx, (top + t.crop) * sy};
  return g;
}

// One worker's decoders: a TurboJPEG handle and, for a coded level of another codec, its coder.
class SampleReader {
 public:
  SampleReader(const LoaderFiles& files) : files_(files) {}
  ~SampleReader() {
    if (tj_ != nullptr) tjDestroy(tj_);
  }
  SampleReader(const SampleReader&) = delete;
  SampleReader& operator=(const SampleReader&) = delete;

  // Sample `index` transformed to crop x crop RGB (HWC) into `out`.
  void read(std::size_t index, LoaderMode mode, const TransformOptions& t, std::uint64_t seed,
            std::int64_t epoch, PixelLayout layout, std::uint8_t* out) {
    const LoaderFile& file = files_.files[index];
    std::vector<std::uint8_t> bytes = core::read_file_bytes(file.path);
    if (file.bytes) check_coded_bytes(file.path, bytes, *file.bytes, file.crc);
    std::mt19937_64 rng = sample_generator(seed, epoch, static_cast<std::int64_t>(index));
    if (!files_.codec && is_jpeg(bytes) && read_jpeg(file, bytes, mode, t, rng, layout, out))
      return;
    if (files_.codec) {
      if (file.width <= 0 || file.height <= 0) {
        throw core::UsageError("folder loader: " + quote(file.path) +
                               " has no recorded size for its codec's decoder");
      }
      if (!coder_) coder_ = codec::make_image_coder(*files_.codec, files_.quality);
      pixels_.resize(static_cast<std::size_t>(file.width) * file.height * 3);
      try {
        coder_->decode(bytes.data(), bytes.size(), pixels_.data(), file.width, file.height, 3);
      } catch (const core::Error& e) {
        throw core::DataError("coded file " + quote(file.path) + " does not decode (" + e.what() +
                              "); run `helmholtz compress --dataset folder` again");
      }
      const Geometry g = geometry(file.width, file.height, mode, t, rng);
      finish(pixels_.data(), file.width, file.height, g, t, layout, out);
      return;
    }
    const RgbImage image = decode_image(bytes.data(), bytes.size(), file.path.string());
    const Geometry g = geometry(image.width, image.height, mode, t, rng);
    finish(image.pixels.data(), image.width, image.height, g, t, layout, out);
  }

 private:
  // Resizes the sample's region and stores it in `layout`, flipped when drawn so.
  // `window`: the part of the image `rgb` holds (null: all of it).
  void finish(const std::uint8_t* rgb, int width, int height, const Geometry& g,
              const TransformOptions& t, PixelLayout layout, std::uint8_t* out,
              const SourceWindow* window = nullptr) {
    const int n = t.crop;
    if (layout == PixelLayout::kHwc && !g.flip) {
      resize_bilinear(rgb, width, height, g.region, g.clip_to_region, n, n, out, window);
      return;
    }
    resized_.resize(static_cast<std::size_t>(n) * n * 3);
    resize_bilinear(rgb, width, height, g.region, g.clip_to_region, n, n, resized_.data(), window);
    const std::size_t plane = static_cast<std::size_t>(n) * n;
    for (int y = 0; y < n; ++y) {
      const std::uint8_t* src = resized_.data() + static_cast<std::size_t>(y) * n * 3;
      for (int x = 0; x < n; ++x) {
        const std::size_t to = static_cast<std::size_t>(y) * n + (g.flip ? n - 1 - x : x);
        if (layout == PixelLayout::kHwc) {
          std::memcpy(out + 3 * to, src + 3 * x, 3);
        } else {
          out[to] = src[3 * x];
          out[plane + to] = src[3 * x + 1];
          out[2 * plane + to] = src[3 * x + 2];
        }
      }
    }
  }

  // Decodes a JPEG at the smallest DCT scale the sample's region allows. False for a CMYK or
  // YCCK JPEG (decode_image converts those at full size).
  bool read_jpeg(const LoaderFile& file, const std::vector<std::uint8_t>& bytes, LoaderMode mode,
                 const TransformOptions& t, std::mt19937_64& rng, PixelLayout layout,
                 std::uint8_t* out) {
    if (tj_ == nullptr) {
      tj_ = tjInitDecompress();
      if (tj_ == nullptr) throw core::CodecError("cannot create a TurboJPEG decompressor");
    }
    int width = 0, height = 0, samp = 0, colorspace = 0;
    const auto size = static_cast<unsigned long>(bytes.size());
    if (tjDecompressHeader3(tj_, bytes.data(), size, &width, &height, &samp, &colorspace) != 0) {
      const std::string why = tjGetErrorStr2(tj_);
      // libjpeg-turbo 2.1 leaves the handle mid-header (codec::JpegDecoder says more): the next
      // file gets a fresh one.
      tjDestroy(tj_);
      tj_ = nullptr;
      throw core::DataError("'" + file.path.string() + "' is not a decodable JPEG (" + why +
                            "); replace the file with a good copy or remove it");
    }
    if (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK) return false;
    if (const std::string why = implausible_image_size(
            static_cast<std::uint64_t>(width), static_cast<std::uint64_t>(height), bytes.size());
        width < 1 || height < 1 || !why.empty()) {
      throw core::DataError("'" + file.path.string() + "' is not a decodable JPEG (" + why +
                            "); replace the file with a good copy or remove it");
    }
    Geometry g = geometry(width, height, mode, t, rng);
    // 1/denom: the smallest of the reducing factors (all 1/2^k) that keeps the crop's size.
    tjscalingfactor factor{1, 1};
    if (t.dct_scaling) {
      const double need_w = t.crop / (g.region.x1 - g.region.x0);
      const double need_h = t.crop / (g.region.y1 - g.region.y0);
      const double need = std::max(need_w, need_h) - 1e-9;
      for (const auto& f : reducing_factors()) {
        if (1.0 / f.denom >= need) {
          factor = f;
          break;
        }
      }
    }
    const int sw = TJSCALED(width, factor);
    const int sh = TJSCALED(height, factor);
    if (factor.denom != 1) {  // the region in the scaled image's pixels
      const double f = 1.0 / factor.denom;
      g.region = {g.region.x0 * f, g.region.y0 * f, std::min(g.region.x1 * f, double(sw)),
                  std::min(g.region.y1 * f, double(sh))};
    }
    if (g.clip_to_region && t.window_decoding) {
      // A training crop reads only its own pixels: decode the rows and columns around it.
      try {
        codec::decode_jpeg_window(
            bytes.data(), bytes.size(), factor.denom, static_cast<int>(std::floor(g.region.x0)),
            static_cast<int>(std::floor(g.region.y0)), static_cast<int>(std::ceil(g.region.x1)),
            static_cast<int>(std::ceil(g.region.y1)), &window_);
      } catch (const core::CodecError& e) {
        throw core::DataError("'" + file.path.string() + "' is not a decodable JPEG (" + e.what() +
                              "); replace the file with a good copy or remove it");
      }
      const SourceWindow held{window_.left, window_.top, window_.width, window_.height};
      finish(window_.pixels.data(), sw, sh, g, t, layout, out, &held);
      return true;
    }
    pixels_.resize(static_cast<std::size_t>(sw) * sh * 3);
    // A warning (a truncated or corrupt file) is refused too, as decode_image and Pillow do.
    if (tjDecompress2(tj_, bytes.data(), size, pixels_.data(), sw, 0, sh, TJPF_RGB, 0) != 0) {
      const bool warning = tjGetErrorCode(tj_) == TJERR_WARNING;
      const std::string why = tjGetErrorStr2(tj_);
      tjDestroy(tj_);  // a fresh handle for the next file, as after a bad header
      tj_ = nullptr;
      throw core::DataError("'" + file.path.string() + "' is not a decodable JPEG (" +
                            (warning ? "corrupt or truncated: " : "") + why +
                            "); replace the file with a good copy or remove it");
    }
    finish(pixels_.data(), sw, sh, g, t, layout, out);
    return true;
  }

  const LoaderFiles& files_;
  tjhandle tj_ = nullptr;
  std::unique_ptr<codec::ImageCoder> coder_;
  std::vector<std::uint8_t> pixels_;   // the last JPEG or coded file decoded, reused
  codec::JpegWindow window_;           // the last training crop's window, reused
  std::vector<std::uint8_t> resized_;  // the last sample before its flip and layout
};

void check(const TransformOptions& t) {
  if (t.crop <= 0) throw core::UsageError("folder loader: the crop size must be positive");
  if (t.resize < t.crop) {
    throw core::UsageError("folder loader: the resize (" + std::to_string(t.resize) +
                           ") must be at least the crop (" + std::to_string(t.crop) + ")");
  }
  if (!(t.min_scale > 0 && t.min_scale <= t.max_scale && t.max_scale <= 1.0) ||
      !(t.min_ratio > 0 && t.min_ratio <= t.max_ratio)) {
    throw core::UsageError("folder loader: bad RandomResizedCrop scale or ratio range");
  }
}

}  // namespace

LoaderFiles loader_files(const FolderSplit& split) {
  LoaderFiles out;
  out.files.reserve(split.images.size());
  for (const auto& image : split.images) {
    LoaderFile f;
    f.path = split.dir / fs::path(image.relative);
    f.label = image.label;
    out.files.push_back(std::move(f));
  }
  return out;
}

LoaderFiles loader_files(const CodedSplit& split, const Quality& quality) {
  LoaderFiles out;
  if (!quality.raw && quality.codec != codec::ImageCodec::kJpeg) {
    out.codec = quality.codec;
    out.quality = quality.value;
  }
  out.files.reserve(split.files.size());
  for (const auto& coded : split.files) {
    LoaderFile f;
    f.label = coded.label;
    f.width = coded.width;
    f.height = coded.height;
    if (coded.coded.empty()) {  // raw: the original, as the manifest records it
      f.path = split.original_dir / fs::path(coded.original);
    } else {
      f.path = split.level_dir / fs::path(coded.coded);
      f.bytes = coded.bytes;
      f.crc = coded.crc;
    }
    out.files.push_back(std::move(f));
  }
  return out;
}

CropBox random_resized_crop(int width, int height, const TransformOptions& t,
                            std::mt19937_64& rng) {
  const double area = static_cast<double>(width) * height;
  const double log_min = std::log(t.min_ratio);
  const double log_max = std::log(t.max_ratio);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target = area * (t.min_scale + (t.max_scale - t.min_scale) * core::uniform(rng));
    const double aspect = std::exp(log_min + (log_max - log_min) * core::uniform(rng));
    const int w = static_cast<int>(std::nearbyint(std::sqrt(target * aspect)));
    const int h = static_cast<int>(std::nearbyint(std::sqrt(target / aspect)));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      CropBox box;
      box.height = h;
      box.width = w;
      box.top =
          static_cast<int>(core::uniform_below(rng, static_cast<std::uint64_t>(height - h + 1)));
      box.left =
          static_cast<int>(core::uniform_below(rng, static_cast<std::uint64_t>(width - w + 1)));
      return box;
    }
  }
  // The fallback: a centre crop of the whole image, its ratio clamped to the range.
  const double in_ratio = static_cast<double>(width) / height;
  CropBox box;
  if (in_ratio < t.min_ratio) {
    box.width = width;
    box.height = static_cast<int>(std::nearbyint(width / t.min_ratio));
  } else if (in_ratio > t.max_ratio) {
    box.height = height;
    box.width = static_cast<int>(std::nearbyint(height * t.max_ratio));
  } else {
    box.width = width;
    box.height = height;
  }
  box.top = (height - box.height) / 2;
  box.left = (width - box.width) / 2;
  return box;
}

std::mt19937_64 sample_generator(std::uint64_t seed, std::int64_t epoch, std::int64_t index) {
  std::uint64_t s = core::splitmix64(seed);
  s = core::splitmix64(s ^ static_cast<std::uint64_t>(epoch));
  s = core::splitmix64(s ^ static_cast<std::uint64_t>(index));
  return std::mt19937_64(s);
}

std::vector<std::uint8_t> load_sample(const LoaderFiles& files, std::size_t index, LoaderMode mode,
                                      const TransformOptions& transform, std::uint64_t seed,
                                      std::int64_t epoch) {
  check(transform);
  if (index >= files.files.size()) throw core::UsageError("load_sample: index out of range");
  SampleReader reader(files);
  std::vector<std::uint8_t> out(static_cast<std::size_t>(transform.crop) * transform.crop * 3);
  reader.read(index, mode, transform, seed, epoch, PixelLayout::kHwc, out.data());
  return out;
}

// --- the loader ----------------------------------------------------------------------------

FolderLoader::FolderLoader(LoaderFiles files, LoaderOptions options)
    : files_(std::move(files)), options_(options) {
  check(options_.transform);
  if (options_.batch_size <= 0) throw core::UsageError("folder loader: batch size must be > 0");
  if (options_.workers <= 0) throw core::UsageError("folder loader: workers must be > 0");
  if (options_.prefetch <= 0) throw core::UsageError("folder loader: prefetch must be > 0");
  workers_.reserve(static_cast<std::size_t>(options_.workers));
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { work(); });
}

FolderLoader::~FolderLoader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    ++generation_;
  }
  wake_workers_.notify_all();
  wake_consumer_.notify_all();
  for (auto& t : workers_) t.join();
}

std::int64_t FolderLoader::batches_per_epoch() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return batches_;
}

void FolderLoader::start_epoch(std::int64_t epoch, std::vector<std::size_t> order, int batch_size) {
  if (batch_size < 0) throw core::UsageError("folder loader: batch size must be > 0");
  for (const auto i : order) {
    if (i >= files_.files.size()) {
      throw core::UsageError("folder loader: sample " + std::to_string(i) +
                             " of an epoch's order " + "is out of range (" +
                             std::to_string(files_.files.size()) + " files)");
    }
  }
  const auto n = static_cast<std::int64_t>(order.size());
  const std::int64_t b = batch_size > 0 ? batch_size : options_.batch_size;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++generation_;
    ready_.clear();
    epoch_ = epoch;
    batch_ = b;
    order_ = std::make_shared<const std::vector<std::size_t>>(std::move(order));
    batches_ = options_.drop_last ? n / b : (n + b - 1) / b;
    claimed_ = 0;
    consumed_ = 0;
  }
  wake_workers_.notify_all();
}

bool FolderLoader::next(Batch* batch) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (consumed_ >= batches_) return false;
  wake_consumer_.wait(lock, [this] { return stop_ || ready_.count(consumed_) > 0; });
  if (stop_) return false;
  auto node = ready_.extract(consumed_);
  ++consumed_;
  if (!node.mapped().error) {
    // The caller's previous pixels go back to the workers: refilling a buffer of the same size
    // costs neither page faults nor zeroing (9.6 MB a batch of 64 at 224 px).
    std::vector<std::uint8_t> old = std::move(batch->pixels);
    *batch = std::move(node.mapped().batch);
    if (old.capacity() > 0 &&
        spare_.size() < static_cast<std::size_t>(options_.prefetch + options_.workers)) {
      spare_.push_back(std::move(old));
    }
  }
  lock.unlock();
  wake_workers_.notify_all();
  if (node.mapped().error) std::rethrow_exception(node.mapped().error);
  return true;
}

void FolderLoader::work() {
  SampleReader reader(files_);
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_workers_.wait(lock, [this] {
      return stop_ || (claimed_ < batches_ && claimed_ < consumed_ + options_.prefetch);
    });
    if (stop_) return;
    const std::int64_t generation = generation_;
    const std::int64_t number = claimed_++;
    const std::int64_t epoch = epoch_;
    const std::int64_t b = batch_;
    const auto order = order_;
    Result result;
    if (!spare_.empty()) {
      result.batch.pixels = std::move(spare_.back());
      spare_.pop_back();
    }
    lock.unlock();
    try {
      const std::int64_t begin = number * b;
      const std::int64_t end = std::min<std::int64_t>(begin + b, order->size());
      Batch& out = result.batch;
      out.number = number;
      out.size = static_cast<int>(end - begin);
      out.height = out.width = options_.transform.crop;
      out.layout = options_.layout;
      const std::size_t plane = static_cast<std::size_t>(out.height) * out.width;
      out.pixels.resize(static_cast<std::size_t>(out.size) * plane * 3);
      out.labels.resize(out.size);
      out.samples.resize(out.size);
      for (int s = 0; s < out.size; ++s) {
        if (generation_ != generation) break;  // abandoned: the result is dropped below
        const std::size_t index = (*order)[static_cast<std::size_t>(begin + s)];
        out.samples[s] = index;
        out.labels[s] = files_.files[index].label;
        reader.read(index, options_.mode, options_.transform, options_.seed, epoch, options_.layout,
                    out.pixels.data() + static_cast<std::size_t>(s) * plane * 3);
      }
    } catch (...) {
      result.error = std::current_exception();
    }
    lock.lock();
    if (stop_) return;
    if (generation != generation_) continue;
    ready_.emplace(number, std::move(result));
    wake_consumer_.notify_all();
  }
}

}  // namespace helmholtz::data
