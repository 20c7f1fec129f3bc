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

std::string Level::codec() const {
  return std::visit(Overloaded{[](const Quality&) { return std::string("jpeg"); },
                               [](const Bitrate&) { return std::string("mp3"); }},
                    value_);
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
