#include "core/log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "core/error.h"
#include "core/progress.h"

namespace relabel {

namespace {

// The console sink: a log line printed while a progress line is open on the terminal first ends
// that line, so the log line starts at a line start (the progress line is redrawn below it at
// its next update).
class ConsoleSink final : public spdlog::sinks::stderr_color_sink_mt {
 public:
  void log(const spdlog::details::log_msg& msg) override {
    end_open_progress_line();
    spdlog::sinks::stderr_color_sink_mt::log(msg);
  }
};

std::shared_ptr<spdlog::logger> make_logger(int rank, int size, const LogOptions& options) {
  auto sink = std::make_shared<ConsoleSink>();
  auto logger = std::make_shared<spdlog::logger>("relabel", sink);
  std::string prefix = size > 1 ? "[r" + std::to_string(rank) + "] " : "";
  logger->set_pattern("[%H:%M:%S] " + prefix + "%^%l%$: %v");
  auto level = spdlog::level::from_str(options.level);
  if (level == spdlog::level::off && options.level != "off")
    throw Error("unknown log level '" + options.level + "' (trace|debug|info|warn|error|off)");
  // The console shows rank 0 (errors from every rank: a failing rank must say why). The logger
  // itself keeps the requested level, so the log.txt sink of a run led by another rank (a
  // sweep's second rank group) still gets that run's lines.
  auto console = level;
  if (rank != 0 && !options.all_ranks && console < spdlog::level::err) console = spdlog::level::err;
  sink->set_level(console);
  logger->set_level(level);
  // Every line reaches log.txt as it is logged: a run's log is read while it goes on (tail -f,
  // a sweep being watched), and runs log a few lines a minute.
  logger->flush_on(spdlog::level::trace);
  return logger;
}
}  // namespace

void init_logging(int rank, int size, const LogOptions& options) {
  spdlog::set_default_logger(make_logger(rank, size, options));
}

bool add_log_file(const std::string& path) {
  try {
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, /*truncate=*/false);
    sink->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l: %v");
    spdlog::default_logger()->sinks().push_back(sink);
    return true;
  } catch (const spdlog::spdlog_ex&) {
    return false;
  }
}

void remove_log_files() {
  auto& sinks = spdlog::default_logger()->sinks();
  sinks.erase(std::remove_if(sinks.begin(), sinks.end(),
                             [](const auto& s) {
                               return dynamic_cast<spdlog::sinks::basic_file_sink_mt*>(s.get()) !=
                                      nullptr;
                             }),
              sinks.end());
}

}  // namespace relabel
