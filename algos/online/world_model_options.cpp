#include "algos/online/world_model_options.h"

#include <fmt/format.h>

#include <algorithm>

#include "algos/policy_registry.h"
#include "core/error.h"

namespace relabel::algos {

// The latent world-model agent (Hansen, Su & Wang, "TD-MPC2: Scalable, Robust World Models for
// Continuous Control", ICLR 2024), trained online; its reward is the environment's or a latent
// reward method's (CDRED). Registered beside its options rather than with its trainer
// (run/world_model_trainer.h): registries must not depend on run/.
RELABEL_REGISTER_POLICY_ALGO([] {
  PolicyAlgoInfo a;
  a.name = "world_model";
  a.doc = "online TD-MPC2-style latent world-model agent";
  a.paper = "TD-MPC2: Hansen, Su & Wang, ICLR 2024";
  a.online = true;
  a.keys = {
      param("preset", "cpu-small", "world-model size preset")
          .one_of({"cpu-small", "1M", "5M"})
          .derived_as("cpu-small when parallel.device = cpu, else 1M"),
      param("mppi", false, "world model: plan with MPPI instead of acting with the policy prior"),
      param("mppi_samples", 512, "world model: MPPI action sequences sampled per iteration")
          .at_least(2),
      param("mppi_elites", 64, "world model: MPPI elite sequences that refit the sampling mean/std")
          .at_least(1),
      param("mppi_iterations", 6, "world model: MPPI refinement iterations per action").at_least(1),
      param("mppi_policy_trajs", 24,
            "world model: MPPI sequences proposed by the policy prior (part of mppi_samples)")
          .at_least(0),
      param("horizon", 3, "world model: rollout/planning horizon").at_least(1),
      param("num_q", 2, "world model: Q ensemble size (the 5M preset uses at least 5)").at_least(2),
      param("two_hot", true,
            "world model: two-hot (101 symlog bins) reward/value heads instead of scalar"),
      param("discount", 0.0,
            "world model: discount; 0 = TD-MPC2's heuristic from the episode length "
            "(clip((L/5 - 1) / (L/5), 0.95, 0.995))")
          .in(0, 1, false, true),
      param("entropy_coef", 1e-4,
            "world model: weight of the policy prior's entropy bonus against the scaled Q")
          .at_least(0),
      param("value_rows", "all",
            "world model: the rows Q and the policy prior train on: all (the agent's replay and, "
            "with a learned reward, the expert rows, as the CDRED release) or replay (the agent's "
            "only; the world model and the reward still train on both)")
          .one_of({"all", "replay"})
          .added_later(),
      param("seed_steps", 0,
            "world model: random steps before updates; 0 = max(1000, 5*episode length)")
          .at_least(0),
  };
  for (auto& k : a.keys) k.cite(a.paper);
  a.derive = [](Params& p, const DeriveContext& c) {
    if (!c.was_given("preset"))
      p.set("preset", std::string(c.device == "cpu" ? "cpu-small" : "1M"));
    // The planner's sizes constrain each other; one line naming both keys.
    const auto samples = p.get<int64_t>("mppi_samples");
    const auto pi = p.get<int64_t>("mppi_policy_trajs");
    const auto elites = p.get<int64_t>("mppi_elites");
    if (pi >= samples)
      throw Error(fmt::format(
          "policy.mppi_policy_trajs = {} must be below policy.mppi_samples = {}", pi, samples));
    if (elites > samples)
      throw Error(fmt::format("policy.mppi_elites = {} must not exceed policy.mppi_samples = {}",
                              elites, samples));
  };
  return a;
}());

void apply_world_model_preset(WorldModelOptions& o, const std::string& preset) {
  struct Size {
    const char* name;
    int64_t enc, mlp, latent, num_q;
  };
  static const Size sizes[] = {
      {"cpu-small", 128, 128, 64, 2}, {"1M", 256, 384, 128, 2}, {"5M", 256, 512, 512, 5}};
  for (const auto& s : sizes)
    if (preset == s.name) {
      o.preset = preset;
      o.enc_dim = s.enc;
      o.mlp_dim = s.mlp;
      o.latent_dim = s.latent;
      o.num_q = s.num_q;
      return;
    }
  throw Error(
      fmt::format("policy.preset: unknown world-model preset \"{}\" (cpu-small|1M|5M)", preset));
}

double discount_for_episode_length(int64_t episode_length) {
  const double frac = static_cast<double>(episode_length) / 5.0;
  return std::clamp((frac - 1.0) / frac, 0.95, 0.995);
}

void check_world_model_options(const WorldModelOptions& o) {
  auto fail = [](const std::string& m) { throw Error("world model: " + m); };
  if (o.obs_dim <= 0 || o.act_dim <= 0) fail("obs_dim and act_dim must be positive");
  if (!(o.max_action > 0.0)) fail("max_action must be positive");
  if (o.enc_dim <= 0 || o.mlp_dim <= 0 || o.latent_dim <= 0) fail("sizes must be positive");
  if (o.latent_dim % o.simnorm_group != 0)
    fail(fmt::format("latent_dim {} is not a multiple of the SimNorm group {}", o.latent_dim,
                     o.simnorm_group));
  if (o.num_q < 2) fail(fmt::format("num_q must be at least 2, got {}", o.num_q));
  if (o.horizon < 1) fail("horizon must be at least 1");
  if (o.two_hot && o.num_bins < 2) fail("two-hot heads need at least 2 bins");
  if (o.episode_length < 1) fail("episode_length must be positive");
  if (o.mppi) check_mppi_options(o.planner, o.horizon);
}

void check_mppi_options(const MppiOptions& p, int64_t horizon) {
  if (p.num_samples <= p.num_pi_trajs || p.num_elites < 1 || p.num_elites > p.num_samples ||
      p.iterations < 1 || horizon < 1)
    throw Error(
        "MPPI: needs num_samples > num_pi_trajs, 1 <= num_elites <= num_samples, iterations >= 1 "
        "and horizon >= 1");
}

}  // namespace relabel::algos
