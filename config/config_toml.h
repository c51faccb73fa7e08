#pragma once
// TOML++ glue shared by the run config loader and the sweep spec parser (kept out of
// config/config.h so that consumers of RunConfig never see TOML types).
#include <toml++/toml.h>

#include <optional>
#include <string>

#include "config/config_load.h"

namespace relabel::config {

// "FILE:LINE:COL" of a region.
std::string toml_where(const std::string& file, const toml::source_region& region);

// Parses a TOML file; a missing file or a syntax error is a one-line relabel::Error
// ("FILE: file not found", "FILE:LINE:COL: syntax error: ...").
toml::table parse_toml_file(const std::string& path);

// The node as a scalar ConfigValue, or nullopt with *type set to its TOML type name
// ("array", "table", "date", ...).
std::optional<ConfigValue> toml_scalar(const toml::node& node, std::string* type);

// Sets `key` from a TOML node (the error names `origin`).
void set_key_from_node(ConfigDraft& draft, const std::string& key, const toml::node& node,
                       const std::string& origin);

}  // namespace relabel::config
