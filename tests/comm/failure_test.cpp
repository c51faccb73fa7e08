// The failure policy (comm/failure.h): or_abort makes a throwing rank abort its peers (checked by
// launching this test binary under mpirun in a child mode), with one rank the exception simply
// propagates, and on_root shares rank 0's error with its exit code.
#include "comm/failure.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "comm/mpi_collective.h"
#include "core/error.h"
#include "tests/comm/mpi_world.h"
#include "tests/support/test_support.h"

namespace {

// Child mode, entered before main() when the parent test launches this binary under mpirun:
// the last rank throws while the others block in a barrier that it will never reach.
[[maybe_unused]] const bool kChild = [] {
  if (!std::getenv("RELABEL_GUARD_CHILD")) return false;
  MPI_Init(nullptr, nullptr);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  {
    relabel::comm::MpiCollective world(MPI_COMM_WORLD);
    relabel::comm::or_abort(world, [&] {
      if (rank == size - 1) throw relabel::Error("bad key 'x' in child.toml");
      MPI_Barrier(MPI_COMM_WORLD);
    });
  }
  MPI_Finalize();
  std::exit(0);  // reached only if nothing threw: the parent then sees exit 0 and fails
}();

TEST(Failure, ThrowingRankAbortsPeersInsteadOfHanging) {
  std::string self = "/proc/" + std::to_string(getpid()) + "/exe";
  char buf[4096];
  ssize_t n = readlink(self.c_str(), buf, sizeof buf - 1);
  ASSERT_GT(n, 0);
  std::string exe(buf, static_cast<size_t>(n));
  // The child mpirun must not inherit the MPI singleton state of this process (OMPI_*, PMIX_*
  // variables set when an earlier test initialised MPI).
  auto r = relabel::test::run_command(
      "for v in $(env | grep -oE '^(OMPI|PMIX|ORTE|OPAL)_[A-Za-z0-9_]*'); do unset $v; done; "
      "RELABEL_GUARD_CHILD=1 timeout 120 " RELABEL_MPIRUN
      " --allow-run-as-root --oversubscribe --mca btl_vader_single_copy_mechanism none -np 2 " +
      exe);
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.exit_code, 124) << "peers hung until the timeout:\n" << r.output;
  EXPECT_NE(r.output.find("relabel: error: bad key 'x' in child.toml (rank 1)"), std::string::npos)
      << r.output;
}

TEST(Failure, SingleRankRethrowsUnchanged) {
  relabel::test::mpi_world();
  relabel::comm::MpiCollective self(MPI_COMM_SELF);
  EXPECT_EQ(relabel::comm::or_abort(self, [] { return 7; }), 7);
  try {
    relabel::comm::or_abort(self, []() -> int { throw relabel::RunError("diverged"); });
    FAIL() << "no exception";
  } catch (const relabel::RunError& e) {
    EXPECT_STREQ(e.what(), "diverged");
  }
}

TEST(Failure, OnRootKeepsTheExitCodeOfRankZerosError) {
  relabel::test::mpi_world();
  relabel::comm::MpiCollective self(MPI_COMM_SELF);
  bool ran = false;
  relabel::comm::on_root(self, [&] { ran = true; });
  EXPECT_TRUE(ran);
  try {
    relabel::comm::on_root(self, [] { throw relabel::Error("data.h5: no such file"); });
    FAIL() << "no exception";
  } catch (const relabel::RunError&) {
    FAIL() << "an input error must stay an input error (exit 2)";
  } catch (const relabel::Error& e) {
    EXPECT_STREQ(e.what(), "data.h5: no such file");
    EXPECT_EQ(e.exit_code(), relabel::kExitUsage);
  }
  try {
    relabel::comm::on_root(self, [] { throw std::runtime_error("disk full"); });
    FAIL() << "no exception";
  } catch (const relabel::RunError& e) {
    EXPECT_STREQ(e.what(), "disk full");
    EXPECT_EQ(e.exit_code(), relabel::kExitRunFailure);
  }
}

}  // namespace
