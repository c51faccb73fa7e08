#include "core/error.h"

namespace relabel {

std::string error_message(const std::exception& e) {
  std::string text = e.what();
  if (dynamic_cast<const Error*>(&e)) return text;
  const size_t end = text.find('\n');
  if (end != std::string::npos) text.resize(end);
  return text;
}

}  // namespace relabel
