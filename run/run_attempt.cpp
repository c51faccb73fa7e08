#include "run/run_attempt.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "core/log.h"
#include "io/atomic_file.h"

namespace relabel::engine {

bool finished_before(RunOutcome& outcome, const std::string& dir, const std::string& config_hash,
                     MPI_Comm comm, int rank) {
  std::optional<nlohmann::json> record;
  int done = 0;
  if (rank == 0) {
    record = read_run_record(dir);
    done = record && record->value("status", "") == "done" &&
           record->value("config_hash", "") == config_hash;
  }
  MPI_Bcast(&done, 1, MPI_INT, 0, comm);
  if (done && rank == 0) {
    outcome.final_score = record->value("final_score", 0.0);
    outcome.best_score = record->value("best_score", 0.0);
  }
  return done != 0;
}

void open_run_directory(const std::string& dir, const std::string& config_toml, MPI_Comm comm,
                        int rank) {
  if (rank == 0) {
    std::filesystem::create_directories(dir);
    io::write_file_atomic(dir + "/config.toml", config_toml);
    add_log_file(dir + "/log.txt");
  }
  MPI_Barrier(comm);
}

void begin_attempt(nlohmann::json& record, const std::string& dir, int64_t resume_step, int ranks) {
  auto previous = read_run_record(dir);
  record["attempts"] =
      previous ? previous->value("attempts", nlohmann::json::array()) : nlohmann::json::array();
  record["attempts"].push_back({{"started_at", utc_now()},
                                {"start_step", std::max<int64_t>(resume_step, 0)},
                                {"ranks", ranks}});
}

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
