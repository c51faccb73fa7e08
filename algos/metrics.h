#pragma once
// One update's losses by name. A CPU learner records host numbers; a device learner records 0-d
// tensors on its device, so that an update never waits for the GPU: values() brings them to the
// host in one copy, and the run loop asks for them only when it writes a metrics line (issue 15:
// no per-step host synchronisation in the device training loop).
#include <torch/types.h>

#include <initializer_list>
#include <map>
#include <string>
#include <utility>

namespace relabel::algos {

class Metrics {
 public:
  Metrics() = default;
  Metrics(std::initializer_list<std::pair<const std::string, double>> values) : host_(values) {}
  explicit Metrics(std::map<std::string, double> values) : host_(std::move(values)) {}

  void set(const std::string& name, double value);
  // A 0-d tensor on any device, kept detached and read lazily.
  void set(const std::string& name, const torch::Tensor& value);

  bool empty() const { return host_.empty() && device_.empty(); }
  size_t size() const { return host_.size() + device_.size(); }
  bool contains(const std::string& name) const;
  // True when `name` is still a tensor (not yet read on the host).
  bool deferred(const std::string& name) const { return device_.count(name) > 0; }
  // The value of `name` on the host (std::out_of_range when absent); a tensor entry waits for
  // its device.
  double at(const std::string& name) const;
  // Every entry as host numbers, ordered by name; the tensor entries arrive in one copy.
  std::map<std::string, double> values() const;

 private:
  std::map<std::string, double> host_;
  std::map<std::string, torch::Tensor> device_;
};

}  // namespace relabel::algos
