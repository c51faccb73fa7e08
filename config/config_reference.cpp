#include "config/config_reference.h"

#include <fmt/format.h>

#include "algos/policy_registry.h"
#include "algos/reward/reward_registry.h"
#include "config/config_schema.h"

namespace relabel::config {

namespace {

std::string cell(std::string s) {
  for (size_t i = 0; (i = s.find('|', i)) != std::string::npos; i += 2) s.replace(i, 1, "\\|");
  return s;
}

std::string default_text(const ConfigKey& k) {
  if (k.optional) return "unset";
  return "`" + toml_literal(k.default_value) + "`";
}

// One table row: key, type, default, allowed, meaning.
std::string row(const std::string& key, const ConfigKey& k, const std::string& derived) {
  std::string meaning = k.doc;
  if (!derived.empty()) meaning += "; default: " + derived;
  if (!k.paper.empty()) meaning += " (" + k.paper + ")";
  return fmt::format("| `{}` | {} | {} | {} | {} |\n", key, type_name(k.type), default_text(k),
                     cell(k.constraint()), cell(meaning));
}

const char* kHeader = "| key | type | default | allowed | meaning |\n|---|---|---|---|---|\n";

std::string declared_table(const std::vector<ConfigKey>& keys) {
  if (keys.empty()) return "No keys of its own.\n";
  std::string out = kHeader;
  for (const auto& k : keys) out += row(k.name, k, k.derived);
  return out;
}

std::string needs(const algos::RewardMethodInfo& m) {
  std::vector<std::string> parts;
  if (m.offline) parts.push_back("offline (relabels the dataset)");
  if (m.online) parts.push_back("online (world-model runs)");
  if (m.needs_true_rewards) parts.push_back("reads the dataset's rewards");
  if (m.needs_demonstrations) parts.push_back("uses the K best expert trajectories");
  if (m.needs_labelled_subset)
    parts.push_back(fmt::format("uses a labelled subset (dataset.label_fraction, default {})",
                                m.default_label_fraction));
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
  return out;
}

}  // namespace

std::string config_reference_markdown() {
  std::string out =
      "# Configuration reference\n\n"
      "Generated from the code by `relabel check --defaults --markdown` (a test fails when this "
      "file differs from that output; regenerate it with "
      "`build/relabel check --defaults --markdown > docs/config.md`). "
      "A run config is TOML with the sections below; `relabel check FILE` prints it resolved. "
      "Integers other than `seed` are at most 2147483647. "
      "The keys of `[reward]` and `[policy]` beyond `method` / `algo` and the common policy keys "
      "are declared by the reward method and the learner in the file that defines them: a run "
      "uses exactly the keys of its method and learner (others in the file are dropped at "
      "resolution and are not part of the config hash; `relabel run` logs them and "
      "`relabel check` lists them as ignored, and a `--set` of one is an error, since it would "
      "change nothing).\n";
  std::string section = "-";
  for (const auto& k : run_schema()) {
    if (!k.selector.empty()) continue;
    if (k.section() != section) {
      section = k.section();
      out += section.empty() ? "\n## Top level\n\n" : fmt::format("\n## [{}]\n\n", section);
      out += kHeader;
    }
    out += row(k.path, k, k.derived);
  }
  out += "\n## [reward] keys of each method\n\n";
  for (const auto* m : algos::reward_methods()) {
    out += fmt::format("### reward.method = \"{}\"\n\n{}.", m->name, m->doc);
    if (!m->paper.empty()) out += fmt::format(" Reference: {}.", m->paper);
    out += fmt::format(" Serves: {}.\n\n", needs(*m));
    out += declared_table(m->keys) + "\n";
  }
  out += "## [policy] keys of each learner\n\n";
  for (const auto* a : algos::policy_algos()) {
    out += fmt::format("### policy.algo = \"{}\"\n\n{} ({} learner).", a->name, a->doc,
                       a->online ? "online" : "offline");
    if (!a->paper.empty()) out += fmt::format(" Defaults: {}.", a->paper);
    out += "\n\n" + declared_table(a->keys) + "\n";
  }
  while (out.size() > 1 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n')
    out.pop_back();
  return out;
}

}  // namespace relabel::config
