// bench_report: time of `relabel report` on large synthetic sweeps (target: 10,000 result
// records aggregated and reported without plots in under 10 s), and the cost of the gnuplot
// plots on a smaller sweep. Prints medians of repeats and ratios against a baseline measured in
// the same run (reading the result files' bytes: the I/O floor).
#include <fmt/format.h>
#include <sys/resource.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "report/aggregate.h"
#include "report/report_plots.h"
#include "report/report_writer.h"

namespace fs = std::filesystem;
using namespace relabel::report;

namespace {

struct Shape {
  int methods, configs_per_method, tasks, seeds, curve_points;
  int records() const { return methods * configs_per_method * tasks * seeds; }
};

// methods × (ζ × α grid) × tasks × seeds result records, scores depending on all of them.
void write_sweep(const std::string& dir, const Shape& s) {
  const char* methods[] = {"reload+iql", "imputation+iql", "cdred+iql", "ground_truth+iql"};
  int id = 0;
  for (int m = 0; m < s.methods; ++m)
    for (int c = 0; c < s.configs_per_method; ++c)
      for (int t = 0; t < s.tasks; ++t)
        for (int seed = 0; seed < s.seeds; ++seed) {
          double zeta = 0.1 * std::pow(10.0, c % 5 / 2.0), alpha = 0.1 + 0.2 * (c / 5);
          double score = 30 + 10 * m + 5 * std::log10(zeta) + 20 * alpha + 3 * t +
                         ((id * 2654435761u) % 1000) / 100.0;
          nlohmann::json curve = nlohmann::json::array();
          for (int i = 0; i < s.curve_points; ++i) {
            double f = double(i + 1) / s.curve_points;
            curve.push_back({{"step", 5000 * (i + 1)}, {"return", 3000 * f}, {"score", score * f}});
          }
          std::string name = fmt::format("r{:06d}", id++);
          nlohmann::json j = {
              {"id", name},
              {"status", "done"},
              {"task", fmt::format("task{}", t)},
              {"dataset", fmt::format("task{}-medium", t)},
              {"method", methods[m % 4]},
              {"params", {{"reward.zeta", zeta}, {"reward.alpha", alpha}, {"seed", seed}}},
              {"seed", seed},
              {"final_score", score},
              {"best_score", score + 1},
              {"final_return", 3000.0},
              {"curve", curve},
              {"reward_diagnostics", {{"reward_mean", 0.5}}},
              {"timing", {{"total_s", 100.0}}},
              {"ranks", 1},
              {"config_hash", name},
              {"relabel_version", "0.1.0"},
              {"started_at", "2024-01-01T00:00:00Z"},
              {"finished_at", "2024-01-01T01:00:00Z"}};
          fs::create_directories(dir + "/runs/" + name);
          std::ofstream(dir + "/runs/" + name + "/result.json") << j.dump();
        }
}

double seconds(const std::function<void()>& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// CPU seconds of this process and its finished children (gnuplot): on a shared machine the wall
// time also counts the waits for a core.
double cpu_seconds() {
  rusage self{}, children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  auto s = [](const timeval& t) { return t.tv_sec + t.tv_usec * 1e-6; };
  return s(self.ru_utime) + s(self.ru_stime) + s(children.ru_utime) + s(children.ru_stime);
}

struct Timing {
  double wall = 0, cpu = 0;
};

Timing median_of(int repeats, const std::function<void()>& f) {
  std::vector<double> wall, cpu;
  for (int i = 0; i < repeats; ++i) {
    double c0 = cpu_seconds();
    wall.push_back(seconds(f));
    cpu.push_back(cpu_seconds() - c0);
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  return {wall[wall.size() / 2], cpu[cpu.size() / 2]};
}

std::string make_temp() {
  std::string tmpl = (fs::temp_directory_path() / "bench-report-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 3;
  const int reps = 2000;
  std::string root = make_temp();
  Shape big{4, 25, 10, 10, 20}, small{2, 5, 5, 10, 20};
  std::string big_dir = root + "/big", small_dir = root + "/small";
  double gen = seconds([&] { write_sweep(big_dir, big); });
  write_sweep(small_dir, small);

  ReportOptions no_plots;
  no_plots.aggregate.bootstrap.reps = reps;
  no_plots.plots = false;
  no_plots.out_dir = root + "/out";

  // Baseline: the bytes of every result.json, read and discarded.
  Timing read_bytes = median_of(repeats, [&] {
    size_t total = 0;
    for (const auto& e : fs::directory_iterator(big_dir + "/runs")) {
      std::ifstream in(e.path() / "result.json", std::ios::binary);
      std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      total += s.size();
    }
    if (total == 0) std::abort();
  });
  RunSet set;
  Timing parse = median_of(repeats, [&] { set = read_run_directory(big_dir); });
  Aggregation agg;
  Timing aggregate_s = median_of(repeats, [&] { agg = aggregate(set, no_plots.aggregate); });
  Timing total = median_of(repeats, [&] { write_report(big_dir, no_plots); });

  fmt::print(
      "bench_report: {} result records ({} methods x {} configs x {} tasks x {} seeds, "
      "{}-point curves; {} groups), {} bootstrap reps, median of {} (generation {:.1f} s)\n",
      big.records(), big.methods, big.configs_per_method, big.tasks, big.seeds, big.curve_points,
      agg.groups.size(), reps, repeats, gen);
  auto header = [](const std::string& phase, const std::string& ratio) {
    fmt::print("{:<40} {:>10} {:>10} {:>12}\n", phase, "wall s", "cpu s", ratio);
  };
  auto row = [](const std::string& name, Timing t, Timing base) {
    fmt::print("{:<40} {:>10.3f} {:>10.3f} {:>12.1f}\n", name, t.wall, t.cpu, t.wall / base.wall);
  };
  header("phase (10,000 records, no plots)", "x baseline");
  row("read result.json bytes (baseline)", read_bytes, read_bytes);
  row("parse records (read_run_directory)", parse, read_bytes);
  row("aggregate (metrics, bootstrap CIs)", aggregate_s, read_bytes);
  row("full report, no plots", total, read_bytes);
  fmt::print("target: full report < 10 s wall -> {}\n\n", total.wall < 10 ? "met" : "NOT met");

  ReportOptions plots = no_plots;
  plots.plots = true;
  Timing small_tables = median_of(repeats, [&] { write_report(small_dir, no_plots); });
  header(fmt::format("phase ({} records, {} groups)", small.records(),
                     small.methods * small.configs_per_method),
         "x no plots");
  row("full report, no plots (baseline)", small_tables, small_tables);
  if (find_gnuplot()) {
    ReportResult r;
    Timing with = median_of(repeats, [&] { r = write_report(small_dir, plots); });
    row(fmt::format("full report, {} gnuplot plots", r.plots), with, small_tables);
  } else {
    fmt::print("gnuplot not on PATH: the plot timing is skipped\n");
  }
  std::error_code ec;
  fs::remove_all(root, ec);
  return 0;
}
