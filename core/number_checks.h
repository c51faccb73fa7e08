#pragma once
// The wording of whole-number checks, one phrasing per kind of problem wherever the number comes
// from: the CLI's option validators read it as text (cli/option_checks.h), a module checks the
// numbers it is handed (slurm's submit options). The caller names the option or key in front:
// "--nodes: must be a whole number >= 1, got 0".
#include <cstdint>
#include <string>

namespace relabel {

// "must be a whole number >= lo, got <got>" (`got` as given: text need not be a number).
std::string whole_at_least_problem(int64_t lo, const std::string& got);
// "must be a whole number from lo to hi, got <got>".
std::string whole_in_problem(int64_t lo, int64_t hi, const std::string& got);
// relabel::Error "<name>: must be a whole number >= lo, got <value>" when value < lo.
void require_whole_at_least(const std::string& name, int64_t value, int64_t lo);

}  // namespace relabel
