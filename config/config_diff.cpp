#include "config/config_diff.h"

#include <toml++/toml.h>

#include "config/config_schema.h"

#include <iterator>
#include <map>
#include <set>
#include <sstream>

namespace relabel::config {

namespace {

void flatten(const toml::table& table, const std::string& prefix,
             std::map<std::string, std::string>* out) {
  for (const auto& [key, node] : table) {
    const std::string name =
        prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    if (const auto* sub = node.as_table()) {
      flatten(*sub, name, out);
    } else {
      std::ostringstream text;
      node.visit([&](const auto& v) { text << v; });
      (*out)[name] = text.str();
    }
  }
}

std::map<std::string, std::string> flat_keys(const std::string& text) {
  std::map<std::string, std::string> out;
  try {
    flatten(toml::parse(text), "", &out);
  } catch (const toml::parse_error&) {
  }
  // Keys outside the config hash (output.dir, logging.*, dataset.generate) do not change what a run
  // computes.
  for (auto it = out.begin(); it != out.end();) {
    const KeySpec* key = find_key(it->first);
    it = key && !key->hashed ? out.erase(it) : std::next(it);
  }
  return out;
}

}  // namespace

std::vector<std::string> differing_keys(const std::string& toml_a, const std::string& toml_b) {
  const auto a = flat_keys(toml_a), b = flat_keys(toml_b);
  std::set<std::string> keys;
  for (const auto& [k, v] : a) keys.insert(k);
  for (const auto& [k, v] : b) keys.insert(k);
  std::vector<std::string> out;
  for (const auto& k : keys) {
    auto ia = a.find(k), ib = b.find(k);
    if (ia == a.end() || ib == b.end() || ia->second != ib->second) out.push_back(k);
  }
  return out;
}

}  // namespace relabel::config
