#include "run/run_directory.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "comm/collective.h"
#include "comm/failure.h"
#include "io/atomic_file.h"
#include "io/dir_lock.h"
#include "io/space_reserve.h"

namespace relabel::run {

RunDirectoryClaim::RunDirectoryClaim(const std::string& dir, comm::Collective& comm) {
  comm::on_root(comm, [&] {
    std::filesystem::create_directories(dir);
    lock_ = std::make_unique<io::DirLock>(io::DirLock::acquire(dir, io::LockWriter::Run));
    if (!lock_->not_enforced().empty())
      spdlog::warn("{}: cannot lock the run directory ({}); another writer would not be stopped",
                   dir, lock_->not_enforced());
    if (const int removed = io::remove_stale_temporaries(dir))
      spdlog::info("{}: removed {} temporary file(s) left by an interrupted write", dir, removed);
    reserve_ = std::make_unique<io::SpaceReserve>(dir + "/.relabel.reserve");
    if (!reserve_->error().empty())
      spdlog::warn("{}; a failure may not be recorded if the disk fills up", reserve_->error());
  });
}

RunDirectoryClaim::~RunDirectoryClaim() = default;

void RunDirectoryClaim::release_reserve() {
  if (reserve_) reserve_->release();
}

}  // namespace relabel::run
