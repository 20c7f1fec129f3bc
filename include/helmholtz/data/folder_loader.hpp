#pragma once
// The streaming loader of a folder dataset's split: worker threads read and decode its files
// (the coded files of a level, or the originals for raw) while training runs, apply torchvision's
// standard transforms and hand out batches of 8-bit pixels in the epoch's order, a bounded number
// of batches ahead. Nothing of the dataset stays in memory beyond the batches in flight.
//
// JPEG files decode through libjpeg-turbo's DCT-domain scaling at the smallest factor (of
// tjGetScalingFactors: 1/8, 1/4, 1/2, or 1) that still leaves the crop at least the output's
// size: a 1000x750 photo whose crop is resized to 224 mostly decodes at 1/2 or 1/4 of its size.
// (The factors between 1/2 and 1, such as 7/8, have no SIMD IDCT and decode slower than 1.) A
// training crop decodes only its window of the JPEG (codec/jpeg_window.hpp), the same bytes. PNG
// files decode whole; WebP, AVIF, JPEG XL and JPEG 2000 files of a coded level through the codec
// table's decoders.
//
// Transforms (torchvision 0.14 on PIL images):
//   training: RandomResizedCrop(crop, scale, ratio) with its 10-attempt draw and centre-crop
//             fallback, then a horizontal flip with probability `flip`;
//   evaluation: Resize(resize) of the shorter side, then CenterCrop(crop).
// Resampling is Pillow's bilinear filter (antialiased: its support widens when downscaling),
// with Pillow's fixed-point arithmetic, horizontal pass first: without DCT scaling a sample is
// byte for byte what torchvision 0.14 on Pillow 9.4 makes of the same file, crop and flip.
//
// Every sample's random draws come from a generator seeded by (seed, epoch, sample index), so
// neither the worker count nor the order of work changes a single byte. No torch.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "helmholtz/codec/image_codecs.hpp"
#include "helmholtz/data/coded_folder.hpp"
#include "helmholtz/data/image_folder.hpp"
#include "helmholtz/data/resize.hpp"

namespace helmholtz::data {

// One file the loader reads.
struct LoaderFile {
  std::filesystem::path path;
  int label = 0;
  // Known for a coded level's files (the manifest's), needed by the WebP/AVIF/JXL/J2K decoders.
  int width = 0;
  int height = 0;
  // When set, the file's size and CRC-32 are checked against these (a coded level's manifest).
  std::optional<std::uint64_t> bytes;
  std::uint32_t crc = 0;
};

// What decodes a list's files: JPEG and PNG by their signatures, or a coded level's codec.
struct LoaderFiles {
  std::vector<LoaderFile> files;
  // A codec other than JPEG: its files decode through codec::make_image_coder(codec, quality).
  std::optional<codec::ImageCodec> codec;
  int quality = 0;
};

// The originals of a split (raw), in the listing's order.
LoaderFiles loader_files(const FolderSplit& split);
// The coded files of a level, in the manifest's order; `quality` is the level the split was coded
// at (raw: the originals the manifest records).
LoaderFiles loader_files(const CodedSplit& split, const Quality& quality);

enum class LoaderMode { kTrain, kEval };
enum class PixelLayout { kHwc, kChw };

struct TransformOptions {
  int crop = 224;           // the output's side
  int resize = 256;         // evaluation: the shorter side before the centre crop
  double min_scale = 0.08;  // training: RandomResizedCrop's scale and ratio ranges
  double max_scale = 1.0;
  double min_ratio = 3.0 / 4.0;
  double max_ratio = 4.0 / 3.0;
  double flip = 0.5;        // training: probability of a horizontal flip
  bool dct_scaling = true;  // decode JPEG at a reduced scale when the crop allows
  // Training: decode only the rows and iMCU columns around a JPEG's crop (codec/jpeg_window.hpp);
  // the same pixels as decoding the whole image, in less time.
  bool window_decoding = true;
};

struct LoaderOptions {
  LoaderMode mode = LoaderMode::kTrain;
  TransformOptions transform;
  PixelLayout layout = PixelLayout::kChw;
  int batch_size = 64;
  int workers = 4;   // decoding threads (>= 1)
  int prefetch = 4;  // batches ready or in the making ahead of the consumer (>= 1)
  std::uint64_t seed = 0;
  bool drop_last = false;  // drop a last, smaller batch
};

// A crop box in a source image's pixels: rows [top, top + height), columns [left, left + width).
struct CropBox {
  int top = 0;
  int left = 0;
  int height = 0;
  int width = 0;
};

// torchvision's RandomResizedCrop.get_params for an image of width x height with the options'
// scale and ratio, drawing from `rng` (its 10 attempts, then the centre-crop fallback).
CropBox random_resized_crop(int width, int height, const TransformOptions& options,
                            std::mt19937_64& rng);

// The generator of one sample's draws: seeded by (seed, epoch, sample index).
std::mt19937_64 sample_generator(std::uint64_t seed, std::int64_t epoch, std::int64_t index);

// One sample through the transform (mode, epoch, seed as the loader uses them), as HWC RGB of
// crop x crop pixels: what the loader puts in a batch. For tests and tools.
std::vector<std::uint8_t> load_sample(const LoaderFiles& files, std::size_t index, LoaderMode mode,
                                      const TransformOptions& transform, std::uint64_t seed,
                                      std::int64_t epoch);

struct Batch {
  std::int64_t number = 0;  // the batch's place in the epoch, from 0
  int size = 0;             // samples
  int height = 0;
  int width = 0;
  int channels = 3;
  PixelLayout layout = PixelLayout::kChw;
  std::vector<std::uint8_t> pixels;  // size * channels * height * width, in `layout`
  std::vector<std::int64_t> labels;
  std::vector<std::size_t> samples;  // each sample's index in the file list
};

class FolderLoader {
 public:
  // Starts the workers (idle until an epoch starts). Throws core::UsageError for bad options.
  FolderLoader(LoaderFiles files, LoaderOptions options);
  // Stops the workers (a batch in the making is abandoned between samples) and joins them.
  ~FolderLoader();
  FolderLoader(const FolderLoader&) = delete;
  FolderLoader& operator=(const FolderLoader&) = delete;

  // Starts epoch `epoch` over the samples in `order` (indices into the file list: a permutation,
  // or any subset) in batches of `batch_size` (0: the options'), the last one maybe short; an
  // epoch in flight is abandoned. Throws core::UsageError for an index out of range.
  void start_epoch(std::int64_t epoch, std::vector<std::size_t> order, int batch_size = 0);
  // The epoch's next batch, in order; false after its last. Throws the core::DataError of a file
  // that could not be read or decoded (naming it) when its batch is due. The pixel buffer `batch`
  // held before is reused for a later batch (pass the same Batch each time to save allocations).
  bool next(Batch* batch);

  std::size_t size() const { return files_.files.size(); }
  // The batches of the epoch last started (0 before the first).
  std::int64_t batches_per_epoch() const;
  const LoaderOptions& options() const { return options_; }

 private:
  void work();

  LoaderFiles files_;
  LoaderOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_workers_;
  std::condition_variable wake_consumer_;
  bool stop_ = false;
  std::atomic<std::int64_t> generation_{0};  // bumped by each epoch, so stale work is dropped
  std::int64_t epoch_ = 0;
  std::int64_t batch_ = 1;  // this epoch's batch size
  std::shared_ptr<const std::vector<std::size_t>> order_;
  std::int64_t batches_ = 0;   // in this epoch
  std::int64_t claimed_ = 0;   // batches handed to workers
  std::int64_t consumed_ = 0;  // batches handed out by next()
  struct Result {
    Batch batch;
    std::exception_ptr error;
  };
  std::map<std::int64_t, Result> ready_;
  std::vector<std::vector<std::uint8_t>> spare_;  // pixel buffers handed back by next()
  std::vector<std::thread> workers_;
};

}  // namespace helmholtz::data
