#include "report/report_text.h"

#include <fmt/format.h>

#include <algorithm>

#include "report/report_format.h"
#include "report/seed_warning.h"

namespace relabel::report {

namespace {

void markdown_table(std::string& out, const std::vector<std::string>& header,
                    const std::vector<std::vector<std::string>>& rows, int label_columns) {
  auto line = [&](const std::vector<std::string>& cells) {
    out += "|";
    for (const auto& c : cells) out += " " + escape_markdown(c) + " |";
    out += "\n";
  };
  line(header);
  out += "|";
  for (size_t i = 0; i < header.size(); ++i)
    out += static_cast<int>(i) < label_columns ? ":---|" : "---:|";
  out += "\n";
  for (const auto& r : rows) line(r);
}

std::string task_text(const RunRecord& r) {
  if (r.task.empty()) return "?";
  return TaskKey{r.task, r.dataset}.label();
}

}  // namespace

std::string params_text(const RunRecord& r) {
  std::string s;
  for (const auto& [k, v] : r.params) s += (s.empty() ? "" : ", ") + k + "=" + v.text;
  return s.empty() ? "–" : s;
}

std::vector<MissingRuns> missing_runs(const Aggregation& a) {
  auto rows = [](const std::vector<RunRecord>& runs, auto reason) {
    std::vector<std::vector<std::string>> out;
    for (const auto& r : runs)
      out.push_back(
          {r.id, task_text(r), r.method.empty() ? "?" : r.method, params_text(r), reason(r)});
    return out;
  };
  std::vector<MissingRuns> groups{
      {"Failed", "error",
       rows(a.failed,
            [](const RunRecord& r) { return r.error.empty() ? "(no message)" : r.error; })},
      {"Refused", "reason", rows(a.refused, [](const RunRecord& r) { return r.error; })},
      {"Pending", "status",
       rows(a.pending,
            [](const RunRecord& r) { return r.status == "pending" ? r.error : r.status; })},
  };
  groups.erase(std::remove_if(groups.begin(), groups.end(),
                              [](const MissingRuns& g) { return g.rows.empty(); }),
               groups.end());
  return groups;
}

std::string render_markdown(const Aggregation& a, const std::vector<ReportTable>& tables,
                            const std::vector<Plot>& plots, const std::string& plots_note) {
  std::string out = "# relabel report\n\n";
  out +=
      fmt::format("Source: `{}` — {}. {} task{}, {} group{}", a.dir, run_counts(a), a.tasks.size(),
                  a.tasks.size() == 1 ? "" : "s", a.groups.size(), a.groups.size() == 1 ? "" : "s");
  out += swept_and_fixed(a);
  out += fmt::format(". relabel {}.\n", RELABEL_VERSION);
  if (std::string w = few_seeds_warning(a); !w.empty())
    out += "\n> **Warning:** " + escape_markdown(w) + ".\n";
  for (const auto& t : tables) {
    out += "\n## " + t.title + "\n\n" + t.note + "\n\n";
    markdown_table(out, t.header, t.rows, t.label_columns);
  }
  out += "\n## Plots\n\n";
  if (plots.empty()) out += (plots_note.empty() ? "No plots." : plots_note) + "\n";
  for (const auto& p : plots)
    out += "### " + p.title + "\n\n![" + p.title + "](" + p.file + ")\n\n" + p.caption + "\n\n";
  out += "\n## Missing runs\n\n";
  if (a.failed.empty() && a.pending.empty() && a.refused.empty() && a.malformed.empty()) {
    out += "Nothing is missing: every run finished.\n";
    return out;
  }
  for (const auto& g : missing_runs(a)) {
    out += fmt::format("### {} runs ({})\n\n", g.kind, g.rows.size());
    markdown_table(out, {"id", "task", "method", "params", g.reason}, g.rows, 5);
    out += "\n";
  }
  if (!a.malformed.empty()) {
    out += fmt::format("### Malformed files ({})\n\n", a.malformed.size());
    for (const auto& m : a.malformed)
      out += "- `" + m.path + "`: " + escape_markdown(m.message) + "\n";
  }
  return out;
}

std::string render_latex(const Aggregation& a, const std::vector<ReportTable>& tables) {
  std::string out = fmt::format(
      "% relabel report of {} ({}).\n"
      "% Needs \\usepackage{{booktabs}} and \\usepackage{{graphicx}} (wide tables are resized).\n",
      a.dir, run_counts(a));
  if (!a.fixed.empty() || !a.hyperparameters.empty())
    out += "% " + swept_and_fixed(a).substr(2) + ".\n";
  if (std::string w = few_seeds_warning(a); !w.empty()) out += "% Warning: " + w + ".\n";
  for (const auto& t : tables) {
    bool wide = t.header.size() > 6;
    out += "\n\\begin{table}[t]\n\\centering\n\\small\n";
    out += "\\caption{" + escape_latex(t.title + ". " + t.note) + "}\n";
    out += "\\label{tab:relabel-" + t.id + "}\n";
    if (wide) out += "\\resizebox{\\linewidth}{!}{%\n";
    out += "\\begin{tabular}{" + std::string(t.label_columns, 'l') +
           std::string(t.header.size() - t.label_columns, 'r') + "}\n\\toprule\n";
    auto line = [&](const std::vector<std::string>& cells) {
      for (size_t i = 0; i < cells.size(); ++i) out += (i ? " & " : "") + escape_latex(cells[i]);
      out += " \\\\\n";
    };
    line(t.header);
    out += "\\midrule\n";
    for (const auto& r : t.rows) line(r);
    out += "\\bottomrule\n\\end{tabular}";
    out += wide ? "}\n" : "\n";
    out += "\\end{table}\n";
  }
  // A table pasted into a paper must not hide that runs are missing from it: the runs of
  // report.md's "Missing runs", as a list under the tables.
  if (a.failed.empty() && a.pending.empty() && a.refused.empty() && a.malformed.empty()) return out;
  out += "\n\\noindent\\textbf{Missing runs.} " + escape_latex(run_counts(a)) +
         "; the tables above leave out:\n\\begin{itemize}\n";
  for (const auto& g : missing_runs(a))
    for (const auto& row : g.rows)  // id, task, method, params, reason
      out += "\\item " + g.kind + ": \\texttt{" + escape_latex(row[0]) + "} (" +
             escape_latex(row[1] + ", " + row[2] + ", " + row[3]) + "): " + escape_latex(row[4]) +
             "\n";
  for (const auto& m : a.malformed) {
    std::string why = m.message;  // most name their file first: once is enough
    if (why.rfind(m.path + ": ", 0) == 0) why.erase(0, m.path.size() + 2);
    out += "\\item Malformed file: \\texttt{" + escape_latex(m.path) + "}: " + escape_latex(why) +
           "\n";
  }
  out += "\\end{itemize}\n";
  return out;
}

}  // namespace relabel::report
