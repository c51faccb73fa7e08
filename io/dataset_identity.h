#pragma once
// What a run trained on (docs/formats.md, "result.json", "dataset_identity"): the dataset's
// path, its row count and a content checksum computed while its columns are read, so a run is
// pinned to its data: resuming or skipping a run against other data is refused.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace relabel::io {

struct DatasetIdentity {
  std::string path;      // the file or directory read, as the run resolved it
  int64_t rows = 0;      // transitions (after any row drop of the reader)
  std::string checksum;  // "fnv1a64-sum:<16 hex digits>" of the columns read
  // The file's size and modification time when it was read (0 when unknown, e.g. a Minari
  // directory): when both still match, a done run can be checked without rereading the file.
  int64_t file_bytes = 0;
  int64_t file_mtime_ns = 0;

  // Same content: rows and checksum (the path may change when data move).
  bool same_content(const DatasetIdentity& o) const {
    return rows == o.rows && checksum == o.checksum;
  }
  // "PATH (N rows, checksum C)", for messages.
  std::string describe() const;
};

// "fnv1a64-sum:<16 hex digits>" (the sum io/dataset_checksum.h computes).
std::string checksum_text(uint64_t sum);

// Fills file_bytes and file_mtime_ns from `identity.path` when it is a regular file.
void stat_dataset_file(DatasetIdentity& identity);
// True when `recorded` has file facts and the file at its path still has them.
bool file_unchanged(const DatasetIdentity& recorded);

nlohmann::json to_json(const DatasetIdentity& identity);
// Strict: throws relabel::Error naming `path` and the key.
DatasetIdentity dataset_identity_from_json(const nlohmann::json& j, const std::string& path);

}  // namespace relabel::io
