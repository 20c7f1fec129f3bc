#pragma once
// A run's codec level as one typed value: which codec, and its setting in that codec's own scale
// (or raw: no codec at all). Each codec is one alternative of the variant, so a new codec is one
// more alternative with its own parse and folder name, never another string to pass around.
// No torch.

#include <string>
#include <variant>

#include "helmholtz/data/audio_compress.hpp"
#include "helmholtz/data/compress.hpp"

namespace helmholtz::data {

// A --codec value: an image codec or an audio codec (their names never clash).
using Codec = std::variant<codec::ImageCodec, codec::AudioCodec>;
// Throws core::UsageError "--codec NAME: ..." naming every codec (and how to get one this build
// left out).
Codec parse_codec(const std::string& name);
std::string to_string(const Codec& codec);
bool is_audio(const Codec& codec);

class Level {
 public:
  using Value = std::variant<Quality, Bitrate>;  // a codec's quality (images) or bitrate (audio)

  Level(Quality quality) : value_(quality) {}  // NOLINT: a quality is a level
  Level(Bitrate bitrate) : value_(bitrate) {}  // NOLINT: a bitrate is a level

  // The option that sets a level of this kind ("quality", "bitrate") and its codec's name
  // ("jpeg", "webp", "mp3", ...).
  std::string option() const;
  std::string codec() const;
  Codec codec_id() const;
  // The same level for another codec of its kind, checked against that codec's range; throws
  // core::UsageError for a codec of the other kind.
  Level with_codec(const Codec& codec) const;
  // The codec's library and version ("libwebp 1.2.4"; "" for raw): part of a run's identity.
  std::string codec_version() const;
  bool audio() const { return std::holds_alternative<Bitrate>(value_); }
  bool raw() const;
  std::string to_string() const;    // "raw", "5", "32": in the codec's own scale
  // "quality_5", "bitrate_32", "quality_raw"; other codecs "webp_50", "opus_32"
  std::string folder_name() const;
  // "quality 5", "webp quality 50", "bitrate raw": for messages.
  std::string describe() const;

  const Quality& quality() const;  // throws core::UsageError when this is not an image level
  const Bitrate& bitrate() const;  // throws core::UsageError when this is not an audio level
  const Value& value() const { return value_; }

  // Raw levels are equal whatever their codec: raw is no codec at all.
  friend bool operator==(const Level& a, const Level& b) {
    return a.option() == b.option() && a.to_string() == b.to_string() &&
           (a.raw() || a.codec() == b.codec());
  }
  friend bool operator!=(const Level& a, const Level& b) { return !(a == b); }

 private:
  Value value_;
};

}  // namespace helmholtz::data
