#pragma once
// What a run shows and records while its reward model fits (docs/formats.md, metrics.jsonl):
// rank 0 prints a progress line (steps/s, ETA) and appends `reward_fit` records to the run's
// metrics.jsonl, with the training loss averaged over the steps since the previous record and
// over the ranks. The model reports its steps through an algos::FitObserver; this is the run
// side of it, so algos stays free of files and terminals.
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>

#include "algos/reward/reward_model.h"
#include "comm/collective.h"
#include "core/progress.h"

namespace relabel::run {

using comm::Collective;

class RewardFitLog {
 public:
  // Records per fit (and at its last step): a bounded number whatever the fit's length.
  static constexpr int64_t kRecords = 50;

  // `metrics`: rank 0's metrics.jsonl (nullptr: no records; the ranks still average the loss
  // together, so pass the same on every rank but the pointer). `label` starts the progress line.
  RewardFitLog(Collective& comm, std::ostream* metrics, std::string label);
  ~RewardFitLog();

  // The observer to hand to RewardModel::set_fit_observer. Valid while this object lives.
  algos::FitObserver observer();

 private:
  void on_step(const algos::FitStep& s);

  Collective& comm_;
  std::ostream* metrics_;
  std::string label_;
  std::unique_ptr<Progress> progress_;
  double loss_sum_ = 0.0, loss_count_ = 0.0;  // since the last record, this rank
  double start_ = 0.0;                        // seconds, steady clock
};

}  // namespace relabel::run
