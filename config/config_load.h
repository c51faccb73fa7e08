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

// The keys set explicitly (in the file or by --set) that the resolved run does not use: declared
// by a reward method or learner other than the selected one. Resolution drops them (a sweep base
// may hold several methods' keys), so they neither run nor enter the config hash.
struct UnusedKey {
  std::string key;                   // "reward.zeta"
  std::string origin;                // "cfg.toml:12:8" or "--set reward.zeta"
  std::string selector;              // "reward.method" or "policy.algo"
  std::string selected;              // the run's method or learner, e.g. "ground_truth"
  std::vector<std::string> used_by;  // who declares the key, e.g. {"cdred"}
  std::string owners() const;        // "cdred, reload"
  // "ORIGIN: key: not used by reward.method = ground_truth (a key of cdred)"
  std::string message() const;
};
std::vector<UnusedKey> unused_keys(const ConfigDraft& draft, const RunConfig& config);
// One line per selector for the log: "FILE: not used by reward.method = ground_truth, ignored:
// reward.alpha (cdred, reload), reward.zeta (cdred)".
std::vector<std::string> ignored_keys_lines(const std::string& file,
                                            const std::vector<UnusedKey>& unused);

// The whole pipeline: read, apply the overrides in order, resolve. An override naming a key the
// run does not use is an error (it would change nothing); the file's unused keys are returned in
// `file_unused` when given (the run logs them: a file may serve several methods).
RunConfig load_run_config(const std::string& path, const std::vector<std::string>& overrides = {},
                          std::vector<UnusedKey>* file_unused = nullptr);

}  // namespace relabel::config
