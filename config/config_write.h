#pragma once
// Write-back of a configuration as TOML, its stable hash, and the documented defaults.
#include <string>

#include "config/config.h"

namespace relabel::config {

// The configuration as TOML in schema order; loads back to an equal RunConfig. Unset optional
// keys (NaN) are left out. `include_unhashed = false` gives the canonical text that is hashed:
// without output.dir, logging.* and dataset.generate, which do not change what a run computes,
// and without a key added later (ConfigKey::added_later) that holds its neutral value, so that
// runs finished before the engine gained it keep their hash.
std::string to_toml(const RunConfig& config, bool include_unhashed = true);

// 16 hex digits: a 64-bit hash of to_toml(config, false). Stable across runs and machines (it
// depends only on the text), independent of where the run writes.
std::string config_hash(const RunConfig& config);
// config_hash of the config with its seed at 0: the runs of one configuration that differ only
// in the seed share it (relabel report keeps runs of different configurations apart by it).
std::string config_hash_without_seed(const RunConfig& config);

// Every key with its default and a "# doc" comment; derived and optional keys are commented
// out, so the text is valid TOML (`relabel check --defaults`).
std::string defaults_toml();

}  // namespace relabel::config
