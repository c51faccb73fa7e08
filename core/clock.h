#pragma once
// Intervals on the steady clock, for timings, rates and progress (never the wall clock, which
// jumps with NTP).
#include <chrono>

namespace relabel {

using SteadyClock = std::chrono::steady_clock;

inline double seconds_since(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

}  // namespace relabel
