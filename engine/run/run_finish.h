#pragma once
// The end of one attempt, the same for offline and online runs.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/run/run_pipeline.h"
#include "engine/run/run_record.h"

namespace relabel::engine {

// A preempted attempt keeps (or writes) a checkpoint at `step` and is recorded "preempted"; a
// finished one writes its final checkpoint (what resume tests compare) and is recorded "done".
// Sets outcome.status and, from the curve, the final and best scores. `step_name` names the
// step in the log line ("step", "environment step").
void finish_attempt(RunOutcome& outcome, bool preempted, int64_t step,
                    std::optional<int64_t> latest_checkpoint, const std::vector<CurvePoint>& curve,
                    const char* step_name, const std::function<void(int64_t)>& save_checkpoint,
                    const std::function<void(const std::string&)>& write_record);

}  // namespace relabel::engine
