#include "config/config_load.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>

#include "config/config_toml.h"
#include "core/error.h"

namespace relabel::config {

namespace {

bool is_section(const std::string& name) {
  const auto& s = section_names();
  return std::find(s.begin(), s.end(), name) != s.end();
}

std::string unknown_key_message(const std::string& key) {
  auto guess = suggest_key(key);
  return fmt::format("unknown key '{}'{}", key,
                     guess.empty() ? "" : fmt::format(" (did you mean '{}'?)", guess));
}

// One `key = value` of the file with its dotted path and position.
struct Entry {
  std::string path;
  const toml::key* key;
  const toml::node* node;
};

// The file's entries in file order (TOML++ iterates tables sorted by key), so the first error
// reported is the first one in the file.
std::vector<Entry> entries_in_file_order(const toml::table& root, const std::string& file) {
  std::vector<Entry> out;
  for (auto&& [k, node] : root) {
    std::string name(k.str());
    const auto* sub = node.as_table();
    if (sub && is_section(name)) {
      for (auto&& [k2, node2] : *sub)
        out.push_back({name + "." + std::string(k2.str()), &k2, &node2});
    } else if (sub && !find_key(name)) {
      auto guess = suggest_section(name);
      throw Error(fmt::format("{}: {}: unknown section '{}'{}", toml_where(file, k.source()), name,
                              name,
                              guess.empty() ? "" : fmt::format(" (did you mean '{}'?)", guess)));
    } else if (!sub && is_section(name)) {
      std::string type;
      auto scalar = toml_scalar(node, &type);
      if (scalar) type = type_name(type_of(*scalar));
      throw Error(fmt::format("{}: {}: expected a table [{}], got {}",
                              toml_where(file, node.source()), name, name, type));
    } else {
      out.push_back({name, &k, &node});
    }
  }
  auto pos = [](const Entry& e) {
    return std::make_tuple(e.key->source().begin.line, e.key->source().begin.column);
  };
  std::sort(out.begin(), out.end(),
            [&](const Entry& a, const Entry& b) { return pos(a) < pos(b); });
  return out;
}

// Why toml++ refused a number, as the TOML rule it breaks: "Error while parsing decimal integer:
// leading zeroes are prohibited" -> "leading zeros are not allowed".
std::string toml_number_problem(const toml::parse_error& e) {
  std::string why(e.description());
  if (auto colon = why.find(": ");
      why.rfind("Error while parsing", 0) == 0 && colon != std::string::npos)
    why = why.substr(colon + 2);
  if (why == "leading zeroes are prohibited") return "leading zeros are not allowed";
  return why;
}

}  // namespace

std::string key_error(const std::string& origin, const std::string& key,
                      const std::string& message) {
  if (origin == "--set " + key) return origin + ": " + message;
  return origin + ": " + key + ": " + message;
}

ConfigDraft read_run_config(const std::string& path) {
  toml::table root = parse_toml_file(path);
  ConfigDraft draft;
  draft.file = path;
  for (const auto& e : entries_in_file_order(root, path)) {
    if (!find_key(e.path))
      throw Error(fmt::format("{}: {}: {}", toml_where(path, e.key->source()), e.path,
                              unknown_key_message(e.path)));
    set_key_from_node(draft, e.path, *e.node, toml_where(path, e.node->source()));
  }
  return draft;
}

void set_key(ConfigDraft& draft, const std::string& key, const ConfigValue& value,
             const std::string& origin) {
  const KeySpec* spec = find_key(key);
  if (!spec) throw Error(key_error(origin, key, unknown_key_message(key)));
  ConfigValue converted;
  auto problem = check_value(*spec, value, &converted);
  if (!problem.empty()) throw Error(key_error(origin, key, problem));
  spec->set(draft.config, converted);
  draft.origins[key] = origin;
}

void apply_set(ConfigDraft& draft, const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error(
        fmt::format("--set {}: expected KEY=VALUE, e.g. --set policy.expectile=0.8", assignment));
  auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(" \t"));
    s.erase(s.find_last_not_of(" \t") + 1);
    return s;
  };
  std::string key = trim(assignment.substr(0, eq));
  std::string text = trim(assignment.substr(eq + 1));
  std::string origin = "--set " + key;
  const KeySpec* spec = find_key(key);
  if (!spec) throw Error(key_error(origin, key, unknown_key_message(key)));
  // A TOML value if it parses as one ("0.8", "true", "[1, 2]", "\"x\""), else the bare text, so
  // --set task.name=hopper works unquoted.
  std::optional<ConfigValue> value;
  std::string type;
  try {
    toml::table t = toml::parse("v = " + text);
    if (const toml::node* node = t.get("v"); node && t.size() == 1) {
      value = toml_scalar(*node, &type);
      if (!value && spec->type != ValueType::kString)
        throw Error(fmt::format("{}: expected {}, got {}", origin, type_name(spec->type), type));
    }
  } catch (const toml::parse_error& e) {
    // Text that starts like a number but is not a TOML one (05, 1__000, 0.8.1) is a malformed
    // number, not a word to take as a string ("expected integer, got string" hid why).
    const size_t first = text.find_first_not_of("+-");
    const bool numeric_key = spec->type == ValueType::kInt || spec->type == ValueType::kFloat;
    if (numeric_key && first != std::string::npos &&
        std::isdigit(static_cast<unsigned char>(text[first])))
      throw Error(fmt::format("{}: {} is not a TOML {}: {}", origin, text, type_name(spec->type),
                              toml_number_problem(e)));
  }
  // A string key takes the text as written when it does not read as a TOML string (name=2024).
  if (!value || (spec->type == ValueType::kString && type_of(*value) != ValueType::kString))
    value = ConfigValue(text);
  set_key(draft, key, *value, origin);
}

std::string UnusedKey::owners() const { return fmt::format("{}", fmt::join(used_by, ", ")); }

std::string UnusedKey::message() const {
  return key_error(origin, key,
                   fmt::format("not used by {} = {} (a key of {})", selector, selected, owners()));
}

std::vector<UnusedKey> unused_keys(const ConfigDraft& draft, const RunConfig& config) {
  std::vector<UnusedKey> out;
  for (const auto& [key, origin] : draft.origins) {
    const KeySpec* spec = find_key(key);
    if (!spec || key_in_use(*spec, config)) continue;
    out.push_back({key, origin, spec->selector, selected_owner(*spec, config), spec->used_by});
  }
  return out;
}

std::vector<std::string> ignored_keys_lines(const std::string& file,
                                            const std::vector<UnusedKey>& unused) {
  std::map<std::string, std::string> lines;  // "selector = selected" -> keys
  for (const auto& u : unused) {
    auto& keys = lines[u.selector + " = " + u.selected];
    keys += fmt::format("{}{} ({})", keys.empty() ? "" : ", ", u.key, u.owners());
  }
  std::vector<std::string> out;
  for (const auto& [selection, keys] : lines)
    out.push_back(fmt::format("{}: not used by {}, ignored: {}", file, selection, keys));
  return out;
}

RunConfig load_run_config(const std::string& path, const std::vector<std::string>& overrides,
                          std::vector<UnusedKey>* file_unused) {
  ConfigDraft draft = read_run_config(path);
  for (const auto& o : overrides) apply_set(draft, o);
  RunConfig config = resolve(draft);
  for (auto& unused : unused_keys(draft, config)) {
    if (unused.origin.rfind("--set ", 0) == 0)
      throw Error(unused.message() + "; it would change nothing");
    if (file_unused) file_unused->push_back(std::move(unused));
  }
  return config;
}

}  // namespace relabel::config
