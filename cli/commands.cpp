#include "cli/commands.h"

#include <algorithm>

namespace relabel::cli {

namespace {
std::vector<std::pair<int, CommandSetup>>& registry() {
  static std::vector<std::pair<int, CommandSetup>> commands;
  return commands;
}
}  // namespace

CommandRegistrar::CommandRegistrar(int order, CommandSetup setup) {
  auto& r = registry();
  r.emplace_back(order, std::move(setup));
  std::stable_sort(r.begin(), r.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
}

const std::vector<std::pair<int, CommandSetup>>& registered_commands() { return registry(); }

}  // namespace relabel::cli
