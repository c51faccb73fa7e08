#include "config/config_write.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstdint>

#include "config/config_schema.h"
#include "core/seeding.h"

namespace relabel::config {

namespace {

bool unset(const KeySpec& key, const ConfigValue& v) {
  return key.optional && std::isnan(std::get<double>(v));
}

// Emits "[section]" headers as the (section-ordered) schema moves on.
class SectionWriter {
 public:
  explicit SectionWriter(std::string* out) : out_(out) {}
  void enter(const KeySpec& key) {
    auto s = key.section();
    if (s == current_) return;
    current_ = s;
    *out_ += fmt::format("\n[{}]\n", s);
  }

 private:
  std::string* out_;
  std::string current_;
};

}  // namespace

std::string to_toml(const RunConfig& config, bool include_unhashed) {
  std::string out;
  SectionWriter sections(&out);
  for (const auto& key : run_schema()) {
    if (!include_unhashed && !key.hashed) continue;
    if (!key_in_use(key, config)) continue;
    ConfigValue v = key.get(config);
    if (unset(key, v)) continue;
    // A key the engine gained later, at the value that computes what runs did before it.
    if (!include_unhashed && key.hash_neutral && v == *key.hash_neutral) continue;
    sections.enter(key);
    out += fmt::format("{} = {}\n", key.leaf(), toml_literal(v));
  }
  return out;
}

std::string config_hash(const RunConfig& config) {
  // FNV-1a 64 over the canonical text, then the splitmix64 finaliser so every output bit
  // depends on every input bit (ids use a 48-bit prefix).
  return fmt::format("{:016x}", splitmix64_finalise(fnv1a64(to_toml(config, false))));
}

std::string config_hash_without_seed(const RunConfig& config) {
  RunConfig unseeded = config;
  unseeded.seed = 0;
  return config_hash(unseeded);
}

std::string defaults_toml() {
  std::string out =
      "# relabel run configuration: every key with its default (relabel check --defaults).\n"
      "# Commented-out keys are optional or derived at load time as their comment says.\n";
  SectionWriter sections(&out);
  for (const auto& key : run_schema()) {
    sections.enter(key);
    std::string doc = key.doc;
    if (!key.selector.empty())
      doc += fmt::format(" [{} = {}]", key.selector, fmt::join(key.used_by, "|"));
    auto c = key.constraint();
    if (!c.empty()) doc += "; " + c;
    if (!key.derived.empty()) doc += "; default: " + key.derived;
    out += fmt::format("# {}\n", doc);
    ConfigValue v = key.default_value;
    bool commented = unset(key, v) || !key.derived.empty();
    std::string literal = unset(key, v) ? "<float>" : toml_literal(v);
    out += fmt::format("{}{} = {}\n", commented ? "# " : "", key.leaf(), literal);
  }
  return out;
}

}  // namespace relabel::config
