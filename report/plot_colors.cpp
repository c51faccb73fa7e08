#include "report/plot_colors.h"

namespace relabel::report {

namespace {

// Tableau 10: distinguishable, and readable by most colour-blind viewers.
const char* const kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
constexpr size_t kPaletteSize = sizeof(kPalette) / sizeof(kPalette[0]);

}  // namespace

MethodColors::MethodColors(const Aggregation& a) {
  for (int g : a.ranked_groups()) of(a.groups[g].label);
}

const std::string& MethodColors::of(const std::string& label) {
  auto it = colors_.find(label);
  if (it == colors_.end()) it = colors_.emplace(label, kPalette[next_++ % kPaletteSize]).first;
  return it->second;
}

}  // namespace relabel::report
