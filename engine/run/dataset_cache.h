#pragma once
// Named dataset suites (D4RL-style "pendulum-medium-expert") in the data cache:
// $RELABEL_DATA (default ~/.cache/relabel/datasets)/<task>/<kind>.hdf5, made by datagen.
#include <string>

namespace relabel::engine {

struct NamedDataset {
  std::string task;  // "pendulum"
  std::string kind;  // random | medium | medium-replay | expert | medium-expert
};

// Throws relabel::Error for a name that is not "<task>-<kind>".
NamedDataset parse_dataset_name(const std::string& name);

std::string data_cache_dir();
std::string dataset_cache_file(const NamedDataset& named);

// Generates the task's whole suite into the cache with datagen's defaults (rank 0 only).
void generate_named_suite(const NamedDataset& named);

}  // namespace relabel::engine
