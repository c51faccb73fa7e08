#pragma once
// A job-wide counter that any rank can draw the next value from without the others taking part
// (MPI passive-target fetch-and-add on a window at rank 0): how a sweep's group leaders claim
// runs while rank 0 is busy with its own group's runs.
#include <cstdint>
#include <memory>

#include "comm/collective.h"

namespace relabel::comm {

class SharedCounter {
 public:
  // Collective over `comm` (an MPI host group): the counter starts at 0.
  explicit SharedCounter(Collective& comm);
  ~SharedCounter();
  SharedCounter(const SharedCounter&) = delete;
  SharedCounter& operator=(const SharedCounter&) = delete;

  // The counter's value before this call, which adds 1 (atomic across ranks).
  int64_t next();

 private:
  struct Window;
  std::unique_ptr<Window> window_;
};

}  // namespace relabel::comm
