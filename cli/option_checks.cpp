#include "cli/option_checks.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "core/number_checks.h"

namespace relabel::cli {

namespace {

// The digits of `text` (optionally signed) and nothing else.
bool is_whole(const std::string& text) {
  size_t i = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
  if (i == text.size()) return false;
  for (; i < text.size(); ++i)
    if (text[i] < '0' || text[i] > '9') return false;
  return true;
}

// CLI11 converts integers with base 0, so "010" would reach the program as 8 (and "08" fail
// to convert) although the checks below read it as decimal 10: refused, as TOML refuses it.
bool has_leading_zero(const std::string& text) {
  const size_t i = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
  return text.size() > i + 1 && text[i] == '0';
}

std::string leading_zero_problem(const std::string& text) {
  return fmt::format("must be a whole number without leading zeros, got {}", text);
}

}  // namespace

CLI::Validator whole_at_least(int64_t lo, int64_t at_most) {
  return CLI::Validator(
      [lo, at_most](std::string& text) -> std::string {
        const std::string want = fmt::format("must be a whole number >= {}, got {}", lo, text);
        if (!is_whole(text)) return want;
        if (has_leading_zero(text)) return leading_zero_problem(text);
        errno = 0;
        const long long v = std::strtoll(text.c_str(), nullptr, 10);
        if (errno == ERANGE || v > at_most)
          return fmt::format("{} is out of range (at most {})", text, at_most);
        return v < lo ? want : std::string();
      },
      fmt::format("INT>={}", lo));
}

CLI::Validator whole_int_at_least(int64_t lo) {
  return whole_at_least(lo, std::numeric_limits<int>::max());
}

CLI::Validator whole_in(int64_t lo, int64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        const std::string want = relabel::whole_in_problem(lo, hi, text);
        if (!is_whole(text)) return want;
        if (has_leading_zero(text)) return leading_zero_problem(text);
        errno = 0;
        const long long v = std::strtoll(text.c_str(), nullptr, 10);
        return errno == ERANGE || v < lo || v > hi ? want : std::string();
      },
      fmt::format("{}..{}", lo, hi));
}

CLI::Validator seed_value() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const std::string want =
            fmt::format("must be a whole number from 0 to 18446744073709551615, got {}", text);
        if (!is_whole(text) || text[0] == '-') return want;
        if (has_leading_zero(text)) return leading_zero_problem(text);
        errno = 0;
        std::strtoull(text.c_str(), nullptr, 10);
        return errno == ERANGE ? want : std::string();
      },
      "0..2^64-1");
}

CLI::Validator non_empty_path() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        return text.empty() ? "expected a path, got an empty string" : std::string();
      },
      "PATH");
}

CLI::Validator real_at_least(double lo) {
  return CLI::Validator(
      [lo](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !std::isfinite(v) || v < lo)
          return fmt::format("must be a number >= {}, got {}", lo, text);
        return std::string();
      },
      fmt::format("NUMBER>={}", lo));
}

}  // namespace relabel::cli
