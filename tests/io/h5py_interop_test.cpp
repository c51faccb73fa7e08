// Files written by Debian's h5py (/usr/bin/python3, not the pyenv python on PATH): the D4RL keys
// as the original D4RL files have them, and a Minari dataset directory.
#include <gtest/gtest.h>

#include "core/error.h"
#include "io/d4rl_file.h"
#include "io/episodes.h"
#include "io/minari.h"
#include "tests/support/test_support.h"

namespace relabel::io {
namespace {

using relabel::test::TempDir;

void run_python(const std::string& dir, const std::string& script) {
  std::string file = dir + "/make.py";
  relabel::test::write_file(file, script);
  auto result = relabel::test::run_command("/usr/bin/python3 " + file + " " + dir);
  ASSERT_EQ(result.exit_code, 0) << result.output;
}

// D4RL's own layout: float32 columns, rewards (N, 1), bool flags, no next_observations,
// infos/qpos and metadata/* that must be ignored. Row i's observation is i + 0.01 * column.
const char* kD4rlScript = R"(
import sys, h5py, numpy as np
n = 300
obs = np.arange(n, dtype=np.float32)[:, None] + 0.01 * np.arange(5, dtype=np.float32)[None, :]
term = np.zeros(n, dtype=bool); tout = np.zeros(n, dtype=bool)
term[[49, 179]] = True; tout[[99, 249]] = True
with h5py.File(sys.argv[1] + '/d4rl.hdf5', 'w') as f:
    f['observations'] = obs.astype(np.float32)
    f['actions'] = np.stack([np.sin(np.arange(n)), np.cos(np.arange(n))], 1).astype(np.float32)
    f['rewards'] = (0.5 * np.arange(n, dtype=np.float32))[:, None]
    f['terminals'] = term
    f['timeouts'] = tout
    f['infos/qpos'] = np.zeros((n, 3), dtype=np.float32)
    f['metadata/algorithm'] = 'SAC'
)";

TEST(H5pyInterop, D4rlFileWithoutNextObservationsLoads) {
  TempDir dir("relabel-h5py");
  run_python(dir.path(), kD4rlScript);
  std::string path = dir / "d4rl.hdf5";
  Dataset ds = read_d4rl(path);
  // Rows 99, 249 (timeouts) and 299 (last row, no successor) are dropped; terminals stay.
  ASSERT_EQ(ds.size(), 297);
  EXPECT_EQ(ds.obs_dim(), 5);
  EXPECT_EQ(ds.act_dim(), 2);
  auto ids = ds.observations.select(1, 0).to(torch::kLong);
  std::vector<int64_t> expected;
  for (int64_t i = 0; i < 300; ++i)
    if (i != 99 && i != 249 && i != 299) expected.push_back(i);
  auto expected_t = torch::tensor(expected, torch::kLong);
  EXPECT_TRUE(torch::equal(ids, expected_t));
  // next_obs reconstructed from the following row.
  EXPECT_TRUE(torch::allclose(ds.next_observations, ds.observations + 1.0f));
  EXPECT_TRUE(torch::allclose(ds.rewards, 0.5f * expected_t.to(torch::kFloat)));
  EXPECT_FLOAT_EQ(ds.actions[10][0].item<float>(), std::sin(10.0f));
  EXPECT_EQ(ds.terminals.sum().item<int64_t>(), 2);
  EXPECT_TRUE(ds.terminals[49].item<bool>());
  // The rows before the dropped ones end their episodes: 5 episodes as in the file.
  EXPECT_TRUE(ds.timeouts[98].item<bool>());
  EXPECT_EQ(split_episodes(ds).size(), 5u);
  EXPECT_EQ(ds.info.env, "");  // no relabel attributes in a foreign file
  EXPECT_TRUE(std::isnan(ds.info.ref_min_score));
}

TEST(H5pyInterop, CorruptH5pyFileIsRefusedNamingFileAndDataset) {
  TempDir dir("relabel-h5py");
  run_python(dir.path(), R"(
import sys, h5py, numpy as np
with h5py.File(sys.argv[1] + '/bad.hdf5', 'w') as f:
    f['observations'] = np.zeros((100, 3), dtype=np.float32)
    f['actions'] = np.zeros((100, 2))             # float64: accepted
    f['rewards'] = np.zeros(99, dtype=np.float32)  # one row short
    f['terminals'] = np.zeros(100, dtype=bool)
    f['timeouts'] = np.zeros(100, dtype=bool)
)");
  std::string path = dir / "bad.hdf5";
  try {
    read_d4rl(path);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              path + ": dataset 'rewards': has 99 rows, 'observations' has 100");
  }
}

// h5py's lzf compression is a filter only h5py provides: the file was refused as "truncated or
// corrupt". It is named as what it is; gzip, which HDF5 itself provides, reads.
TEST(H5pyInterop, LzfCompressedColumnIsRefusedNamingTheFilter) {
  TempDir dir("relabel-h5py");
  run_python(dir.path(), R"(
import sys, h5py, numpy as np
n = 100
for name, actions in (('lzf', 'lzf'), ('gzip', 'gzip')):
    with h5py.File(sys.argv[1] + '/' + name + '.hdf5', 'w') as f:
        f.create_dataset('observations', data=np.zeros((n, 3), np.float32), compression='gzip')
        f.create_dataset('actions', data=np.zeros((n, 2), np.float32), compression=actions)
        f['rewards'] = np.zeros(n, dtype=np.float32)
        f['terminals'] = np.zeros(n, dtype=bool)
        f['timeouts'] = np.zeros(n, dtype=bool)
)");
  EXPECT_EQ(read_d4rl(dir / "gzip.hdf5").size(), 99);
  const std::string path = dir / "lzf.hdf5";
  try {
    read_d4rl(path);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              path +
                  ": dataset 'actions': is compressed with the HDF5 filter 'lzf' (filter id "
                  "32000), which this build cannot read; rewrite the file with gzip or no "
                  "compression (h5py: compression=\"gzip\", or no compression argument)");
  }
}

// Minari: 12 episodes (numeric order matters: episode_10 after episode_9), observations with
// T+1 rows; episode e step t observation = 100 e + t + 0.01 column.
const char* kMinariScript = R"(
import sys, os, json, h5py, numpy as np
root = sys.argv[1] + '/hopper-test-v0'
os.makedirs(root + '/data')
lengths = [3 + (e % 4) for e in range(12)]
with h5py.File(root + '/data/main_data.hdf5', 'w') as f:
    for e, T in enumerate(lengths):
        g = f.create_group('episode_%d' % e)
        g['observations'] = (100 * e + np.arange(T + 1))[:, None] + 0.01 * np.arange(4)[None, :]
        g['actions'] = np.full((T, 2), e, dtype=np.float32)
        g['rewards'] = np.arange(T, dtype=np.float64) + e
        term = np.zeros(T, dtype=bool); trunc = np.zeros(T, dtype=bool)
        if e % 3 == 0: term[-1] = True
        elif e % 3 == 1: trunc[-1] = True
        g['terminations'] = term
        g['truncations'] = trunc
        g['infos/x'] = np.zeros(T)
        g.attrs['id'] = e
meta = {'dataset_id': 'hopper/test-v0', 'minari_version': '0.5.0',
        'env_spec': json.dumps({'id': 'Hopper-v5'}),
        'observation_space': json.dumps({'type': 'Box', 'dtype': 'float64', 'shape': [4]}),
        'action_space': json.dumps({'type': 'Box', 'dtype': 'float32', 'shape': [2]}),
        'ref_min_score': -20.0, 'ref_max_score': 3000.0, 'total_episodes': 12}
json.dump(meta, open(root + '/data/metadata.json', 'w'))
)";

TEST(H5pyInterop, MinariDirectoryReadsIntoTransitions) {
  TempDir dir("relabel-minari");
  run_python(dir.path(), kMinariScript);
  Dataset ds = read_minari(dir / "hopper-test-v0");
  std::vector<int64_t> lengths;
  int64_t total = 0;
  for (int e = 0; e < 12; ++e) lengths.push_back(3 + e % 4), total += 3 + e % 4;
  ASSERT_EQ(ds.size(), total);
  EXPECT_EQ(ds.obs_dim(), 4);
  EXPECT_EQ(ds.act_dim(), 2);
  int64_t row = 0;
  for (int e = 0; e < 12; ++e) {
    for (int64_t t = 0; t < lengths[e]; ++t, ++row) {
      ASSERT_NEAR(ds.observations[row][0].item<float>(), 100 * e + t, 1e-3) << e << " " << t;
      ASSERT_NEAR(ds.next_observations[row][1].item<float>(), 100 * e + t + 1 + 0.01, 1e-3);
      ASSERT_EQ(ds.actions[row][1].item<float>(), static_cast<float>(e));
      ASSERT_EQ(ds.rewards[row].item<float>(), static_cast<float>(t + e));
      bool last = t == lengths[e] - 1;
      ASSERT_EQ(ds.terminals[row].item<bool>(), last && e % 3 == 0);
      // Truncated episodes and (e % 3 == 2) unflagged ends both end in a timeout.
      ASSERT_EQ(ds.timeouts[row].item<bool>(), last && e % 3 != 0);
    }
  }
  EXPECT_EQ(split_episodes(ds).size(), 12u);
  EXPECT_EQ(ds.info.env, "Hopper-v5");
  EXPECT_EQ(ds.info.generator, "minari:hopper/test-v0");
  EXPECT_DOUBLE_EQ(ds.info.ref_max_score, 3000.0);
  // The data/ directory and the file itself name the same dataset.
  EXPECT_TRUE(torch::equal(read_minari(dir / "hopper-test-v0/data").observations, ds.observations));
  EXPECT_TRUE(
      torch::equal(read_minari(dir / "hopper-test-v0/data/main_data.hdf5").rewards, ds.rewards));
}

void expect_minari_refused(const std::string& path, const std::string& part) {
  try {
    read_minari(path);
    ADD_FAILURE() << "expected an Error for " << path;
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(part), std::string::npos) << msg;
  }
}

TEST(H5pyInterop, MinariDictImageAndBrokenEpisodesAreRefused) {
  TempDir dir("relabel-minari");
  run_python(dir.path(), R"(
import sys, os, json, h5py, numpy as np
def make(name, fill, meta=None):
    os.makedirs(sys.argv[1] + '/' + name + '/data')
    with h5py.File(sys.argv[1] + '/' + name + '/data/main_data.hdf5', 'w') as f:
        g = f.create_group('episode_0')
        g['actions'] = np.zeros((3, 2), dtype=np.float32)
        g['rewards'] = np.zeros(3)
        g['terminations'] = np.zeros(3, dtype=bool)
        g['truncations'] = np.zeros(3, dtype=bool)
        fill(g)
    if meta is not None:
        json.dump(meta, open(sys.argv[1] + '/' + name + '/data/metadata.json', 'w'))
def dict_obs(g):
    g['observations/position'] = np.zeros((4, 2)); g['observations/velocity'] = np.zeros((4, 2))
make('dict', dict_obs)
make('image', lambda g: g.create_dataset('observations', data=np.zeros((4, 8, 8, 3), dtype=np.uint8)))
make('short', lambda g: g.create_dataset('observations', data=np.zeros((3, 4), dtype=np.float32)))
make('dictmeta', lambda g: g.create_dataset('observations', data=np.zeros((4, 4), dtype=np.float32)),
     {'dataset_id': 'x', 'observation_space': json.dumps({'type': 'Dict', 'subspaces': {}})})
)");
  expect_minari_refused(dir / "dict", "dataset 'episode_0/observations': is a group");
  expect_minari_refused(dir / "image", "image");
  expect_minari_refused(dir / "short", "episode_0/observations': has 3 rows, expected 4");
  expect_minari_refused(dir / "dictmeta", "Dict space");
  expect_minari_refused(dir / "absent", "no such Minari dataset");
}

}  // namespace
}  // namespace relabel::io
