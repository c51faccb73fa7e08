// The report's plots as rliable draws them: one colour per method in every plot script, the
// aggregate-interval and probability-of-improvement plots, their SVG files linked from report.md
// and report.html.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "report/aggregate.h"
#include "report/report_plots.h"
#include "tests/report/synthetic_runs.h"
#include "tests/support/test_support.h"

using namespace relabel::report;
using relabel::test::read_file;
using relabel::test::run_relabel;
using relabel::test::TempDir;

namespace {

// The standard sweep plus a swept hyperparameter (cdred+iql at two alphas): 5 groups.
void write_sweep(const std::string& dir) {
  relabel::test::write_standard_sweep(dir);
  for (double alpha : {0.1, 3.0})
    for (int t = 0; t < 2; ++t)
      for (int s = 0; s < 3; ++s) {
        relabel::test::SyntheticRun r;
        r.id = "a" + std::to_string(alpha) + "t" + std::to_string(t) + "s" + std::to_string(s);
        r.task = relabel::test::kTasks[t];
        r.dataset = relabel::test::kDatasets[t];
        r.method = "cdred+iql";
        r.params = {{"reward.alpha", alpha}, {"seed", s}};
        r.final_score = 40 + 10 * alpha + 3 * s;
        relabel::test::write_run(dir, r);
      }
}

// The gnuplot script split at each `reset` (one plot each).
std::vector<std::string> plots_of(const std::string& script) {
  std::vector<std::string> out;
  size_t at = script.find("reset\n");
  while (at != std::string::npos) {
    size_t next = script.find("reset\n", at + 1);
    out.push_back(script.substr(at, next == std::string::npos ? next : next - at));
    at = next;
  }
  return out;
}

}  // namespace

TEST(ReportPlots, EachMethodHasOneColourInEveryPlot) {
  TempDir dir("report-colours"), data("report-colours-data");
  write_sweep(dir.path());
  AggregateOptions o;
  o.bootstrap.reps = 200;
  Aggregation a = aggregate(read_run_directory(dir.path()), o);
  ASSERT_EQ(a.groups.size(), 5u);
  std::string script = plot_script(a, data.path());
  auto plots = plots_of(script);
  // Aggregate metrics, improvement, profiles, 2 learning curves, IQM against alpha.
  ASSERT_EQ(plots.size(), 6u) << script;

  // Every titled series: "lc rgb '#rrggbb' ... title 'label'".
  const std::regex series(R"(lc rgb '(#[0-9a-f]{6})'[^\n]*? title '([^']*)')");
  std::map<std::string, std::set<std::string>> colours;  // label -> colours
  std::map<std::string, int> plots_with;                 // label -> plots drawing it
  for (const auto& p : plots) {
    std::set<std::string> here;
    for (std::sregex_iterator it(p.begin(), p.end(), series), end; it != end; ++it) {
      colours[(*it)[2]].insert((*it)[1]);
      here.insert((*it)[2]);
    }
    for (const auto& l : here) ++plots_with[l];
  }
  std::set<std::string> group_colours;
  for (const auto& g : a.groups) {
    ASSERT_EQ(colours[g.label].size(), 1u) << g.label << " is drawn in several colours";
    group_colours.insert(*colours[g.label].begin());
    // Aggregate metrics, profiles and both learning curves at least.
    EXPECT_GE(plots_with[g.label], 4) << g.label;
  }
  EXPECT_EQ(group_colours.size(), a.groups.size()) << "two groups share a colour";
  // The 4-panel aggregate plot draws each group once per metric, in its colour.
  EXPECT_NE(plots[0].find("set multiplot layout 1,4"), std::string::npos) << plots[0];
  for (const char* m : {"'IQM'", "'Mean'", "'Median'", "'Optimality gap'"})
    EXPECT_NE(plots[0].find("set title " + std::string(m)), std::string::npos) << m;
  EXPECT_NE(plots[1].find("set xlabel 'P(X > Y)'"), std::string::npos) << plots[1];
}

TEST(ReportPlots, PlotFilesAreWrittenAndLinkedFromTheReports) {
  TempDir dir("report-plot-files");
  write_sweep(dir.path());
  auto r = run_relabel("report " + dir.path() + " --bootstrap-reps 200");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string md = read_file(dir / "report.md"), html = read_file(dir / "report.html");
  for (const char* f :
       {"plots/aggregate-metrics.svg", "plots/probability-of-improvement.svg",
        "plots/performance-profiles.svg", "plots/learning-curves-hopper-medium.svg",
        "plots/learning-curves-walker2d-medium.svg", "plots/iqm-against-reward.alpha.svg"}) {
    ASSERT_TRUE(std::filesystem::exists(dir / f)) << f;
    EXPECT_NE(read_file(dir / f).find("<svg"), std::string::npos) << f;
    EXPECT_NE(md.find("](" + std::string(f) + ")"), std::string::npos) << f << "\n" << md;
    EXPECT_NE(html.find("href=\"" + std::string(f) + "\""), std::string::npos) << f;
  }
  EXPECT_NE(html.find("<h3>Aggregate metrics</h3>"), std::string::npos);
  EXPECT_NE(html.find("<h3>Probability of improvement</h3>"), std::string::npos);
  EXPECT_NE(html.find("<figure class=\"wide\">"), std::string::npos);
}
