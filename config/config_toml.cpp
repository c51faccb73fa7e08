#include "config/config_toml.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace relabel::config {

std::string toml_where(const std::string& file, const toml::source_region& region) {
  return fmt::format("{}:{}:{}", file, region.begin.line, region.begin.column);
}

toml::table parse_toml_file(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (std::filesystem::is_directory(status)) throw Error(path + " is a directory");
  if (!std::filesystem::exists(status)) throw Error(path + ": file not found");
  // toml++ reports an unreadable file as a syntax error: name errno's reason instead.
  if (std::FILE* f = std::fopen(path.c_str(), "rb"))
    std::fclose(f);
  else
    throw Error(path + ": cannot read: " + std::strerror(errno));
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::string what(e.description());
    for (auto& ch : what)
      if (ch == '\n' || ch == '\r') ch = ' ';
    throw Error(toml_where(path, e.source()) + ": syntax error: " + what);
  }
}

std::optional<ConfigValue> toml_scalar(const toml::node& node, std::string* type) {
  switch (node.type()) {
    case toml::node_type::boolean:
      return ConfigValue(node.as_boolean()->get());
    case toml::node_type::integer:
      return ConfigValue(static_cast<int64_t>(node.as_integer()->get()));
    case toml::node_type::floating_point:
      return ConfigValue(node.as_floating_point()->get());
    case toml::node_type::string:
      return ConfigValue(node.as_string()->get());
    case toml::node_type::table:
      *type = "table";
      break;
    case toml::node_type::array:
      *type = "array";
      break;
    case toml::node_type::date:
      *type = "date";
      break;
    case toml::node_type::time:
      *type = "time";
      break;
    case toml::node_type::date_time:
      *type = "date-time";
      break;
    default:
      *type = "nothing";
  }
  return std::nullopt;
}

void set_key_from_node(ConfigDraft& draft, const std::string& key, const toml::node& node,
                       const std::string& origin) {
  std::string type;
  auto value = toml_scalar(node, &type);
  if (!value) {
    const KeySpec* spec = find_key(key);
    if (spec)
      throw Error(
          key_error(origin, key, fmt::format("expected {}, got {}", type_name(spec->type), type)));
    set_key(draft, key, ConfigValue(std::string()), origin);  // reports the unknown key
  }
  set_key(draft, key, *value, origin);
}

}  // namespace relabel::config
