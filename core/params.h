#pragma once
// Declared configuration keys and their values, for code that registers itself (reward methods,
// learners, tasks) below the config layer: a ConfigKey says what a key is (type, default, range,
// one-line doc, paper), Params holds the values a run resolved. The engine's config schema is
// built from these declarations (config/config_schema.h), so a method's keys live beside it.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace relabel {

enum class ValueType { kBool, kInt, kFloat, kString };
using ConfigValue = std::variant<bool, int64_t, double, std::string>;

const char* type_name(ValueType type);  // "boolean", "integer", "float", "string"
ValueType type_of(const ConfigValue& value);
// Edit distance, and the candidate close enough to `word` to be its typo ("" when none).
size_t edit_distance(const std::string& a, const std::string& b);
std::string closest(const std::string& word, const std::vector<std::string>& candidates);

// Text of a value: strings bare, floats in shortest round-trip form ("0.1", "3.0", "1e-05").
std::string value_text(const ConfigValue& value);

struct ConfigKey {
  std::string name;  // the key within its section, e.g. "expectile"
  ValueType type = ValueType::kString;
  ConfigValue default_value;
  std::string doc;
  std::string paper;                 // where the default comes from (short citation)
  std::vector<std::string> choices;  // allowed strings (empty: any)
  std::optional<double> lo, hi;      // numeric bounds (absent: unbounded)
  bool lo_open = false, hi_open = false;
  bool optional = false;  // a float that may stay unset (NaN)
  // An integer that may use all 64 bits (a seed); others are at most 2^31 - 1, what the code
  // that uses them (sizes, counts, steps) holds without wrapping.
  bool wide = false;
  std::string derived;  // when not set explicitly: how resolution derives it ("" = fixed)
  // Set by added_later(): the value with which a run computes what runs computed before the key
  // existed. A run holding it leaves the key out of its config hash (config/config_write.h), so
  // the runs finished before the engine gained the key keep their identity.
  std::optional<ConfigValue> hash_neutral;

  // Fluent refinements: param("x", 0.5, "doc").in(0, 1).cite("Kostrikov et al. 2022").
  ConfigKey& in(double lo, double hi, bool lo_open = false, bool hi_open = false);
  ConfigKey& at_least(double lo);
  ConfigKey& positive();
  ConfigKey& one_of(std::vector<std::string> choices);
  ConfigKey& maybe_unset();
  ConfigKey& derived_as(std::string how);
  ConfigKey& cite(std::string paper);
  // A key added after runs were hashed (the pinned list in tests/data/hashed_keys.txt says which
  // were not): neutral at its default, the usual case of a default that keeps the old behaviour,
  // or at `neutral` when the default changes what a run computes (an integer is stored as a float
  // for a float key). A `neutral` the key's own rule refuses is reported by the startup check.
  ConfigKey& added_later();
  ConfigKey& added_later(const ConfigValue& neutral);

  // "in (0, 1]", ">= 1", "one of a|b|c", or "" when unconstrained.
  std::string constraint() const;
  // Converts `value` to the key's type (an integer is accepted for a float key) and checks the
  // range/choices. Returns the message for a bad value ("expected float, got string", "must be
  // in (0, 1), got 1.5"), or "" and stores the converted value in *out.
  std::string check(const ConfigValue& value, ConfigValue* out) const;
  // Same declaration (type, default, range, choices): keys shared by several methods must agree.
  bool same_rule(const ConfigKey& other) const;
};

template <class T>
ConfigKey param(std::string name, T default_value, std::string doc) {
  ConfigKey p;
  p.name = std::move(name);
  if constexpr (std::is_same_v<T, bool>) {
    p.type = ValueType::kBool, p.default_value = default_value;
  } else if constexpr (std::is_integral_v<T>) {
    p.type = ValueType::kInt, p.default_value = static_cast<int64_t>(default_value);
  } else if constexpr (std::is_floating_point_v<T>) {
    p.type = ValueType::kFloat, p.default_value = static_cast<double>(default_value);
  } else {
    p.type = ValueType::kString, p.default_value = std::string(default_value);
  }
  p.doc = std::move(doc);
  return p;
}

// The resolved values of a section's declared keys, by name.
class Params {
 public:
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  void set(const std::string& name, ConfigValue value) { values_[name] = std::move(value); }
  void erase(const std::string& name) { values_.erase(name); }
  // The value of a key that must be there (relabel::Error naming it otherwise, or when its type
  // is not T).
  template <class T>
  T get(const std::string& name) const;
  // The value if set, else `fallback` (options structs that tests fill field by field).
  template <class T>
  T get_or(const std::string& name, T fallback) const {
    return has(name) ? get<T>(name) : fallback;
  }
  const std::map<std::string, ConfigValue>& values() const { return values_; }
  bool operator==(const Params& other) const;
  bool operator!=(const Params& other) const { return !(*this == other); }

 private:
  [[noreturn]] void missing(const std::string& name, const char* type) const;
  std::map<std::string, ConfigValue> values_;
};

template <class T>
T Params::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) missing(name, "");
  if constexpr (std::is_same_v<T, int>) {
    if (auto* v = std::get_if<int64_t>(&it->second)) return static_cast<int>(*v);
  } else if constexpr (std::is_same_v<T, double>) {
    if (auto* v = std::get_if<double>(&it->second)) return *v;
    if (auto* v = std::get_if<int64_t>(&it->second)) return static_cast<double>(*v);
  } else {
    if (auto* v = std::get_if<T>(&it->second)) return *v;
  }
  missing(name, "of another type");
}

// What a method's derive hook may look at when the run is resolved (for defaults that depend on
// the device or the task: "256 on cpu, else 1024").
struct DeriveContext {
  std::string device;              // parallel.device
  bool locomotion = false;         // the task needs MuJoCo (D4RL locomotion)
  std::vector<std::string> given;  // keys of this section set explicitly (leaf names)
  bool was_given(const std::string& name) const;
};

}  // namespace relabel
