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

#include "config/config.h"
#include "core/params.h"

namespace relabel::algos {
struct RewardMethodInfo;
struct PolicyAlgoInfo;
}  // namespace relabel::algos

namespace relabel::config {

using relabel::ConfigValue;
using relabel::type_name;
using relabel::type_of;
using relabel::value_text;
using relabel::ValueType;

// One dotted key: the engine's own keys, and the [reward] / [policy] keys the registered
// methods and learners declare (merged by name: `used_by` lists who declares it, and when their
// rules differ the merged key checks only the type and resolution applies the selected one's).
struct KeySpec : ConfigKey {
  std::string path;      // dotted, e.g. "policy.expectile"
  std::string selector;  // "reward.method" / "policy.algo" for declared keys, "" for the engine's
  std::vector<std::string> used_by;  // the methods / learners declaring it
  std::vector<ConfigKey> rules;      // each one's declaration, parallel to used_by
  std::function<ConfigValue(const RunConfig&)> get;
  std::function<void(RunConfig&, const ConfigValue&)> set;
  // False for keys that say where and how a run is written (output.dir, logging.*,
  // dataset.generate), not what it computes: left out of the config hash, so changing them keeps a
  // run's identity.
  bool hashed = true;

  std::string section() const;  // "" for top-level keys
  std::string leaf() const;
};

// The keys in documentation order: top-level keys, then the sections in order.
const std::vector<KeySpec>& run_schema();
// The schema of the given methods and learners (run_schema() passes the registries'). Throws
// relabel::Error, one line naming the key and its owners, for a declared key that is an engine
// key (policy.lr, reward.method), or that two owners declare with different types or unlike
// added_later().
std::vector<KeySpec> build_schema(const std::vector<const algos::RewardMethodInfo*>& methods,
                                  const std::vector<const algos::PolicyAlgoInfo*>& learners);
const std::vector<std::string>& section_names();   // task, dataset, ..., output
const KeySpec* find_key(const std::string& path);  // nullptr when unknown

// The closest known key to an unknown dotted path (edit distance over the whole path and over
// the leaf names of every section), or "" when nothing is close.
std::string suggest_key(const std::string& path);
std::string suggest_section(const std::string& name);
// Edit distance and typo suggestions (core/params.h), also used for sweep spec keys.
using relabel::closest;
using relabel::edit_distance;

// Converts `value` to the key's type (an integer is accepted for a float key) and checks the
// range/choices. Returns the message for a bad value ("expected float, got string", "must be in
// (0, 1), got 1.5"), or "" and stores the converted value in *out.
std::string check_value(const KeySpec& key, const ConfigValue& value, ConfigValue* out);

// The schema defaults, unresolved (derived keys hold their nominal default).
RunConfig default_run_config();

// Whether `config` uses `key`: the engine's keys always, a declared key when the selected
// method / learner declares it (what is written to config.toml, hashed and compared).
bool key_in_use(const KeySpec& key, const RunConfig& config);
// The method or learner a declared key's selector picks in `config` (reward.method for a
// [reward] key, policy.algo for a [policy] one); "" for the engine's keys.
const std::string& selected_owner(const KeySpec& key, const RunConfig& config);
// The TOML literal of a value (strings quoted and escaped; floats always with '.', 'e', nan, inf).
std::string toml_literal(const ConfigValue& value);

}  // namespace relabel::config
