#include "run/checkpoint.h"

#include <torch/torch.h>

#include <filesystem>
#include <regex>
#include <sstream>
#include <vector>

#include "core/error.h"
#include "io/atomic_file.h"

namespace fs = std::filesystem;

namespace relabel::run {

namespace {
std::vector<int64_t> steps_in(const std::string& dir) {
  std::vector<int64_t> steps;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return steps;
  static const std::regex name(R"(step_(\d+)\.pt)");
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::smatch m;
    std::string file = entry.path().filename().string();
    if (std::regex_match(file, m, name)) steps.push_back(std::stoll(m[1]));
  }
  std::sort(steps.begin(), steps.end());
  return steps;
}
}  // namespace

CheckpointStore::CheckpointStore(std::string dir, int keep) : dir_(std::move(dir)), keep_(keep) {}

std::string CheckpointStore::path_for(int64_t step) const {
  return dir_ + "/step_" + std::to_string(step) + ".pt";
}

void CheckpointStore::save(int64_t step, const std::string& meta_json, const Writer& write) const {
  fs::create_directories(dir_);
  torch::serialize::OutputArchive archive;
  archive.write("meta", c10::IValue(meta_json));
  archive.write("step", c10::IValue(step));
  write(archive);
  std::ostringstream bytes;
  archive.save_to(bytes);
  io::write_file_atomic(path_for(step), bytes.str());
  auto steps = steps_in(dir_);
  for (size_t i = 0; i + keep_ < steps.size(); ++i) {
    std::error_code ec;
    fs::remove(path_for(steps[i]), ec);
  }
}

std::optional<int64_t> CheckpointStore::latest_step() const {
  auto steps = steps_in(dir_);
  if (steps.empty()) return std::nullopt;
  return steps.back();
}

CheckpointStore::Choice CheckpointStore::newest_readable() const {
  Choice choice;
  auto steps = steps_in(dir_);
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    try {
      torch::serialize::InputArchive archive;
      archive.load_from(path_for(*it));
      c10::IValue meta;
      archive.read("meta", meta);
      if (meta.isString()) {
        choice.step = *it;
        break;
      }
      choice.unreadable.push_back({*it, "no metadata"});
    } catch (const std::exception& e) {
      std::string what = e.what();
      choice.unreadable.push_back({*it, what.substr(0, what.find('\n'))});
    }
  }
  return choice;
}

std::vector<std::string> CheckpointStore::fallback_warnings(const Choice& choice) const {
  const std::string instead = choice.step ? "using " + path_for(*choice.step) + " instead"
                                          : "no readable checkpoint before it";
  std::vector<std::string> lines;
  for (const auto& u : choice.unreadable)
    lines.push_back("checkpoint " + path_for(u.step) + " is unreadable (" + u.why + "); " +
                    instead);
  return lines;
}

std::optional<int64_t> CheckpointStore::set_aside_unreadable(
    std::vector<std::string>& warnings) const {
  const Choice choice = newest_readable();
  const auto lines = fallback_warnings(choice);
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string path = path_for(choice.unreadable[i].step);
    std::error_code ec;
    fs::rename(path, path + ".corrupt", ec);
    warnings.push_back(lines[i] + (ec ? "" : " (set aside as " + path + ".corrupt)"));
  }
  return choice.step;
}

std::string CheckpointStore::load(int64_t step, const Reader& read) const {
  const std::string path = path_for(step);
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
    c10::IValue meta;
    archive.read("meta", meta);
    read(archive);
    return meta.toStringRef();
  } catch (const c10::Error& e) {
    std::string what = e.what_without_backtrace();
    throw RunError("cannot read checkpoint " + path + ": " + what.substr(0, what.find('\n')));
  }
}

}  // namespace relabel::run
