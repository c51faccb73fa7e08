#pragma once
// Helpers for the integration tests against the real single-node SLURM that
// slurm/local/start.sh brings up (the ctest fixture `slurm_local` starts it before these tests
// and stops it after them; each test also calls start.sh, which is idempotent, so the binary
// runs on its own too).
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace relabel::test {

// Starts (or reuses) the local cluster and exports its SLURM_CONF into this process, so that
// sbatch/squeue/scontrol run by the test and by relabel reach it. Returns an empty string when
// it is up, or why it cannot be: slurm-wlm/munge are not installed ("skip:" prefix) or the
// cluster failed to start (anything else: the test fails with it).
std::string start_local_slurm();

// One job record of `scontrol show job -o` (an array job has one per task).
struct JobRecord {
  std::string line;
  std::string field(const std::string& key) const;  // "" when absent
  std::string state() const { return field("JobState"); }
  int restarts() const;
  bool terminal() const;  // COMPLETED, FAILED, CANCELLED, TIMEOUT, ...
};

// The job's records; empty when SLURM does not know the id.
std::vector<JobRecord> show_job(const std::string& job_id);

// Polls every `poll` until all records are terminal (an array whose tasks are not yet split
// counts as not terminal) or `limit` passes; returns the last records seen. `on_poll` sees
// every observation (for timelines).
std::vector<JobRecord> wait_for_job(
    const std::string& job_id, std::chrono::seconds limit,
    const std::function<void(const std::vector<JobRecord>&)>& on_poll = {});
bool all_terminal(const std::vector<JobRecord>& records);

// Cancels the job when it goes out of scope unfinished (a failed assertion must not leave it
// holding the node for the next test), and waits briefly for SLURM to let it go.
class JobGuard {
 public:
  explicit JobGuard(std::string job_id) : id_(std::move(job_id)) {}
  ~JobGuard();
  JobGuard(const JobGuard&) = delete;
  JobGuard& operator=(const JobGuard&) = delete;

 private:
  std::string id_;
};

// "2026-11-21T12:03:35.123Z"
std::string utc_now_ms();

// A timeline of events, each with its UTC time; printed with offsets from the first.
class Timeline {
 public:
  // An event observed now (by the test).
  void now(const std::string& event, const std::string& detail);
  // An event at a time read from SLURM or a log ("2026-11-21T12:03:35Z" or without the Z).
  void at(const std::string& utc, const std::string& event, const std::string& detail);
  std::string str(const std::string& title) const;

 private:
  struct Event {
    double t;  // seconds since the epoch
    std::string utc, event, detail;
  };
  std::vector<Event> events_;
};

}  // namespace relabel::test
