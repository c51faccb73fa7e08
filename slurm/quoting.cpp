#include "slurm/quoting.h"

#include "core/error.h"

namespace relabel::slurm {

std::string shell_quote(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

void require_single_line(const std::string& value, const std::string& what) {
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7f)
      throw Error(what + ": control characters (newline, tab, ...) are not allowed in '" + value +
                  "'");
}

std::string sbatch_quote(const std::string& value, const std::string& what) {
  require_single_line(value, what);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace relabel::slurm
