#pragma once
// A run directory is pinned to its resolved config and its data (docs/architecture.md, "A run
// is pinned"): resuming or skipping it under another config, or against other data, is refused
// instead of training from (or relabelling) another run's state. `relabel run --force` starts
// the directory over instead.
#include <optional>
#include <string>

#include "config/config.h"
#include "core/error.h"
#include "io/dataset_identity.h"

namespace relabel::run {

using config::RunConfig;

// A run refused because its directory holds another configuration's or another dataset's run.
// An input error (exit 2) that writes nothing: the directory keeps what it had.
class RunRefused : public Error {
 public:
  using Error::Error;
};

// Why `dir` must not be resumed or skipped under `config` (hash `hash`), "" when it may:
// its result.json (or, without a readable one, its newest checkpoint) was written under
// another config hash. The message names both hashes and the keys that differ from the
// directory's config.toml. Rank 0 only (reads files).
std::string config_pin_violation(const std::string& dir, const std::string& hash,
                                 const RunConfig& config);

// Why a done run recorded on `recorded` must not be skipped: the data the config names now has
// other content (rows or checksum). Reads the file only when its size or time changed.
std::string dataset_pin_violation(const std::string& dir, const io::DatasetIdentity& recorded,
                                  const RunConfig& config);
// The same for the expert file an offline run took its demonstrations from
// (dataset.expert_path; its record's expert_identity).
std::string expert_pin_violation(const std::string& dir, const io::DatasetIdentity& recorded,
                                 const RunConfig& config);

// The message for a run resumed on `now` whose checkpoint was trained on `recorded`; "" when
// their contents match. `file` names what changed in it ("the dataset", "the expert file").
std::string dataset_mismatch(const std::string& dir, const io::DatasetIdentity& recorded,
                             const io::DatasetIdentity& now, const std::string& what,
                             const std::string& file = "the dataset");

// --force: the directory starts over. ckpt/ is renamed aside first (one rename: an
// interrupted clear leaves either the old checkpoints or none), then result.json, curve.csv,
// metrics.jsonl, the TensorBoard event files and the default-named export and evaluations
// (policy.pt, policy.pt.eval.json, eval.json) are removed and the renamed checkpoints deleted.
// log.txt (appended to, a history) and config.toml (rewritten) stay.
void clear_run_state(const std::string& dir);

}  // namespace relabel::run
