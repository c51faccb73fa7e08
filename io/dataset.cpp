#include "io/dataset.h"

#include <torch/torch.h>

#include "core/error.h"

namespace relabel::io {
namespace {

torch::Tensor rows(const torch::Tensor& t, int64_t begin, int64_t end) {
  return t.defined() ? t.slice(0, begin, end) : t;
}

torch::Tensor pick(const torch::Tensor& t, const torch::Tensor& index) {
  return t.defined() ? t.index_select(0, index) : t;
}

std::string shape_of(const torch::Tensor& t) {
  std::string s = "(";
  for (int64_t d = 0; d < t.dim(); ++d) s += (d ? "," : "") + std::to_string(t.size(d));
  return s + ")";
}

void check_column(const std::string& what, const char* name, const torch::Tensor& t, int64_t n,
                  int rank, torch::ScalarType dtype) {
  if (!t.defined()) throw Error(what + ": column '" + name + "' is missing");
  if (t.dim() != rank || t.size(0) != n)
    throw Error(what + ": column '" + name + "' has shape " + shape_of(t) + ", expected " +
                std::to_string(n) + " rows and rank " + std::to_string(rank));
  if (t.scalar_type() != dtype)
    throw Error(what + ": column '" + name + "' has dtype " +
                std::string(c10::toString(t.scalar_type())) + ", expected " + c10::toString(dtype));
}

}  // namespace

Dataset Dataset::slice(int64_t begin, int64_t end) const {
  if (begin < 0 || end < begin || end > size())
    throw Error("dataset slice [" + std::to_string(begin) + ", " + std::to_string(end) +
                ") is outside the " + std::to_string(size()) + " rows");
  Dataset out;
  out.observations = rows(observations, begin, end);
  out.actions = rows(actions, begin, end);
  out.rewards = rows(rewards, begin, end);
  out.next_observations = rows(next_observations, begin, end);
  out.terminals = rows(terminals, begin, end);
  out.timeouts = rows(timeouts, begin, end);
  out.info = info;
  out.row_offset = row_offset + begin;
  out.total_rows = total_rows;
  return out;
}

Dataset Dataset::select(const torch::Tensor& index) const {
  torch::Tensor idx = index.to(torch::kLong).reshape({-1});
  if (idx.numel() > 0) {
    int64_t lo = idx.min().item<int64_t>(), hi = idx.max().item<int64_t>();
    if (lo < 0 || hi >= size())
      throw Error("dataset select: index " + std::to_string(lo < 0 ? lo : hi) + " is outside the " +
                  std::to_string(size()) + " rows");
  }
  Dataset out;
  out.observations = pick(observations, idx);
  out.actions = pick(actions, idx);
  out.rewards = pick(rewards, idx);
  out.next_observations = pick(next_observations, idx);
  out.terminals = pick(terminals, idx);
  out.timeouts = pick(timeouts, idx);
  out.info = info;
  out.row_offset = 0;
  out.total_rows = out.size();
  return out;
}

Dataset Dataset::concat(const Dataset& a, const Dataset& b) {
  if (a.size() == 0) return b;
  if (b.size() == 0) return a;
  if (a.obs_dim() != b.obs_dim() || a.act_dim() != b.act_dim())
    throw Error("dataset concat: dimensions differ (obs " + std::to_string(a.obs_dim()) + " vs " +
                std::to_string(b.obs_dim()) + ", actions " + std::to_string(a.act_dim()) + " vs " +
                std::to_string(b.act_dim()) + ")");
  if (a.has_rewards() != b.has_rewards())
    throw Error("dataset concat: one part has rewards and the other has none");
  auto cat = [](const torch::Tensor& x, const torch::Tensor& y) {
    return x.defined() ? torch::cat({x, y}, 0) : x;
  };
  Dataset out;
  out.observations = cat(a.observations, b.observations);
  out.actions = cat(a.actions, b.actions);
  out.rewards = cat(a.rewards, b.rewards);
  out.next_observations = cat(a.next_observations, b.next_observations);
  out.terminals = cat(a.terminals, b.terminals);
  out.timeouts = cat(a.timeouts, b.timeouts);
  out.info = a.info;
  bool adjacent = a.total_rows == b.total_rows && a.row_offset + a.size() == b.row_offset;
  out.row_offset = adjacent ? a.row_offset : 0;
  out.total_rows = adjacent ? a.total_rows : out.size();
  return out;
}

void Dataset::check(const std::string& what) const {
  int64_t n = size();
  check_column(what, "observations", observations, n, 2, torch::kFloat);
  check_column(what, "actions", actions, n, 2, torch::kFloat);
  if (has_rewards()) check_column(what, "rewards", rewards, n, 1, torch::kFloat);
  check_column(what, "next_observations", next_observations, n, 2, torch::kFloat);
  if (next_observations.size(1) != obs_dim())
    throw Error(what + ": column 'next_observations' has " +
                std::to_string(next_observations.size(1)) + " columns, 'observations' has " +
                std::to_string(obs_dim()));
  check_column(what, "terminals", terminals, n, 1, torch::kBool);
  check_column(what, "timeouts", timeouts, n, 1, torch::kBool);
  if (row_offset < 0 || row_offset + n > total_rows)
    throw Error(what + ": shard rows [" + std::to_string(row_offset) + ", " +
                std::to_string(row_offset + n) + ") exceed total_rows " +
                std::to_string(total_rows));
}

Dataset make_dataset(torch::Tensor observations, torch::Tensor actions, torch::Tensor rewards,
                     torch::Tensor next_observations, torch::Tensor terminals,
                     torch::Tensor timeouts, DatasetInfo info) {
  auto f32 = [](const torch::Tensor& t) { return t.defined() ? t.to(torch::kFloat) : t; };
  auto flag = [](const torch::Tensor& t) { return t.defined() ? t.to(torch::kBool) : t; };
  Dataset ds;
  ds.observations = f32(observations);
  ds.actions = f32(actions);
  ds.rewards = f32(rewards);
  ds.next_observations = f32(next_observations);
  ds.terminals = flag(terminals);
  ds.timeouts = flag(timeouts);
  ds.info = std::move(info);
  ds.total_rows = ds.size();
  ds.check();
  return ds;
}

}  // namespace relabel::io
