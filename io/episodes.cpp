#include "io/episodes.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "core/seeding.h"

namespace relabel::io {

std::vector<Episode> split_episodes(const torch::Tensor& terminals, const torch::Tensor& timeouts) {
  if (terminals.numel() != timeouts.numel())
    throw Error("split_episodes: terminals has " + std::to_string(terminals.numel()) +
                " rows, timeouts has " + std::to_string(timeouts.numel()));
  torch::Tensor ends = (terminals.to(torch::kBool) | timeouts.to(torch::kBool)).reshape({-1});
  int64_t n = ends.numel();
  std::vector<Episode> episodes;
  if (n == 0) return episodes;
  torch::Tensor idx = ends.nonzero().reshape({-1}).contiguous();
  const int64_t* p = idx.data_ptr<int64_t>();
  int64_t begin = 0;
  for (int64_t i = 0; i < idx.numel(); ++i) {
    episodes.push_back({begin, p[i] + 1});
    begin = p[i] + 1;
  }
  if (begin < n) episodes.push_back({begin, n});  // the last row ends an episode
  return episodes;
}

std::vector<Episode> split_episodes(const Dataset& ds) {
  return split_episodes(ds.terminals, ds.timeouts);
}

torch::Tensor episode_returns(const torch::Tensor& rewards, const std::vector<Episode>& episodes) {
  torch::Tensor r = rewards.to(torch::kDouble).reshape({-1});
  // Prefix sums make each return O(1); float64 keeps long episodes exact enough.
  torch::Tensor prefix = torch::cat({torch::zeros({1}, torch::kDouble), r.cumsum(0)}).contiguous();
  const double* c = prefix.data_ptr<double>();
  torch::Tensor out = torch::empty({static_cast<int64_t>(episodes.size())}, torch::kDouble);
  double* o = out.data_ptr<double>();
  for (size_t i = 0; i < episodes.size(); ++i) {
    const Episode& e = episodes[i];
    if (e.begin < 0 || e.end > r.numel() || e.end < e.begin)
      throw Error("episode_returns: episode [" + std::to_string(e.begin) + ", " +
                  std::to_string(e.end) + ") is outside the " + std::to_string(r.numel()) +
                  " rows");
    o[i] = c[e.end] - c[e.begin];
  }
  return out;
}

bool last_episode_complete(const torch::Tensor& terminals, const torch::Tensor& timeouts,
                           const std::vector<Episode>& episodes) {
  if (episodes.empty()) return true;
  const int64_t last = episodes.back().end - 1;
  return terminals[last].item<double>() != 0.0 || timeouts[last].item<double>() != 0.0;
}

Dataset select_best_trajectories(const Dataset& ds, int64_t k) {
  if (!ds.has_rewards())
    throw Error("select_best_trajectories: " + ds.info.source + " has no rewards");
  std::vector<Episode> episodes = split_episodes(ds);
  std::string tail;
  if (!last_episode_complete(ds.terminals, ds.timeouts, episodes)) {
    tail = " complete episodes (its last " + std::to_string(episodes.back().length()) +
           " rows end without a terminal or timeout)";
    episodes.pop_back();
  }
  if (k < 1 || k > static_cast<int64_t>(episodes.size()))
    throw Error("expert_trajectories = " + std::to_string(k) + ", but " +
                (ds.info.source.empty() ? std::string("the dataset") : ds.info.source) + " has " +
                std::to_string(episodes.size()) + (tail.empty() ? " episodes" : tail));
  torch::Tensor returns = episode_returns(ds.rewards, episodes);
  const double* r = returns.data_ptr<double>();
  std::vector<size_t> order(episodes.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return r[a] > r[b]; });
  order.resize(static_cast<size_t>(k));
  std::sort(order.begin(), order.end());
  std::vector<int64_t> rows;
  for (size_t i : order)
    for (int64_t row = episodes[i].begin; row < episodes[i].end; ++row) rows.push_back(row);
  return ds.select(torch::tensor(rows, torch::kLong));
}

namespace {}  // namespace

std::vector<int64_t> seeded_permutation(int64_t n, uint64_t seed) {
  std::vector<int64_t> p(static_cast<size_t>(n));
  std::iota(p.begin(), p.end(), 0);
  relabel::SplitMix64 rng(seed);
  for (int64_t i = n - 1; i > 0; --i) {
    int64_t j = static_cast<int64_t>(rng.below(static_cast<uint64_t>(i) + 1));
    std::swap(p[static_cast<size_t>(i)], p[static_cast<size_t>(j)]);
  }
  return p;
}

torch::Tensor labelled_subset(int64_t n, double fraction, uint64_t seed, bool by_trajectory,
                              const std::vector<Episode>& episodes) {
  if (!(fraction > 0.0 && fraction <= 1.0))
    throw Error("label_fraction = " + std::to_string(fraction) + " is outside (0, 1]");
  if (n < 1) throw Error("labelled_subset: the dataset has no rows");
  int64_t target = std::max<int64_t>(1, std::llround(fraction * static_cast<double>(n)));
  std::vector<int64_t> rows;
  if (!by_trajectory) {
    std::vector<int64_t> p = seeded_permutation(n, seed);
    rows.assign(p.begin(), p.begin() + std::min(target, n));
  } else {
    int64_t covered = 0;
    for (const Episode& e : episodes) {
      if (e.begin != covered || e.end <= e.begin)
        throw Error("labelled_subset: episodes do not tile rows 0.." + std::to_string(n - 1) +
                    " (episode [" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "))");
      covered = e.end;
    }
    if (covered != n)
      throw Error("labelled_subset: episodes cover " + std::to_string(covered) + " of " +
                  std::to_string(n) + " rows");
    std::vector<int64_t> p = seeded_permutation(static_cast<int64_t>(episodes.size()), seed);
    for (int64_t i : p) {
      if (static_cast<int64_t>(rows.size()) >= target) break;
      const Episode& e = episodes[static_cast<size_t>(i)];
      for (int64_t row = e.begin; row < e.end; ++row) rows.push_back(row);
    }
  }
  std::sort(rows.begin(), rows.end());
  return torch::tensor(rows, torch::kLong);
}

}  // namespace relabel::io
