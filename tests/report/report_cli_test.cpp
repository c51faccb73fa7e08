// `relabel report`: the files it writes and what they contain, partial sweeps, gnuplot missing.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <sstream>

#include "report/report_plots.h"
#include "tests/report/synthetic_runs.h"
#include "tests/support/test_support.h"

using relabel::test::count;
using relabel::test::read_file;
using relabel::test::run_command;
using relabel::test::run_relabel;
using relabel::test::TempDir;

namespace {

bool exists(const std::string& p) { return std::filesystem::exists(p); }

// report.tex compiles as it is: plain ASCII (the inputs are): the report's own symbols (±, −,
// –) are LaTeX commands, so the fragment compiles without a Unicode-aware engine; outside
// comments, every _ & % # is escaped and braces balance.
void expect_ascii_and_escaped(const std::string& tex) {
  for (unsigned char c : tex) EXPECT_LT(c, 128) << "non-ASCII byte in report.tex";
  int depth = 0;
  std::stringstream lines(tex);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("%", 0) == 0) continue;
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      bool escaped = i > 0 && line[i - 1] == '\\';
      if (c == '%' && i + 1 == line.size() && line[i - 1] == '{') continue;  // \resizebox{..}{%
      if (c == '_' || c == '&' || c == '%' || c == '#') {
        // & separates columns in tabular rows; the escaped ones are data.
        if (c == '&' && !escaped) {
          EXPECT_EQ(line.find("\\\\"), line.size() - 2) << "stray & in: " << line;
          continue;
        }
        EXPECT_TRUE(escaped) << "unescaped " << c << " in: " << line;
      }
      if (c == '{' && !escaped) ++depth;
      if (c == '}' && !escaped) --depth;
      EXPECT_GE(depth, 0) << line;
    }
  }
  EXPECT_EQ(depth, 0);
}

}  // namespace

TEST(ReportCli, WritesTablesWithExpectedNumbersAndMissingRuns) {
  TempDir dir("report-cli");
  relabel::test::write_standard_sweep(dir.path());
  auto r = run_relabel("report " + dir.path() + " --no-plots --bootstrap-reps 300 --seed 3");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* f : {"summary.csv", "aggregate.csv", "curves.csv", "profiles.csv",
                        "probability_of_improvement.csv", "report.md", "report.tex", "report.html"})
    EXPECT_TRUE(exists(dir / f)) << f;
  // The closing line says where the files are.
  EXPECT_NE(r.output.find("30 done, 1 failed, 1 pending"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(dir.path() + "/{summary.csv"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("plots/"), std::string::npos) << r.output;  // --no-plots: none written

  std::string csv = read_file(dir / "summary.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "task,dataset,method,n_done,n_failed,n_pending,n_refused,mean,std,mean_lo,mean_hi,"
            "median,iqm,iqm_lo,iqm_hi,optimality_gap,best_score_mean,final_return_mean");
  EXPECT_EQ(count(csv, "\n"), 7u);  // header + 3 methods × 2 tasks
  // reload+iql on hopper: 5 done, 1 failed, mean 60, std √10, best 61, return 1800.
  EXPECT_NE(csv.find("hopper,hopper-medium,reload+iql,5,1,0,0,60,3.1622776601683"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("walker2d,walker2d-medium,zero+iql,5,0,1,0,30,3.16227766"), std::string::npos)
      << csv;

  std::string md = read_file(dir / "report.md");
  EXPECT_NE(md.find("| method | hopper-medium | walker2d-medium |"), std::string::npos) << md;
  EXPECT_NE(md.find("| ground_truth+iql | 70.0 ± 3.2 | 80.0 ± 3.2 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| reload+iql | 60.0 ± 3.2 (n=5; 1 failed) | 75.0 ± 3.2 |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("30.0 ± 3.2 (n=5; 1 pending)"), std::string::npos) << md;
  // Aggregate: ground truth mean of task means 75, optimality gap 25, with CIs in brackets.
  EXPECT_TRUE(std::regex_search(
      md,
      std::regex(R"(\| ground_truth\+iql \| 2 \| 10 \| 75\.0 \[[0-9.]+, [0-9.]+\] \| 75\.0 \[)")))
      << md;
  EXPECT_NE(md.find("25.0 ["), std::string::npos);
  EXPECT_NE(md.find("## Probability of improvement"), std::string::npos);
  EXPECT_NE(md.find("| ground_truth+iql | – | "), std::string::npos) << md;
  EXPECT_NE(md.find("1.00 [1.00, 1.00]"), std::string::npos) << md;
  EXPECT_NE(md.find("### Failed runs (1)"), std::string::npos);
  EXPECT_NE(
      md.find("| m1t0s5 | hopper-medium | reload+iql | seed=5 | diverged: NaN in critic loss"),
      std::string::npos)
      << md;
  EXPECT_NE(md.find("### Pending runs (1)"), std::string::npos);
  EXPECT_NE(md.find("| m2t1s5 | walker2d-medium | zero+iql | – | no result.json yet |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("sample standard deviation (ddof = 1)"), std::string::npos);

  std::string html = read_file(dir / "report.html");
  EXPECT_NE(html.find("<td class=\"num\">70.0 ± 3.2</td>"), std::string::npos);
  EXPECT_NE(html.find("Plots were not drawn (--no-plots)."), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
}

TEST(ReportCli, LatexIsBooktabsAndEscaped) {
  TempDir dir("report-tex");
  relabel::test::SyntheticRun r;
  // Two values of a key with an underscore: a column whose header must be escaped.
  for (int k : {5, 10})
    for (int s = 0; s < 3; ++s) {
      r.id = "run" + std::to_string(k) + "-" + std::to_string(s);
      r.task = "maze_large";
      r.dataset = "maze_large-v1 & co";
      r.method = "reload+iql";
      r.params = {{"reward.num_targets", k}, {"seed", s}};
      r.final_score = 10.0 * s;
      write_run(dir.path(), r);
    }
  auto out = run_relabel("report " + dir.path() + " --no-plots --bootstrap-reps 100");
  ASSERT_EQ(out.exit_code, 0) << out.output;
  std::string tex = read_file(dir / "report.tex");
  EXPECT_EQ(count(tex, "\\begin{table}"), 3u) << tex;  // per task, aggregate, improvement
  EXPECT_EQ(count(tex, "\\begin{tabular}"), count(tex, "\\end{tabular}"));
  EXPECT_EQ(count(tex, "\\toprule"), 3u);
  EXPECT_EQ(count(tex, "\\midrule"), 3u);
  EXPECT_EQ(count(tex, "\\bottomrule"), 3u);
  EXPECT_NE(tex.find("maze\\_large-v1 \\& co"), std::string::npos) << tex;
  EXPECT_NE(tex.find("num\\_targets"), std::string::npos) << tex;
  EXPECT_NE(tex.find("10.0 $\\pm$ 10.0"), std::string::npos) << tex;
  EXPECT_NE(tex.find("\\begin{tabular}{llrrrr"), std::string::npos) << tex;
  expect_ascii_and_escaped(tex);
}

// report.md listed the failed, refused and pending runs and the malformed files, report.tex
// none of them: a table pasted into a paper did not say that runs were missing. Under its
// tables report.tex now lists them as report.md does, escaped; report.html lists them too.
TEST(ReportCli, LatexListsTheMissingRunsAsMarkdownDoes) {
  TempDir dir("report-tex-missing");
  relabel::test::write_standard_sweep(dir.path());  // m1t0s5 failed, m2t1s5 pending
  relabel::test::SyntheticRun failed;
  failed.id = "m0t1s9_x";
  failed.status = "failed";
  failed.error = "loss & 100% of #steps_{1} ~ NaN";
  failed.task = "walker2d";
  failed.dataset = "walker2d-medium";
  failed.method = "ground_truth+iql";
  failed.params = {{"seed", 9}};
  write_run(dir.path(), failed);
  relabel::test::SyntheticRun refused = relabel::test::pendulum_run("r1", 1, 10.0);
  refused.task = "hopper";
  refused.dataset = "hopper-medium";
  write_run(dir.path(), refused);
  relabel::test::write_file(dir / "runs/r1.refused", "another config\n");
  std::filesystem::create_directories(dir / "runs/bad");
  relabel::test::write_file(dir / "runs/bad/result.json", "{");
  auto r = run_relabel("report " + dir.path() + " --no-plots --bootstrap-reps 100");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string tex = read_file(dir / "report.tex");
  const size_t missing = tex.find(
      "\\noindent\\textbf{Missing runs.} 30 done, 2 failed, 1 pending, 1 refused (1 "
      "malformed file); the tables above leave out:\n\\begin{itemize}\n");
  ASSERT_NE(missing, std::string::npos) << tex;
  EXPECT_GT(missing, tex.rfind("\\end{table}")) << tex;  // under the tables
  for (const std::string item :
       {"\\item Failed: \\texttt{m0t1s9\\_x} (walker2d-medium, ground\\_truth+iql, seed=9): loss "
        "\\& 100\\% of \\#steps\\_\\{1\\} \\textasciitilde{} NaN\n",
        "\\item Failed: \\texttt{m1t0s5} (hopper-medium, reload+iql, seed=5): diverged: NaN in "
        "critic loss at step 1200\n",
        "\\item Refused: \\texttt{r1} (hopper-medium, ground\\_truth+iql, seed=1): refused by the "
        "sweep: another config\n",
        "\\item Pending: \\texttt{m2t1s5} (walker2d-medium, zero+iql, --): no result.json yet\n",
        "\\item Malformed file: \\texttt{"})
    EXPECT_NE(tex.find(item, missing), std::string::npos) << item << "\n" << tex;
  EXPECT_NE(tex.find("\\end{itemize}\n", missing), std::string::npos) << tex;
  expect_ascii_and_escaped(tex);

  const std::string html = read_file(dir / "report.html");
  for (const std::string cell : {"<td class=\"txt\">m0t1s9_x</td>", "<td class=\"txt\">m1t0s5</td>",
                                 "<td class=\"txt\">r1</td>", "<td class=\"txt\">m2t1s5</td>",
                                 "/runs/bad/result.json</code>"})
    EXPECT_NE(html.find(cell), std::string::npos) << cell;

  // Nothing missing: nothing listed.
  TempDir complete("report-tex-complete");
  write_run(complete.path(), relabel::test::pendulum_run("a", 0, 10.0));
  r = run_relabel("report " + complete.path() + " --no-plots --bootstrap-reps 100");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_file(complete / "report.tex").find("Missing runs"), std::string::npos);
}

TEST(ReportCli, WithoutGnuplotTablesAreWrittenWithOneWarning) {
  TempDir dir("report-nognuplot");
  relabel::test::write_standard_sweep(dir.path());
  auto r = run_command("PATH=/nonexistent " + std::string(RELABEL_BINARY) + " report " +
                       dir.path() + " --bootstrap-reps 100");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(count(r.output, "warning"), 1u) << r.output;
  EXPECT_EQ(count(r.output, "gnuplot not found"), 1u) << r.output;
  EXPECT_NE(r.output.find("warning: gnuplot not found on PATH"), std::string::npos) << r.output;
  for (const char* f : {"summary.csv", "report.md", "report.tex", "report.html"})
    EXPECT_TRUE(exists(dir / f)) << f;
  std::string html = read_file(dir / "report.html");
  EXPECT_NE(html.find("gnuplot was not found on PATH"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("80.0 ± 3.2"), std::string::npos);
}

TEST(ReportCli, HtmlEmbedsGnuplotSvgsAndNothingExternal) {
  TempDir dir("report-plots"), out("report-out");
  relabel::test::write_standard_sweep(dir.path());
  auto r = run_relabel("report " + dir.path() + " --out " + out.path() + "/r --bootstrap-reps 200");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("warning"), std::string::npos) << r.output;
  EXPECT_FALSE(exists(dir / "report.html")) << "--out must redirect every file";
  std::string html = read_file(out.path() + "/r/report.html");
  // Aggregate metrics, probability of improvement, 1 performance profile, 2 learning-curve
  // panels (one per task); no swept hyperparameter.
  EXPECT_EQ(count(html, "<img alt="), 5u);
  EXPECT_EQ(count(html, "src=\"data:image/svg+xml;base64,"), 5u);
  EXPECT_NE(html.find("<h3>Learning curves</h3>"), std::string::npos);
  EXPECT_NE(html.find("<h3>Performance profiles</h3>"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_EQ(html.find("src=\"file:"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(ReportCli, SameSeedSameReportDifferentSeedDifferentIntervals) {
  TempDir dir("report-seed");
  relabel::test::write_standard_sweep(dir.path());
  auto run = [&](const std::string& seed, const std::string& out) {
    auto r = run_relabel("report " + dir.path() + " --no-plots --bootstrap-reps 200 --seed " +
                         seed + " --out " + dir.path() + "/" + out);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return read_file(dir.path() + "/" + out + "/aggregate.csv");
  };
  std::string a = run("11", "a"), b = run("11", "b"), c = run("12", "c");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(ReportCli, BadInputIsAOneLineError) {
  auto r = run_relabel("report /nonexistent/sweep");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output, "relabel: error: report: /nonexistent/sweep: no such directory\n");
  TempDir dir("report-badargs");
  relabel::test::write_standard_sweep(dir.path());
  r = run_relabel("report " + dir.path() + " --bootstrap-reps 0");
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

TEST(ReportCli, MalformedResultIsWarnedAndListed) {
  TempDir dir("report-malformed");
  relabel::test::write_standard_sweep(dir.path());
  std::filesystem::create_directories(dir / "runs/bad");
  relabel::test::write_file(dir / "runs/bad/result.json", "not json");
  auto r = run_relabel("report " + dir.path() + " --no-plots --bootstrap-reps 100");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(count(r.output, "warning: malformed, skipped: " + dir.path() +
                                "/runs/bad/result.json: invalid JSON"),
            1u)
      << r.output;
  std::string md = read_file(dir / "report.md");
  EXPECT_NE(md.find("### Malformed files (1)"), std::string::npos);
  EXPECT_NE(md.find("(1 malformed file)"), std::string::npos);
}

// A result.json that is no readable file (a symbolic link loop) is warned about and listed as a
// malformed file, as one that does not parse (it was an uncaught filesystem error, exit 1).
TEST(ReportCli, ResultJsonThatIsNotAReadableFileIsWarnedAndListed) {
  TempDir dir("report-symlink-loop");
  relabel::test::write_standard_sweep(dir.path());
  std::filesystem::create_directories(dir / "runs/loop");
  std::filesystem::create_symlink("result.json", dir / "runs/loop/result.json");
  auto r = run_relabel("report " + dir.path() + " --no-plots --bootstrap-reps 100");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(count(r.output, "warning: malformed, skipped: " + dir.path() +
                                "/runs/loop/result.json: cannot read: Too many levels of "
                                "symbolic links\n"),
            1u)
      << r.output;
  EXPECT_NE(r.output.find("30 done, 1 failed, 1 pending"), std::string::npos) << r.output;
  std::string md = read_file(dir / "report.md");
  EXPECT_NE(md.find("### Malformed files (1)"), std::string::npos) << md;
  EXPECT_EQ(read_file(dir / "runs.csv").find("loop"), std::string::npos);
}

// A run the sweep refused (its directory holds another config's or data's result) is neither
// aggregated nor counted pending: it is counted apart, with the reason under "Missing runs".
TEST(ReportCli, RefusedRunsAreCountedApartWithTheReason) {
  TempDir dir("report-refused");
  for (int s = 0; s < 4; ++s)
    relabel::test::write_run(dir.path(),
                             relabel::test::pendulum_run("r" + std::to_string(s), s, 10.0 * s));
  relabel::test::write_file(dir / "runs/r3.refused", "the dataset is now other content\n");
  auto r = run_relabel("report " + dir.path() + " --no-plots --bootstrap-reps 100");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("3 done, 0 failed, 0 pending, 1 refused"), std::string::npos) << r.output;
  const std::string md = read_file(dir / "report.md");
  EXPECT_NE(md.find("10.0 ± 10.0 (n=3; 1 refused)"), std::string::npos) << md;
  EXPECT_NE(md.find("### Refused runs (1)"), std::string::npos) << md;
  EXPECT_NE(md.find("refused by the sweep: the dataset is now other content"), std::string::npos)
      << md;
  EXPECT_EQ(md.find("### Pending runs"), std::string::npos) << md;
  const std::string csv = read_file(dir / "summary.csv");
  EXPECT_NE(csv.find("pendulum,p,ground_truth+iql,3,0,0,1,10,10,"), std::string::npos) << csv;
  EXPECT_NE(read_file(dir / "report.html").find("<h3>Refused runs (1)</h3>"), std::string::npos);
}

// A sweep.json the JSON parser refuses is named in the warning too (the parser's message does
// not name the file).
TEST(ReportCli, MalformedSweepJsonIsWarnedWithItsPath) {
  TempDir dir("report-malformed-sweep");
  relabel::test::write_standard_sweep(dir.path());
  relabel::test::write_file(dir / "sweep.json", "{\"runs\": [");
  auto r = run_relabel("report " + dir.path() + " --no-plots --bootstrap-reps 100");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(count(r.output, "warning: malformed, skipped: " + (dir / "sweep.json") + ": "), 1u)
      << r.output;
}

// A swept key that every run sets to one value (a sweep spec pinning train.steps in its grid)
// splits nothing: it is stated once in the header of report.md, report.html and report.tex, and
// is not a column; a key with two values still is.
TEST(ReportCli, SweptKeyWithOneValueIsStatedOnceNotAColumn) {
  TempDir dir("report-fixed-key");
  int n = 0;
  for (double zeta : {0.5, 1.0})
    for (int s = 0; s < 3; ++s) {
      relabel::test::SyntheticRun r;
      r.id = "r" + std::to_string(n++);
      r.task = "hopper";
      r.dataset = "hopper-medium";
      r.method = "cdred+iql";
      r.params = {{"reward.zeta", zeta}, {"train.steps", 100000}, {"seed", s}};
      r.seed = s;
      r.final_score = 40 + 10 * zeta + s;
      relabel::test::write_run(dir.path(), r);
    }
  auto r = run_relabel("report " + dir.path() + " --no-plots --bootstrap-reps 100");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string md = read_file(dir / "report.md"), html = read_file(dir / "report.html"),
                    tex = read_file(dir / "report.tex");
  EXPECT_NE(md.find("; swept: reward.zeta; fixed: train.steps = 100000."), std::string::npos) << md;
  EXPECT_NE(html.find("; swept: reward.zeta; fixed: train.steps = 100000."), std::string::npos);
  EXPECT_NE(tex.find("% swept: reward.zeta; fixed: train.steps = 100000."), std::string::npos);
  EXPECT_NE(md.find("| method | zeta | hopper-medium |"), std::string::npos) << md;
  EXPECT_EQ(md.find("| steps |"), std::string::npos) << md;
  EXPECT_NE(md.find("| cdred+iql | 0.5 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| cdred+iql | 1.0 |"), std::string::npos) << md;
}

// --traces: a training metric of the done runs' metrics.jsonl, per group, mean over the seeds
// at each step (traces.csv, one plot per task and metric); evaluation records, other metrics, a
// partial last line (a run killed mid-write) and runs that are not done do not count; a metric
// no run logged is one warning.
TEST(ReportCli, TracesAreMeansOverSeedsOfTheTrainingRecords) {
  TempDir dir("report-traces");
  for (const std::string method : {"cdred+world_model", "ground_truth+world_model"})
    for (int s = 0; s < 4; ++s) {
      relabel::test::SyntheticRun r;
      r.id = method.substr(0, 5) + std::to_string(s);
      r.task = "pendulum";
      r.dataset = "pendulum-expert";
      r.method = method;
      r.params = {{"seed", s}};
      r.seed = s;
      r.status = s == 3 ? "running" : "done";
      r.final_score = 50 + s;
      relabel::test::write_run(dir.path(), r);
      std::string lines;
      for (int step : {100, 200}) {
        nlohmann::json train = {{"type", "train"}, {"step", step}, {"value_loss", 1.0}};
        if (method[0] == 'c') train["cdred_b_phi_expert"] = s + step / 100.0;
        lines += train.dump() + "\n";
        lines +=
            nlohmann::json({{"type", "eval"}, {"step", step}, {"cdred_b_phi_expert", 99}}).dump() +
            "\n";
      }
      if (s == 1) lines += "{\"type\": \"train\", \"step\": 300, \"cdred_b";  // killed mid-write
      relabel::test::write_file(dir / ("runs/" + r.id + "/metrics.jsonl"), lines);
    }
  auto r = run_relabel("report " + dir.path() +
                       " --bootstrap-reps 100 --traces cdred_b_phi_expert,cdred_b_psi_expert");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(count(r.output, "--traces cdred_b_psi_expert: no done run logged it"), 1u) << r.output;
  EXPECT_EQ(r.output.find("--traces cdred_b_phi_expert:"), std::string::npos) << r.output;
  const std::string csv = read_file(dir / "traces.csv");
  EXPECT_EQ(csv.find("task,dataset,method,metric,step,mean,lo,hi,n\n"), 0u) << csv;
  // Seeds 0, 1, 2 (3 is still running): 1, 2, 3 at step 100 and 2, 3, 4 at step 200.
  EXPECT_NE(csv.find("pendulum,pendulum-expert,cdred+world_model,cdred_b_phi_expert,100,2,"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("pendulum,pendulum-expert,cdred+world_model,cdred_b_phi_expert,200,3,"),
            std::string::npos)
      << csv;
  EXPECT_EQ(count(csv, "\n"), 3u) << csv;  // header and the two steps; nothing else
  EXPECT_EQ(csv.find("ground_truth"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",3\n"), std::string::npos) << csv;  // n = 3 seeds
  if (relabel::report::find_gnuplot()) {
    EXPECT_TRUE(exists(dir / "plots/trace-cdred-b-phi-expert-pendulum-expert.svg"));
    EXPECT_NE(read_file(dir / "report.md").find("### cdred_b_phi_expert on pendulum-expert"),
              std::string::npos);
    EXPECT_NE(read_file(dir / "report.html").find("<h3>Training traces</h3>"), std::string::npos);
  }
  // Without --traces: no traces.csv.
  TempDir plain("report-no-traces");
  std::filesystem::copy(dir / "runs", plain / "runs", std::filesystem::copy_options::recursive);
  r = run_relabel("report " + plain.path() + " --no-plots --bootstrap-reps 100");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(exists(plain / "traces.csv"));
}

// --traces step drew the x axis against itself, and --traces steps_per_s (a field of progress
// records) was "logged by no run": each is refused, saying what it is and which training metrics
// the done runs logged; nothing is written. A metric no run logged lists them in its warning.
TEST(ReportCli, TracesOfFieldsThatAreNoTrainingMetricAreRefused) {
  TempDir dir("report-trace-fields");
  for (int s = 0; s < 2; ++s) {
    auto r = relabel::test::pendulum_run("r" + std::to_string(s), s, 50);
    relabel::test::write_run(dir.path(), r);
    std::string lines;
    for (int step : {100, 200}) {
      lines += nlohmann::json({{"type", "train"}, {"step", step}, {"q_loss", 1.0}, {"v_loss", 2.0}})
                   .dump() +
               "\n";
      lines += nlohmann::json({{"type", "progress"},
                               {"step", step},
                               {"total", 200},
                               {"steps_per_s", 50.0},
                               {"time", step / 50.0}})
                   .dump() +
               "\n";
    }
    relabel::test::write_file(dir / ("runs/" + r.id + "/metrics.jsonl"), lines);
  }
  const std::string listed = "the done runs' training metrics: q_loss, v_loss";
  const std::pair<std::string, std::string> cases[] = {
      {"step", "the x axis of every trace (the training step)"},
      {"steps_per_s", "a field of the progress and reward_fit records (training speed)"},
  };
  for (const auto& [name, what] : cases) {
    auto r = run_relabel("report " + dir.path() + " --no-plots --traces q_loss," + name);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_EQ(r.output, "relabel: error: --traces " + name + ": " + what +
                            ", not a training metric; " + listed +
                            " (docs/formats.md, metrics.jsonl)\n");
  }
  EXPECT_FALSE(exists(dir / "summary.csv"));
  EXPECT_FALSE(exists(dir / "runs.csv"));
  auto r = run_relabel("report " + dir.path() + " --no-plots --traces q_los");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(
      count(r.output, "--traces q_los: no done run logged it in its metrics.jsonl; " + listed), 1u)
      << r.output;
}

TEST(ReportCli, GroupsWithFewerThanThreeSeedsAreWarnedAndShowNoInterval) {
  TempDir dir("report-few-seeds");
  // bc: 1 seed per task, iql: 2 seeds on one task, td3_bc: 3 seeds (enough).
  const std::pair<const char*, int> methods[] = {{"bc", 1}, {"iql", 2}, {"td3_bc", 3}};
  for (auto [method, seeds] : methods)
    for (int s = 0; s < seeds; ++s) {
      relabel::test::SyntheticRun r;
      r.id = std::string(method) + std::to_string(s);
      r.task = "hopper";
      r.dataset = "hopper-medium";
      r.method = method;
      r.params = {{"seed", s}};
      r.final_score = 50 + 10 * seeds + s;
      relabel::test::write_run(dir.path(), r);
    }
  auto r = run_relabel("report " + dir.path() + " --no-plots --bootstrap-reps 100");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The text output, report.md and report.html name the groups with too few seeds.
  const std::string warning = "fewer than 3 seeds in 2 groups: bc (n = 1), iql (n = 2)";
  EXPECT_EQ(count(r.output, warning), 1u) << r.output;
  EXPECT_NE(r.output.find("warning"), std::string::npos) << r.output;
  std::string md = read_file(dir / "report.md"), html = read_file(dir / "report.html");
  EXPECT_NE(md.find("> **Warning:** " + warning), std::string::npos) << md;
  EXPECT_NE(html.find("<p class=\"warning\"><strong>Warning:</strong> " + warning),
            std::string::npos)
      << html;
  EXPECT_NE(read_file(dir / "report.tex").find("% Warning: " + warning), std::string::npos);
  // Their intervals are n/a, not a degenerate [x, x]; td3_bc keeps its interval.
  EXPECT_NE(md.find("| bc | 1 | 1 | 60.0 n/a (n = 1) |"), std::string::npos) << md;
  EXPECT_TRUE(std::regex_search(md, std::regex(R"(\| iql \| 1 \| 2 \| [0-9.]+ n/a \(n = 2\) \|)")))
      << md;
  EXPECT_TRUE(std::regex_search(md, std::regex(R"(\| td3_bc \| 1 \| 3 \| [0-9.]+ \[[0-9.]+, )")))
      << md;
  EXPECT_NE(md.find("1.00 n/a (n = 1)"), std::string::npos) << md;
  EXPECT_EQ(md.find("1.00 [1.00, 1.00]"), std::string::npos) << md;
  // The CSV files agree: no bounds for bc and iql, bounds for td3_bc.
  for (const char* file : {"summary.csv", "aggregate.csv"}) {
    const auto rows = relabel::test::split_lines(read_file(dir / file));
    std::vector<std::string> header;
    for (const auto& row : rows) {
      std::vector<std::string> cells;
      std::stringstream in(row);
      for (std::string c; std::getline(in, c, ',');) cells.push_back(c);
      if (row.find("_lo") != std::string::npos) {
        header = cells;
        continue;
      }
      const auto method = std::find(header.begin(), header.end(), "method") - header.begin();
      if (row.empty() || cells.size() <= static_cast<size_t>(method)) continue;
      const bool enough = cells[method] == "td3_bc";
      for (const char* column : {"mean_lo", "mean_hi", "iqm_lo", "iqm_hi"}) {
        const size_t i = std::find(header.begin(), header.end(), column) - header.begin();
        ASSERT_LT(i, header.size()) << file << " " << column;
        EXPECT_EQ(i < cells.size() && !cells[i].empty(), enough) << file << ": " << row;
      }
    }
  }

  // Enough seeds everywhere: no warning.
  TempDir full("report-enough-seeds");
  relabel::test::write_standard_sweep(full.path());
  r = run_relabel("report " + full.path() + " --no-plots --bootstrap-reps 100");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("fewer than 3 seeds"), std::string::npos) << r.output;
  EXPECT_EQ(read_file(full / "report.md").find("Warning"), std::string::npos);
}

TEST(ReportCli, HtmlTablesScrollInsteadOfOverflowing) {
  TempDir dir("report-scroll");
  relabel::test::write_standard_sweep(dir.path());
  auto r = run_relabel("report " + dir.path() + " --no-plots --bootstrap-reps 100");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string html = read_file(dir / "report.html");
  EXPECT_NE(html.find(".table-scroll { overflow-x: auto;"), std::string::npos);
  const size_t tables = count(html, "<table>");
  EXPECT_GE(tables, 3u);  // per task, aggregate, improvement, missing runs
  EXPECT_EQ(count(html, "<div class=\"table-scroll\"><table>"), tables);
  EXPECT_EQ(count(html, "</table></div>"), tables);
}
