#include "run/run_files.h"

#include <fmt/format.h>

#include <array>
#include <filesystem>

#include "core/error.h"

namespace relabel::run {

namespace fs = std::filesystem;

namespace {

bool is_run_dir(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / "result.json", ec) ||
         (fs::exists(dir / "config.toml", ec) && fs::is_directory(dir / "ckpt", ec));
}

}  // namespace

void refuse_run_file(const std::string& path, const std::string& option) {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec || p.empty()) return;  // the write itself will name what is wrong with the path
  const std::string name = p.filename().string();
  const fs::path dir = p.parent_path();
  static const std::array<const char*, 5> kRunFiles = {"result.json", "config.toml",
                                                       "metrics.jsonl", "curve.csv", "log.txt"};
  for (const char* f : kRunFiles)
    if (name == f && is_run_dir(dir))
      throw Error(fmt::format("{} {}: the {} of run {}; write elsewhere", option, path, name,
                              dir.string()));
  // ckpt/step_N.pt, ckpt/rank<r>/step_N.pt
  for (fs::path d = dir; d.has_relative_path(); d = d.parent_path())
    if (d.filename() == "ckpt" && is_run_dir(d.parent_path()))
      throw Error(fmt::format("{} {}: in the checkpoints of run {}; write elsewhere", option, path,
                              d.parent_path().string()));
  if ((name == "sweep.json" || name == "slurm.json") && fs::is_directory(dir / "runs", ec))
    throw Error(fmt::format("{} {}: the {} of sweep {}; write elsewhere", option, path, name,
                            dir.string()));
}

}  // namespace relabel::run
