#pragma once
// Reading a sweep or run directory for `relabel report` (docs/formats.md, "result.json"): every
// runs/<id>/result.json (an io::RunRecord, read strictly), the runs that have none yet, and
// sweep.json entries not started. Only reads; a malformed file is recorded (and warned about),
// never fatal.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "io/run_record.h"
#include "report/traces.h"

namespace relabel::report {

using io::CurvePoint;
using io::ParamValue;
using io::RunRecord;

struct MalformedFile {
  std::string path;
  std::string message;
};

// What a sweep's base config names (empty where it does not): a pending run known only from
// sweep.json takes from it what its params leave out (aggregate.cpp, attribute_pending). The
// dataset keys are raw: the label (io/dataset_label.h) is made once the params are merged in.
struct SweepBase {
  bool read = false;  // the base config was found and parsed
  std::string task, dataset_name, dataset_path, dataset_expert_path, reward_method, policy_algo;
};

struct RunSet {
  std::string dir;
  // Sorted by id. Besides result.json's statuses a run may be "pending": no result.json yet, or
  // only listed in sweep.json (its error then says which).
  std::vector<RunRecord> runs;
  std::vector<MalformedFile> malformed;
  std::map<std::string, std::string> run_dirs;  // run id -> its directory (runs that have one)
  std::map<std::string, Trace> traces;          // run id -> training traces (read_trace)
  SweepBase base;                               // sweep.json's base config, when readable
  std::set<std::string> sweep_ids;              // the runs sweep.json lists (none without one)
  // Folders under runs/ that hold a result.json but that sweep.json does not list: not runs of
  // this sweep (copied in, left by another spec), so not read; the report warns about them.
  std::vector<std::string> unlisted;
};

// The subdirectories of a sweep's runs/, sorted, without hidden ones (".ipynb_checkpoints"): run
// ids never start with a dot. With a sweep.json, report and status take for runs those it lists
// and no other.
std::vector<std::string> run_directory_names(const std::string& runs_dir);

// The run ids DIR/sweep.json lists, when it has a readable list of runs ("runs", or "expansion"
// in older sweeps); nullopt when it does not (a missing or damaged file, which the callers
// report in their own way).
std::optional<std::set<std::string>> sweep_run_ids(const std::string& dir);

// The folders under DIR/runs/ that `listed` does not name and that hold a result.json (readable
// or not), sorted: with a sweep.json, runs of something else (a folder copied in, a run of an
// older spec), which relabel status and relabel report both leave out. The one warning line
// both print about them, naming them.
std::vector<std::string> unlisted_run_folders(const std::string& dir,
                                              const std::set<std::string>& listed);
std::string unlisted_warning(const std::string& dir, const std::vector<std::string>& folders);

// The params of a run without the seed: runs of one configuration and different seeds share it.
// Without the task's and dataset's keys too (`method_only`): runs of one method configuration on
// different data share it.
std::string params_signature(const RunRecord& r, bool method_only = false);

// Reads DIR/runs/*/ and DIR/sweep.json. A run directory that sweep.json does not list is not
// read (without a sweep.json every one is); those of them holding a result.json are named in
// `unlisted`. A DIR that is itself one
// run directory (result.json at its top) is read as a single run. A record without an id takes
// its directory's name, one without a seed the number of its "seed" param; one without labels or
// params (a run that failed before its first record) those of its sweep.json entry. Throws
// relabel::Error when DIR is missing or holds neither. Runs of different configurations never share
// a method label: where one cell (task, dataset, method, swept values but the seed) holds records
// of several config_hash_without_seed values (plain runs side by side without a sweep.json,
// listed runs done under another configuration), each configuration but the one of the runs
// sweep.json lists is labelled "METHOD (config <8 hex digits>)"; records without the hash keep
// their label. The same for datasets: different contents ("NAME (data <8 hex digits>, N rows)") and
// different reference returns ("NAME (refs LO..HI)") of one dataset label are labels of their own.
RunSet read_run_directory(const std::string& dir);

}  // namespace relabel::report
