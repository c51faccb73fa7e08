// io::DirLock: one writer per directory through a POSIX record lock, the holder named in the
// refusal, stale lock files taken over, and the probe `relabel status` relies on. Contention
// needs a second process (record locks never conflict within one), so the holder is a fork.
#include "io/dir_lock.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "core/error.h"
#include "tests/support/test_support.h"

namespace relabel::io {
namespace {

using relabel::test::read_file;
using relabel::test::TempDir;
using relabel::test::write_file;

// A child process that holds `dir`'s lock until killed.
class ForeignHolder {
 public:
  explicit ForeignHolder(const std::string& dir) {
    int ready[2];
    EXPECT_EQ(::pipe(ready), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(ready[0]);
      try {
        DirLock lock = DirLock::acquire(dir, LockWriter::Run);
        char ok = 1;
        if (::write(ready[1], &ok, 1) != 1) ::_exit(3);
        for (;;) ::pause();
      } catch (...) {
        ::_exit(2);
      }
    }
    ::close(ready[1]);
    char ok = 0;
    EXPECT_EQ(::read(ready[0], &ok, 1), 1);
    ::close(ready[0]);
  }
  ~ForeignHolder() { kill(); }
  pid_t pid() const { return pid_; }
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);  // as a crash would: no destructor, no cleanup
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

std::string lock_file(const TempDir& dir) { return dir / kLockFileName; }

TEST(DirLock, HolderLineNamesThisProcessAndReleaseClearsIt) {
  TempDir dir;
  {
    DirLock lock = DirLock::acquire(dir.path(), LockWriter::Run);
    EXPECT_TRUE(lock.not_enforced().empty());
    const std::string line = read_file(lock_file(dir));
    EXPECT_NE(line.find(" " + std::to_string(::getpid()) + " "), std::string::npos) << line;
    EXPECT_EQ(probe_dir_lock(dir.path()), LockState::Held);
  }
  EXPECT_EQ(read_file(lock_file(dir)), "");  // released: the file stays, naming nobody
  EXPECT_EQ(probe_dir_lock(dir.path()), LockState::Free);
}

TEST(DirLock, SecondLockInTheSameProcessIsRefused) {
  TempDir dir;
  DirLock lock = DirLock::acquire(dir.path(), LockWriter::Run);
  try {
    DirLock::acquire(dir.path() + "/.", LockWriter::Run);  // the same directory by another name
    FAIL() << "a second lock on the same directory was granted";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitUsage);
    EXPECT_NE(std::string(e.what()).find("already being written by this process"),
              std::string::npos)
        << e.what();
  }
}

TEST(DirLock, AnotherProcessHoldingItIsNamedInTheRefusal) {
  TempDir dir;
  ForeignHolder holder(dir.path());
  EXPECT_EQ(probe_dir_lock(dir.path()), LockState::Held);
  try {
    DirLock::acquire(dir.path(), LockWriter::Run);
    FAIL() << "the lock of a live holder was granted";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.exit_code(), kExitUsage);
    EXPECT_EQ(what.rfind(dir.path() + " is being written by ", 0), 0u) << what;
    EXPECT_NE(what.find(":" + std::to_string(holder.pid()) + " (since "), std::string::npos)
        << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;  // one line
  }
  // The holder dies without releasing: the kernel drops its lock, the file is stale.
  holder.kill();
  EXPECT_EQ(probe_dir_lock(dir.path()), LockState::Free);
  DirLock lock = DirLock::acquire(dir.path(), LockWriter::Run);
  const std::string line = read_file(lock_file(dir));
  EXPECT_NE(line.find(" " + std::to_string(::getpid()) + " "), std::string::npos) << line;
}

TEST(DirLock, StaleLockFileIsTakenOver) {
  TempDir dir;
  write_file(lock_file(dir), "gone-host 99999 2020-01-01T00:00:00Z\n");
  EXPECT_EQ(probe_dir_lock(dir.path()), LockState::Free);
  DirLock lock = DirLock::acquire(dir.path(), LockWriter::Run);
  const std::string line = read_file(lock_file(dir));
  EXPECT_EQ(line.find("gone-host"), std::string::npos) << line;
  EXPECT_NE(line.find(" " + std::to_string(::getpid()) + " "), std::string::npos) << line;
}

// The line names what the writer writes (a sweep's directory has no sweep.json until the sweep
// writes it: `relabel status` tells it from a run's by this), and readers get it back without
// taking the lock, or, in the holding process, without dropping it.
TEST(DirLock, LineNamesTheWriterForReaders) {
  TempDir dir;
  {
    DirLock lock = DirLock::acquire(dir.path(), LockWriter::Sweep);
    const std::string text = read_file(lock_file(dir));
    EXPECT_EQ(text.substr(text.size() - 7), " sweep\n") << text;
    const auto line = read_dir_lock(dir.path());
    ASSERT_TRUE(line);
    EXPECT_EQ(line->writer, "sweep");
    EXPECT_EQ(line->pid, std::to_string(::getpid()));
    // Still held: another process is refused.
    const pid_t child = ::fork();
    if (child == 0) {
      try {
        DirLock other = DirLock::acquire(dir.path(), LockWriter::Run);
        ::_exit(1);
      } catch (const Error&) {
        ::_exit(0);
      }
    }
    int status = -1;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the lock was dropped";
  }
  EXPECT_FALSE(read_dir_lock(dir.path()));  // cleared by the writer that ended
  {
    ForeignHolder holder(dir.path());
    const auto line = read_dir_lock(dir.path());
    ASSERT_TRUE(line);
    EXPECT_EQ(line->writer, "run");
    EXPECT_EQ(line->pid, std::to_string(holder.pid()));
  }
  write_file(lock_file(dir), "node7 4242 2026-01-01T00:00:00Z\n");  // before writers were named
  const auto old = read_dir_lock(dir.path());
  ASSERT_TRUE(old);
  EXPECT_EQ(old->host, "node7");
  EXPECT_EQ(old->started_at, "2026-01-01T00:00:00Z");
  EXPECT_EQ(old->writer, "");
  EXPECT_FALSE(read_dir_lock(dir / "missing"));
}

TEST(DirLock, NoLockFileIsUnknownAndMissingDirectoryIsAnError) {
  TempDir dir;
  EXPECT_EQ(probe_dir_lock(dir.path()), LockState::Unknown);  // e.g. written before locks
  EXPECT_THROW(DirLock::acquire(dir / "missing", LockWriter::Run), Error);
}

}  // namespace
}  // namespace relabel::io
