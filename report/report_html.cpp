#include "report/report_html.h"

#include <fmt/format.h>

#include "report/report_format.h"
#include "report/report_text.h"
#include "report/seed_warning.h"

namespace relabel::report {

namespace {

const char* kStyle = R"(
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 24px; } h2 { font-size: 19px; margin-top: 28px; } h3 { font-size: 16px; }
p.note { color: #555; font-size: 13px; max-width: 1100px; }
p.warning { background: #fff4e5; border-left: 4px solid #e8590c; padding: 6px 10px; max-width: 1100px; }
.table-scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid #ddd; }
thead th { border-bottom: 2px solid #444; border-top: 2px solid #444; }
tbody tr:last-child td { border-bottom: 2px solid #444; }
td.num, th.num { text-align: right; white-space: nowrap; } td.txt, th.txt { text-align: left; }
.plots { display: flex; flex-wrap: wrap; gap: 12px; }
figure { margin: 0; width: 570px; } figure img { width: 100%; height: auto; border: 1px solid #eee; }
figure.wide { width: 1150px; max-width: 100%; }
figcaption { font-size: 12px; color: #555; }
)";

void table(std::string& out, const std::vector<std::string>& header,
           const std::vector<std::vector<std::string>>& rows, int label_columns) {
  auto cls = [&](size_t i) { return static_cast<int>(i) < label_columns ? "txt" : "num"; };
  // Wide tables (many tasks or hyperparameters) scroll inside the page instead of overflowing it.
  out += "<div class=\"table-scroll\"><table>\n<thead><tr>";
  for (size_t i = 0; i < header.size(); ++i)
    out += fmt::format("<th class=\"{}\">{}</th>", cls(i), escape_html(header[i]));
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& r : rows) {
    out += "<tr>";
    for (size_t i = 0; i < r.size(); ++i)
      out += fmt::format("<td class=\"{}\">{}</td>", cls(i), escape_html(r[i]));
    out += "</tr>\n";
  }
  out += "</tbody></table></div>\n";
}

}  // namespace

std::string render_html(const Aggregation& a, const std::vector<ReportTable>& tables,
                        const std::vector<Plot>& plots, const std::string& plots_note) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>relabel report</title>\n<style>" +
      std::string(kStyle) + "</style>\n</head>\n<body>\n<h1>relabel report</h1>\n";
  out += fmt::format("<p>Source: <code>{}</code> — {}. {} tasks, {} groups{}. relabel {}.</p>\n",
                     escape_html(a.dir), escape_html(run_counts(a)), a.tasks.size(),
                     a.groups.size(), escape_html(swept_and_fixed(a)), RELABEL_VERSION);
  if (std::string w = few_seeds_warning(a); !w.empty())
    out += "<p class=\"warning\"><strong>Warning:</strong> " + escape_html(w) + ".</p>\n";
  for (const auto& t : tables) {
    out += "<h2 id=\"" + t.id + "\">" + escape_html(t.title) + "</h2>\n<p class=\"note\">" +
           escape_html(t.note) + "</p>\n";
    table(out, t.header, t.rows, t.label_columns);
  }
  out += "<h2 id=\"plots\">Plots</h2>\n";
  if (plots.empty()) out += "<p class=\"note\">" + escape_html(plots_note) + "</p>\n";
  std::string section;
  for (size_t i = 0; i < plots.size(); ++i) {
    const Plot& p = plots[i];
    if (p.section != section) {
      if (!section.empty()) out += "</div>\n";
      section = p.section;
      out += "<h3>" + escape_html(section) + "</h3>\n<div class=\"plots\">\n";
    }
    out += std::string(p.wide ? "<figure class=\"wide\">" : "<figure>") + "<img alt=\"" +
           escape_html(p.title) + "\" src=\"data:image/svg+xml;base64," + base64(p.svg) +
           "\"><figcaption>" + escape_html(p.caption);
    if (!p.file.empty())
      out += " <a href=\"" + escape_html(p.file) + "\">" + escape_html(p.file) + "</a>";
    out += "</figcaption></figure>\n";
  }
  if (!section.empty()) out += "</div>\n";

  out += "<h2 id=\"missing\">Missing runs</h2>\n";
  if (a.failed.empty() && a.pending.empty() && a.refused.empty() && a.malformed.empty())
    out += "<p>Nothing is missing: every run finished.</p>\n";
  for (const auto& g : missing_runs(a)) {
    out += fmt::format("<h3>{} runs ({})</h3>\n", g.kind, g.rows.size());
    table(out, {"id", "task", "method", "params", g.reason}, g.rows, 5);
  }
  if (!a.malformed.empty()) {
    out += fmt::format("<h3>Malformed files ({})</h3>\n<ul>\n", a.malformed.size());
    for (const auto& m : a.malformed)
      out += "<li><code>" + escape_html(m.path) + "</code>: " + escape_html(m.message) + "</li>\n";
    out += "</ul>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace relabel::report
