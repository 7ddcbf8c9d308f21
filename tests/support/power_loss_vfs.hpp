// A SQLite VFS over the "unix" one that reports to a PowerLossDisk what SQLite writes, truncates,
// flushes and deletes in the disk's folder, including the folder flush the unix VFS makes at the
// first flush of a journal or WAL file it was asked to create. Registered as SQLite's default, it
// puts every SQLite connection of the process (SOCI's too) on the disk without any change to them.
#pragma once

#include <memory>

namespace lmp::test {

class PowerLossDisk;

// Thread safety: every method from any thread. One instance per process at a time.
class PowerLossVfs {
 public:
  // Registers the VFS ("lmp-power-loss") as SQLite's default for new connections.
  PowerLossVfs();
  // Unregisters it: "unix" is the default again. REQUIRES: no connection opened through it is
  // still open.
  ~PowerLossVfs();
  PowerLossVfs(const PowerLossVfs&) = delete;
  PowerLossVfs& operator=(const PowerLossVfs&) = delete;

  // Files opened from now on in `disk`'s folder are reported to it (those already open go on
  // reporting to the disk they were opened on); null: to none, the VFS then acts as "unix" does.
  // Flushes of the files reported to a disk do not reach the real files: the disk's model is
  // what survives, and a flush fails once the disk has lost power.
  void attach(std::shared_ptr<PowerLossDisk> disk);
  // Makes the VFS SQLite's default for new connections (true), or "unix" (false).
  void make_default(bool yes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmp::test
