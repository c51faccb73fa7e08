#pragma once
// Checks of numeric command-line options, with messages a user reads in one line ("--steps:
// must be a whole number >= 1, got 0"): CLI11's own number validators print their bound as a
// 300-digit double, and its conversions clamp or wrap values out of range (a seed of -1 became
// 2^64 - 1).
#include <CLI/CLI.hpp>

#include <cstdint>

namespace relabel::cli {

// A whole number >= lo, at most `at_most` (by default what fits in int64).
CLI::Validator whole_at_least(int64_t lo, int64_t at_most = INT64_MAX);
// The same for an int option: a value beyond int's range is named as out of range here, not
// left to the parser's "Could not convert".
CLI::Validator whole_int_at_least(int64_t lo);
// A whole number in [lo, hi] (a bound beyond which a value is a typo that would hang or exhaust
// memory, e.g. --bootstrap-reps).
CLI::Validator whole_in(int64_t lo, int64_t hi);
// A seed: a whole number in [0, 2^64 - 1].
CLI::Validator seed_value();
// A path: not the empty string, which a command would take as "not given" and replace by its
// default location (datagen --out "" wrote into the data cache).
CLI::Validator non_empty_path();
// A finite real number >= lo.
CLI::Validator real_at_least(double lo);

}  // namespace relabel::cli
