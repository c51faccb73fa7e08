#pragma once
// Whole-file text reads, for the small files the engine keeps beside its runs (result.json,
// config.toml, sweep specs, markers).
#include <optional>
#include <string>

namespace relabel {

// The bytes of `path`; a relabel::Error "<path>: cannot read: <reason>" when it cannot be opened.
std::string read_text_file(const std::string& path);

// The bytes of `path`, or nullopt when it cannot be opened (an optional file that is absent).
// A directory or a non-regular file (a FIFO would block) is a relabel::Error naming it.
std::optional<std::string> read_text_file_if_present(const std::string& path);

}  // namespace relabel
