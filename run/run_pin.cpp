#include "run/run_pin.h"

#include <fmt/format.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "config/config_diff.h"
#include "config/config_write.h"
#include "core/text_file.h"
#include "io/run_record.h"
#include "run/checkpoint.h"
#include "run/offline_data.h"

namespace fs = std::filesystem;

namespace relabel::run {

namespace {

// The config hash the directory's state was written under ("" when it has none): result.json's,
// else the newest checkpoint's metadata (a directory whose record is damaged or missing).
std::string recorded_hash(const std::string& dir, std::string* source) {
  if (auto record = io::read_run_record(dir)) {
    *source = dir + "/result.json";
    return record->config_hash;
  }
  CheckpointStore store(dir + "/ckpt");
  auto step = store.latest_step();
  if (!step) return "";
  *source = store.path_for(*step);
  auto meta = nlohmann::json::parse(store.load(*step, [](auto&) {}), nullptr, false);
  return meta.is_object() ? meta.value("config_hash", "") : "";
}

}  // namespace

std::string config_pin_violation(const std::string& dir, const std::string& hash,
                                 const RunConfig& config) {
  std::string source;
  const std::string recorded = recorded_hash(dir, &source);
  if (recorded.empty() || recorded == hash) return "";
  std::string keys;
  auto differ = config::differing_keys(read_text_file_if_present(dir + "/config.toml").value_or(""),
                                       config::to_toml(config, false));
  for (size_t i = 0; i < differ.size() && i < 6; ++i) keys += (i ? ", " : "") + differ[i];
  if (differ.size() > 6) keys += fmt::format(" and {} more", differ.size() - 6);
  return fmt::format(
      "{}: holds a run of config_hash {} ({}), this config is {}{}; use another --out, or "
      "--force to start it over",
      dir, recorded, source, hash, keys.empty() ? "" : " (differs in " + keys + ")");
}

std::string dataset_mismatch(const std::string& dir, const io::DatasetIdentity& recorded,
                             const io::DatasetIdentity& now, const std::string& what,
                             const std::string& file) {
  if (recorded.same_content(now)) return "";
  return fmt::format(
      "{}: {} on {}, but {} is now {}; use another --out, or --force to "
      "start it over",
      dir, what, recorded.describe(), file, now.describe());
}

std::string dataset_pin_violation(const std::string& dir, const io::DatasetIdentity& recorded,
                                  const RunConfig& config) {
  return dataset_mismatch(dir, recorded, dataset_identity_now(config, recorded), "done");
}

std::string expert_pin_violation(const std::string& dir, const io::DatasetIdentity& recorded,
                                 const RunConfig& config) {
  return dataset_mismatch(dir, recorded,
                          file_identity_now(config.dataset.expert_path, false, recorded), "done",
                          "the expert file");
}

void clear_run_state(const std::string& dir) {
  if (!fs::exists(dir)) return;
  const std::string ckpt = dir + "/ckpt";
  const std::string aside = fmt::format("{}/ckpt.discarded.{}", dir, ::getpid());
  if (fs::exists(ckpt)) fs::rename(ckpt, aside);
  // The record, its curves and what was made from the old state: the exported policy and its
  // evaluations (relabel export / eval defaults), the TensorBoard events (one file per attempt).
  for (const char* name : {"result.json", "curve.csv", "metrics.jsonl", "policy.pt",
                           "policy.pt.eval.json", "eval.json"})
    fs::remove(dir + "/" + name);
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind("events.out.tfevents.", 0) == 0) fs::remove(e.path());
  fs::remove_all(aside);
}

}  // namespace relabel::run
