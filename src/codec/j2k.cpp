#include "helmholtz/codec/j2k.hpp"

#include <openjpeg.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "helmholtz/core/error.hpp"

// Matching `opj_compress -i in.png -o out.j2k -q PSNR -n N` of OpenJPEG 2.5.0
// (src/bin/jp2/opj_compress.c; the bytes are checked equal by tests/codec/j2k_test.cpp):
// - main() starts from opj_set_default_encoder_parameters: reversible 5/3 DWT (irreversible 0
//   unless -I), 64x64 code blocks, LRCP, precincts 2^15 (one per resolution), no SOP/EPH (csty
//   0), no mode switches, one tile the size of the image, no ROI, no image or tile offset.
// - `-q` reads one float per layer into tcp_distoratio[] (tcp_numlayers = 1 for one value) and
//   sets cp_fixed_quality = 1: each layer is cut at the coding pass where the PSNR reaches it.
// - `-n` sets numresolution (default 6). OpenJPEG refuses a tile that the last decomposition
//   would shrink to nothing ("Number of resolutions is too high in comparison to the size of
//   tiles"), so small images need fewer: j2k_resolutions.
// - tcp_mct starts at 255 and main() sets it to (numcomps >= 3): the reversible colour
//   transform for RGB, none for gray.
// - pngtoimage reads a PNG as 8-bit unsigned components, OPJ_CLRSPC_SRGB for RGB and
//   OPJ_CLRSPC_GRAY for gray, with the image at the origin; so do we.
// - The codestream's COM segment "Created by OpenJPEG version 2.5.0" comes from the library
//   (opj_j2k_setup_encoder writes it when cp_comment is NULL), for opj_compress and us alike.
// - opj_compress does not call opj_codec_set_threads unless -threads is given: one thread, as
//   here (our callers run many images in parallel).

namespace helmholtz::codec {
namespace {

constexpr int kMaxResolutions = 6;  // opj_compress's default -n
constexpr OPJ_SIZE_T kStreamChunk = 1 << 16;

struct CodecDeleter {
  void operator()(opj_codec_t* codec) const { opj_destroy_codec(codec); }
};
struct StreamDeleter {
  void operator()(opj_stream_t* stream) const { opj_stream_destroy(stream); }
};
struct ImageDeleter {
  void operator()(opj_image_t* image) const { opj_image_destroy(image); }
};
using CodecPtr = std::unique_ptr<opj_codec_t, CodecDeleter>;
using StreamPtr = std::unique_ptr<opj_stream_t, StreamDeleter>;
using ImagePtr = std::unique_ptr<opj_image_t, ImageDeleter>;

// What OpenJPEG reports through its handlers (it prints nothing itself once they are set).
struct Messages {
  std::string errors;
  std::string warnings;
  std::string text() const {
    std::string all = errors + warnings;
    std::replace(all.begin(), all.end(), '\n', ' ');
    while (!all.empty() && all.back() == ' ') all.pop_back();
    return all.empty() ? "no message from OpenJPEG" : all;
  }
};

void on_error(const char* msg, void* data) { static_cast<Messages*>(data)->errors += msg; }
void on_warning(const char* msg, void* data) { static_cast<Messages*>(data)->warnings += msg; }
void on_info(const char*, void*) {}

void install_handlers(opj_codec_t* codec, Messages* messages) {
  opj_set_error_handler(codec, on_error, messages);
  opj_set_warning_handler(codec, on_warning, messages);
  opj_set_info_handler(codec, on_info, messages);
}

// --- memory streams ------------------------------------------------------------------------

struct Sink {  // the codestream being written; OpenJPEG may seek back and overwrite
  std::vector<std::uint8_t> bytes;
  std::size_t pos = 0;
};

OPJ_SIZE_T sink_write(void* buffer, OPJ_SIZE_T n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  if (sink->pos + n > sink->bytes.size()) sink->bytes.resize(sink->pos + n);
  std::memcpy(sink->bytes.data() + sink->pos, buffer, n);
  sink->pos += n;
  return n;
}

OPJ_OFF_T sink_skip(OPJ_OFF_T n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  if (n < 0 && static_cast<std::size_t>(-n) > sink->pos) return -1;
  sink->pos = static_cast<std::size_t>(static_cast<OPJ_OFF_T>(sink->pos) + n);
  if (sink->pos > sink->bytes.size()) sink->bytes.resize(sink->pos);  // zeros, as a file has
  return n;
}

OPJ_BOOL sink_seek(OPJ_OFF_T to, void* user) {
  auto* sink = static_cast<Sink*>(user);
  if (to < 0) return OPJ_FALSE;
  sink->pos = static_cast<std::size_t>(to);
  if (sink->pos > sink->bytes.size()) sink->bytes.resize(sink->pos);
  return OPJ_TRUE;
}

struct Source {  // the codestream being read
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
  std::size_t pos = 0;
};

OPJ_SIZE_T source_read(void* buffer, OPJ_SIZE_T n, void* user) {
  auto* src = static_cast<Source*>(user);
  if (src->pos >= src->size) return static_cast<OPJ_SIZE_T>(-1);  // OpenJPEG's end of stream
  const std::size_t count = std::min<std::size_t>(n, src->size - src->pos);
  std::memcpy(buffer, src->data + src->pos, count);
  src->pos += count;
  return count;
}

OPJ_OFF_T source_skip(OPJ_OFF_T n, void* user) {
  auto* src = static_cast<Source*>(user);
  if (n < 0) {
    if (static_cast<std::size_t>(-n) > src->pos) return -1;
    src->pos -= static_cast<std::size_t>(-n);
    return n;
  }
  const std::size_t count =
      std::min<std::size_t>(static_cast<std::size_t>(n), src->size - src->pos);
  if (count == 0 && n > 0) return -1;
  src->pos += count;
  return static_cast<OPJ_OFF_T>(count);
}

OPJ_BOOL source_seek(OPJ_OFF_T to, void* user) {
  auto* src = static_cast<Source*>(user);
  if (to < 0 || static_cast<std::size_t>(to) > src->size) return OPJ_FALSE;
  src->pos = static_cast<std::size_t>(to);
  return OPJ_TRUE;
}

void check_shape(const char* what, int width, int height, int channels) {
  if (width <= 0 || height <= 0) {
    throw core::UsageError(std::string(what) + ": image size " + std::to_string(width) + "x" +
                           std::to_string(height) + " is not positive");
  }
  if (channels != 1 && channels != 3) {
    throw core::UsageError(std::string(what) + ": " + std::to_string(channels) +
                           " channels; JPEG 2000 images here have 1 (grayscale) or 3 (RGB)");
  }
}

}  // namespace

int j2k_resolutions(int width, int height) {
  if (width <= 0 || height <= 0) {
    throw core::UsageError("JPEG 2000: image size " + std::to_string(width) + "x" +
                           std::to_string(height) + " is not positive");
  }
  // N resolutions = N - 1 decompositions, each halving (rounding up); OpenJPEG wants the
  // smaller side still >= 1 after >> (N - 1), so N - 1 <= floor(log2(min(w, h))).
  int side = std::min(width, height);
  int floor_log2 = 0;
  while (side > 1) {
    side >>= 1;
    ++floor_log2;
  }
  return std::min(kMaxResolutions, floor_log2 + 1);
}

std::vector<std::uint8_t> encode_j2k(const std::uint8_t* pixels, int width, int height,
                                     int channels, int psnr_db) {
  check_shape("JPEG 2000 encode", width, height, channels);
  if (psnr_db < 1 || psnr_db > 100) {
    throw core::UsageError("JPEG 2000 PSNR target " + std::to_string(psnr_db) +
                           " dB is out of range: use 1..100");
  }
  if (pixels == nullptr) throw core::UsageError("JPEG 2000 encode: no pixels given");

  opj_cparameters_t params;
  opj_set_default_encoder_parameters(&params);
  params.tcp_numlayers = 1;
  params.tcp_distoratio[0] = static_cast<float>(psnr_db);
  params.cp_fixed_quality = 1;
  params.numresolution = j2k_resolutions(width, height);
  params.tcp_mct = static_cast<char>(channels >= 3 ? 1 : 0);

  opj_image_cmptparm_t components[3];
  std::memset(components, 0, sizeof(components));
  for (int c = 0; c < channels; ++c) {
    components[c].dx = components[c].dy = 1;
    components[c].w = static_cast<OPJ_UINT32>(width);
    components[c].h = static_cast<OPJ_UINT32>(height);
    components[c].prec = 8;
    components[c].sgnd = 0;
  }
  ImagePtr image(opj_image_create(static_cast<OPJ_UINT32>(channels), components,
                                  channels == 3 ? OPJ_CLRSPC_SRGB : OPJ_CLRSPC_GRAY));
  if (!image) throw core::CodecError("JPEG 2000 encode: cannot allocate the image");
  image->x0 = image->y0 = 0;
  image->x1 = static_cast<OPJ_UINT32>(width);
  image->y1 = static_cast<OPJ_UINT32>(height);
  const std::size_t n = static_cast<std::size_t>(width) * height;
  for (int c = 0; c < channels; ++c) {
    OPJ_INT32* plane = image->comps[c].data;
    for (std::size_t i = 0; i < n; ++i) plane[i] = pixels[i * channels + c];
  }

  Messages messages;
  CodecPtr codec(opj_create_compress(OPJ_CODEC_J2K));
  if (!codec) throw core::CodecError("cannot create an OpenJPEG compressor");
  install_handlers(codec.get(), &messages);
  const std::string what = "JPEG 2000 encode of a " + std::to_string(width) + "x" +
                           std::to_string(height) + " image at " + std::to_string(psnr_db) + " dB";
  if (!opj_setup_encoder(codec.get(), &params, image.get())) {
    throw core::CodecError(what + ": opj_setup_encoder failed: " + messages.text());
  }

  Sink sink;  // declared before the stream, so it outlives it
  StreamPtr stream(opj_stream_create(kStreamChunk, OPJ_FALSE));
  if (!stream) throw core::CodecError(what + ": cannot create an OpenJPEG stream");
  opj_stream_set_write_function(stream.get(), sink_write);
  opj_stream_set_skip_function(stream.get(), sink_skip);
  opj_stream_set_seek_function(stream.get(), sink_seek);
  opj_stream_set_user_data(stream.get(), &sink, nullptr);

  if (!opj_start_compress(codec.get(), image.get(), stream.get()) ||
      !opj_encode(codec.get(), stream.get()) || !opj_end_compress(codec.get(), stream.get())) {
    throw core::CodecError(what + " failed: " + messages.text());
  }
  // opj_end_compress wrote EOC and flushed the stream into the sink (opj_j2k_write_eoc).
  return std::move(sink.bytes);
}

void decode_j2k(const std::uint8_t* data, std::size_t size, std::uint8_t* out, int width,
                int height, int channels) {
  check_shape("JPEG 2000 decode", width, height, channels);
  if (out == nullptr) throw core::UsageError("JPEG 2000 decode: no output buffer given");
  if (data == nullptr || size == 0) throw core::CodecError("JPEG 2000 decode: no data (0 bytes)");
  const std::string where = " (" + std::to_string(size) + " bytes)";

  Messages messages;
  CodecPtr codec(opj_create_decompress(OPJ_CODEC_J2K));
  if (!codec) throw core::CodecError("cannot create an OpenJPEG decompressor");
  install_handlers(codec.get(), &messages);
  opj_dparameters_t params;
  opj_set_default_decoder_parameters(&params);
  // Strict mode (OpenJPEG 2.5): a codestream cut short is an error, not a partial image.
  if (!opj_setup_decoder(codec.get(), &params) ||
      !opj_decoder_set_strict_mode(codec.get(), OPJ_TRUE)) {
    throw core::CodecError("JPEG 2000 decode: cannot set up OpenJPEG: " + messages.text());
  }

  Source source{data, size, 0};
  StreamPtr stream(opj_stream_create(kStreamChunk, OPJ_TRUE));
  if (!stream) throw core::CodecError("JPEG 2000 decode: cannot create an OpenJPEG stream");
  opj_stream_set_read_function(stream.get(), source_read);
  opj_stream_set_skip_function(stream.get(), source_skip);
  opj_stream_set_seek_function(stream.get(), source_seek);
  opj_stream_set_user_data(stream.get(), &source, nullptr);
  opj_stream_set_user_data_length(stream.get(), size);

  opj_image_t* raw = nullptr;
  const bool header = opj_read_header(stream.get(), codec.get(), &raw);
  ImagePtr image(raw);
  if (!header || !image) {
    throw core::CodecError("not a readable J2K codestream" + where + ": " + messages.text());
  }
  const OPJ_UINT32 w = image->x1 - image->x0;
  const OPJ_UINT32 h = image->y1 - image->y0;
  if (w != static_cast<OPJ_UINT32>(width) || h != static_cast<OPJ_UINT32>(height)) {
    throw core::CodecError("JPEG 2000 is " + std::to_string(w) + "x" + std::to_string(h) +
                           ", expected " + std::to_string(width) + "x" + std::to_string(height));
  }
  if (image->numcomps != static_cast<OPJ_UINT32>(channels)) {
    throw core::CodecError("JPEG 2000 has " + std::to_string(image->numcomps) +
                           " components, expected " + std::to_string(channels));
  }
  for (int c = 0; c < channels; ++c) {
    const opj_image_comp_t& comp = image->comps[c];
    if (comp.dx != 1 || comp.dy != 1 || comp.prec != 8 || comp.sgnd != 0) {
      throw core::CodecError("JPEG 2000 component " + std::to_string(c) + where +
                             " is not 8-bit unsigned at full resolution");
    }
  }
  if (!opj_decode(codec.get(), stream.get(), image.get()) ||
      !opj_end_decompress(codec.get(), stream.get())) {
    throw core::CodecError("corrupt or truncated JPEG 2000" + where + ": " + messages.text());
  }
  const std::size_t n = static_cast<std::size_t>(width) * height;
  for (int c = 0; c < channels; ++c) {
    const opj_image_comp_t& comp = image->comps[c];
    if (comp.data == nullptr || comp.w != w || comp.h != h) {
      throw core::CodecError("JPEG 2000 decode" + where + ": component " + std::to_string(c) +
                             " was not decoded in full");
    }
    for (std::size_t i = 0; i < n; ++i) {
      out[i * channels + c] = static_cast<std::uint8_t>(std::clamp(comp.data[i], 0, 255));
    }
  }
}

std::size_t j2k_payload_bytes(const std::uint8_t* data, std::size_t size) {
  const auto bad = [](std::size_t at, const std::string& what) {
    return core::CodecError("not a J2K codestream: " + what + " at byte " + std::to_string(at));
  };
  if (data == nullptr || size < 4 || data[0] != 0xFF || data[1] != 0x4F) {
    throw bad(0, "no SOC marker (FF 4F)");
  }
  if (data[2] != 0xFF || data[3] != 0x51) throw bad(2, "no SIZ marker (FF 51) after SOC");
  // The main header: marker segments, each FF xx and a 2-byte length that counts itself, up to
  // the first SOT (FF 90), where the tile-parts begin.
  std::size_t pos = 2;
  while (true) {
    if (size - pos < 2) throw bad(pos, "the main header runs to the end (no SOT)");
    if (data[pos] != 0xFF) throw bad(pos, "no marker");
    if (data[pos + 1] == 0x90) break;
    if (data[pos + 1] == 0xD9) throw bad(pos, "EOC before any tile");
    if (size - pos < 4) throw bad(pos, "a marker segment cut short");
    const std::size_t length = (std::size_t{data[pos + 2]} << 8) | data[pos + 3];
    if (length < 2 || length > size - pos - 2) throw bad(pos, "a segment longer than the file");
    pos += 2 + length;
  }
  if (size - pos < 4 || data[size - 2] != 0xFF || data[size - 1] != 0xD9) {
    throw bad(size, "no EOC marker (FF D9) at the end");
  }
  return size - 2 - pos;
}

std::string j2k_version() { return std::string("OpenJPEG ") + opj_version(); }

}  // namespace helmholtz::codec
