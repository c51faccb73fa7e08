#include <cmath>

#include "sweeps/spec_axes.h"

namespace relabel::sweeps {

namespace {
// Uniform in [0, 1) from the top 53 bits.
double unit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
}  // namespace

relabel::ConfigValue draw(const Distribution& d, std::mt19937_64& rng) {
  using Kind = Distribution::Kind;
  switch (d.kind) {
    case Kind::kUniform:
      return d.lo + (d.hi - d.lo) * unit(rng);
    case Kind::kLogUniform:
      return std::exp(std::log(d.lo) + (std::log(d.hi) - std::log(d.lo)) * unit(rng));
    case Kind::kIntUniform: {
      uint64_t span = static_cast<uint64_t>(d.ihi) - static_cast<uint64_t>(d.ilo) + 1;
      uint64_t x = span == 0 ? rng() : rng() % span;  // span 0: the whole int64 range
      return static_cast<int64_t>(static_cast<uint64_t>(d.ilo) + x);
    }
    case Kind::kChoice:
      return d.choices[rng() % d.choices.size()].value;
  }
  return 0.0;
}

}  // namespace relabel::sweeps
