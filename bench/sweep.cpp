// bench_sweep: throughput of `relabel sweep` (runs per minute) on tiny pendulum runs with 1 and 2
// ranks (target: 2 ranks >= 1.8x one rank), and the scheduler's own overhead per run (setup,
// claims through the one-sided counter, sweep.json writes; target < 1% of a one-minute run,
// i.e. < 600 ms), read from the line `relabel sweep` prints at the end. Each configuration is
// run --repeats times into a fresh directory; medians are printed.
//
//   build/bench/bench_sweep [--runs 8] [--steps 400] [--repeats 3] [--data DIR]
//
// DIR holds a pendulum suite (default $RELABEL_DATA/pendulum, else build/testdata/pendulum, made
// by `relabel datagen --task pendulum --out DIR` or by the test fixture).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Options {
  int runs = 8, steps = 400, repeats = 3;
  std::string data;
};

struct Sample {
  double wall_s = 0, overhead_ms = 0, run_s = 0;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string self_dir() {
  std::array<char, 4096> buf{};
  const ssize_t n = readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) throw std::runtime_error("cannot resolve /proc/self/exe");
  return fs::path(std::string(buf.data(), n)).parent_path();
}

std::string run_capture(const std::string& cmd, int* status) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) throw std::runtime_error("popen failed: " + cmd);
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  *status = pclose(p);
  return out;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  if (!f) throw std::runtime_error("cannot write " + path.string());
}

// A tiny IQL run on the suite's medium-expert file: the per-run fixed costs (load, normalise,
// evaluate, write the record) are a large share, which is what stresses the scheduler.
void write_spec(const fs::path& dir, const Options& o) {
  write_text(dir / "base.toml", fmt::format(R"(name = "bench-sweep"
seed = 0
[task]
name = "pendulum"
[dataset]
path = "{}/medium-expert.hdf5"
[reward]
method = "ground_truth"
[policy]
algo = "iql"
[train]
steps = {}
eval_every = {}
eval_episodes = 2
checkpoint_every = 0
)",
                                            o.data, o.steps, o.steps));
  std::string seeds;
  for (int i = 0; i < o.runs; ++i) seeds += (i ? ", " : "") + std::to_string(i);
  write_text(dir / "spec.toml",
             fmt::format("name = \"bench-sweep\"\nbase = \"base.toml\"\nseeds = [{}]\n", seeds));
}

Sample run_sweep(const std::string& relabel, const fs::path& work, int ranks, int repeat) {
  const fs::path out = work / fmt::format("np{}-r{}", ranks, repeat);
  fs::remove_all(out);
  const std::string cmd =
      fmt::format("mpirun --allow-run-as-root --oversubscribe -np {} {} sweep {} --out {}", ranks,
                  relabel, (work / "spec.toml").string(), out.string());
  const auto t0 = std::chrono::steady_clock::now();
  int status = 0;
  const std::string log = run_capture(cmd, &status);
  Sample s;
  s.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (status != 0) throw std::runtime_error("sweep failed (" + cmd + "):\n" + log);
  static const std::regex line(
      R"(rank 0 ran (\d+) runs in ([0-9.]+) s; scheduler overhead ([0-9.]+) ms per run)");
  std::smatch m;
  if (!std::regex_search(log, m, line))
    throw std::runtime_error("no scheduler timing line in the sweep's output:\n" + log);
  s.run_s = std::stod(m[2]) / std::stod(m[1]);
  s.overhead_ms = std::stod(m[3]);
  return s;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--runs")
      o.runs = std::stoi(value());
    else if (a == "--steps")
      o.steps = std::stoi(value());
    else if (a == "--repeats")
      o.repeats = std::stoi(value());
    else if (a == "--data")
      o.data = value();
    else
      throw std::runtime_error("unknown option " + a +
                               " (options: --runs N --steps N --repeats N --data DIR)");
  }
  if (o.data.empty()) {
    const char* env = std::getenv("RELABEL_DATA");
    o.data = env ? std::string(env) + "/pendulum" : self_dir() + "/../testdata/pendulum";
  }
  o.data = fs::absolute(o.data).lexically_normal();
  if (!fs::exists(fs::path(o.data) / "medium-expert.hdf5"))
    throw std::runtime_error(o.data +
                             "/medium-expert.hdf5 not found: make the suite with `relabel datagen "
                             "--task pendulum --out DIR` and pass --data DIR");
  return o;
}

}  // namespace

int main(int argc, char** argv) try {
  const Options o = parse(argc, argv);
  const std::string relabel = fs::path(self_dir()) / ".." / "relabel";
  const fs::path work = fs::temp_directory_path() / fmt::format("relabel-bench-sweep-{}", getpid());
  fs::create_directories(work);
  write_spec(work, o);
  std::printf("bench_sweep: %d pendulum IQL runs of %d updates per sweep, %d repeats, data %s\n",
              o.runs, o.steps, o.repeats, o.data.c_str());

  std::vector<std::vector<Sample>> by_ranks(3);
  for (int r = 0; r < o.repeats; ++r)
    for (int ranks : {1, 2}) by_ranks[ranks].push_back(run_sweep(relabel, work, ranks, r));
  fs::remove_all(work);

  std::printf("\n%-7s %12s %12s %14s %16s %12s\n", "ranks", "wall s", "runs/min", "s per run",
              "sched ms/run", "% of run");
  double rate[3] = {0, 0, 0};
  for (int ranks : {1, 2}) {
    std::vector<double> wall, over, run;
    for (const auto& s : by_ranks[ranks]) {
      wall.push_back(s.wall_s);
      over.push_back(s.overhead_ms);
      run.push_back(s.run_s);
    }
    const double w = median(wall), ov = median(over), rs = median(run);
    rate[ranks] = 60.0 * o.runs / w;
    std::printf("%-7d %12.2f %12.1f %14.2f %16.1f %11.3f%%\n", ranks, w, rate[ranks], rs, ov,
                100.0 * ov / (1e3 * rs));
  }
  const double over2 = median([&] {
    std::vector<double> v;
    for (const auto& s : by_ranks[2]) v.push_back(s.overhead_ms);
    return v;
  }());
  std::printf("\nspeed-up 2 ranks / 1 rank: %.2fx (target >= 1.8x)\n", rate[2] / rate[1]);
  std::printf("scheduler overhead: %.1f ms per run = %.3f%% of a one-minute run (target < 1%%)\n",
              over2, 100.0 * over2 / 60e3);
  std::printf("(wall includes mpirun start-up; runs/min counts whole sweeps.)\n");
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_sweep: error: %s\n", e.what());
  return 1;
}
