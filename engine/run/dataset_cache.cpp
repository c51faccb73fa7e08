#include "engine/run/dataset_cache.h"

#include <cstdlib>

#include "engine/core/error.h"

namespace relabel::engine {

NamedDataset parse_dataset_name(const std::string& name) {
  // Longest kinds first: "medium-expert" must not parse as kind "expert".
  static const char* kinds[] = {"medium-expert", "medium-replay", "random", "medium", "expert"};
  for (const char* kind : kinds) {
    const std::string suffix = std::string("-") + kind;
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      return {name.substr(0, name.size() - suffix.size()), kind};
  }
  throw Error("dataset.name '" + name +
              "' is not '<task>-<kind>' with kind random|medium|medium-replay|expert|"
              "medium-expert");
}

std::string data_cache_dir() {
  if (const char* dir = std::getenv("RELABEL_DATA"); dir && *dir) return dir;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.cache/relabel/datasets";
}

std::string dataset_cache_file(const NamedDataset& named) {
  return data_cache_dir() + "/" + named.task + "/" + named.kind + ".hdf5";
}

}  // namespace relabel::engine
