#pragma once
// Loading a run configuration: schema defaults, then the TOML file, then `--set key=value`
// overrides, then resolution (method-dependent defaults, output.dir, cross-key checks).
// Every error is a relabel::Error with one line "FILE:LINE:COL: key.path: message" (or
// "--set key.path: message" for an override).
#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/config_schema.h"

namespace relabel::config {

// Where each explicitly set key came from: "cfg.toml:3:14" or "--set policy.lr".
using KeyOrigins = std::map<std::string, std::string>;

// A configuration being assembled (also used by the sweep expansion, which layers its axes).
struct ConfigDraft {
  RunConfig config = default_run_config();
  KeyOrigins origins;
  std::string file;  // the config file, named by errors about keys nobody set
};

// Schema defaults plus the file's keys; unresolved.
ConfigDraft read_run_config(const std::string& path);

// Sets one key (unknown key, wrong type and range are errors naming `origin` and the key).
void set_key(ConfigDraft& draft, const std::string& key, const ConfigValue& value,
             const std::string& origin);

// Applies "a.b=value": the value is parsed as a TOML value, falling back to the bare text.
void apply_set(ConfigDraft& draft, const std::string& assignment);

// Derived defaults and cross-key checks; the result is what runs.
RunConfig resolve(const ConfigDraft& draft);

// The one-line message for `key` set at `origin`: "ORIGIN: key: message", or
// "--set key: message" when the origin already names the key.
std::string key_error(const std::string& origin, const std::string& key,
                      const std::string& message);

// The whole pipeline: read, apply the overrides in order, resolve.
RunConfig load_run_config(const std::string& path, const std::vector<std::string>& overrides = {});

}  // namespace relabel::config
