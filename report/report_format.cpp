#include "report/report_format.h"

#include <fmt/format.h>

#include <cmath>

namespace relabel::report {

std::string format_score(double v) { return std::isnan(v) ? "–" : fmt::format("{:.1f}", v); }

std::string format_mean_std(double mean, double std) {
  if (std::isnan(mean)) return "–";
  if (std::isnan(std)) return format_score(mean);
  return fmt::format("{:.1f} ± {:.1f}", mean, std);
}

std::string format_with_ci(double point, Interval ci, int decimals) {
  if (std::isnan(point)) return "–";
  std::string p = fmt::format("{:.{}f}", point, decimals);
  if (std::isnan(ci.lo) || std::isnan(ci.hi)) return p;
  return fmt::format("{} [{:.{}f}, {:.{}f}]", p, ci.lo, decimals, ci.hi, decimals);
}

std::string format_number(double v) { return std::isnan(v) ? "" : fmt::format("{}", v); }

std::string escape_markdown(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string escape_latex(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    switch (c) {
      case '\\':
        out += "\\textbackslash{}";
        break;
      case '&':
      case '%':
      case '$':
      case '#':
      case '_':
      case '{':
      case '}':
        out += '\\';
        out += c;
        break;
      case '~':
        out += "\\textasciitilde{}";
        break;
      case '^':
        out += "\\textasciicircum{}";
        break;
      case '<':
        out += "\\textless{}";
        break;
      case '>':
        out += "\\textgreater{}";
        break;
      case '\n':
        out += ' ';
        break;
      default:
        // UTF-8 symbols the report itself emits.
        if (s.compare(i, 2, "±") == 0) {
          out += "$\\pm$";
          i += 1;
        } else if (s.compare(i, 3, "–") == 0) {
          out += "--";
          i += 2;
        } else if (s.compare(i, 3, "—") == 0) {
          out += "---";
          i += 2;
        } else if (s.compare(i, 3, "−") == 0) {  // U+2212 minus sign
          out += "$-$";
          i += 2;
        } else if (s.compare(i, 2, "×") == 0) {
          out += "$\\times$";
          i += 1;
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string escape_html(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string escape_csv(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string base64(const std::string& bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int k = 3; k >= 0; --k) out += kAlphabet[(v >> (6 * k)) & 63];
  }
  if (i < bytes.size()) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= uint8_t(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace relabel::report
