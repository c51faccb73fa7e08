#include "slurm/submit.h"

#include <unistd.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/run_record.h"
#include "report/status.h"
#include "slurm/process.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace relabel::slurm {

std::string self_executable() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw RunError("cannot find the relabel executable (/proc/self/exe)");
  return p.string();
}

namespace {
// The job id in what `sbatch --parsable` printed: "jobid" or "jobid;cluster" and a newline.
// Anything else (a wrapper's chatter, an empty line) is a RunError naming it, before anything
// is recorded: a job id that is not one would make slurm status and squeue -j useless.
std::string parsable_job_id(const std::string& out) {
  static const std::regex parsable(R"(([0-9]+)(;[A-Za-z0-9_.-]+)?\r?\n?)");
  std::smatch m;
  if (std::regex_match(out, m, parsable)) return m[1].str();
  std::string shown = out.substr(0, 200);
  while (!shown.empty() && (shown.back() == '\n' || shown.back() == '\r')) shown.pop_back();
  for (char& c : shown)
    if (c == '\n' || c == '\r') c = ' ';
  throw RunError("sbatch --parsable printed \"" + shown + (out.size() > 200 ? "...\"" : "\"") +
                 ", not a job id (jobid or jobid;cluster); nothing recorded in slurm.json (check "
                 "squeue whether a job was submitted)");
}

json read_jobs(const std::string& dir) {
  std::ifstream in(dir + "/slurm.json");
  if (!in) return json{{"jobs", json::array()}};
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.contains("jobs")) throw Error(dir + "/slurm.json: not valid");
  return j;
}
}  // namespace

SubmitResult submit_sweep(const SweepPlan& plan, const SubmitOptions& options, bool dry_run) {
  ScriptInputs in;
  in.relabel_binary = self_executable();
  in.spec_path = plan.spec_path;
  in.sweep_dir = plan.dir;
  in.sweep_name = plan.name;
  in.runs = static_cast<int64_t>(plan.run_lines.size());
  in.ranks_per_run = plan.ranks_per_run;
  in.overrides = plan.overrides;
  in.device = plan.device;
  in.generated_at = io::utc_now();
  SubmitResult result;
  result.script = sbatch_script(options, in);
  for (size_t i = 0; i < plan.run_lines.size(); ++i)
    result.runs += "  [" + std::to_string(i) + "] " + plan.run_lines[i] + "\n";
  if (dry_run) return result;

  if (!on_path("sbatch"))
    throw Error(
        "sbatch not found on PATH: run on a SLURM login node (or start a local SLURM "
        "with slurm/local/start.sh)");
  fs::create_directories(in.sweep_dir);
  json jobs = read_jobs(in.sweep_dir);
  result.script_path = in.sweep_dir + "/sbatch-" + std::to_string(jobs["jobs"].size() + 1) + ".sh";
  io::write_file_atomic(result.script_path, result.script);
  fs::permissions(result.script_path, fs::perms::owner_exec | fs::perms::group_exec,
                  fs::perm_options::add);
  auto r = run_process({"sbatch", "--parsable", result.script_path});
  // sbatch-<n>.sh is the script of the n-th job in slurm.json: one that was not recorded is kept
  // for inspection under another name, which the error gives, and the next submit reuses <n>.
  auto set_aside = [&](const std::string& why) {
    std::string kept = result.script_path.substr(0, result.script_path.size() - 3) + ".failed.sh";
    std::error_code ec;
    fs::rename(result.script_path, kept, ec);
    if (ec) kept = result.script_path;
    return RunError(why + ", the script is kept as " + kept);
  };
  if (r.exit_code != 0)
    throw set_aside("sbatch failed (exit " + std::to_string(r.exit_code) +
                    "): " + r.err.substr(0, r.err.find('\n')) + "; nothing recorded in slurm.json");
  std::string id;
  try {
    id = parsable_job_id(r.out);
  } catch (const RunError& e) {
    throw set_aside(e.what());
  }
  result.job_id = id;
  jobs["jobs"].push_back({{"job_id", id},
                          {"mode", options.mode},
                          {"script", result.script_path},
                          {"submitted_at", io::utc_now()},
                          {"runs", in.runs}});
  io::write_json_atomic(in.sweep_dir + "/slurm.json", jobs);
  return result;
}

std::string slurm_status(const std::string& sweep_dir) {
  // A typo must not read as "not started yet": relabel status refuses it the same way.
  if (!std::filesystem::is_directory(sweep_dir))
    throw Error("slurm status: " + sweep_dir + ": no such directory");
  json jobs = read_jobs(sweep_dir);
  std::ostringstream out;
  std::vector<std::string> ids;
  for (const auto& j : jobs["jobs"]) ids.push_back(j.value("job_id", ""));
  if (ids.empty()) {
    out << "no SLURM jobs recorded in " << sweep_dir << "/slurm.json\n";
  } else {
    std::string list;
    for (const auto& id : ids) list += (list.empty() ? "" : ",") + id;
    out << "SLURM jobs of this sweep: " << list << "\n";
    if (on_path("squeue")) {
      // -t all: finished jobs too, while slurmctld still holds them (MinJobAge), so a job
      // that ended is shown COMPLETED/FAILED even where accounting (sacct) is not set up.
      auto q = run_process(
          {"squeue", "-h", "-t", "all", "-j", list, "-o", "%.18i %.10T %.10M %.10l %R"});
      if (q.exit_code == 0 && !q.out.empty()) {
        out << "  squeue -t all (JobID State Time TimeLimit Nodes/Reason):\n";
        std::istringstream lines(q.out);
        for (std::string line; std::getline(lines, line);) out << "  " << line << "\n";
      } else {
        out << "  not known to squeue (finished a while ago, or another cluster)\n";
      }
    } else {
      out << "  squeue not found on PATH\n";
    }
    if (on_path("sacct")) {
      auto a = run_process(
          {"sacct", "-n", "-X", "-P", "-j", list, "-o", "JobID,State,Elapsed,ExitCode,Start,End"});
      if (a.exit_code == 0 && !a.out.empty()) {
        out << "  accounting (sacct: JobID|State|Elapsed|ExitCode|Start|End):\n";
        std::istringstream lines(a.out);
        for (std::string line; std::getline(lines, line);) out << "  " << line << "\n";
      } else {
        out << "  sacct: no accounting information (accounting storage may be disabled)\n";
      }
    }
  }
  // Only a missing sweep.json (and no runs yet) means "not started": a damaged one is refused as
  // relabel status refuses it, not shown as a sweep that has yet to start.
  std::error_code ec;
  auto there = [&](const char* name) {
    return std::filesystem::exists(std::filesystem::symlink_status(sweep_dir + "/" + name, ec));
  };
  if (!there("sweep.json") && !there("runs"))
    out << "the sweep has not started yet (no sweep.json)\n";
  else
    out << report::format_sweep_status(report::read_sweep_status(sweep_dir), false);
  return out.str();
}

}  // namespace relabel::slurm
