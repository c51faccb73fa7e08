#pragma once
// Runs a program with an argument vector (no shell: arguments reach it literally) and captures
// its output.
#include <string>
#include <vector>

namespace relabel::slurm {

struct ProcessResult {
  int exit_code = -1;  // 127 when the program was not found
  std::string out;     // stdout
  std::string err;     // stderr
};

ProcessResult run_process(const std::vector<std::string>& argv);

// Whether `program` is found on PATH.
bool on_path(const std::string& program);

}  // namespace relabel::slurm
