#include "core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

namespace relabel {

namespace {
// Whether a Progress writing to stderr left its line open (no newline yet). Shared by every
// Progress of the process and the log sink: stderr has one cursor.
std::atomic<bool> g_stderr_line_open{false};
}  // namespace

void end_open_progress_line() {
  if (g_stderr_line_open.exchange(false)) {
    std::cerr << '\n' << std::flush;
  }
}

Progress::Progress(int64_t total_steps, std::string label, ProgressOptions options)
    : total_(total_steps), label_(std::move(label)), options_(std::move(options)) {
  if (!options_.clock) {
    options_.clock = [] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
    };
  }
  tty_ = options_.tty.value_or(options_.out == nullptr && isatty(STDERR_FILENO) == 1);
  start_ = last_sample_t_ = now();
  step_ = last_sample_step_ = options_.first_step;
}

Progress::~Progress() {
  // Leave the terminal on a fresh line if the loop ended without finish() (e.g. an exception).
  if (dangling_) {
    if (options_.out)
      *options_.out << "\n" << std::flush;
    else
      end_open_progress_line();  // unless a log line already ended it
  }
}

double Progress::now() const { return options_.clock(); }
double Progress::elapsed_s() const { return now() - start_; }

double Progress::eta_s() const {
  if (rate_ <= 0) return std::numeric_limits<double>::infinity();
  return static_cast<double>(std::max<int64_t>(total_ - step_, 0)) / rate_;
}

std::string Progress::format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  auto secs = static_cast<int64_t>(std::llround(s));
  if (secs < 60) return fmt::format("{}s", secs);
  if (secs < 3600) return fmt::format("{}m{:02d}s", secs / 60, secs % 60);
  return fmt::format("{}h{:02d}m", secs / 3600, (secs % 3600) / 60);
}

std::string Progress::line() const {
  double pct = total_ > 0 ? 100.0 * static_cast<double>(step_) / static_cast<double>(total_) : 0;
  std::string s = fmt::format("{} {}/{} ({:.1f}%) | {:.1f} steps/s | ETA {}", label_, step_, total_,
                              pct, rate_, format_duration(eta_s()));
  if (score_) s += fmt::format(" | score {:.4g}", *score_);
  return s;
}

void Progress::emit_json(double t) const {
  if (!options_.json) return;
  nlohmann::json j;
  j["type"] = "progress";  // a metrics.jsonl record type (docs/formats.md)
  j["step"] = step_;
  j["total"] = total_;
  j["steps_per_s"] = rate_;
  double eta = eta_s();
  j["eta_s"] = std::isfinite(eta) ? nlohmann::json(eta) : nlohmann::json(nullptr);
  j["score"] = score_ ? nlohmann::json(*score_) : nlohmann::json(nullptr);
  j["time"] = t - start_;
  *options_.json << j.dump() << "\n" << std::flush;
}

void Progress::sample(double t) {
  double dt = t - last_sample_t_;
  if (dt > 0) {
    double inst = static_cast<double>(step_ - last_sample_step_) / dt;
    rate_ = rate_ > 0 ? options_.ema_alpha * inst + (1 - options_.ema_alpha) * rate_ : inst;
  }
  last_sample_t_ = t;
  last_sample_step_ = step_;
}

void Progress::update(int64_t step, std::optional<double> last_score) {
  step_ = step;
  if (last_score) score_ = last_score;
  double t = now();
  if (t - last_sample_t_ < options_.interval_s || finished_) return;
  sample(t);
  emit_json(t);
  if (!options_.print) return;
  std::ostream& out = options_.out ? *options_.out : std::cerr;
  if (tty_) {
    std::string s = line();
    size_t len = s.size();
    if (len < last_len_) s.append(last_len_ - len, ' ');  // erase the longer previous line
    last_len_ = len;
    out << "\r" << s << std::flush;
    dangling_ = true;
    if (!options_.out) g_stderr_line_open = true;
  } else if (last_plain_t_ < 0 || t - last_plain_t_ >= options_.plain_interval_s) {
    out << line() << "\n" << std::flush;
    last_plain_t_ = t;
  }
}

void Progress::finish() { end("done in"); }

void Progress::finish_stopped() { end("stopped after"); }

void Progress::end(const char* outcome) {
  if (finished_) return;
  finished_ = true;
  double t = now();
  double elapsed = t - start_;
  // Overall average of the steps made by this process.
  if (elapsed > 0) rate_ = static_cast<double>(step_ - options_.first_step) / elapsed;
  emit_json(t);
  if (!options_.print) return;
  std::ostream& out = options_.out ? *options_.out : std::cerr;
  std::string s = fmt::format("{} {}/{} {} {} ({:.1f} steps/s)", label_, step_, total_, outcome,
                              format_duration(elapsed), rate_);
  if (score_) s += fmt::format(" | score {:.4g}", *score_);
  if (tty_) {
    if (s.size() < last_len_) s.append(last_len_ - s.size(), ' ');
    out << "\r";
  }
  out << s << "\n" << std::flush;
  dangling_ = false;
  if (!options_.out) g_stderr_line_open = false;
}

}  // namespace relabel
