// Parsing and validation of a sweep spec. Every swept key and value is checked against the run
// schema here, before any run is expanded or started.
#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "config/config_toml.h"
#include "core/error.h"
#include "sweeps/spec_axes.h"

namespace relabel::sweeps {

namespace {

constexpr int64_t kMaxSweepRuns = 100000;

using relabel::ConfigValue;
using relabel::config::key_error;
using relabel::config::toml_where;

const std::vector<std::string> kTopKeys = {"name", "base", "seeds",  "random_seed",
                                           "grid", "zip",  "random", "parallel"};
const std::vector<std::string> kDistributions = {"uniform", "log_uniform", "int_uniform", "choice"};

struct Leaf {
  std::string path;
  const toml::key* key;
  const toml::node* node;
};

bool is_distribution(const toml::table& t) {
  return t.size() == 1 && std::find(kDistributions.begin(), kDistributions.end(),
                                    std::string(t.begin()->first.str())) != kDistributions.end();
}

// Dotted keys may be quoted ("reward.zeta" = ...) or written as nested tables (reward.zeta = ...
// or [grid.reward]); both flatten to the same path. Sorted into file order.
void flatten(const toml::table& t, const std::string& prefix, bool distributions,
             std::vector<Leaf>* out) {
  for (auto&& [k, node] : t) {
    std::string path = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    const auto* sub = node.as_table();
    // In [random] a table at a config key is its distribution (checked later).
    if (sub && !(distributions && (is_distribution(*sub) || relabel::config::find_key(path))))
      flatten(*sub, path, distributions, out);
    else
      out->push_back({path, &k, &node});
  }
}

std::vector<Leaf> leaves_in_file_order(const toml::table& t, bool distributions) {
  std::vector<Leaf> out;
  flatten(t, "", distributions, &out);
  auto pos = [](const Leaf& l) {
    return std::make_tuple(l.key->source().begin.line, l.key->source().begin.column);
  };
  std::sort(out.begin(), out.end(), [&](const Leaf& a, const Leaf& b) { return pos(a) < pos(b); });
  return out;
}

class Parser {
 public:
  explicit Parser(const std::string& path) : file_(path) { spec_.file = path; }

  ParsedSpec run() {
    toml::table root = relabel::config::parse_toml_file(file_);
    for (const auto& leaf : top_level(root)) top_entry(leaf);
    if (spec_.base.empty())
      throw Error(
          fmt::format("{}: base: missing: a sweep needs base = \"<run config>.toml\"", file_));
    if (spec_.zip.size() > 1) {
      const auto& first = spec_.zip.front();
      for (const auto& axis : spec_.zip)
        if (axis.values.size() != first.values.size())
          throw Error(key_error(axis.origin, "zip." + axis.key,
                                fmt::format("{} values, but zip.{} has {}: zipped keys need "
                                            "equal lengths",
                                            axis.values.size(), first.key, first.values.size())));
    }
    if (!spec_.random.empty() && spec_.count == 0)
      throw Error(fmt::format("{}: random.count: missing: [random] needs count = <draws>", file_));
    if (spec_.random.empty()) spec_.count = 1;
    // Each run is expanded, resolved and hashed up front: a typo in a count (10^8 draws) would
    // exhaust memory before anything is said.
    double runs = static_cast<double>(spec_.count) * std::max<size_t>(spec_.seeds.size(), 1);
    if (!spec_.zip.empty()) runs *= static_cast<double>(spec_.zip.front().values.size());
    for (const auto& axis : spec_.grid) runs *= static_cast<double>(axis.values.size());
    if (runs > kMaxSweepRuns)
      throw Error(
          fmt::format("{}: expands to {:.0f} runs, more than the {} one sweep may hold; "
                      "split it into several sweeps",
                      file_, runs, kMaxSweepRuns));
    return spec_;
  }

 private:
  std::string at(const toml::key& k) const { return toml_where(file_, k.source()); }
  std::string at(const toml::node& n) const { return toml_where(file_, n.source()); }

  // Top-level entries (tables are not flattened here), in file order.
  std::vector<Leaf> top_level(const toml::table& root) const {
    std::vector<Leaf> out;
    for (auto&& [k, node] : root) out.push_back({std::string(k.str()), &k, &node});
    auto pos = [](const Leaf& l) {
      return std::make_tuple(l.key->source().begin.line, l.key->source().begin.column);
    };
    std::sort(out.begin(), out.end(),
              [&](const Leaf& a, const Leaf& b) { return pos(a) < pos(b); });
    return out;
  }

  [[noreturn]] void fail(const std::string& origin, const std::string& key,
                         const std::string& message) const {
    throw Error(key_error(origin, key, message));
  }

  const toml::table& table(const Leaf& l) const {
    const auto* t = l.node->as_table();
    if (!t) fail(at(*l.node), l.path, fmt::format("expected a table [{}]", l.path));
    return *t;
  }
  const toml::array& array(const Leaf& l, const std::string& key) const {
    const auto* a = l.node->as_array();
    if (!a) fail(at(*l.node), key, "expected an array of values, e.g. [0.6, 0.8]");
    if (a->empty()) fail(at(*l.node), key, "empty list: give at least one value");
    return *a;
  }
  int64_t integer(const toml::node& n, const std::string& key, int64_t lo) const {
    const auto* v = n.as_integer();
    if (!v) fail(at(n), key, fmt::format("expected integer, got {}", type_of_node(n)));
    if (v->get() < lo) fail(at(n), key, fmt::format("must be >= {}, got {}", lo, v->get()));
    return v->get();
  }
  std::string string(const toml::node& n, const std::string& key) const {
    const auto* v = n.as_string();
    if (!v) fail(at(n), key, fmt::format("expected string, got {}", type_of_node(n)));
    return v->get();
  }
  static std::string type_of_node(const toml::node& n) {
    std::string type;
    auto scalar = relabel::config::toml_scalar(n, &type);
    return scalar ? relabel::type_name(relabel::type_of(*scalar)) : type;
  }

  void top_entry(const Leaf& l) {
    const auto& key = l.path;
    if (key == "name") {
      spec_.name = string(*l.node, key);
      spec_.name_origin = at(*l.node);
    } else if (key == "base") {
      spec_.base = string(*l.node, key);
      spec_.base_origin = at(*l.node);
    } else if (key == "seeds") {
      for (const auto& n : array(l, key)) spec_.seeds.push_back(value("seed", n));
    } else if (key == "random_seed") {
      set_random_seed(*l.node, key);
    } else if (key == "grid" || key == "zip") {
      for (const auto& leaf : leaves_in_file_order(table(l), false)) {
        Axis axis{leaf.path, at(*leaf.key), {}};
        swept_key(axis.key, axis.origin);
        for (const auto& n : array(leaf, leaf.path)) axis.values.push_back(value(leaf.path, n));
        (key == "grid" ? spec_.grid : spec_.zip).push_back(std::move(axis));
      }
    } else if (key == "random") {
      random_table(table(l));
    } else if (key == "parallel") {
      for (const auto& leaf : leaves_in_file_order(table(l), false)) {
        if (leaf.path != "ranks_per_run")
          unknown(leaf, "parallel." + leaf.path, {"parallel.ranks_per_run"});
        spec_.ranks_per_run = value("parallel.ranks_per_run", *leaf.node);
        spec_.has_ranks_per_run = true;
      }
    } else {
      unknown(l, key, kTopKeys);
    }
  }

  void set_random_seed(const toml::node& n, const std::string& key) {
    if (random_seed_set_)
      fail(at(n), key, "random_seed is given twice (top level and in [random])");
    spec_.random_seed = static_cast<uint64_t>(integer(n, key, 0));
    random_seed_set_ = true;
  }

  [[noreturn]] void unknown(const Leaf& l, const std::string& key,
                            const std::vector<std::string>& known) const {
    auto guess = known.size() == 1 ? known.front() : relabel::closest(key, known);
    fail(at(*l.key), key,
         fmt::format("unknown sweep key '{}'{}", key,
                     guess.empty() ? "" : fmt::format(" (did you mean '{}'?)", guess)));
  }

  // A swept config key: known, not the seed or the output directory, swept once.
  void swept_key(const std::string& key, const std::string& origin) {
    if (key == "seed") fail(origin, key, "sweep seeds with the top-level seeds = [...] list");
    if (key == "output.dir") fail(origin, key, "set by the sweep for each run (<dir>/runs/<id>)");
    if (!relabel::config::find_key(key)) {
      auto guess = relabel::config::suggest_key(key);
      fail(origin, key,
           fmt::format("unknown key '{}'{}", key,
                       guess.empty() ? "" : fmt::format(" (did you mean '{}'?)", guess)));
    }
    if (std::find(swept_.begin(), swept_.end(), key) != swept_.end())
      fail(origin, key, "swept twice: a key may appear in one axis only");
    swept_.push_back(key);
  }

  // One value for `key`, checked (type, range, choices) and converted by the run schema.
  AxisValue value(const std::string& key, const toml::node& n) const {
    relabel::config::ConfigDraft scratch;
    std::string origin = at(n);
    relabel::config::set_key_from_node(scratch, key, n, origin);
    return {relabel::config::find_key(key)->get(scratch.config), origin};
  }

  void random_table(const toml::table& t) {
    for (const auto& leaf : leaves_in_file_order(t, true)) {
      if (leaf.path == "count") {
        spec_.count = integer(*leaf.node, "random.count", 1);
        continue;
      }
      if (leaf.path == "random_seed") {
        set_random_seed(*leaf.node, "random.random_seed");
        continue;
      }
      const auto* dist = leaf.node->as_table();
      if (!dist || !is_distribution(*dist)) {
        swept_key(leaf.path, at(*leaf.key));  // an unknown key is reported as such first
        fail(at(*leaf.node), leaf.path,
             "expected a distribution: { uniform = [a, b] }, { log_uniform = [a, b] }, "
             "{ int_uniform = [a, b] } or { choice = [...] }");
      }
      swept_key(leaf.path, at(*leaf.key));
      spec_.random.push_back(distribution(leaf, *dist));
    }
  }

  Distribution distribution(const Leaf& leaf, const toml::table& dist) const {
    using Kind = Distribution::Kind;
    Distribution d;
    d.key = leaf.path;
    d.origin = at(*leaf.node);
    auto kind = std::string(dist.begin()->first.str());
    const toml::node& arg = dist.begin()->second;
    Leaf arg_leaf{leaf.path, &dist.begin()->first, &arg};
    const auto& values = array(arg_leaf, leaf.path);
    if (kind == "choice") {
      d.kind = Kind::kChoice;
      for (const auto& n : values) d.choices.push_back(value(leaf.path, n));
      return d;
    }
    if (values.size() != 2) fail(at(arg), leaf.path, fmt::format("{} needs [low, high]", kind));
    if (kind == "int_uniform") {
      d.kind = Kind::kIntUniform;
      d.ilo = integer(values[0], leaf.path, std::numeric_limits<int64_t>::min());
      d.ihi = integer(values[1], leaf.path, std::numeric_limits<int64_t>::min());
      if (d.ihi < d.ilo) fail(at(arg), leaf.path, "int_uniform needs low <= high");
    } else {
      d.kind = kind == "uniform" ? Kind::kUniform : Kind::kLogUniform;
      auto number = [&](const toml::node& n) {
        if (auto i = n.as_integer()) return static_cast<double>(i->get());
        if (auto f = n.as_floating_point()) return f->get();
        fail(at(n), leaf.path, fmt::format("expected a number, got {}", type_of_node(n)));
      };
      d.lo = number(values[0]);
      d.hi = number(values[1]);
      if (!(d.lo < d.hi)) fail(at(arg), leaf.path, fmt::format("{} needs low < high", kind));
      if (d.kind == Kind::kLogUniform && d.lo <= 0)
        fail(at(arg), leaf.path, "log_uniform needs 0 < low < high");
    }
    // Both ends must be valid values of the key (type and range), so every draw is.
    for (const auto& n : values) value(leaf.path, n);
    if (d.kind != Kind::kIntUniform) {
      const auto* spec = relabel::config::find_key(leaf.path);
      if (spec->type != relabel::ValueType::kFloat)
        fail(at(arg), leaf.path,
             fmt::format("{} draws floats but the key is {} (use int_uniform or choice)", kind,
                         relabel::type_name(spec->type)));
    }
    return d;
  }

  std::string file_;
  ParsedSpec spec_;
  std::vector<std::string> swept_;
  bool random_seed_set_ = false;
};

}  // namespace

ParsedSpec parse_sweep_spec(const std::string& path) { return Parser(path).run(); }

}  // namespace relabel::sweeps
