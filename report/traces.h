#pragma once
// Training traces: named metrics of a run's training records (metrics.jsonl, "type": "train")
// over steps, e.g. CDRED's bonuses on expert and replay rows. `relabel report --traces` reads
// them for the done runs and draws each group's mean over seeds (aggregate.h, Cell::traces).
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace relabel::report {

// metric -> (step, value) in increasing steps; metrics a record lacks are skipped for that
// record. A record at a step not after the previous one's (a resumed attempt repeating the
// steps after its checkpoint) replaces the records from that step on.
using Trace = std::map<std::string, std::vector<std::pair<double, double>>>;

// The training records of RUN_DIR/metrics.jsonl, restricted to `metrics`. A missing file gives
// an empty trace; a malformed line throws relabel::Error naming the file and line. When
// `logged` is given, every training metric the records hold is added to it (what --traces can
// draw from this run).
Trace read_trace(const std::string& run_dir, const std::vector<std::string>& metrics,
                 std::set<std::string>* logged = nullptr);

// What `name` is when it is a field of metrics.jsonl records but not a training metric ("step":
// the x axis of every trace; "steps_per_s": a field of progress and reward_fit records, see
// docs/formats.md), to say so instead of drawing it or finding it in no run; "" otherwise.
std::string non_metric_field(const std::string& name);

}  // namespace relabel::report
