#include "helmholtz/models/architecture_file.hpp"

#include <toml++/toml.h>

#include <cctype>
#include <set>
#include <string>

#include "helmholtz/core/error.hpp"

namespace helmholtz::models {
namespace {

struct Reader {
  std::filesystem::path file;

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw core::UsageError("--architecture '" + file.string() + "': " + where + what);
  }

  std::string kinds() const {
    std::string list;
    for (auto k : layer_kinds()) list += (list.empty() ? "" : ", ") + std::string(kind_name(k));
    return list;
  }

  int integer(const toml::table& t, const char* key, const std::string& where, bool required,
              int fallback) const {
    const auto* node = t.get(key);
    if (node == nullptr) {
      if (required) fail(where, std::string("needs '") + key + "'");
      return fallback;
    }
    const auto v = node->value_exact<std::int64_t>();
    if (!v || *v < 0 || *v > 1000000) {
      fail(where, std::string("'") + key + "' must be a whole number from 0 to 1000000");
    }
    return static_cast<int>(*v);
  }

  LayerSpec layer(const toml::table& t, std::size_t index) const {
    const std::string where = "layer " + std::to_string(index + 1) + ": ";
    const auto kind_text = t["kind"].value<std::string>();
    if (!kind_text) fail(where, "needs kind = \"...\" (one of " + kinds() + ")");
    LayerSpec spec;
    bool known = false;
    for (auto k : layer_kinds()) {
      if (*kind_text == kind_name(k)) {
        spec.kind = k;
        known = true;
      }
    }
    if (!known) fail(where, "unknown kind '" + *kind_text + "' (use one of " + kinds() + ")");
    std::set<std::string> allowed{"kind"};
    switch (spec.kind) {
      case LayerKind::kConv: {
        allowed.insert({"kernel", "filters", "stride", "padding", "bias"});
        spec.kernel = integer(t, "kernel", where, true, 0);
        spec.units = integer(t, "filters", where, true, 0);
        spec.stride = integer(t, "stride", where, false, 1);
        if (t["padding"].is_integer()) {
          spec.pad = integer(t, "padding", where, true, 0);  // torch's, on every side
        } else {
          const auto padding = t["padding"].value_or(std::string("same"));
          if (padding != "same" && padding != "valid" && padding != "torch") {
            fail(where, "padding '" + padding +
                            "': use same (TensorFlow's), valid, torch (kernel / 2 on every "
                            "side) or a number of pixels on every side");
          }
          spec.same = padding == "same";
          if (padding == "torch") spec.pad = spec.kernel / 2;
        }
        if (const auto* bias = t.get("bias")) {
          if (!bias->is_boolean()) fail(where, "'bias' must be true or false");
          spec.bias = bias->as_boolean()->get();
        }
        if (spec.kernel < 1 || spec.stride < 1) fail(where, "kernel and stride must be >= 1");
        break;
      }
      case LayerKind::kBasicBlock:
      case LayerKind::kBottleneck:
        allowed.insert({"filters", "stride"});
        spec.units = integer(t, "filters", where, true, 0);
        spec.stride = integer(t, "stride", where, false, 1);
        if (spec.units < 1 || spec.stride < 1) fail(where, "filters and stride must be >= 1");
        break;
      case LayerKind::kDense:
        allowed.insert("units");
        spec.units = integer(t, "units", where, true, 0);
        break;
      case LayerKind::kDropout: {
        allowed.insert("rate");
        const auto rate = t["rate"].value<double>();
        if (!rate) fail(where, "needs rate = a number in [0, 1)");
        if (!(*rate >= 0.0 && *rate < 1.0)) fail(where, "rate must be in [0, 1)");
        spec.rate = *rate;
        break;
      }
      case LayerKind::kMaxPool:
        allowed.insert({"size", "stride", "padding"});
        spec.kernel = integer(t, "size", where, true, 0);
        if (spec.kernel < 1) fail(where, "size must be >= 1");
        // With a stride or padding, torch's MaxPool2d; without, Keras' (stride = size).
        if (t.contains("stride") || t.contains("padding")) {
          spec.stride = integer(t, "stride", where, false, spec.kernel);
          spec.pad = integer(t, "padding", where, false, 0);
          if (spec.stride < 1) fail(where, "stride must be >= 1");
        }
        break;
      default:
        break;
    }
    for (const auto& [key, value] : t) {
      if (allowed.count(std::string(key.str())) == 0) {
        fail(where, "unknown key '" + std::string(key.str()) + "' for kind " + *kind_text);
      }
    }
    return spec;
  }
};

}  // namespace

Architecture read_architecture_file(const std::filesystem::path& file) {
  const Reader reader{file};
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw core::UsageError("--architecture: no such file '" + file.string() + "'");
  }
  toml::table doc;
  try {
    doc = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    reader.fail("line " + std::to_string(e.source().begin.line) + ": ",
                std::string(e.description()));
  }
  Architecture arch;
  arch.file = file;
  const auto name = doc["name"].value<std::string>();
  if (!name || name->empty()) reader.fail("", "needs name = \"...\" (it names the run folder)");
  for (char c : *name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      reader.fail("", "name '" + *name + "': use letters, digits, '-', '_' and '.' only");
    }
  }
  // The name is a folder of every run of this network: it must neither leave nor alias one.
  if ((*name)[0] == '.') {
    reader.fail("", "name '" + *name +
                        "': may not start with '.' (it names the run folder, "
                        "and '.' or '..' would write into another folder)");
  }
  if (is_built_in_name(*name)) {
    reader.fail("", "name '" + *name +
                        "' is a built-in network's: its runs would share "
                        "that network's run folders; choose another name");
  }
  const auto ends_with = [&](const std::string& tail) {
    return name->size() >= tail.size() &&
           name->compare(name->size() - tail.size(), tail.size(), tail) == 0;
  };
  if (ends_with("-reference") || name->find("-storage-") != std::string::npos) {
    reader.fail("", "name '" + *name +
                        "': '-reference' and '-storage-' mark the run folders "
                        "of --protocol reference and --storage-budget; choose a name without them");
  }
  arch.name = *name;
  for (const auto& [key, value] : doc) {
    if (key.str() != "name" && key.str() != "init" && key.str() != "layer") {
      reader.fail("",
                  "unknown key '" + std::string(key.str()) + "' (use name, init and [[layer]])");
    }
  }
  if (const auto* init = doc.get("init")) {
    const auto text = init->value<std::string>();
    if (text && *text == init_name(Init::kTorchvision)) {
      arch.init = Init::kTorchvision;
    } else if (!text || *text != init_name(Init::kKeras)) {
      reader.fail("",
                  "init: use \"keras\" (Glorot-uniform weights, zero biases) or "
                  "\"torchvision\" (torchvision's ResNet initialisation)");
    }
  }
  const auto* layers = doc["layer"].as_array();
  if (layers == nullptr || layers->empty()) {
    reader.fail("", "no layers: write each as a [[layer]] table with a kind");
  }
  for (std::size_t i = 0; i < layers->size(); ++i) {
    const auto* t = (*layers)[i].as_table();
    if (t == nullptr) reader.fail("layer " + std::to_string(i + 1) + ": ", "is not a table");
    arch.layers.push_back(reader.layer(*t, i));
  }
  return arch;
}

}  // namespace helmholtz::models
