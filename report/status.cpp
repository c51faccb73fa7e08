#include "report/status.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "core/error.h"
#include "core/text_file.h"
#include "io/dir_lock.h"
#include "io/observed_status.h"
#include "io/run_record.h"
#include "report/report_records.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace relabel::report {

double parse_utc(const std::string& iso) {
  std::tm tm{};
  if (!strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return -1;
  return static_cast<double>(timegm(&tm));
}

namespace {
std::string format_duration(double s) {
  if (s < 0 || !std::isfinite(s)) return "?";
  char buf[32];
  if (s < 120)
    std::snprintf(buf, sizeof buf, "%.0fs", s);
  else if (s < 7200)
    std::snprintf(buf, sizeof buf, "%.0fm", s / 60);
  else
    std::snprintf(buf, sizeof buf, "%.1fh", s / 3600);
  return buf;
}

std::string params_text(const std::map<std::string, io::ParamValue>& params) {
  std::string out;
  for (const auto& [k, v] : params) out += (out.empty() ? "" : " ") + k + "=" + v.text;
  return out;
}

// sweep.json's params (docs/formats.md: value text per key).
std::string params_text(const json& params) {
  std::map<std::string, io::ParamValue> values;
  if (params.is_object())
    for (auto it = params.begin(); it != params.end(); ++it)
      values[it.key()] = io::param_value(*it);
  return params_text(values);
}

// Why `dir` (no sweep.json, no runs/, not a run's directory) shows nothing. A sweep locks its
// directory before it writes sweep.json: its lock's line says a sweep is (or was) starting.
std::string not_a_sweep_or_run(const std::string& dir) {
  const auto line = io::read_dir_lock(dir);
  if (line && line->writer == io::to_string(io::LockWriter::Sweep)) {
    const std::string who =
        "(" + line->host + ":" + line->pid + ", since " + line->started_at + ")";
    switch (io::probe_dir_lock(dir)) {
      case io::LockState::Held:
        return "no sweep.json yet: the sweep starting here " + who +
               " has not written it; try again in a moment";
      case io::LockState::Free:
        return "no sweep.json: the sweep that started here " + who +
               " stopped before it wrote it; run the sweep again";
      case io::LockState::Unknown:
        break;
    }
    return "no sweep.json: the sweep that started here " + who +
           " has not written it (if it stopped, run the sweep again)";
  }
  if (line && !line->writer.empty())
    return "written by relabel " + line->writer +
           " (its lock file says so), not a sweep directory (no sweep.json and no runs/) nor a "
           "run directory";
  return "not a sweep directory (no sweep.json and no runs/) nor a run directory (no "
         "result.json, config.toml or lock file)";
}
}  // namespace

RunState read_run_state(const std::string& run_dir, const std::string& id,
                        const std::string& params, std::optional<io::RunRecord>* record_out) {
  RunState run;
  run.id = id;
  run.params = params;
  // A result.json that is not a valid record is shown as malformed, with the reader's
  // message (file and key), not as running; so is one that is no readable file (a symbolic
  // link loop, a directory). A running run whose directory lock nobody holds died:
  // interrupted (io/observed_status.h).
  const std::string result = run_dir + "/result.json";
  std::optional<io::RunRecord> record;
  try {
    if (io::run_record_present(run_dir))
      record = io::parse_run_record(read_text_file(result), result);
  } catch (const Error& e) {
    run.status = "malformed";
    run.error = e.what();
  }
  if (run.status.empty()) run.status = io::observed_status(run_dir, record);
  if (record) {
    run.error = record->error;
    if (run.params.empty()) run.params = params_text(record->params);
    if (record->final_score) {
      run.final_score = *record->final_score;
      run.has_score = true;
    }
    run.started_at = record->started_at;
    run.finished_at = record->finished_at;
  }
  if (run.status == "refused") run.error = io::refusal_reason(run_dir).value_or("");
  if (record_out) *record_out = std::move(record);
  return run;
}

SweepStatus read_sweep_status(const std::string& dir) {
  SweepStatus st;
  st.dir = dir;
  std::vector<std::pair<std::string, std::string>> expansion;  // id, params text
  const std::string sweep_path = dir + "/sweep.json";
  std::ifstream in(sweep_path);
  if (in) {
    json sweep = json::parse(in, nullptr, false);
    if (sweep.is_discarded()) throw Error(sweep_path + ": not valid JSON");
    if (!sweep.is_object()) throw Error(sweep_path + ": must be a JSON object");
    try {
      st.name = sweep.value("name", "");
      // Older sweeps name the list "expansion" (docs/formats.md), as the report reads them.
      const char* list = sweep.contains("expansion") ? "expansion" : "runs";
      for (const auto& r : sweep.value(list, json::array()))
        expansion.emplace_back(r.value("id", ""), params_text(r.value("params", json::object())));
    } catch (const json::exception& e) {
      // A key of the wrong type ("runs": 3, a run that is not an object).
      throw Error(sweep_path + ": " + e.what());
    }
    std::set<std::string> listed;
    for (const auto& [id, params] : expansion) listed.insert(id);
    st.unlisted = unlisted_run_folders(dir, listed);
  } else if (std::error_code ec; fs::exists(fs::symlink_status(sweep_path, ec))) {
    read_text_file(sweep_path);  // there, but it does not open: its Error names why
    throw Error(sweep_path + ": cannot read");
  } else if (std::error_code ec; fs::is_directory(dir + "/runs", ec)) {
    for (const auto& name : run_directory_names(dir + "/runs")) expansion.emplace_back(name, "");
  } else {
    throw Error(dir + ": " + not_a_sweep_or_run(dir));
  }
  double first_start = -1, last_finish = -1;
  for (const auto& [id, params] : expansion) {
    RunState run = read_run_state(dir + "/runs/" + id, id, params);
    if (run.status == "done")
      ++st.done;
    else if (run.status == "failed")
      ++st.failed;
    else if (run.status == "preempted")
      ++st.preempted;
    else if (run.status == "running")
      ++st.running;
    else if (run.status == "interrupted")
      ++st.interrupted;
    else if (run.status == "malformed")
      ++st.malformed;
    else if (run.status == "refused")
      ++st.refused;
    else
      ++st.pending;
    double s = parse_utc(run.started_at), f = parse_utc(run.finished_at);
    if (s >= 0 && (first_start < 0 || s < first_start)) first_start = s;
    if (run.status == "done" && f > last_finish) last_finish = f;
    st.runs.push_back(std::move(run));
  }
  if (st.done > 0 && last_finish > first_start && first_start >= 0) {
    st.runs_per_hour = st.done / ((last_finish - first_start) / 3600.0);
    const int remaining = st.running + st.preempted + st.interrupted + st.pending;
    st.eta_seconds = remaining / st.runs_per_hour * 3600.0;
  }
  return st;
}

std::string format_sweep_status(const SweepStatus& st, bool list_runs) {
  std::ostringstream out;
  const size_t total = st.runs.size();
  out << "sweep " << (st.name.empty() ? st.dir : st.name) << " (" << st.dir << "): " << total
      << " runs\n";
  out << "  done " << st.done << ", running " << st.running << ", failed " << st.failed
      << ", preempted " << st.preempted << ", interrupted " << st.interrupted << ", pending "
      << st.pending << "\n";
  if (st.runs_per_hour > 0) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "  throughput %.1f runs/hour, ETA %s\n", st.runs_per_hour,
                  format_duration(st.eta_seconds).c_str());
    out << buf;
  }
  if (!st.unlisted.empty()) out << "  warning: " << unlisted_warning(st.dir, st.unlisted) << "\n";
  if (st.malformed > 0) out << "  malformed " << st.malformed << "\n";
  if (st.refused > 0)
    out << "  refused " << st.refused
        << " (its directory holds a run of another config or of other data; the report leaves "
           "it out)\n";
  for (const auto& run : st.runs)
    if (run.status == "failed" || run.status == "malformed" || run.status == "refused")
      out << "  " << run.status << " " << run.id << ": " << run.error << "\n";
  if (list_runs)
    for (const auto& run : st.runs) {
      char buf[64] = "";
      if (run.has_score) std::snprintf(buf, sizeof buf, "  score %.1f", run.final_score);
      out << "  " << run.id << "  " << run.status << buf << "  " << run.params << "\n";
    }
  return out.str();
}

}  // namespace relabel::report
