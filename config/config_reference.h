#pragma once
// The configuration reference as Markdown (docs/config.md), generated from the schema and the
// registries: `relabel check --defaults --markdown`. A test compares the committed file with
// this output, so the reference cannot go stale.
#include <string>

namespace relabel::config {

std::string config_reference_markdown();

}  // namespace relabel::config
