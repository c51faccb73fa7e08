#include "io/dataset_identity.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include "core/error.h"

namespace relabel::io {

using nlohmann::json;

std::string DatasetIdentity::describe() const {
  if (rows == 0 && checksum.empty()) return path + " (missing)";
  return fmt::format("{} ({} rows, checksum {})", path, rows, checksum.empty() ? "?" : checksum);
}

std::string checksum_text(uint64_t sum) { return fmt::format("fnv1a64-sum:{:016x}", sum); }

void stat_dataset_file(DatasetIdentity& identity) {
  struct stat st {};
  if (::stat(identity.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  identity.file_bytes = static_cast<int64_t>(st.st_size);
  identity.file_mtime_ns =
      static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

bool file_unchanged(const DatasetIdentity& recorded) {
  if (recorded.file_bytes == 0 && recorded.file_mtime_ns == 0) return false;
  DatasetIdentity now;
  now.path = recorded.path;
  stat_dataset_file(now);
  return now.file_bytes == recorded.file_bytes && now.file_mtime_ns == recorded.file_mtime_ns;
}

json to_json(const DatasetIdentity& d) {
  json j = {{"path", d.path}, {"rows", d.rows}, {"checksum", d.checksum}};
  if (d.file_bytes) j["file_bytes"] = d.file_bytes;
  if (d.file_mtime_ns) j["file_mtime_ns"] = d.file_mtime_ns;
  return j;
}

DatasetIdentity dataset_identity_from_json(const json& j, const std::string& path) {
  const std::string at = path + ": key 'dataset_identity";
  if (!j.is_object()) throw Error(at + "' must be an object {path, rows, checksum}");
  auto text = [&](const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) throw Error(at + "." + key + "' must be a string");
    return it->get<std::string>();
  };
  auto integer = [&](const char* key, bool required) -> int64_t {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
      if (required) throw Error(at + "." + key + "' is missing");
      return 0;
    }
    if (!it->is_number_integer()) throw Error(at + "." + key + "' must be an integer");
    return it->get<int64_t>();
  };
  DatasetIdentity d;
  d.path = text("path");
  d.rows = integer("rows", true);
  d.checksum = text("checksum");
  d.file_bytes = integer("file_bytes", false);
  d.file_mtime_ns = integer("file_mtime_ns", false);
  return d;
}

}  // namespace relabel::io
