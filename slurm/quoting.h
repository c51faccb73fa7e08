#pragma once
// Quoting for generated sbatch scripts: values from the command line or the spec must reach
// SLURM and the shell literally (a job name or path with spaces, quotes or $(...)).
#include <string>

namespace relabel::slurm {

// 'single-quoted' for bash: nothing inside is expanded; ' becomes '\''.
std::string shell_quote(const std::string& value);

// "double-quoted" for an #SBATCH directive (sbatch's own parser, not the shell: it groups on
// double quotes and honours \" and \\). Throws relabel::Error naming `what` for control
// characters (a newline would start a new script line).
std::string sbatch_quote(const std::string& value, const std::string& what);

// Throws relabel::Error naming `what` when `value` holds a control character.
void require_single_line(const std::string& value, const std::string& what);

}  // namespace relabel::slurm
