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

class Level {
 public:
  using Value = std::variant<Quality, Bitrate>;  // JPEG quality (images), MP3 bitrate (audio)

  Level(Quality quality) : value_(quality) {}  // NOLINT: a quality is a level
  Level(Bitrate bitrate) : value_(bitrate) {}  // NOLINT: a bitrate is a level

  // The option that sets a level of this kind ("quality", "bitrate") and its codec ("jpeg",
  // "mp3").
  std::string option() const;
  std::string codec() const;
  bool audio() const { return std::holds_alternative<Bitrate>(value_); }
  bool raw() const;
  std::string to_string() const;    // "raw", "5", "32": in the codec's own scale
  std::string folder_name() const;  // "quality_5", "bitrate_32", "quality_raw"
  // "quality 5", "bitrate raw": for messages and the identity.
  std::string describe() const { return option() + " " + to_string(); }

  const Quality& quality() const;  // throws core::UsageError when this is not an image level
  const Bitrate& bitrate() const;  // throws core::UsageError when this is not an audio level
  const Value& value() const { return value_; }

  friend bool operator==(const Level& a, const Level& b) {
    return a.option() == b.option() && a.to_string() == b.to_string();
  }
  friend bool operator!=(const Level& a, const Level& b) { return !(a == b); }

 private:
  Value value_;
};

}  // namespace helmholtz::data
