#pragma once
// Where a run or sweep writes (docs/architecture.md, exit codes): an unusable location is an
// input error of one line (exit 2) before anything starts, not a filesystem exception mid-run.
#include <string>

namespace relabel::io {

// Without touching the filesystem: `dir` (named `what` in the message, e.g. "output.dir") must
// not exist as anything but a directory, nor lie under a non-directory, and neither any of its
// names nor the whole path may be longer than the filesystem allows. Throws relabel::Error.
void check_output_location(const std::string& dir, const std::string& what);

// check_output_location, then creates `dir` and makes sure a file can be created in it (a
// read-only directory or filesystem, /proc). Throws relabel::Error naming `dir` and errno's
// reason.
void prepare_output_location(const std::string& dir, const std::string& what);

}  // namespace relabel::io
