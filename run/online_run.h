#pragma once
// One online run (docs/architecture.md, "Online runs follow the same pipeline with the dataset step
// replaced by environment interaction"): policy.algo = "world_model" with reward.method =
// "cdred" (the expert demonstrations are the K best trajectories of an expert dataset file) or
// "ground_truth" (the environment's reward). Each rank of the group runs its own environment
// and replay shard; updates are data-parallel (WorldModelTrainer); evaluation episodes
// are split across ranks; checkpoints hold every rank's state, replay buffer included, so a
// preempted run resumes exactly where it stopped. The run directory holds the same files as an
// offline run (config.toml, result.json, curve.csv, metrics.jsonl, log.txt, ckpt/).
#include <memory>

#include "comm/collective.h"
#include "config/config.h"
#include "run/run_driver.h"
#include "run/world_model_trainer.h"

namespace relabel::run {

using comm::Collective;
using config::RunConfig;

// The body run_experiment drives for an online learner (policy.algo registered online).
std::unique_ptr<RunBody> make_online_run(const RunConfig& config, Collective& comm);

// The trainer options a configuration maps to on `rank` of `size` (seeds derived from
// config.seed: weights shared, environment and sampling streams per rank). Throws
// relabel::Error for a reward method the online agent does not support.
WorldModelTrainerOptions online_trainer_options(const RunConfig& config, int rank, int size);

}  // namespace relabel::run
