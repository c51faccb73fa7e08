#pragma once
// Rank-aware logging on top of spdlog: call spdlog::info/warn/error anywhere; init_logging()
// decides which ranks print (rank 0 by default, every rank on request) and the line prefix.
#include <string>

namespace relabel {

struct LogOptions {
  bool all_ranks = false;      // print from every rank, not only rank 0
  std::string level = "info";  // trace | debug | info | warn | error | off
};

void init_logging(int rank, int size, const LogOptions& options = {});

// Also append every log line (all levels at or above the logger's) to `path`; used for a run's
// log.txt. Returns false if the file cannot be opened.
bool add_log_file(const std::string& path);
void remove_log_files();

}  // namespace relabel
