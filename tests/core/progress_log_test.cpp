// A log line printed while a progress line is open on the terminal starts on its own line: the
// console sink ends the progress line first (issue 17: logs that tell the truth).
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/progress.h"
#include "tests/support/test_support.h"

TEST(ProgressLog, LogLineWhileProgressIsOpenStartsAtALineStart) {
  double t = 0.0;
  relabel::ProgressOptions o;
  o.tty = true;  // rewrite in place on stderr, as on a terminal
  o.clock = [&t] { return t; };
  testing::internal::CaptureStderr();
  relabel::init_logging(0, 1);  // after the capture: no colour codes on a file
  {
    relabel::Progress p(100, "fit", o);
    t = 2.0;
    p.update(10);  // "\rfit 10/100 ..." and no newline: the line is open
    spdlog::info("evaluation done");
    t = 4.0;
    p.update(20);  // redrawn below the log line
    spdlog::warn("second message");
    p.finish();
    spdlog::info("after the end");  // no stray blank line once the progress line is closed
  }
  const std::string err = testing::internal::GetCapturedStderr();
  int log_lines = 0;
  for (std::string line : relabel::test::split_lines(err)) {
    // A line redrawn with '\r' shows what follows the last '\r'.
    const bool is_log =
        line.find("] info:") != std::string::npos || line.find("] warning:") != std::string::npos;
    if (!is_log) continue;
    ++log_lines;
    EXPECT_EQ(line.front(), '[') << "log line glued onto progress text: " << line;
    EXPECT_EQ(line.find("steps/s"), std::string::npos) << line;
  }
  EXPECT_EQ(log_lines, 3) << err;
  EXPECT_EQ(err.find("\n\n"), std::string::npos) << err;
  // Both progress samples were shown, and the final line.
  EXPECT_NE(err.find("fit 10/100"), std::string::npos) << err;
  EXPECT_NE(err.find("fit 20/100"), std::string::npos) << err;
  EXPECT_NE(err.find("fit 20/100 done"), std::string::npos) << err;
}

TEST(ProgressLog, LogFileHoldsEachLineAsItIsLogged) {
  // A run's log.txt is read while the run goes on (tail -f, a sweep being watched): each line is
  // on disk once logged, not held in a buffer until a warning or the end of the run.
  const std::string path = testing::TempDir() + "relabel_live_log.txt";
  std::remove(path.c_str());
  relabel::init_logging(0, 1);
  ASSERT_TRUE(relabel::add_log_file(path));
  spdlog::info("evaluation at step 1000: return -140.2");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("info: evaluation at step 1000: return -140.2"), std::string::npos)
      << "log.txt: '" << text.str() << "'";
  relabel::remove_log_files();
  std::remove(path.c_str());
}
