#pragma once
// One colour per method across every plot of a report, as rliable draws them: a group (method
// plus its swept values, the report's unit of comparison) is drawn in the same colour in the
// learning curves, the performance profiles, the aggregate-interval and the improvement plots.
#include <map>
#include <string>

#include "report/aggregate.h"

namespace relabel::report {

class MethodColors {
 public:
  // Groups take the palette in rank order (best IQM first), so the groups a plot shows (the
  // best ones) get distinct colours; the palette repeats after 10.
  explicit MethodColors(const Aggregation& a);

  // The colour of a group label; another series label (a hyperparameter plot's method and
  // other settings) takes the next colour the first time it is asked for.
  const std::string& of(const std::string& label);

 private:
  std::map<std::string, std::string> colors_;
  size_t next_ = 0;
};

}  // namespace relabel::report
