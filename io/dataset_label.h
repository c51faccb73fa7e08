#pragma once
// The dataset label a run record carries (io::RunRecord::dataset, docs/formats.md), from the
// run's [dataset] keys alone: run/ labels its records with it, the sweep labels sweep.json's
// entries with it, and the report labels runs it only knows from a config.toml, a sweep's base
// config or swept params with it too, so one file never gets two labels (a path and a stem).
#include <string>

namespace relabel::io {

// dataset.name, else the stem of the file the run learns from (an online agent's expert file,
// then its dataset; an offline learner's dataset), else "online".
std::string dataset_label(const std::string& name, const std::string& path,
                          const std::string& expert_path, bool online);

// The same where the learner's kind is unknown (the report has no policy registry): an offline
// learner needs dataset.name or dataset.path, so keys without either are an online agent's.
// An online agent with both files is labelled by its dataset here, by its expert file in its
// record: sweep.json's labels (written by the sweep) spare the report that guess.
std::string dataset_label_guess(const std::string& name, const std::string& path,
                                const std::string& expert_path);

}  // namespace relabel::io
