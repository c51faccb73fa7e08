#pragma once
// A name -> entry table that entries join from their own translation unit at static
// initialisation (the way OpenSpiel registers games): a reward method, learner or task adds one
// RELABEL_REGISTER_* line in the file that defines it and no other code changes. Libraries
// holding registrations are linked whole (cmake/RelabelTargets.cmake), so no entry is dropped.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace relabel {

template <class Entry>
class Registry {
 public:
  static Registry& instance() {
    static Registry registry;  // constructed on first use: safe from any static initialiser
    return registry;
  }
  // Returns true so registration can initialise a static. A second entry of a name is kept
  // aside in duplicates() for the startup check (config/registration_check.h) to refuse:
  // throwing during static initialisation would abort before main() could say why.
  bool add(Entry entry) {
    std::string name = entry.name;
    if (entries_.count(name))
      duplicates_.push_back(std::move(entry));
    else
      entries_.emplace(name, std::move(entry));
    return true;
  }
  const Entry* find(const std::string& name) const {
    auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
  }
  // In name order: what iterates the registry (schema, docs, dispatch) sees the same order on
  // every machine whatever the link order was.
  std::vector<const Entry*> entries() const {
    std::vector<const Entry*> out;
    for (const auto& [name, entry] : entries_) out.push_back(&entry);
    return out;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, entry] : entries_) out.push_back(name);
    return out;
  }
  // The entries registered under a name already taken (the first one registered stays in
  // entries(): which one that is depends on the link order).
  const std::vector<Entry>& duplicates() const { return duplicates_; }

 private:
  std::map<std::string, Entry> entries_;
  std::vector<Entry> duplicates_;
};

// "a, b or c"
inline std::string join_or(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i)
    out += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i];
  return out;
}

}  // namespace relabel

#define RELABEL_REGISTRY_CAT2(a, b) a##b
#define RELABEL_REGISTRY_CAT(a, b) RELABEL_REGISTRY_CAT2(a, b)
