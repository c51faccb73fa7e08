#include "io/dataset_label.h"

#include <filesystem>

namespace relabel::io {

namespace {
std::string stem(const std::string& path) { return std::filesystem::path(path).stem().string(); }
}  // namespace

std::string dataset_label(const std::string& name, const std::string& path,
                          const std::string& expert_path, bool online) {
  if (!name.empty()) return name;
  if (!online) return stem(path);
  if (!expert_path.empty()) return stem(expert_path);
  if (!path.empty()) return stem(path);
  return "online";
}

std::string dataset_label_guess(const std::string& name, const std::string& path,
                                const std::string& expert_path) {
  return dataset_label(name, path, expert_path, name.empty() && path.empty());
}

}  // namespace relabel::io
