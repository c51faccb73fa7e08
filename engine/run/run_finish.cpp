#include "engine/run/run_finish.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace relabel::engine {

void finish_attempt(RunOutcome& outcome, bool preempted, int64_t step,
                    std::optional<int64_t> latest_checkpoint, const std::vector<CurvePoint>& curve,
                    const char* step_name, const std::function<void(int64_t)>& save_checkpoint,
                    const std::function<void(const std::string&)>& write_record) {
  if (preempted) {
    if (latest_checkpoint.value_or(-1) != step) save_checkpoint(step);
    write_record("preempted");
    spdlog::info("preempted at {} {}: checkpoint written, rerun to resume", step_name, step);
    outcome.status = RunStatus::Preempted;
  } else {
    save_checkpoint(step);
    write_record("done");
    outcome.status = RunStatus::Done;
  }
  if (!curve.empty()) {
    outcome.final_score = curve.back().score;
    outcome.best_score = curve.front().score;
    for (const auto& p : curve) outcome.best_score = std::max(outcome.best_score, p.score);
  }
}

}  // namespace relabel::engine
