#pragma once
// The declarative schema of the run configuration: every key with its type, default, allowed
// range or choices, one-line documentation and the RunConfig member it fills. It is the one
// place where defaults are documented (`relabel check --defaults` prints it).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/config.h"

namespace relabel::engine {

enum class ValueType { kBool, kInt, kFloat, kString };
using ConfigValue = std::variant<bool, int64_t, double, std::string>;

const char* type_name(ValueType type);  // "boolean", "integer", "float", "string"
ValueType type_of(const ConfigValue& value);

struct KeySpec {
  std::string path;  // dotted, e.g. "policy.expectile"
  ValueType type = ValueType::kString;
  ConfigValue default_value;
  std::string doc;
  std::vector<std::string> choices;  // allowed strings (empty: any)
  std::optional<double> lo, hi;      // numeric bounds (absent: unbounded)
  bool lo_open = false, hi_open = false;
  bool optional = false;  // a float that may stay unset (NaN)
  std::string derived;    // when not set explicitly: how resolution derives it ("" = fixed)
  std::function<ConfigValue(const RunConfig&)> get;
  std::function<void(RunConfig&, const ConfigValue&)> set;

  std::string section() const;  // "" for top-level keys
  std::string leaf() const;
  // "in (0, 1]", ">= 1", "one of a|b|c", or "" when unconstrained.
  std::string constraint() const;
};

// The keys in documentation order: top-level keys, then the sections in order.
const std::vector<KeySpec>& run_schema();
const std::vector<std::string>& section_names();   // task, dataset, ..., output
const KeySpec* find_key(const std::string& path);  // nullptr when unknown

// The closest known key to an unknown dotted path (edit distance over the whole path and over
// the leaf names of every section), or "" when nothing is close.
std::string suggest_key(const std::string& path);
std::string suggest_section(const std::string& name);
// Edit distance, also used for suggestions elsewhere (sweep spec keys, choice values).
size_t edit_distance(const std::string& a, const std::string& b);
std::string closest(const std::string& word, const std::vector<std::string>& candidates);

// Converts `value` to the key's type (an integer is accepted for a float key) and checks the
// range/choices. Returns the message for a bad value ("expected float, got string", "must be in
// (0, 1), got 1.5"), or "" and stores the converted value in *out.
std::string check_value(const KeySpec& key, const ConfigValue& value, ConfigValue* out);

// The schema defaults, unresolved (derived keys hold their nominal default).
RunConfig default_run_config();

// Text of a value: strings bare, floats in shortest round-trip form ("0.1", "3.0", "1e-05").
std::string value_text(const ConfigValue& value);
// The TOML literal of a value (strings quoted and escaped; floats always with '.', 'e', nan, inf).
std::string toml_literal(const ConfigValue& value);

}  // namespace relabel::engine
