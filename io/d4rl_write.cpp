// write_d4rl: the D4RL layout with gzip-compressed row chunks and relabel's root attributes.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/d4rl_file.h"
#include "io/hdf5_util.h"

namespace relabel::io {
namespace {

constexpr int64_t kMinChunkBytes = 64 * 1024;  // docs/formats.md: row chunks of at least 64 KiB

void write_column(hid_t file, const std::string& path, const char* name, torch::Tensor t,
                  hid_t file_type, hid_t mem_type, const D4rlWriteOptions& options) {
  t = t.contiguous();
  int rank = static_cast<int>(t.dim());
  hsize_t dims[2] = {static_cast<hsize_t>(t.size(0)),
                     rank == 2 ? static_cast<hsize_t>(t.size(1)) : 1};
  int64_t row_bytes = std::max<int64_t>(
      1, (rank == 2 ? t.size(1) : 1) * static_cast<int64_t>(H5Tget_size(file_type)));
  int64_t target = std::max(kMinChunkBytes, options.chunk_bytes);
  hsize_t chunk[2] = {
      static_cast<hsize_t>(std::clamp<int64_t>((target + row_bytes - 1) / row_bytes, 1, t.size(0))),
      dims[1]};
  h5::Handle space(H5Screate_simple(rank, dims, nullptr));
  h5::Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
  bool ok = space.valid() && dcpl.valid() && H5Pset_chunk(dcpl, rank, chunk) >= 0;
  if (ok && options.gzip_level > 0) {
    // Byte shuffle before deflate: float columns compress noticeably better, h5py reads it.
    ok = H5Pset_shuffle(dcpl) >= 0 && H5Pset_deflate(dcpl, options.gzip_level) >= 0;
  }
  h5::Handle dset;
  if (ok)
    dset = h5::Handle(H5Dcreate2(file, name, file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
  if (!ok || !dset.valid() ||
      H5Dwrite(dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data_ptr()) < 0)
    throw RunError(path + ": dataset '" + name + "': write failed: " + h5::last_error());
}

}  // namespace

void write_d4rl(const std::string& path, const Dataset& ds, const D4rlWriteOptions& options) {
  ds.check(path);
  if (ds.size() == 0) throw Error(path + ": refusing to write an empty dataset (0 rows)");
  if (options.gzip_level < 0 || options.gzip_level > 9)
    throw Error(path + ": gzip level " + std::to_string(options.gzip_level) + " is outside [0, 9]");
  h5::silence_errors();
  AtomicFile out(path);
  {
    h5::Handle file(H5Fcreate(out.temp_path().c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT));
    if (!file.valid()) throw Error(path + ": cannot create HDF5 file: " + h5::last_error());
    auto f32 = [&](const char* name, const torch::Tensor& t) {
      write_column(file, path, name, t.to(torch::kCPU), H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, options);
    };
    h5::Handle flag_type = h5::bool_enum_type();  // numpy bool in h5py, as in D4RL's files
    auto flag = [&](const char* name, const torch::Tensor& t) {
      write_column(file, path, name, t.to(torch::kCPU).to(torch::kBool), flag_type, flag_type,
                   options);
    };
    f32("observations", ds.observations);
    f32("actions", ds.actions);
    if (ds.has_rewards()) f32("rewards", ds.rewards);
    f32("next_observations", ds.next_observations);
    flag("terminals", ds.terminals);
    flag("timeouts", ds.timeouts);
    try {
      const DatasetInfo& info = ds.info;
      h5::write_string_attr(file, "env", info.env);
      h5::write_string_attr(file, "generator", info.generator);
      h5::write_double_attr(file, "ref_min_score", info.ref_min_score);
      h5::write_double_attr(file, "ref_max_score", info.ref_max_score);
      h5::write_int_attr(file, "seed", info.seed);
      h5::write_string_attr(file, "relabel_version",
                            info.relabel_version.empty() ? RELABEL_VERSION : info.relabel_version);
    } catch (const std::runtime_error& e) {
      throw RunError(path + ": " + e.what());
    }
    // Close before the rename: a failed close (flush of the last chunks) is a failed write.
    if (H5Fclose(file.release()) < 0)
      throw RunError(path + ": closing the HDF5 file failed: " + h5::last_error());
  }
  out.commit();
}

}  // namespace relabel::io
