#include "report/report_writer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "core/error.h"
#include "report/report_csv.h"
#include "report/report_html.h"
#include "report/report_plots.h"
#include "report/report_records.h"
#include "report/report_tables.h"
#include "report/report_text.h"

namespace relabel::report {

namespace fs = std::filesystem;

namespace {

void write_text(const std::string& path, const std::string& text,
                std::vector<std::string>& written) {
  // Write then rename: a reader (a browser reloading) never sees half a report.
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    out.flush();
    if (!out) throw RunError("report: cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw RunError("report: cannot write " + path + ": " + ec.message());
  written.push_back(path);
}

void warn(ReportResult& r, const std::string& message) {
  spdlog::warn("{}", message);
  r.warnings.push_back(message);
}

}  // namespace

ReportResult write_report(const std::string& dir, const ReportOptions& options) {
  ReportResult result;
  RunSet runs = read_run_directory(dir);
  const size_t kMaxWarnings = 20;
  for (size_t i = 0; i < runs.malformed.size() && i < kMaxWarnings; ++i) {
    // The file first, once: a JSON parser's message does not name it, ours do.
    const auto& [path, message] = runs.malformed[i];
    warn(result,
         "malformed, skipped: " + (message.rfind(path, 0) == 0 ? message : path + ": " + message));
  }
  if (runs.malformed.size() > kMaxWarnings)
    warn(result, std::to_string(runs.malformed.size() - kMaxWarnings) +
                     " more malformed files (listed in report.md)");

  if (!runs.unlisted.empty()) warn(result, unlisted_warning(dir, runs.unlisted));

  // Training traces of the done runs (the only ones aggregated), before anything is written: a
  // name that is no training metric is refused.
  if (!options.aggregate.traces.empty()) {
    std::set<std::string> logged;
    for (const auto& r : runs.runs) {
      auto d = runs.run_dirs.find(r.id);
      if (!r.done() || d == runs.run_dirs.end()) continue;
      runs.traces[r.id] = read_trace(d->second, options.aggregate.traces, &logged);
    }
    const std::string metrics = logged.empty() ? "no done run has logged training metrics yet"
                                               : "the done runs' training metrics: " +
                                                     fmt::format("{}", fmt::join(logged, ", "));
    for (const auto& name : options.aggregate.traces) {
      if (logged.count(name)) continue;
      if (std::string what = non_metric_field(name); !what.empty())
        throw Error("--traces " + name + ": " + what + ", not a training metric; " + metrics +
                    " (docs/formats.md, metrics.jsonl)");
      warn(result, "--traces " + name + ": no done run logged it in its metrics.jsonl; " + metrics);
    }
  }

  result.out_dir = options.out_dir.empty() ? dir : options.out_dir;
  std::error_code ec;
  fs::create_directories(result.out_dir, ec);
  if (!fs::is_directory(result.out_dir))
    throw Error("report: --out " + result.out_dir + ": cannot create directory");
  const std::string runs_csv = write_runs_csv(runs.runs, result.out_dir);

  result.aggregation = aggregate(std::move(runs), options.aggregate);
  const Aggregation& a = result.aggregation;
  result.files = write_csv_files(a, result.out_dir);
  result.files.push_back(runs_csv);
  auto tables = report_tables(a);
  std::vector<Plot> plots;
  std::string plots_note;
  if (!options.plots) {
    plots_note = "Plots were not drawn (--no-plots).";
  } else if (a.n_done == 0) {
    plots_note = "No run has finished yet: nothing to plot.";
  } else if (auto gnuplot = find_gnuplot()) {
    PlotSet set = draw_plots(a, *gnuplot);
    plots = std::move(set.plots);
    if (!set.warning.empty()) {
      warn(result, set.warning);
      plots_note = set.warning;
    }
  } else {
    plots_note = "gnuplot was not found on PATH: no plots (install gnuplot-nox).";
    warn(result,
         "gnuplot not found on PATH: report.html is written without plots "
         "(install gnuplot-nox)");
  }
  result.plots = static_cast<int>(plots.size());
  // The plots as SVG files too, for report.md and papers (report.html embeds them).
  if (!plots.empty()) fs::create_directories(result.out_dir + "/plots", ec);
  for (const auto& p : plots) write_text(result.out_dir + "/" + p.file, p.svg, result.files);
  write_text(result.out_dir + "/report.md", render_markdown(a, tables, plots, plots_note),
             result.files);
  write_text(result.out_dir + "/report.tex", render_latex(a, tables), result.files);
  write_text(result.out_dir + "/report.html", render_html(a, tables, plots, plots_note),
             result.files);
  return result;
}

}  // namespace relabel::report
