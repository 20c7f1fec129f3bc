#include "helmholtz/data/level.hpp"

#include "helmholtz/core/error.hpp"

namespace helmholtz::data {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

std::string Level::option() const {
  return std::visit(Overloaded{[](const Quality&) { return std::string("quality"); },
                               [](const Bitrate&) { return std::string("bitrate"); }},
                    value_);
}

Codec parse_codec(const std::string& name) {
  if (codec::is_image_codec_name(name)) return codec::parse_image_codec(name);
  if (codec::is_audio_codec_name(name)) return codec::parse_audio_codec(name);
  std::string audio;
  for (const auto& info : codec::audio_codecs()) {
    audio += (audio.empty() ? "" : ", ") + std::string(info.name);
  }
  throw core::UsageError("--codec " + name + ": unknown codec (images: " +
                         codec::built_image_codec_names() + "; audio: " + audio + ")");
}

std::string to_string(const Codec& c) {
  return std::visit([](auto id) { return codec::to_string(id); }, c);
}

bool is_audio(const Codec& c) { return std::holds_alternative<codec::AudioCodec>(c); }

std::string Level::codec() const { return data::to_string(codec_id()); }

Codec Level::codec_id() const {
  return std::visit(Overloaded{[](const Quality& q) { return Codec(q.codec); },
                               [](const Bitrate& b) { return Codec(b.codec); }},
                    value_);
}

Level Level::with_codec(const Codec& c) const {
  if (is_audio(c) != audio()) {
    throw core::UsageError("--codec " + data::to_string(c) + " is an " +
                           (is_audio(c) ? "audio" : "image") + " codec; this level is " +
                           describe() + " (" + (audio() ? "audio" : "images") + ")");
  }
  if (audio()) return Level(bitrate().with_codec(std::get<codec::AudioCodec>(c)));
  return Level(quality().with_codec(std::get<codec::ImageCodec>(c)));
}

std::string Level::codec_version() const {
  if (raw()) return "";
  return std::visit(
      Overloaded{[](const Quality& q) { return codec::image_codec_version(q.codec); },
                 [](const Bitrate& b) { return codec::audio_codec_versions(b.codec); }},
      value_);
}

std::string Level::describe() const {
  const bool plain = raw() || codec() == "jpeg" || codec() == "mp3";
  return (plain ? "" : codec() + " ") + option() + " " + to_string();
}

bool Level::raw() const {
  return std::visit([](const auto& v) { return v.raw; }, value_);
}

std::string Level::to_string() const {
  return std::visit([](const auto& v) { return v.to_string(); }, value_);
}

std::string Level::folder_name() const {
  return std::visit([](const auto& v) { return v.folder_name(); }, value_);
}

const Quality& Level::quality() const {
  if (const auto* q = std::get_if<Quality>(&value_)) return *q;
  throw core::UsageError("--quality applies to images; this run's level is " + describe());
}

const Bitrate& Level::bitrate() const {
  if (const auto* b = std::get_if<Bitrate>(&value_)) return *b;
  throw core::UsageError("--bitrate applies to audio; this run's level is " + describe());
}

}  // namespace helmholtz::data
