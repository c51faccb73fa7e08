#pragma once
// TensorBoard event files: scalars a run logs as it trains, so `tensorboard --logdir DIR` shows
// a run or a whole sweep live. A file is a sequence of TFRecord records (little-endian uint64
// length, masked CRC-32C of the length, the bytes, masked CRC-32C of the bytes), each an Event
// protobuf (io/tensorboard_event.proto); the first holds the file version.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace relabel::io {

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) and TFRecord's mask of it:
// rotate right by 15, add 0xa282ead8.
uint32_t crc32c(const void* data, size_t size);
uint32_t masked_crc32c(const void* data, size_t size);

class EventFileWriter {
 public:
  // Creates DIR/events.out.tfevents.<unix seconds>.<host>.<pid> (TensorBoard finds files by the
  // "tfevents" in their name; a resumed run adds a file, and TensorBoard merges a directory's).
  explicit EventFileWriter(const std::string& dir);
  ~EventFileWriter();
  EventFileWriter(const EventFileWriter&) = delete;
  EventFileWriter& operator=(const EventFileWriter&) = delete;

  // One event with these scalars at `step`, written and flushed at once: a run logs a few
  // batches a minute, so the file on disk is never more than one batch behind.
  void add_scalars(int64_t step, const std::vector<std::pair<std::string, double>>& scalars);

  const std::string& path() const { return path_; }

 private:
  void write_record(const std::string& bytes);
  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace relabel::io
