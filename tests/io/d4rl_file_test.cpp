#include "io/d4rl_file.h"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "tests/io/io_test_util.h"
#include "tests/support/test_support.h"

namespace relabel::io {
namespace {

using relabel::test::TempDir;

// Replaces (or adds, or with an undefined tensor removes) one dataset of an existing file,
// stored contiguously with the tensor's own type: lets each test break exactly one thing.
void put(const std::string& path, const std::string& name, torch::Tensor t) {
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  if (H5Lexists(file, name.c_str(), H5P_DEFAULT) > 0) H5Ldelete(file, name.c_str(), H5P_DEFAULT);
  if (t.defined()) {
    t = t.contiguous();
    hid_t type = t.scalar_type() == torch::kFloat    ? H5T_NATIVE_FLOAT
                 : t.scalar_type() == torch::kDouble ? H5T_NATIVE_DOUBLE
                 : t.scalar_type() == torch::kInt    ? H5T_NATIVE_INT32
                 : t.scalar_type() == torch::kLong   ? H5T_NATIVE_INT64
                                                     : H5T_NATIVE_UINT8;
    std::vector<hsize_t> dims(t.sizes().begin(), t.sizes().end());
    hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);  // "infos/qpos"
    hid_t dset = H5Dcreate2(file, name.c_str(), type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Pclose(lcpl);
    ASSERT_GE(dset, 0);
    if (t.numel() > 0) {
      ASSERT_GE(H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data_ptr()), 0);
    }
    H5Dclose(dset);
    H5Sclose(space);
  }
  H5Fclose(file);
}

// Expects read_d4rl(path) to throw a relabel::Error whose one-line message contains `path`
// and every one of `parts`.
void expect_refused(const std::string& path, const std::vector<std::string>& parts) {
  try {
    read_d4rl(path);
    ADD_FAILURE() << "expected an Error for " << path;
  } catch (const RunError& e) {
    ADD_FAILURE() << "a bad file must be an input Error, got RunError: " << e.what();
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    for (const auto& part : parts) EXPECT_NE(msg.find(part), std::string::npos) << msg;
  }
}

class D4rlFile : public ::testing::Test {
 protected:
  TempDir dir_{"relabel-io"};
  std::string good(int64_t n = 1000) {
    std::string path = dir_ / ("good" + std::to_string(n) + ".hdf5");
    write_d4rl(path, test::synthetic_dataset(n));
    return path;
  }
};

TEST_F(D4rlFile, RoundTripIsExact) {
  Dataset ds = test::synthetic_dataset(5000, 11, 3);
  std::string path = dir_ / "hopper.hdf5";
  write_d4rl(path, ds);
  Dataset back = read_d4rl(path);
  test::expect_same_rows(back, ds);
  EXPECT_EQ(back.row_offset, 0);
  EXPECT_EQ(back.total_rows, 5000);
  EXPECT_EQ(back.info.env, "hopper");
  EXPECT_EQ(back.info.generator, "sac-medium-100000");
  EXPECT_DOUBLE_EQ(back.info.ref_min_score, -20.272305);
  EXPECT_DOUBLE_EQ(back.info.ref_max_score, 3234.3);
  EXPECT_EQ(back.info.seed, 42);
  EXPECT_EQ(back.info.relabel_version, RELABEL_VERSION);
  EXPECT_EQ(back.info.source, path);
  // Uncompressed files read back the same.
  D4rlWriteOptions raw;
  raw.gzip_level = 0;
  write_d4rl(dir_ / "raw.hdf5", ds, raw);
  test::expect_same_rows(read_d4rl(dir_ / "raw.hdf5"), ds);
  EXPECT_GT(std::filesystem::file_size(dir_ / "raw.hdf5"), std::filesystem::file_size(path));
}

TEST_F(D4rlFile, LayoutIsChunkedGzipWithBoolFlags) {
  std::string path = good(100000);
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  for (const char* name : {"observations", "actions", "rewards", "terminals"}) {
    hid_t dset = H5Dopen2(file, name, H5P_DEFAULT);
    hid_t dcpl = H5Dget_create_plist(dset);
    EXPECT_EQ(H5Pget_layout(dcpl), H5D_CHUNKED) << name;
    hsize_t chunk[2] = {0, 1};
    int rank = H5Pget_chunk(dcpl, 2, chunk);
    hid_t type = H5Dget_type(dset);
    size_t bytes = chunk[0] * (rank == 2 ? chunk[1] : 1) * H5Tget_size(type);
    EXPECT_GE(bytes, 64u * 1024) << name;
    bool gzip = false;
    for (int i = 0; i < H5Pget_nfilters(dcpl); ++i) {
      unsigned flags, cd[4];
      size_t ncd = 4;
      if (H5Pget_filter2(dcpl, i, &flags, &ncd, cd, 0, nullptr, nullptr) == H5Z_FILTER_DEFLATE) {
        gzip = true;
        EXPECT_EQ(cd[0], 4u) << name;
      }
    }
    EXPECT_TRUE(gzip) << name;
    if (std::string(name) == "terminals") {
      EXPECT_EQ(H5Tget_class(type), H5T_ENUM);
    }
    H5Tclose(type);
    H5Pclose(dcpl);
    H5Dclose(dset);
  }
  H5Fclose(file);
}

TEST_F(D4rlFile, InfoAndColumnsWithoutTheBigArrays) {
  std::string path = good(1000);
  D4rlFileInfo info = read_d4rl_info(path);
  EXPECT_EQ(info.rows, 1000);
  EXPECT_EQ(info.obs_dim, 3);
  EXPECT_EQ(info.act_dim, 2);
  EXPECT_TRUE(info.has_rewards);
  EXPECT_TRUE(info.has_next_observations);
  EXPECT_EQ(info.info.env, "hopper");
  auto cols = read_d4rl_columns(path, {"rewards", "terminals", "timeouts"});
  Dataset ds = test::synthetic_dataset(1000);
  EXPECT_TRUE(torch::equal(cols.at("rewards"), ds.rewards));
  EXPECT_TRUE(torch::equal(cols.at("terminals"), ds.terminals));
  EXPECT_TRUE(torch::equal(cols.at("timeouts"), ds.timeouts));
  EXPECT_EQ(cols.size(), 3u);
}

TEST_F(D4rlFile, WriteIsAtomicAndReplaces) {
  std::string path = dir_ / "d.hdf5";
  write_d4rl(path, test::synthetic_dataset(100));
  write_d4rl(path, test::synthetic_dataset(200));
  EXPECT_EQ(read_d4rl(path).size(), 200);
  size_t n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir_.path())) ++n;
  EXPECT_EQ(n, 1u);
  Dataset bad = test::synthetic_dataset(100);
  bad.actions = torch::zeros({99, 2});
  EXPECT_THROW(write_d4rl(path, bad), Error);
  EXPECT_EQ(read_d4rl(path).size(), 200);  // the old file is untouched
}

TEST_F(D4rlFile, AcceptsFriendlyVariants) {
  std::string path = good(1000);
  Dataset ds = test::synthetic_dataset(1000);
  put(path, "rewards", ds.rewards.unsqueeze(1).to(torch::kDouble));  // (N,1) float64
  put(path, "observations", ds.observations.to(torch::kDouble));
  put(path, "terminals", ds.terminals.to(torch::kInt));  // int32 0/1
  put(path, "timeouts", ds.timeouts.to(torch::kByte));   // uint8 0/1
  put(path, "infos/qpos", torch::zeros({1000, 6}));      // ignored
  Dataset back = read_d4rl(path);
  test::expect_same_rows(back, ds);
  D4rlReadOptions no_rewards;
  no_rewards.require_rewards = false;
  put(path, "rewards", torch::Tensor());
  EXPECT_FALSE(read_d4rl(path, no_rewards).has_rewards());
}

TEST_F(D4rlFile, MissingKey) {
  std::string path = good();
  put(path, "actions", torch::Tensor());
  expect_refused(path, {"dataset 'actions'", "missing"});
  std::string path2 = good(500);
  put(path2, "rewards", torch::Tensor());
  expect_refused(path2, {"dataset 'rewards'", "missing"});
}

// A reference-return attribute that is there but not a number, or infinite, is a damaged file:
// read as absent it would have fallen back to the registry's value, unnoticed. NaN is unset.
TEST_F(D4rlFile, ReferenceAttributeThatIsNotANumberIsRefused) {
  auto set_attr = [](const std::string& path, const char* name, hid_t type, const void* value) {
    hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(file, 0);
    if (H5Aexists(file, name) > 0) H5Adelete(file, name);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = H5Acreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(H5Awrite(attr, type, value), 0);
    H5Aclose(attr);
    H5Sclose(space);
    H5Fclose(file);
  };
  std::string path = good();
  const double inf = INFINITY, nan = std::nan("");
  set_attr(path, "ref_max_score", H5T_NATIVE_DOUBLE, &inf);
  expect_refused(path, {"attribute ref_max_score must be a number"});
  std::string path2 = good(500);
  hid_t text = H5Tcopy(H5T_C_S1);
  H5Tset_size(text, 3);
  set_attr(path2, "ref_min_score", text, "abc");
  H5Tclose(text);
  expect_refused(path2, {"attribute ref_min_score must be a number"});
  std::string path3 = good(400);
  const double ok = -150.0;
  set_attr(path3, "ref_min_score", H5T_NATIVE_DOUBLE, &ok);
  EXPECT_EQ(read_d4rl_info(path3).info.ref_min_score, -150.0);
  set_attr(path3, "ref_min_score", H5T_NATIVE_DOUBLE, &nan);  // what the writer stores for unset
  EXPECT_TRUE(std::isnan(read_d4rl_info(path3).info.ref_min_score));
}

TEST_F(D4rlFile, MismatchedRowCounts) {
  std::string path = good();
  put(path, "rewards", torch::zeros({999}));
  expect_refused(path, {"dataset 'rewards': has 999 rows, 'observations' has 1000"});
}

TEST_F(D4rlFile, WrongDtype) {
  std::string path = good();
  put(path, "observations", torch::zeros({1000, 3}, torch::kInt));
  expect_refused(path, {"dataset 'observations'", "dtype int32", "float32"});
  std::string path2 = good(500);
  put(path2, "terminals", torch::zeros({500}, torch::kFloat).to(torch::kFloat));
  EXPECT_NO_THROW(read_d4rl(path2));  // float 0/1 flags are accepted
  put(path2, "terminals", torch::full({500}, 2, torch::kInt));
  expect_refused(path2, {"dataset 'terminals'", "row 0 has value 2"});
}

TEST_F(D4rlFile, WrongRank) {
  std::string path = good();
  put(path, "actions", torch::zeros({1000}));
  expect_refused(path, {"dataset 'actions'", "rank 1"});
  std::string path2 = good(500);
  put(path2, "observations", torch::zeros({500, 4, 4}));
  expect_refused(path2, {"dataset 'observations'", "rank 3", "image"});
  std::string path3 = good(400);
  put(path3, "rewards", torch::zeros({400, 2}));
  expect_refused(path3, {"dataset 'rewards'", "rank 2"});
}

TEST_F(D4rlFile, NaNAndInfNameTheFirstBadRow) {
  Dataset ds = test::synthetic_dataset(1000);
  std::string path = good();
  auto obs = ds.observations.clone();
  obs[17][1] = std::nanf("");
  obs[400][0] = std::nanf("");
  put(path, "observations", obs);
  expect_refused(path, {"dataset 'observations'", "row 17", "NaN"});
  std::string path2 = good(500);
  auto act = test::synthetic_dataset(500).actions.clone();
  act[5][0] = std::numeric_limits<float>::infinity();
  put(path2, "actions", act);
  expect_refused(path2, {"dataset 'actions'", "row 5", "Inf"});
  std::string path3 = good(400);
  auto rew = test::synthetic_dataset(400).rewards.to(torch::kDouble);
  rew[399] = 1e300;  // finite in float64, Inf in float32
  put(path3, "rewards", rew);
  expect_refused(path3, {"dataset 'rewards'", "row 399", "Inf"});
}

TEST_F(D4rlFile, EmptyDataset) {
  std::string path = good();
  for (const char* name : {"observations", "next_observations"})
    put(path, name, torch::zeros({0, 3}));
  put(path, "actions", torch::zeros({0, 2}));
  for (const char* name : {"rewards", "terminals", "timeouts"}) put(path, name, torch::zeros({0}));
  expect_refused(path, {"dataset 'observations'", "0 rows"});
}

TEST_F(D4rlFile, MissingNotHdf5TruncatedAndCorruptFiles) {
  expect_refused(dir_ / "absent.hdf5", {"no such file"});
  std::string text = dir_ / "text.hdf5";
  relabel::test::write_file(text, "observations,actions\n1,2\n");
  expect_refused(text, {"not an HDF5 file"});
  // Truncated: a copy cut to half its size.
  std::string path = good(20000);
  std::string cut = dir_ / "cut.hdf5";
  std::filesystem::copy_file(path, cut);
  std::filesystem::resize_file(cut, std::filesystem::file_size(path) / 2);
  expect_refused(cut, {"truncated or corrupt"});
  // Corrupt data: garbage over the compressed chunks of the (uncompressed-metadata) file.
  D4rlWriteOptions opts;
  std::string bad = dir_ / "bad.hdf5";
  write_d4rl(bad, test::synthetic_dataset(20000, 16, 2), opts);
  {
    std::fstream f(bad, std::ios::in | std::ios::out | std::ios::binary);
    auto size = static_cast<std::streamoff>(std::filesystem::file_size(bad));
    f.seekp(size / 3);
    std::string junk(static_cast<size_t>(size / 3), '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  expect_refused(bad, {"dataset '", "corrupt"});
}

}  // namespace
}  // namespace relabel::io
