#include "core/text_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace relabel {

std::optional<std::string> read_text_file_if_present(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string read_text_file(const std::string& path) {
  errno = 0;
  if (auto text = read_text_file_if_present(path)) return *std::move(text);
  throw Error(errno ? path + ": cannot read: " + std::strerror(errno) : path + ": cannot read");
}

}  // namespace relabel
