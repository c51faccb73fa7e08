#pragma once
// The files a run directory (and a sweep directory) is made of (docs/formats.md): tools that
// write next to them (`relabel eval --json`, `relabel export --out`) must not replace one.
#include <string>

namespace relabel::run {

// Throws relabel::Error "OPTION PATH: ... of run DIR; write elsewhere" when `path` is a run's
// record, config, logs or checkpoints, or a sweep's sweep.json / slurm.json.
void refuse_run_file(const std::string& path, const std::string& option);

}  // namespace relabel::run
