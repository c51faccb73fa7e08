#include "algos/metrics.h"

#include <torch/torch.h>

#include <stdexcept>
#include <vector>

namespace relabel::algos {

void Metrics::set(const std::string& name, double value) {
  device_.erase(name);
  host_[name] = value;
}

void Metrics::set(const std::string& name, const torch::Tensor& value) {
  TORCH_CHECK(value.numel() == 1, "Metrics::set: '", name, "' is not a scalar");
  host_.erase(name);
  device_[name] = value.detach().reshape({});
}

bool Metrics::contains(const std::string& name) const {
  return host_.count(name) > 0 || device_.count(name) > 0;
}

double Metrics::at(const std::string& name) const {
  if (auto it = host_.find(name); it != host_.end()) return it->second;
  if (auto it = device_.find(name); it != device_.end()) return it->second.item<double>();
  throw std::out_of_range("Metrics: no value named '" + name + "'");
}

std::map<std::string, double> Metrics::values() const {
  std::map<std::string, double> out = host_;
  if (device_.empty()) return out;
  std::vector<torch::Tensor> parts;
  for (const auto& [name, t] : device_) parts.push_back(t.to(torch::kFloat64));
  const auto host = torch::stack(parts).to(torch::kCPU);  // the one synchronising copy
  const double* p = host.data_ptr<double>();
  size_t i = 0;
  for (const auto& [name, t] : device_) out[name] = p[i++];
  return out;
}

}  // namespace relabel::algos
