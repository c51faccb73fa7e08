#include "tests/run/run_helpers.h"

#include <filesystem>

#include <gtest/gtest.h>

#include <cstdlib>

#include "io/run_record.h"

namespace relabel::test {

std::string pendulum_file(const std::string& kind) {
  const char* data = std::getenv("RELABEL_DATA");
  return std::string(data ? data : ".") + "/pendulum/" + kind + ".hdf5";
}

std::string pendulum_config(const std::string& dir, const std::string& reward,
                            const std::string& algo, int steps, const std::string& extra) {
  return "seed = 0\n"
         "[task]\nname = \"pendulum\"\n"
         "[dataset]\nname = \"pendulum-medium-expert\"\n"
         "[reward]\nmethod = \"" +
         reward +
         "\"\n"
         "[policy]\nalgo = \"" +
         algo +
         "\"\n"
         "[train]\nsteps = " +
         std::to_string(steps) + "\neval_every = " + std::to_string(steps) +
         "\neval_episodes = 20\ncheckpoint_every = 0\nlog_every = 500\n"
         "[output]\ndir = \"" +
         dir + "\"\n" + extra;
}

nlohmann::json parse_result(const std::string& path) {
  auto j = nlohmann::json::parse(read_file(path));
  try {
    EXPECT_EQ(io::to_json(io::run_record_from_json(j, path)), j) << path;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "io::run_record_from_json refuses " << path << ": " << e.what();
  }
  return j;
}

nlohmann::json run_config(const TempDir& dir, const std::string& name, const std::string& cfg,
                          int ranks, const std::string& extra_args) {
  const std::string path = dir / (name + ".toml");
  write_file(path, cfg);
  auto r = ranks > 1 ? run_relabel_mpi(ranks, "run " + path + " " + extra_args)
                     : run_relabel("run " + path + " " + extra_args);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  auto start = cfg.find("dir = \"");
  std::string out = cfg.substr(start + 7, cfg.find('"', start + 7) - start - 7);
  try {
    return parse_result(out + "/result.json");
  } catch (const std::exception& e) {
    ADD_FAILURE() << "no result.json in " << out << ": " << e.what() << "\n" << r.output;
    return nlohmann::json::object();
  }
}

std::string sweep_base_config(int steps, int checkpoint_every, int eval_episodes,
                              const std::string& dataset_path) {
  const std::string dataset = dataset_path.empty() ? "name = \"pendulum-medium-expert\"\n"
                                                   : "path = \"" + dataset_path + "\"\n";
  return "seed = 0\n[task]\nname = \"pendulum\"\n[dataset]\n" + dataset +
         "[reward]\nmethod = \"ground_truth\"\n[policy]\nalgo = \"td3bc\"\n[train]\nsteps = " +
         std::to_string(steps) + "\neval_every = " + std::to_string(steps) +
         "\neval_episodes = " + std::to_string(eval_episodes) +
         "\ncheckpoint_every = " + std::to_string(checkpoint_every) + "\nlog_every = 100\n";
}

std::vector<nlohmann::json> sweep_results(const std::string& sweep_dir) {
  std::vector<nlohmann::json> out;
  for (const auto& e : std::filesystem::directory_iterator(sweep_dir + "/runs"))
    if (std::filesystem::exists(e.path() / "result.json"))
      out.push_back(parse_result((e.path() / "result.json").string()));
  return out;
}

}  // namespace relabel::test
