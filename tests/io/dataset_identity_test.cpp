// io/dataset_identity.h and io/dataset_checksum.h: shards' checksums add up to the whole file's
// for any number of readers; the record field reads back, is optional (older records), and a
// malformed one is an error naming the file and key.
#include "io/dataset_identity.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/error.h"
#include "io/d4rl_file.h"
#include "io/dataset_checksum.h"
#include "io/run_record.h"
#include "tests/support/test_support.h"

namespace relabel::io {
namespace {

using nlohmann::json;

Dataset small_dataset(int64_t n, float shift = 0.0f) {
  auto obs = torch::arange(n * 3, torch::kFloat32).reshape({n, 3}) + shift;
  return make_dataset(obs, torch::ones({n, 1}), torch::arange(n, torch::kFloat32), obs + 1,
                      torch::zeros({n}, torch::kBool), torch::arange(n) % 10 == 9);
}

TEST(DatasetChecksum, ShardsAddUpToTheWholeForAnyReaderCount) {
  const Dataset all = small_dataset(101);
  const uint64_t whole = dataset_checksum(all);
  for (int parts : {2, 3, 7}) {
    uint64_t sum = 0;
    for (int p = 0; p < parts; ++p)
      sum += dataset_checksum(all.slice(101 * p / parts, 101 * (p + 1) / parts));
    EXPECT_EQ(sum, whole) << parts << " parts";
  }
  EXPECT_NE(dataset_checksum(small_dataset(101, 1e-3f)), whole);  // content
  EXPECT_NE(dataset_checksum(small_dataset(100)), whole);         // rows
}

TEST(DatasetChecksum, ReadingTheFileFoldsItIn) {
  relabel::test::TempDir dir;
  const Dataset all = small_dataset(64);
  write_d4rl(dir / "d.hdf5", all);
  const Dataset read = read_d4rl(dir / "d.hdf5");
  EXPECT_NE(read.checksum, 0u);
  // The same file read twice gives the same value; another file another.
  EXPECT_EQ(read_d4rl(dir / "d.hdf5").checksum, read.checksum);
  write_d4rl(dir / "e.hdf5", small_dataset(64, 0.5f));
  EXPECT_NE(read_d4rl(dir / "e.hdf5").checksum, read.checksum);
}

TEST(DatasetIdentity, RecordRoundTripAndOlderRecords) {
  RunRecord r;
  r.status = "running";
  r.task = "pendulum";
  r.method = "ground_truth+iql";
  DatasetIdentity id{"/data/p.hdf5", 10000, checksum_text(0xabcdefULL), 123, 456};
  r.dataset_identity = id;
  const json j = to_json(r);
  EXPECT_EQ(j["dataset_identity"]["checksum"], "fnv1a64-sum:0000000000abcdef");
  const RunRecord back = run_record_from_json(j, "r.json");
  ASSERT_TRUE(back.dataset_identity);
  EXPECT_EQ(back.dataset_identity->path, id.path);
  EXPECT_EQ(back.dataset_identity->rows, id.rows);
  EXPECT_EQ(back.dataset_identity->checksum, id.checksum);
  EXPECT_EQ(back.dataset_identity->file_bytes, 123);
  EXPECT_EQ(back.dataset_identity->file_mtime_ns, 456);
  EXPECT_FALSE(back.expert_identity);  // none without an expert file
  r.expert_identity = DatasetIdentity{"/data/e.hdf5", 200, checksum_text(0x12ULL), 7, 8};
  const RunRecord with_expert = run_record_from_json(to_json(r), "r.json");
  ASSERT_TRUE(with_expert.expert_identity);
  EXPECT_EQ(with_expert.expert_identity->path, "/data/e.hdf5");
  EXPECT_EQ(with_expert.expert_identity->rows, 200);
  EXPECT_EQ(with_expert.expert_identity->checksum, "fnv1a64-sum:0000000000000012");
  json old = j;
  old.erase("dataset_identity");
  EXPECT_FALSE(run_record_from_json(old, "old.json").dataset_identity);
  EXPECT_EQ(id.describe(), "/data/p.hdf5 (10000 rows, checksum fnv1a64-sum:0000000000abcdef)");
}

TEST(DatasetIdentity, MalformedFieldNamesFileAndKey) {
  json j = {{"status", "running"},
            {"task", "pendulum"},
            {"method", "m"},
            {"dataset_identity", {{"path", "/p"}, {"rows", "many"}, {"checksum", "x"}}}};
  try {
    run_record_from_json(j, "runs/a/result.json");
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "runs/a/result.json: key 'dataset_identity.rows' must be an integer");
  }
}

}  // namespace
}  // namespace relabel::io
