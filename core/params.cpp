#include "core/params.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace relabel {

const char* type_name(ValueType type) {
  switch (type) {
    case ValueType::kBool:
      return "boolean";
    case ValueType::kInt:
      return "integer";
    case ValueType::kFloat:
      return "float";
    case ValueType::kString:
      return "string";
  }
  return "?";
}

ValueType type_of(const ConfigValue& value) { return static_cast<ValueType>(value.index()); }

std::string value_text(const ConfigValue& value) {
  switch (type_of(value)) {
    case ValueType::kBool:
      return std::get<bool>(value) ? "true" : "false";
    case ValueType::kInt:
      return std::to_string(std::get<int64_t>(value));
    case ValueType::kFloat: {
      double x = std::get<double>(value);
      if (std::isnan(x)) return "nan";
      if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
      // fmt's default is the shortest representation that reads back to the same double.
      std::string s = fmt::format("{}", x);
      if (s.find_first_of(".e") == std::string::npos) s += ".0";
      return s;
    }
    case ValueType::kString:
      return std::get<std::string>(value);
  }
  return "";
}

ConfigKey& ConfigKey::in(double l, double h, bool l_open, bool h_open) {
  lo = l, hi = h, lo_open = l_open, hi_open = h_open;
  return *this;
}
ConfigKey& ConfigKey::at_least(double l) {
  lo = l;
  return *this;
}
ConfigKey& ConfigKey::positive() {
  lo = 0.0, lo_open = true;
  return *this;
}
ConfigKey& ConfigKey::one_of(std::vector<std::string> c) {
  choices = std::move(c);
  return *this;
}
ConfigKey& ConfigKey::maybe_unset() {
  optional = true;
  return *this;
}
ConfigKey& ConfigKey::derived_as(std::string how) {
  derived = std::move(how);
  return *this;
}
ConfigKey& ConfigKey::cite(std::string p) {
  paper = std::move(p);
  return *this;
}

ConfigKey& ConfigKey::added_later() { return added_later(default_value); }

ConfigKey& ConfigKey::added_later(const ConfigValue& neutral) {
  // Not checked here: keys are declared during static initialisation, where a throw ends the
  // program before main. The startup check (config/registration_check.h) refuses an invalid one.
  hash_neutral = neutral;
  if (type == ValueType::kFloat && type_of(neutral) == ValueType::kInt)
    hash_neutral = static_cast<double>(std::get<int64_t>(neutral));
  return *this;
}

namespace {
std::string format_bound(double v) { return fmt::format("{}", v); }

}  // namespace

std::string ConfigKey::constraint() const {
  if (!choices.empty()) {
    std::string s = "one of ";
    for (size_t i = 0; i < choices.size(); ++i) s += (i ? "|" : "") + choices[i];
    return s;
  }
  if (lo && hi)
    return fmt::format("in {}{}, {}{}", lo_open ? "(" : "[", format_bound(*lo), format_bound(*hi),
                       hi_open ? ")" : "]");
  if (lo) return fmt::format("{} {}", lo_open ? ">" : ">=", format_bound(*lo));
  if (hi) return fmt::format("{} {}", hi_open ? "<" : "<=", format_bound(*hi));
  return "";
}

std::string ConfigKey::check(const ConfigValue& value, ConfigValue* out) const {
  ConfigValue v = value;
  if (type == ValueType::kFloat && type_of(v) == ValueType::kInt)
    v = static_cast<double>(std::get<int64_t>(v));
  if (type_of(v) != type)
    return fmt::format("expected {}, got {}", type_name(type), type_name(type_of(value)));
  if (type == ValueType::kString && !choices.empty()) {
    const auto& s = std::get<std::string>(v);
    if (std::find(choices.begin(), choices.end(), s) == choices.end()) {
      auto msg = fmt::format("must be {}, got \"{}\"", constraint(), s);
      auto guess = closest(s, choices);
      if (!guess.empty()) msg += fmt::format(" (did you mean \"{}\"?)", guess);
      return msg;
    }
  }
  if (type == ValueType::kInt || type == ValueType::kFloat) {
    double x =
        type == ValueType::kInt ? static_cast<double>(std::get<int64_t>(v)) : std::get<double>(v);
    std::string text = value_text(v);
    // NaN is how an optional key is unset internally, never a value to give.
    if (std::isnan(x))
      return optional ? "must be a number, got nan (leave the key out to keep it unset)"
                      : "must be a number, got nan";
    if (std::isinf(x)) return fmt::format("must be finite, got {}", text);
    if (type == ValueType::kInt && !wide && std::abs(x) > 2147483647.0)
      return fmt::format("must be at most 2147483647 in magnitude, got {}", text);
    if (!std::isnan(x)) {
      bool below = lo && (lo_open ? x <= *lo : x < *lo);
      bool above = hi && (hi_open ? x >= *hi : x > *hi);
      if (below || above) return fmt::format("must be {}, got {}", constraint(), text);
    }
  }
  *out = std::move(v);
  return "";
}

bool ConfigKey::same_rule(const ConfigKey& o) const {
  return type == o.type && default_value == o.default_value && choices == o.choices && lo == o.lo &&
         hi == o.hi && lo_open == o.lo_open && hi_open == o.hi_open && optional == o.optional;
}

bool Params::operator==(const Params& other) const {
  if (values_.size() != other.values_.size()) return false;
  for (const auto& [k, v] : values_) {
    auto it = other.values_.find(k);
    if (it == other.values_.end()) return false;
    const auto* a = std::get_if<double>(&v);
    const auto* b = std::get_if<double>(&it->second);
    if (a && b && std::isnan(*a) && std::isnan(*b)) continue;
    if (v != it->second) return false;
  }
  return true;
}

void Params::missing(const std::string& name, const char* type) const {
  throw Error(fmt::format("parameter '{}' is not set{}{}", name, *type ? " or is " : "", type));
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
  // Close enough to be a typo: at most a third of the word's letters (and at least 2) differ.
  size_t limit = std::max<size_t>(2, word.size() / 3);
  std::string best;
  size_t best_d = limit + 1;
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_d) best = c, best_d = d;
  }
  return best;
}

bool DeriveContext::was_given(const std::string& name) const {
  return std::find(given.begin(), given.end(), name) != given.end();
}

}  // namespace relabel
