#include "run/reward_fit_log.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ostream>

namespace relabel::run {

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// JSON has no NaN or infinity: such values are written as null.
nlohmann::json number_or_null(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

}  // namespace

RewardFitLog::RewardFitLog(Collective& comm, std::ostream* metrics, std::string label)
    : comm_(comm), metrics_(metrics), label_(std::move(label)) {}

RewardFitLog::~RewardFitLog() = default;

algos::FitObserver RewardFitLog::observer() {
  return [this](const algos::FitStep& s) { on_step(s); };
}

void RewardFitLog::on_step(const algos::FitStep& s) {
  if (!progress_) {
    ProgressOptions options;
    options.print = comm_.rank() == 0;
    progress_ = std::make_unique<Progress>(s.total, label_, options);
    start_ = now_s();
  }
  if (std::isfinite(s.loss)) {
    loss_sum_ += s.loss;
    loss_count_ += 1.0;
  }
  const int64_t every = std::max<int64_t>(1, s.total / kRecords);
  const bool last = s.step >= s.total;
  // Imputation's held-out evaluations are recorded too (the same steps on every rank).
  if (s.step % every == 0 || last || std::isfinite(s.heldout_mse)) {
    // Every rank reaches this at the same steps: the cadence depends on the step alone.
    double sums[2] = {loss_sum_, loss_count_};
    comm_.host().all_reduce_sum(sums, 2);
    loss_sum_ = loss_count_ = 0.0;
    if (metrics_) {
      const double elapsed = now_s() - start_;
      const double rate = elapsed > 0 ? static_cast<double>(s.step) / elapsed : 0.0;
      nlohmann::json record = {
          {"type", "reward_fit"},
          {"step", s.step},
          {"total", s.total},
          {"loss", number_or_null(sums[1] > 0 ? sums[0] / sums[1] : NAN)},
          {"steps_per_s", rate},
          {"eta_s",
           number_or_null(rate > 0 ? static_cast<double>(s.total - s.step) / rate : INFINITY)},
          {"time", elapsed}};
      if (std::isfinite(s.heldout_mse)) record["heldout_mse"] = s.heldout_mse;
      *metrics_ << record.dump() << "\n" << std::flush;
    }
  }
  progress_->update(s.step);
  if (last) progress_->finish();
}

}  // namespace relabel::run
