#include "algos/optim/archive_io.h"

#include <torch/torch.h>

#include "core/error.h"

namespace relabel::algos {

void read_into(torch::serialize::InputArchive& archive, const std::string& key,
               torch::Tensor& dst) {
  torch::Tensor src;
  if (!archive.try_read(key, src, /*is_buffer=*/true))
    throw Error("checkpoint: missing tensor '" + key + "'");
  if (src.sizes() != dst.sizes())
    throw Error("checkpoint: tensor '" + key + "' has shape " + c10::str(src.sizes()) +
                ", expected " + c10::str(dst.sizes()));
  torch::NoGradGuard no_grad;
  dst.copy_(src);
}

void write_int(torch::serialize::OutputArchive& archive, const std::string& key, int64_t value) {
  archive.write(key, torch::tensor({value}, torch::kInt64), /*is_buffer=*/true);
}

int64_t read_int(torch::serialize::InputArchive& archive, const std::string& key) {
  auto t = torch::empty({1}, torch::kInt64);
  read_into(archive, key, t);
  return t.item<int64_t>();
}

}  // namespace relabel::algos
