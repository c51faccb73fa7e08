// bench_hdf5: D4RL-layout HDF5 read throughput against the page-cache copy floor.
//
// Writes a hopper-like file (obs 11, actions 3) gzip-compressed and uncompressed, warms the
// page cache, then reports medians over repeats of: `cat FILE > /dev/null` (the floor: copying
// the file's bytes out of the page cache), the serial read_d4rl, and read_d4rl_shard under
// `mpirun -np 1` and `-np 2` (aggregate: dataset bytes / time of the slowest rank), with the
// collective transfer relabel uses and, for comparison, independent per-rank reads. GB/s are
// decoded dataset bytes per second (file bytes for cat); "x cat" is the time ratio against cat
// of the same file; "cpu s" the process CPU time (slowest rank), which load on a shared machine
// inflates less than wall time.
//
//   bench_hdf5 [--rows N] [--repeats R] [--dir DIR] [--mpirun PATH]
#include <mpi.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "io/d4rl_file.h"

namespace {

using relabel::io::Dataset;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// CPU seconds of this process (all threads): a load-independent companion to wall time on a
// shared machine.
double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string run(const std::string& cmd) {
  std::string out;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  if (pclose(pipe) != 0) {
    std::fprintf(stderr, "bench_hdf5: command failed: %s\n%s", cmd.c_str(), out.c_str());
    std::exit(1);
  }
  return out;
}

int64_t dataset_bytes(const Dataset& ds) {
  int64_t b = 0;
  for (const auto* t : {&ds.observations, &ds.actions, &ds.rewards, &ds.next_observations,
                        &ds.terminals, &ds.timeouts})
    b += static_cast<int64_t>(t->nbytes());
  return b;
}

Dataset hopper_like(int64_t n) {
  torch::manual_seed(0);
  Dataset ds;
  // Smooth trajectories (random walk) compress like real states do, unlike white noise.
  ds.observations = torch::randn({n, 11}).mul_(0.05f).cumsum(0).remainder_(10.0f);
  ds.next_observations = torch::roll(ds.observations, -1, 0);
  ds.actions = torch::rand({n, 3}).mul_(2.0f).sub_(1.0f);
  ds.rewards = torch::randn({n}).add_(3.0f);
  ds.terminals = torch::rand({n}) < 0.001f;
  ds.timeouts = (torch::arange(n) % 1000) == 999;
  ds.info.env = "hopper";
  ds.info.generator = "bench";
  ds.total_rows = n;
  return ds;
}

// Child mode (under mpirun): every rank reads its shard `repeats` times; prints the median of
// the slowest rank's times and the total dataset bytes.
int shard_child(const std::string& path, int repeats, bool collective) {
  MPI_Init(nullptr, nullptr);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  torch::set_num_threads(1);
  std::vector<double> times, cpu;
  int64_t bytes = 0;
  for (int i = 0; i < repeats + 1; ++i) {  // the first read only warms up
    MPI_Barrier(MPI_COMM_WORLD);
    auto t0 = Clock::now();
    double c0 = cpu_seconds();
    relabel::io::D4rlReadOptions options;
    options.collective = collective;
    Dataset ds = relabel::io::read_d4rl_shard(path, MPI_COMM_WORLD, options);
    double local[2] = {seconds_since(t0), cpu_seconds() - c0}, slowest[2] = {0, 0};
    MPI_Reduce(local, slowest, 2, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    int64_t mine = dataset_bytes(ds);
    MPI_Reduce(&mine, &bytes, 1, MPI_INT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    if (i > 0) {
      times.push_back(slowest[0]);
      cpu.push_back(slowest[1]);
    }
  }
  if (rank == 0)
    std::printf("%.9f %.9f %lld\n", median(times), median(cpu), static_cast<long long>(bytes));
  MPI_Finalize();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = 2'000'000;
  int repeats = 5;
  std::string dir = std::filesystem::temp_directory_path().string();
  std::string mpirun = "mpirun";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_hdf5: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--shard-child") {
      std::string path = next();
      int r = std::stoi(next());
      return shard_child(path, r, next() == "collective");
    } else if (a == "--rows") {
      rows = std::stoll(next());
    } else if (a == "--repeats") {
      repeats = std::stoi(next());
    } else if (a == "--dir") {
      dir = next();
    } else if (a == "--mpirun") {
      mpirun = next();
    } else {
      std::fprintf(stderr, "usage: bench_hdf5 [--rows N] [--repeats R] [--dir DIR] [--mpirun P]\n");
      return 2;
    }
  }
  torch::set_num_threads(1);
  std::string self = std::filesystem::canonical("/proc/self/exe").string();
  Dataset ds = hopper_like(rows);
  const double gb = 1e-9;
  const double data_bytes = static_cast<double>(dataset_bytes(ds));
  std::printf("bench_hdf5: %lld rows (obs 11, act 3), %.1f MB in memory, median of %d repeats\n\n",
              static_cast<long long>(rows), data_bytes * 1e-6, repeats);
  std::printf("%-6s %-20s %8s %8s %8s %7s %8s\n", "file", "reader", "MB file", "time s", "GB/s",
              "x cat", "cpu s");

  for (int level : {4, 0}) {
    std::string name = level ? "gzip4" : "raw";
    std::string path = dir + "/relabel-bench-" + std::to_string(::getpid()) + "-" + name + ".hdf5";
    relabel::io::D4rlWriteOptions opts;
    opts.gzip_level = level;
    auto tw = Clock::now();
    double cw = cpu_seconds();
    relabel::io::write_d4rl(path, ds, opts);
    double write_s = seconds_since(tw), write_cpu = cpu_seconds() - cw;
    double file_bytes = static_cast<double>(std::filesystem::file_size(path));

    std::string cat = "cat '" + path + "' > /dev/null";
    run(cat);  // warm the page cache
    std::vector<double> cat_t, serial_t, serial_cpu;
    for (int i = 0; i < repeats; ++i) {
      auto t0 = Clock::now();
      run(cat);
      cat_t.push_back(seconds_since(t0));
    }
    relabel::io::read_d4rl(path);  // warm-up
    for (int i = 0; i < repeats; ++i) {
      auto t0 = Clock::now();
      double c0 = cpu_seconds();
      Dataset back = relabel::io::read_d4rl(path);
      serial_t.push_back(seconds_since(t0));
      serial_cpu.push_back(cpu_seconds() - c0);
    }
    double cat_s = median(cat_t), serial_s = median(serial_t);
    auto row = [&](const std::string& reader, double bytes, double s, double cpu) {
      std::printf("%-6s %-20s %8.1f %8.4f %8.2f %7.2f ", name.c_str(), reader.c_str(),
                  file_bytes * 1e-6, s, bytes * gb / s, s / cat_s);
      if (cpu >= 0)
        std::printf("%8.4f\n", cpu);
      else
        std::printf("%8s\n", "-");
    };
    row("cat > /dev/null", file_bytes, cat_s, -1);
    row("write_d4rl (once)", data_bytes, write_s, write_cpu);
    row("read_d4rl serial", data_bytes, serial_s, median(serial_cpu));
    for (auto [np, mode] :
         {std::pair<int, const char*>{1, "collective"}, {2, "collective"}, {2, "independent"}}) {
      std::ostringstream cmd;
      cmd << mpirun << " --allow-run-as-root --oversubscribe --mca btl_vader_single_copy_mechanism"
          << " none -np " << np << " '" << self << "' --shard-child '" << path << "' " << repeats
          << " " << mode;
      std::istringstream out(run(cmd.str()));
      double s = 0, cpu = 0;
      long long bytes = 0;
      out >> s >> cpu >> bytes;
      row(std::string(mode == std::string("collective") ? "shard coll" : "shard indep") +
              " np=" + std::to_string(np),
          static_cast<double>(bytes), s, cpu);
    }
    std::filesystem::remove(path);
  }
  return 0;
}
