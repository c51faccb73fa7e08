#pragma once
// Checkpoint helpers for the in-memory torch archives the learners save into: reading a tensor
// INTO an existing buffer (flat parameter storage must keep its address, so no set_()), and
// plain integers. A missing key or a shape mismatch throws relabel::Error naming the key.
#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <string>

namespace relabel::algos {

void read_into(torch::serialize::InputArchive& archive, const std::string& key, torch::Tensor& dst);
void write_int(torch::serialize::OutputArchive& archive, const std::string& key, int64_t value);
int64_t read_int(torch::serialize::InputArchive& archive, const std::string& key);

}  // namespace relabel::algos
