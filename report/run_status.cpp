#include "report/run_status.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <vector>

#include "io/dir_lock.h"

namespace relabel::report {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The newest `progress` record of <dir>/metrics.jsonl (null when none): only the file's tail is
// read, where a run appends one every 2 s (docs/formats.md, "metrics.jsonl"). A torn last line
// (a killed writer) is passed over.
json last_progress(const std::string& dir) {
  std::ifstream in(dir + "/metrics.jsonl", std::ios::binary | std::ios::ate);
  if (!in) return nullptr;
  const std::streamoff size = in.tellg(), tail = std::min<std::streamoff>(size, 256 * 1024);
  std::string text(static_cast<size_t>(tail), '\0');
  in.seekg(size - tail);
  in.read(text.data(), tail);
  size_t end = text.size();
  while (end > 0) {
    const size_t start = text.rfind('\n', end - 1);
    const size_t from = start == std::string::npos ? 0 : start + 1;
    json j = json::parse(text.substr(from, end - from), nullptr, false);
    if (j.is_object() && j.value("type", "") == "progress" && j.contains("step") &&
        j["step"].is_number_integer())
      return j;
    if (start == std::string::npos) break;
    end = start;
  }
  return nullptr;
}

}  // namespace

bool is_run_directory(const std::string& dir) {
  std::error_code ec;
  auto there = [&](const char* name) {
    return fs::exists(fs::symlink_status(fs::path(dir) / name, ec));
  };
  if (!fs::is_directory(dir, ec) || there("sweep.json") || there("runs")) return false;
  if (there("result.json") || there("config.toml")) return true;
  if (!there(io::kLockFileName)) return false;
  // A sweep locks its directory before it writes sweep.json, datagen its suite's: their lines
  // say so. A line that names no writer (older, or cleared) is taken for a run's, as before.
  const auto line = io::read_dir_lock(dir);
  return !line || line->writer.empty() || line->writer == io::to_string(io::LockWriter::Run);
}

RunStatus read_run_status(const std::string& dir) {
  RunStatus st;
  st.dir = dir;
  std::optional<io::RunRecord> record;
  st.state = read_run_state(dir, fs::path(dir).lexically_normal().filename().string(), "", &record);
  if (record && !record->id.empty()) st.state.id = record->id;
  if (record && !record->curve.empty()) st.last_eval = record->curve.back();
  const json progress = last_progress(dir);
  if (!progress.is_null()) {
    st.step = progress["step"].get<int64_t>();
    if (progress.contains("total") && progress["total"].is_number_integer())
      st.total = progress["total"].get<int64_t>();
  }
  // A record written after the newest progress record (a run that ended or was preempted right
  // after it) knows a later step.
  if (record && !record->attempts.empty() && record->attempts.back().end_step &&
      (!st.step || *record->attempts.back().end_step > *st.step))
    st.step = *record->attempts.back().end_step;
  return st;
}

std::string format_run_status(const RunStatus& st) {
  const RunState& run = st.state;
  std::string out = fmt::format("run {} ({}): {}\n", run.id, st.dir, run.status);
  if (st.step) {
    out += fmt::format("  step {}", *st.step);
    if (st.total && *st.total > 0)
      out += fmt::format(" / {} ({:.0f}%)", *st.total, 100.0 * *st.step / *st.total);
    out += "\n";
  }
  if (st.last_eval)
    out += fmt::format("  last evaluation: score {:.1f} at step {}\n", st.last_eval->score,
                       st.last_eval->step);
  else if (run.status != "malformed")
    out += "  no evaluation yet\n";
  if (run.status == "done" && run.has_score)
    out += fmt::format("  final score {:.1f}\n", run.final_score);
  if (!run.error.empty()) out += "  " + run.status + ": " + run.error + "\n";
  if (!run.params.empty()) out += "  params: " + run.params + "\n";
  return out;
}

}  // namespace relabel::report
