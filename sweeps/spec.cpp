// Expansion of a parsed sweep spec into runs (docs/sweeps.md, "Spec format").
#include "sweeps/spec.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <numeric>
#include <set>

#include "config/config_load.h"
#include "config/config_toml.h"
#include "config/config_write.h"
#include "core/error.h"
#include "sweeps/spec_axes.h"

namespace relabel::sweeps {

namespace fs = std::filesystem;

namespace {

// The key of a --set KEY=VALUE override, trimmed.
std::string override_key(const std::string& assignment) {
  std::string key = assignment.substr(0, assignment.find('='));
  key.erase(key.find_last_not_of(" \t") + 1);
  key.erase(0, key.find_first_not_of(" \t"));
  return key;
}

// `base` is relative to the spec file; a path relative to the working directory (docs/sweeps.md,
// "Spec format") is accepted when no file exists next to the spec.
std::string find_base(const ParsedSpec& p) {
  fs::path base(p.base);
  if (base.is_absolute()) return base.string();
  fs::path beside = fs::path(p.file).parent_path() / base;
  std::error_code ec;
  if (fs::is_regular_file(beside, ec)) return beside.lexically_normal().string();
  if (fs::is_regular_file(base, ec)) return base.string();
  throw Error(fmt::format("{}: base: file not found: {} (looked for {} and {})", p.base_origin,
                          p.base, beside.lexically_normal().string(), base.string()));
}

// One assignment of a run: key, value and where it came from.
struct Assignment {
  std::string key;
  relabel::ConfigValue value;
  std::string origin;
};

class Expander {
 public:
  Expander(const ParsedSpec& p, const SweepOptions& options) : p_(p), options_(options) {}

  SweepSpec run() {
    SweepSpec s;
    s.source_path = p_.file;
    s.name = p_.name.empty() ? fs::path(p_.file).stem().string() : p_.name;
    // The name is a directory under runs/.
    if (s.name.empty() ||
        s.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "0123456789._-") != std::string::npos ||
        s.name == "." || s.name == "..")
      throw Error(
          relabel::config::key_error(p_.name_origin.empty() ? p_.file : p_.name_origin, "name",
                                     fmt::format("must contain only letters, digits, '.', '_' and "
                                                 "'-', got \"{}\"",
                                                 s.name)));
    s.base_path = find_base(p_);
    s.dir = options_.out_dir.empty() ? "runs/" + s.name : options_.out_dir;
    base_ = relabel::config::read_run_config(s.base_path);
    for (const auto& o : options_.overrides) relabel::config::apply_set(base_, o);
    for (const auto& axes : {&p_.zip, &p_.grid})
      for (const auto& a : *axes) s.swept_keys.push_back(a.key);
    for (const auto& d : p_.random) s.swept_keys.push_back(d.key);
    for (const auto& o : options_.overrides) {
      const std::string key = override_key(o);
      // Each run's directory is <sweep dir>/runs/<id>: an output.dir override would be dropped.
      if (key == "output.dir")
        throw Error(
            "--set output.dir: a sweep puts each run in <sweep dir>/runs/<id>; give the "
            "sweep directory with --out DIR");
      if (std::find(s.swept_keys.begin(), s.swept_keys.end(), key) != s.swept_keys.end())
        throw Error(fmt::format("--set {}: the key is swept by {}", key, p_.file));
    }
    for (const auto& seed : p_.seeds) s.seeds.push_back(std::get<int64_t>(seed.value));
    if (s.seeds.empty()) s.seeds.push_back(base_.config.seed);
    s.ranks_per_run = p_.has_ranks_per_run ? std::get<int64_t>(p_.ranks_per_run.value)
                                           : base_.config.parallel.ranks_per_run;
    draw_random();
    expand(&s);
    check_overrides_are_used(s);
    return s;
  }

 private:
  // A --set of a key that no run's method or learner declares would change nothing (a run drops
  // it at resolution), as `relabel run` refuses it; one run using it is enough (a sweep over
  // several methods sets one method's key for all).
  void check_overrides_are_used(const SweepSpec& s) const {
    for (const auto& o : options_.overrides) {
      const std::string key = override_key(o);
      const auto* spec = relabel::config::find_key(key);
      if (!spec || spec->selector.empty()) continue;
      std::set<std::string> selected;
      bool used = false;
      for (const auto& run : s.runs) {
        used = used || relabel::config::key_in_use(*spec, run.config);
        selected.insert(relabel::config::selected_owner(*spec, run.config));
      }
      if (!used)
        throw Error(
            fmt::format("--set {}: not used by any run of {} ({} = {}; a key of {}); it "
                        "would change nothing",
                        key, p_.file, spec->selector, fmt::join(selected, ", "),
                        fmt::join(spec->used_by, ", ")));
    }
  }

  void draw_random() {
    std::mt19937_64 rng(p_.random_seed);
    draws_.resize(p_.count);
    for (auto& draw : draws_)
      for (const auto& d : p_.random) draw.push_back({d.key, sweeps::draw(d, rng), d.origin});
  }

  void expand(SweepSpec* s) {
    size_t zips = p_.zip.empty() ? 1 : p_.zip.front().values.size();
    size_t grid = 1;
    for (const auto& a : p_.grid) grid *= a.values.size();
    std::map<std::string, size_t> seen;          // id -> run index
    std::vector<std::vector<Assignment>> swept;  // per run: its swept values
    for (size_t z = 0; z < zips; ++z)
      for (size_t g = 0; g < grid; ++g)
        for (const auto& draw : draws_)
          for (size_t si = 0; si < s->seeds.size(); ++si) {
            std::vector<Assignment> assign;
            for (const auto& a : p_.zip)
              assign.push_back({a.key, a.values[z].value, a.values[z].origin});
            // Cartesian index: the last grid key varies fastest.
            size_t rest = g;
            std::vector<Assignment> grid_assign(p_.grid.size());
            for (size_t k = p_.grid.size(); k-- > 0;) {
              const auto& a = p_.grid[k];
              const auto& v = a.values[rest % a.values.size()];
              rest /= a.values.size();
              grid_assign[k] = {a.key, v.value, v.origin};
            }
            assign.insert(assign.end(), grid_assign.begin(), grid_assign.end());
            assign.insert(assign.end(), draw.begin(), draw.end());
            std::string seed_origin = p_.seeds.empty() ? base_.file : p_.seeds[si].origin;
            RunSpec run = make_run(s, assign, s->seeds[si], seed_origin);
            auto [it, fresh] = seen.emplace(run.id, s->runs.size());
            if (!fresh) {
              // A swept key the run's method or learner does not declare is dropped at
              // resolution: say so rather than only "duplicate".
              std::string unused;
              for (const auto& a : assign) {
                const auto* key = relabel::config::find_key(a.key);
                if (key && !relabel::config::key_in_use(*key, run.config))
                  unused +=
                      fmt::format("{}{} is not used by {} = {}", unused.empty() ? "" : "; ", a.key,
                                  key->selector, relabel::config::selected_owner(*key, run.config));
              }
              throw Error(
                  fmt::format("{}: runs {} and {} resolve to the same configuration (id {}): {}",
                              p_.file, it->second + 1, s->runs.size() + 1, run.id,
                              unused.empty() ? "remove the duplicate value" : unused));
            }
            s->runs.push_back(std::move(run));
            swept.push_back(std::move(assign));
          }
    for (size_t i = 0; i < s->runs.size(); ++i) check_unused_values(s->runs[i], swept[i]);
  }

  // A swept value the run's method or learner does not use is dropped at resolution, so the
  // run would be recorded (and reported) with the key's default instead: refused unless the
  // spec gave that default (a zip row's placeholder for a method without the key).
  void check_unused_values(const RunSpec& run, const std::vector<Assignment>& assign) const {
    for (const auto& a : assign) {
      const auto* key = relabel::config::find_key(a.key);
      if (!key || relabel::config::key_in_use(*key, run.config)) continue;
      relabel::ConfigValue given;
      const relabel::ConfigValue recorded = key->get(run.config);
      if (key->check(a.value, &given).empty() && given == recorded) continue;
      throw Error(fmt::format(
          "{}: {} = {} is not used by {} = {} (a key of {}); it would change nothing: give "
          "its default {} there",
          a.origin, a.key, relabel::config::toml_literal(a.value), key->selector,
          relabel::config::selected_owner(*key, run.config), fmt::join(key->used_by, ", "),
          relabel::config::toml_literal(recorded)));
    }
  }

  RunSpec make_run(const SweepSpec* s, const std::vector<Assignment>& assign, int64_t seed,
                   const std::string& seed_origin) const {
    relabel::config::ConfigDraft draft = base_;
    for (const auto& a : assign) relabel::config::set_key(draft, a.key, a.value, a.origin);
    relabel::config::set_key(draft, "seed", seed, seed_origin);
    if (p_.has_ranks_per_run)
      relabel::config::set_key(draft, "parallel.ranks_per_run", s->ranks_per_run,
                               p_.ranks_per_run.origin);
    RunSpec run;
    try {
      run.config = relabel::config::resolve(draft);
    } catch (const Error& e) {
      throw Error(in_cell(e.what(), assign, seed));
    }
    run.id = relabel::config::config_hash(run.config).substr(0, 12);
    run.config.output.dir = s->dir + "/runs/" + run.id;
    run.seed = seed;
    // A swept key the run's method or learner does not read (a zip row's placeholder, e.g.
    // reward.zeta for a ground-truth cell) is not one of its params: the run's config.toml does
    // not hold it, and a report would otherwise show the placeholder as the run's setting.
    for (const auto& a : assign) {
      const auto* key = relabel::config::find_key(a.key);
      if (relabel::config::key_in_use(*key, run.config))
        run.params.emplace_back(a.key, key->get(run.config));
    }
    run.params.emplace_back("seed", seed);
    return run;
  }

  // A run's resolution error names where the refused key is set, often the base config (which
  // the sweep did not change) or a --set: the spec and the cell (its axis values and seed) come
  // first, so that the combination that caused it is named. An error that already points into
  // the spec (a swept value's FILE:LINE:COL) stays as it is.
  std::string in_cell(const std::string& message, const std::vector<Assignment>& assign,
                      int64_t seed) const {
    if (message.rfind(p_.file + ":", 0) == 0) return message;
    std::vector<std::string> values;
    for (const auto& a : assign)
      values.push_back(a.key + " = " + relabel::config::toml_literal(a.value));
    if (values.empty()) return fmt::format("{}: seed {}: {}", p_.file, seed, message);
    return fmt::format("{}: cell {} (seed {}): {}", p_.file, fmt::join(values, ", "), seed,
                       message);
  }

  const ParsedSpec& p_;
  const SweepOptions& options_;
  relabel::config::ConfigDraft base_;
  std::vector<std::vector<Assignment>> draws_;
};

}  // namespace

bool is_sweep_spec(const std::string& path) {
  toml::table root = relabel::config::parse_toml_file(path);
  for (const char* key : {"base", "grid", "zip", "random", "seeds"})
    if (root.contains(key)) return true;
  return false;
}

SweepSpec load_sweep(const std::string& path, const SweepOptions& options) {
  ParsedSpec parsed = parse_sweep_spec(path);
  SweepSpec spec = Expander(parsed, options).run();
  spec.overrides = options.overrides;
  return spec;
}

std::vector<int64_t> claim_order(const SweepSpec& spec, bool breadth_first) {
  std::vector<int64_t> order(spec.runs.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  if (!breadth_first) return order;
  // A run's seed position in the spec's list (a spec without seeds has one per cell).
  auto seed_rank = [&](const RunSpec& run) {
    auto it = std::find(spec.seeds.begin(), spec.seeds.end(), run.seed);
    return it == spec.seeds.end() ? 0 : it - spec.seeds.begin();
  };
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return seed_rank(spec.runs[a]) < seed_rank(spec.runs[b]);
  });
  return order;
}

}  // namespace relabel::sweeps
