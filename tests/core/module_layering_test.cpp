// The modules' include graph is the layering docs/architecture.md draws: each top-level folder
// includes only the modules below it, so data flows one way and no cycle can creep in. An
// include that runs upward (algos including run/, io including algos/...) fails here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>

namespace fs = std::filesystem;

namespace {

// What each module may include (besides itself), as the CMake DEPS lists allow.
const std::map<std::string, std::set<std::string>> kAllowed = {
    {"core", {}},
    {"envs", {"core"}},
    {"io", {"core"}},
    {"algos", {"core"}},  // nothing from envs/: it steps no environment
    {"comm", {"core", "algos"}},
    {"config", {"core", "algos", "envs"}},
    {"datagen", {"core", "algos", "envs", "io"}},
    {"run", {"core", "algos", "envs", "io", "comm", "config", "datagen"}},
    {"sweeps", {"core", "algos", "envs", "io", "comm", "config", "datagen", "run"}},
    {"report", {"core", "io"}},
    {"slurm", {"core", "io", "report"}},  // no sweeps: the CLI expands the spec
    {"cli",
     {"core", "algos", "envs", "io", "comm", "config", "datagen", "run", "report", "sweeps",
      "slurm"}},
};

// Inside algos/: the online agents do not know the reward methods (CDRED implements the
// agent's LatentReward interface, not the other way round), so there is no reward <-> online
// cycle.
const std::map<std::string, std::set<std::string>> kAlgosAllowed = {
    {"nets", {}},
    {"optim", {}},
    {"offline", {"nets", "optim"}},
    {"online", {"nets", "optim"}},
    {"reward", {"nets", "optim", "online"}},
};

// algos/ computes and never steps an environment: the loops that do (SAC for datagen, the
// world-model trainer) live in datagen/ and run/. It includes nothing from envs/ (its seeds come
// from core/seeding.h), so it needs no environment, task registry or evaluation, and does not
// link relabel_envs (algos/CMakeLists.txt).
const std::set<std::string> kAlgosEnvHelpers = {};

}  // namespace

TEST(ModuleLayering, AlgosStepsNoEnvironment) {
  const fs::path root = RELABEL_SOURCE_DIR;
  const std::regex include(R"re(^\s*#\s*include\s*"(envs/[^"]+)")re");
  size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root / "algos")) {
    const auto ext = entry.path().extension();
    if (ext != ".h" && ext != ".cpp") continue;
    ++files;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      std::smatch m;
      if (!std::regex_search(line, m, include)) continue;
      EXPECT_TRUE(kAlgosEnvHelpers.count(m[1]))
          << fs::relative(entry.path(), root).string() << " includes " << m[1]
          << ": algos/ must not step environments (envs/env.h, vector_env.h, evaluate.h, "
             "registry.h belong to datagen/ and run/)";
    }
  }
  EXPECT_GT(files, 50u);
}

TEST(ModuleLayering, AlgosSubfoldersHaveNoCycle) {
  const fs::path root = fs::path(RELABEL_SOURCE_DIR) / "algos";
  const std::regex include(R"(^\s*#\s*include\s*"algos/([a-z_]+)/)");
  for (const auto& [folder, allowed] : kAlgosAllowed) {
    for (const auto& entry : fs::directory_iterator(root / folder)) {
      std::ifstream in(entry.path());
      std::string line;
      while (std::getline(in, line)) {
        std::smatch m;
        if (!std::regex_search(line, m, include) || m[1] == folder) continue;
        EXPECT_TRUE(allowed.count(m[1])) << entry.path().filename().string() << " in algos/"
                                         << folder << " includes algos/" << m[1] << "/";
      }
    }
  }
}

TEST(ModuleLayering, IncludesOnlyRunDownward) {
  const fs::path root = RELABEL_SOURCE_DIR;
  const std::regex include(R"(^\s*#\s*include\s*"([a-z_]+)/)");
  size_t files = 0, edges = 0;
  for (const auto& [module, allowed] : kAllowed) {
    ASSERT_TRUE(fs::is_directory(root / module)) << module;
    for (const auto& entry : fs::recursive_directory_iterator(root / module)) {
      const auto ext = entry.path().extension();
      if (ext != ".h" && ext != ".cpp") continue;
      ++files;
      std::ifstream in(entry.path());
      std::string line;
      while (std::getline(in, line)) {
        std::smatch m;
        if (!std::regex_search(line, m, include)) continue;
        const std::string target = m[1];
        if (target == module || !kAllowed.count(target)) continue;  // own files, <system>
        ++edges;
        EXPECT_TRUE(allowed.count(target))
            << fs::relative(entry.path(), root).string() << " includes " << target
            << "/: an edge upward from " << module;
      }
    }
  }
  EXPECT_GT(files, 150u);
  EXPECT_GT(edges, 100u);
}

// Collective is the only communication API above comm/: no other module includes MPI or calls
// it (io/ is the exception: parallel HDF5 reads go through MPI-IO).
TEST(ModuleLayering, OnlyCommAndIoTalkMpi) {
  const fs::path root = RELABEL_SOURCE_DIR;
  const std::regex mpi(R"(#\s*include\s*<mpi\.h>|\bMPI_[A-Za-z_]+)");
  size_t files = 0;
  for (const auto& [module, allowed] : kAllowed) {
    if (module == "comm" || module == "io") continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / module)) {
      const auto ext = entry.path().extension();
      if (ext != ".h" && ext != ".cpp") continue;
      ++files;
      std::ifstream in(entry.path());
      std::string line;
      for (int number = 1; std::getline(in, line); ++number) {
        const std::string code = line.substr(0, line.find("//"));  // comments may name MPI
        std::smatch m;
        EXPECT_FALSE(std::regex_search(code, m, mpi))
            << fs::relative(entry.path(), root).string() << ":" << number << " uses " << m[0]
            << " outside comm/ and io/";
      }
    }
  }
  EXPECT_GT(files, 100u);
}

// report/ and slurm/ reach no LibTorch header through any chain of quoted includes, so
// `relabel report`, `status` and `slurm` need no torch: their modules link core, io (and report)
// only, and their sources compile without the torch precompiled header.
TEST(ModuleLayering, ReportAndSlurmReachNoTorch) {
  const fs::path root = RELABEL_SOURCE_DIR;
  const std::regex quoted(R"re(^\s*#\s*include\s*"([^"]+)")re");
  const std::regex torch(R"(^\s*#\s*include\s*<(torch|ATen|c10)/)");
  std::map<std::string, std::string> memo;  // file -> the chain that reaches torch, or ""
  std::function<std::string(const std::string&, int)> reaches = [&](const std::string& rel,
                                                                    int depth) -> std::string {
    if (auto it = memo.find(rel); it != memo.end()) return it->second;
    memo[rel] = "";  // cycles and repeats end here
    std::ifstream in(root / rel);
    std::string line, found;
    while (found.empty() && std::getline(in, line)) {
      std::smatch m;
      if (std::regex_search(line, torch)) {
        found = rel;
      } else if (std::regex_search(line, m, quoted) && fs::exists(root / m[1].str()) &&
                 depth < 32) {
        const std::string chain = reaches(m[1], depth + 1);
        if (!chain.empty()) found = rel + " -> " + chain;
      }
    }
    return memo[rel] = found;
  };
  size_t files = 0;
  for (const std::string module : {"report", "slurm"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / module)) {
      const auto ext = entry.path().extension();
      if (ext != ".h" && ext != ".cpp") continue;
      ++files;
      const std::string rel = fs::relative(entry.path(), root).string();
      EXPECT_EQ(reaches(rel, 0), "") << rel << " reaches LibTorch";
    }
  }
  EXPECT_GT(files, 20u);
}
