#pragma once
// Which keys two resolved configurations differ in: the message that refuses to resume a run
// directory written by another configuration names them.
#include <string>
#include <vector>

namespace relabel::config {

// Dotted keys ("policy.expectile") whose values differ between two TOML texts (config.toml as
// to_toml writes it), sorted, without the keys outside the config hash (output.dir, logging.*,
// dataset.generate). A text that does not parse counts as empty.
std::vector<std::string> differing_keys(const std::string& toml_a, const std::string& toml_b);

}  // namespace relabel::config
