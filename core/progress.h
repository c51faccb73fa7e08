#pragma once
// Progress of a long loop (training steps): a human line on rank 0 and machine-readable JSON
// lines (e.g. into a run's metrics.jsonl). On a terminal the line is rewritten in place with
// '\r' at most every interval_s; in logs and CI a plain line is printed at most every
// plain_interval_s. The rate is an exponential moving average over samples taken every
// interval_s, so it follows slow-downs (evaluation, checkpoints) without jumping at each step.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

namespace relabel {

struct ProgressOptions {
  bool print = true;               // print the human line (true on rank 0 only)
  std::ostream* out = nullptr;     // where the human line goes; nullptr: stderr
  std::optional<bool> tty;         // rewrite in place; default: out is null and stderr is a TTY
  std::ostream* json = nullptr;    // JSON lines sink ("type": "progress"), per sample and at end
  double interval_s = 2.0;         // sampling (rate, JSON, TTY line) period
  double plain_interval_s = 30.0;  // plain-line period when not a TTY
  double ema_alpha = 0.3;          // weight of the newest rate sample
  int64_t first_step = 0;          // where this process starts (a resumed run's or datagen's
                                   // step): rates count only the steps made here
  std::function<double()> clock;   // seconds, monotonic; default std::chrono::steady_clock
};

// Ends a progress line left open on stderr (a TTY line rewritten in place with '\r') with a
// newline, so that what comes next, a log line, starts at a line start instead of being glued
// onto the progress text. The console log sink calls it before every line; cheap when no line
// is open.
void end_open_progress_line();

class Progress {
 public:
  Progress(int64_t total_steps, std::string label, ProgressOptions options = {});
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Cheap when called every step: only reads the clock unless a sample is due.
  void update(int64_t step, std::optional<double> last_score = std::nullopt);
  // Prints the final line (overall rate and elapsed time) and a last JSON line. Idempotent.
  void finish();
  // The same for a loop stopped before its total (a signal): the line says "stopped after", not
  // "done in", so that a stopped job does not read as finished.
  void finish_stopped();

  double steps_per_s() const { return rate_; }  // EMA; 0 before the first sample
  double eta_s() const;                         // infinity while the rate is unknown
  double elapsed_s() const;
  std::string line() const;  // the human line for the latest sample

  // "42s", "3m05s", "1h02m", "?" for an unknown (infinite or negative) duration.
  static std::string format_duration(double seconds);

 private:
  double now() const;
  void sample(double t);
  void emit_json(double t) const;
  void end(const char* outcome);  // finish() / finish_stopped(): "done in" / "stopped after"

  int64_t total_;
  std::string label_;
  ProgressOptions options_;
  bool tty_ = false;
  double start_ = 0, last_sample_t_ = 0, last_plain_t_ = -1;
  int64_t step_ = 0, last_sample_step_ = 0;
  std::optional<double> score_;
  double rate_ = 0;
  size_t last_len_ = 0;
  bool finished_ = false, dangling_ = false;
};

}  // namespace relabel
