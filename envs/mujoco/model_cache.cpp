#include "envs/mujoco/model_cache.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <vector>

#include "core/error.h"

namespace relabel::envs {
namespace {

void on_mujoco_error(const char* msg) { throw RunError(fmt::format("MuJoCo error: {}", msg)); }

void on_mujoco_warning(const char* msg) { spdlog::warn("MuJoCo warning: {}", msg); }

}  // namespace

void install_mujoco_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    mju_user_error = &on_mujoco_error;
    mju_user_warning = &on_mujoco_warning;
  });
}

std::string find_model_file(const std::string& file) {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("RELABEL_MODELS_DIR"); env && *env) dirs.push_back(env);
  dirs.push_back(RELABEL_INSTALL_DATADIR "/models");
  dirs.push_back(RELABEL_SOURCE_DIR "/envs/models");
  std::vector<std::string> tried;
  for (const std::string& dir : dirs) {
    std::string path = dir + "/" + file;
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) return path;
    tried.push_back(path);
  }
  throw Error(fmt::format("MuJoCo model '{}' not found; tried {} (set RELABEL_MODELS_DIR)", file,
                          fmt::join(tried, ", ")));
}

const mjModel* shared_model(const std::string& file) {
  install_mujoco_handlers();
  static std::mutex mutex;
  static std::map<std::string, const mjModel*> models;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = models.find(file);
  if (it != models.end()) return it->second;
  const std::string path = find_model_file(file);
  char err[1024] = "";
  mjModel* m = mj_loadXML(path.c_str(), nullptr, err, sizeof err);
  if (!m) throw Error(fmt::format("{}: MuJoCo could not load the model: {}", path, err));
  if (err[0]) spdlog::warn("{}: {}", path, err);
  models.emplace(file, m);
  return m;
}

}  // namespace relabel::envs
