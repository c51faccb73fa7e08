// relabel::error_message: what the CLI, the failure record and the sweep log show of an error.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "core/error.h"

// LibTorch appends its C++ stack trace to the message (20-40 lines): the first line is shown.
TEST(ErrorMessage, ALibTorchErrorIsItsFirstLine) {
  try {
    torch::zeros({0}).narrow(0, 0, -30);
    FAIL() << "a narrow of negative length was accepted";
  } catch (const std::exception& e) {
    const std::string full = e.what();
    ASSERT_NE(full.find('\n'), std::string::npos) << full;
    const std::string line = relabel::error_message(e);
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    EXPECT_EQ(full.rfind(line, 0), 0u) << line;
    EXPECT_EQ(line, "start (0) + length (-30) exceeds dimension size (0).");
  }
  // The engine's own errors are shown as they are.
  const relabel::Error ours("a.toml: train.steps: must be >= 1, got 0");
  EXPECT_EQ(relabel::error_message(ours), ours.what());
}
