#include "core/text_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace relabel {

std::optional<std::string> read_text_file_if_present(const std::string& path) {
  // Opening a FIFO waits for a writer (forever), a directory reads as an I/O error: neither is
  // one of the engine's files, whatever its name.
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::is_directory(status)) throw Error(path + ": is a directory");
  if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
    throw Error(path + ": not a regular file");
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
