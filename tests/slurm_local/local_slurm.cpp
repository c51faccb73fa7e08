#include "tests/slurm_local/local_slurm.h"

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/test_support.h"

namespace relabel::test {

std::string start_local_slurm() {
  // start.sh exits 3 where a tool is missing; its stderr names the tool.
  auto r = run_command("bash '" + std::string(RELABEL_SOURCE_DIR) + "/slurm/local/start.sh'");
  if (r.exit_code == 3)
    return "skip: slurm-wlm/munge not installed (" + r.output.substr(0, r.output.find('\n')) +
           "); CI installs them (scripts/install-deps.sh)";
  const std::string prefix = "export SLURM_CONF=";
  const auto at = r.output.find(prefix);
  if (r.exit_code != 0 || at == std::string::npos)
    return "slurm/local/start.sh failed (exit " + std::to_string(r.exit_code) + "): " + r.output;
  std::string conf = r.output.substr(at + prefix.size());
  conf = conf.substr(0, conf.find('\n'));
  setenv("SLURM_CONF", conf.c_str(), 1);
  return "";
}

std::string JobRecord::field(const std::string& key) const {
  // Fields are "Key=Value" separated by spaces; match " Key=" so that e.g. ExitCode does not
  // match DerivedExitCode.
  const std::string needle = key + "=";
  size_t at = line.rfind(needle, 0) == 0 ? 0 : std::string::npos;
  if (at == std::string::npos) {
    at = line.find(" " + needle);
    if (at == std::string::npos) return "";
    ++at;
  }
  const size_t begin = at + needle.size();
  return line.substr(begin, line.find(' ', begin) - begin);
}

int JobRecord::restarts() const {
  const std::string v = field("Restarts");
  return v.empty() ? 0 : std::stoi(v);
}

bool JobRecord::terminal() const {
  static const std::set<std::string> kEnd = {"COMPLETED", "FAILED",    "CANCELLED",
                                             "TIMEOUT",   "NODE_FAIL", "OUT_OF_MEMORY",
                                             "BOOT_FAIL", "DEADLINE",  "PREEMPTED"};
  return kEnd.count(state()) > 0;
}

std::vector<JobRecord> show_job(const std::string& job_id) {
  auto r = run_command("scontrol show job -o '" + job_id + "'");
  std::vector<JobRecord> records;
  if (r.exit_code != 0) return records;
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("JobId=", 0) == 0) records.push_back({line});
  return records;
}

bool all_terminal(const std::vector<JobRecord>& records) {
  if (records.empty()) return false;
  for (const auto& r : records) {
    // A pending array that is not split yet shows one record with a task range ("0-1").
    if (r.field("ArrayTaskId").find_first_of("-,%") != std::string::npos) return false;
    if (!r.terminal()) return false;
  }
  return true;
}

std::vector<JobRecord> wait_for_job(
    const std::string& job_id, std::chrono::seconds limit,
    const std::function<void(const std::vector<JobRecord>&)>& on_poll) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::vector<JobRecord> records;
  while (true) {
    records = show_job(job_id);
    if (on_poll) on_poll(records);
    if (all_terminal(records) || std::chrono::steady_clock::now() > deadline) return records;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

JobGuard::~JobGuard() {
  if (all_terminal(show_job(id_))) return;
  std::fprintf(stderr, "cancelling unfinished job %s\n", id_.c_str());
  run_command("scancel '" + id_ + "'");
  for (int i = 0; i < 120 && !all_terminal(show_job(id_)); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
}

std::string utc_now_ms() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
  return out;
}

namespace {
// Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.mmm][Z]", read as UTC (the local SLURM
// prints local time; the test machines run in UTC). -1 when unparsable.
double parse_time(const std::string& s) {
  std::tm tm{};
  const char* rest = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) return -1;
  double frac = 0;
  if (*rest == '.') frac = std::atof(rest);
  return static_cast<double>(timegm(&tm)) + frac;
}
}  // namespace

void Timeline::now(const std::string& event, const std::string& detail) {
  const std::string utc = utc_now_ms();
  events_.push_back({parse_time(utc), utc, event, detail});
}

void Timeline::at(const std::string& utc, const std::string& event, const std::string& detail) {
  events_.push_back({parse_time(utc), utc, event, detail});
}

std::string Timeline::str(const std::string& title) const {
  std::vector<Event> sorted = events_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Event& a, const Event& b) { return a.t < b.t; });
  std::ostringstream out;
  out << title << "\n";
  const double t0 = sorted.empty() ? 0 : sorted.front().t;
  for (const auto& e : sorted) {
    char line[512];
    std::snprintf(line, sizeof line, "  %+7.1fs  %-24s  %-16s  %s\n", e.t - t0, e.utc.c_str(),
                  e.event.c_str(), e.detail.c_str());
    out << line;
  }
  return out.str();
}

}  // namespace relabel::test
