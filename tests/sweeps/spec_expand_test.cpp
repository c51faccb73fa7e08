// Sweep expansion: counts, deterministic order, stable ids, per-run directories.
#include <gtest/gtest.h>

#include <numeric>
#include <set>

#include "config/config_write.h"
#include "tests/sweeps/spec_test_util.h"

using relabel::sweeps::load_sweep;
using relabel::test::TempDir;
using relabel::test::write_file;
using relabel::test::write_sweep;

namespace {

// Swept keys must be ones the base's method and learner use (reload's beta, IQL's expectile):
// a key another method declares is not part of the run's configuration.
const std::string kGrid =
    "name = \"g\"\nbase = \"base.toml\"\nseeds = [0, 1, 2, 3, 4]\n"
    "[grid]\n\"reward.beta\" = [0.6, 0.8, 1.0]\n\"policy.expectile\" = [0.7, 0.9]\n";
const std::string kReload = "[reward]\nmethod = \"reload\"\n";
const std::string kCdred = "[reward]\nmethod = \"cdred\"\n[policy]\nalgo = \"world_model\"\n";

std::string param(const relabel::sweeps::RunSpec& run, const std::string& key) {
  for (const auto& [k, v] : run.params)
    if (k == key) return relabel::value_text(v);
  return "<none>";
}

}  // namespace

TEST(SweepExpand, GridTimesSeedsInDeterministicOrder) {
  TempDir dir;
  auto s = load_sweep(write_sweep(dir, kGrid, kReload));
  ASSERT_EQ(s.runs.size(), 30u);
  EXPECT_EQ(s.name, "g");
  EXPECT_EQ(s.dir, "runs/g");
  EXPECT_EQ(s.swept_keys, (std::vector<std::string>{"reward.beta", "policy.expectile"}));
  // Seeds innermost, then the last grid key, then the first.
  const char* beta[] = {"0.6", "0.8", "1.0"};
  const char* expectile[] = {"0.7", "0.9"};
  std::set<std::string> ids;
  for (size_t i = 0; i < s.runs.size(); ++i) {
    const auto& run = s.runs[i];
    EXPECT_EQ(run.seed, static_cast<int64_t>(i % 5));
    EXPECT_EQ(run.config.seed, run.seed);
    EXPECT_EQ(param(run, "seed"), std::to_string(i % 5));
    EXPECT_EQ(param(run, "policy.expectile"), expectile[(i / 5) % 2]);
    EXPECT_EQ(param(run, "reward.beta"), beta[i / 10]);
    EXPECT_DOUBLE_EQ(run.config.reward.params.get<double>("beta"), std::stod(beta[i / 10]));
    EXPECT_EQ(run.params.size(), 3u);
    EXPECT_EQ(run.id.size(), 12u);
    EXPECT_EQ(run.id, relabel::config::config_hash(run.config).substr(0, 12));
    EXPECT_EQ(run.config.output.dir, "runs/g/runs/" + run.id);
    EXPECT_EQ(run.config.train.steps, 1000);  // from the base
    ids.insert(run.id);
  }
  EXPECT_EQ(ids.size(), 30u);
}

TEST(SweepExpand, IdsAreStableAndDependOnTheBase) {
  TempDir dir;
  auto a = load_sweep(write_sweep(dir, kGrid, kReload));
  auto b = load_sweep(write_sweep(dir, kGrid, kReload));
  ASSERT_EQ(a.runs.size(), b.runs.size());
  for (size_t i = 0; i < a.runs.size(); ++i) EXPECT_EQ(a.runs[i].id, b.runs[i].id);
  // Another output directory does not change ids; an unrelated base key does.
  relabel::sweeps::SweepOptions out;
  out.out_dir = dir / "elsewhere";
  auto c = load_sweep(dir / "spec.toml", out);
  EXPECT_EQ(c.runs[7].id, a.runs[7].id);
  EXPECT_EQ(c.runs[7].config.output.dir, dir / "elsewhere/runs/" + a.runs[7].id);
  auto d = load_sweep(write_sweep(dir, kGrid, "eval_every = 500\n" + kReload));
  std::set<std::string> before;
  for (const auto& r : a.runs) before.insert(r.id);
  for (const auto& r : d.runs) EXPECT_EQ(before.count(r.id), 0u) << r.id;
  // So does a --set override of the base.
  relabel::sweeps::SweepOptions set;
  set.overrides = {"policy.temperature=2.0"};
  auto e = load_sweep(write_sweep(dir, kGrid, kReload), set);
  EXPECT_NE(e.runs[0].id, a.runs[0].id);
  EXPECT_DOUBLE_EQ(e.runs[0].config.policy.params.get<double>("temperature"), 2.0);
}

TEST(SweepExpand, ZipIsOuterAndVariesKeysTogether) {
  TempDir dir;
  auto spec = write_sweep(dir,
                          "base = \"base.toml\"\nseeds = [3]\n"
                          "[zip]\n\"reward.beta\" = [0.5, 2.0]\n\"policy.hidden\" = [64, 128]\n"
                          "[grid]\n\"train.batch_size\" = [32, 64, 128]\n",
                          kReload);
  auto s = load_sweep(spec);
  ASSERT_EQ(s.runs.size(), 6u);
  EXPECT_EQ(s.name, "spec");  // the file's stem
  for (size_t i = 0; i < 6; ++i) {
    const auto& c = s.runs[i].config;
    EXPECT_DOUBLE_EQ(c.reward.params.get<double>("beta"), i < 3 ? 0.5 : 2.0);
    EXPECT_EQ(c.policy.hidden, i < 3 ? 64 : 128);
    EXPECT_EQ(c.train.batch_size, int64_t{32} << (i % 3));
    EXPECT_EQ(s.runs[i].seed, 3);
  }
  // Typed as in TOML: floats stay floats, integers integers.
  EXPECT_EQ(s.runs[4].params, (std::vector<std::pair<std::string, relabel::ConfigValue>>{
                                  {"reward.beta", 2.0},
                                  {"policy.hidden", int64_t{128}},
                                  {"train.batch_size", int64_t{64}},
                                  {"seed", int64_t{3}}}));
}

TEST(SweepExpand, RandomDrawsAreSeededAndInRange) {
  TempDir dir;
  const std::string spec =
      "base = \"base.toml\"\nseeds = [0, 1]\n"
      "[grid]\n\"policy.horizon\" = [3, 4]\n"
      "[random]\ncount = 4\nrandom_seed = 11\n"
      "\"reward.sigma\" = { log_uniform = [0.1, 10.0] }\n"
      "\"reward.zeta\" = { uniform = [0.5, 1.0] }\n"
      "\"policy.hidden\" = { int_uniform = [16, 20] }\n"
      "\"reward.g\" = { choice = [\"identity\", \"exp\"] }\n";
  auto s = load_sweep(write_sweep(dir, spec, kCdred));
  ASSERT_EQ(s.runs.size(), 2u * 4u * 2u);
  std::set<double> sigmas;
  for (size_t i = 0; i < s.runs.size(); ++i) {
    const auto& c = s.runs[i].config;
    EXPECT_GE(c.reward.params.get<double>("sigma"), 0.1);
    EXPECT_LT(c.reward.params.get<double>("sigma"), 10.0);
    EXPECT_GE(c.reward.params.get<double>("zeta"), 0.5);
    EXPECT_LT(c.reward.params.get<double>("zeta"), 1.0);
    EXPECT_GE(c.policy.hidden, 16);
    EXPECT_LE(c.policy.hidden, 20);
    EXPECT_TRUE(c.reward.params.get<std::string>("g") == "identity" ||
                c.reward.params.get<std::string>("g") == "exp");
    // Draw r is shared by both seeds and by both grid values.
    const auto& same_draw = s.runs[(i % 8 / 2) * 2].config;
    EXPECT_DOUBLE_EQ(c.reward.params.get<double>("sigma"),
                     same_draw.reward.params.get<double>("sigma"));
    sigmas.insert(c.reward.params.get<double>("sigma"));
  }
  EXPECT_EQ(sigmas.size(), 4u);
  EXPECT_EQ(s.runs[0].params.size(), 6u);  // grid key, four random keys, seed
  // Same random_seed: same draws; another: different.
  auto again = load_sweep(write_sweep(dir, spec, kCdred));
  for (size_t i = 0; i < s.runs.size(); ++i) EXPECT_EQ(again.runs[i].id, s.runs[i].id);
  std::string other = spec;
  other.replace(other.find("random_seed = 11"), 16, "random_seed = 12");
  auto different = load_sweep(write_sweep(dir, other, kCdred));
  EXPECT_NE(different.runs[0].config.reward.params.get<double>("sigma"),
            s.runs[0].config.reward.params.get<double>("sigma"));
}

TEST(SweepExpand, NestedTableKeysAndDefaults) {
  TempDir dir;
  // Unquoted dotted keys are the same config paths; no seeds = the base seed.
  auto spec = write_sweep(dir,
                          "base = \"base.toml\"\n[grid]\nreward.zeta = [0.6, 0.7]\n"
                          "[parallel]\nranks_per_run = 2\n");
  write_file(dir / "base.toml", "seed = 9\n" + std::string(relabel::test::kSweepBase) + kCdred);
  auto s = load_sweep(spec);
  ASSERT_EQ(s.runs.size(), 2u);
  EXPECT_EQ(s.runs[1].seed, 9);
  EXPECT_EQ(s.ranks_per_run, 2);
  EXPECT_EQ(s.runs[1].config.parallel.ranks_per_run, 2);
  EXPECT_EQ(s.swept_keys, std::vector<std::string>{"reward.zeta"});
}

TEST(SweepExpand, ExampleSpecInConfigs) {
  auto s = load_sweep(std::string(RELABEL_SOURCE_DIR) + "/configs/sweeps/example-grid.toml");
  EXPECT_EQ(s.name, "example-grid");
  EXPECT_EQ(s.runs.size(), 12u);
  EXPECT_EQ(s.runs.front().config.dataset.name, "pendulum-medium-expert");
  EXPECT_EQ(s.runs.front().config.train.steps, 20000);
}

TEST(SweepExpand, BreadthFirstOrderTakesEveryCellsSeedsInTheSpecsOrder) {
  TempDir dir;
  // Seeds listed out of numeric order: the order follows the list, not the values.
  auto s = load_sweep(write_sweep(dir,
                                  "name = \"b\"\nbase = \"base.toml\"\nseeds = [7, 3, 5]\n"
                                  "[grid]\n\"reward.beta\" = [0.6, 0.8]\n"
                                  "\"policy.expectile\" = [0.7, 0.9]\n",
                                  kReload));
  ASSERT_EQ(s.runs.size(), 12u);
  std::vector<int64_t> expansion(12);
  std::iota(expansion.begin(), expansion.end(), int64_t{0});
  EXPECT_EQ(relabel::sweeps::claim_order(s, false), expansion);
  const auto order = relabel::sweeps::claim_order(s, true);
  // Cell c (expansion order) with seed position k sits at 3c + k; breadth first is k-major.
  std::vector<int64_t> expected;
  for (int64_t k = 0; k < 3; ++k)
    for (int64_t c = 0; c < 4; ++c) expected.push_back(3 * c + k);
  EXPECT_EQ(order, expected);
  EXPECT_EQ(s.runs[order[0]].seed, 7);
  EXPECT_EQ(s.runs[order[4]].seed, 3);
  EXPECT_EQ(s.runs[order[11]].seed, 5);
}
