// The power-loss VFS: every call goes to the "unix" VFS; what changes the disk's folder is also
// told to the PowerLossDisk, whose model decides what a flush made durable.
#include "support/power_loss_vfs.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "support/power_loss_disk.hpp"

namespace lmp::test {
namespace {

// What the VFS knows of a file opened in a disk's folder.
struct Tracked {
  std::shared_ptr<PowerLossDisk> disk;
  std::shared_ptr<PowerLossDisk::File> file;
  // The unix VFS flushes the folder at the first successful flush of a journal or WAL file
  // opened with SQLITE_OPEN_CREATE (unixOpen's `syncDir`, unixSync's UNIXFILE_DIRSYNC), whether
  // or not the open created it, and ignores a failure of that folder flush.
  bool folder_flush_pending = false;
};

// SQLite allocates szOsFile bytes per open file: this header, then the unix VFS's own file.
struct VfsFile {
  sqlite3_file base;
  sqlite3_file* real;
  Tracked* tracked;  // null for files outside the disk's folder (and temporary files)
};
constexpr int kRealOffset = (sizeof(VfsFile) + 15) / 16 * 16;

VfsFile* as_vfs_file(sqlite3_file* file) {
  return reinterpret_cast<VfsFile*>(file);
}
sqlite3_file* real(sqlite3_file* file) {
  return as_vfs_file(file)->real;
}

int file_close(sqlite3_file* file) {
  VfsFile* self = as_vfs_file(file);
  const int rc = self->real->pMethods->xClose(self->real);
  delete self->tracked;
  self->tracked = nullptr;
  return rc;
}

int file_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  return real(file)->pMethods->xRead(real(file), out, amount, offset);
}

int file_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  VfsFile* self = as_vfs_file(file);
  const int rc = self->real->pMethods->xWrite(self->real, data, amount, offset);
  if (rc != SQLITE_OK || self->tracked == nullptr) return rc;
  try {
    self->tracked->disk->write(*self->tracked->file, static_cast<std::uint64_t>(offset), data,
                               static_cast<std::size_t>(amount));
  } catch (...) {
    return SQLITE_IOERR_WRITE;
  }
  return SQLITE_OK;
}

int file_truncate(sqlite3_file* file, sqlite3_int64 size) {
  VfsFile* self = as_vfs_file(file);
  const int rc = self->real->pMethods->xTruncate(self->real, size);
  if (rc != SQLITE_OK || self->tracked == nullptr) return rc;
  try {
    self->tracked->disk->truncate(*self->tracked->file, static_cast<std::uint64_t>(size));
  } catch (...) {
    return SQLITE_IOERR_TRUNCATE;
  }
  return SQLITE_OK;
}

int file_sync(sqlite3_file* file, int flags) {
  VfsFile* self = as_vfs_file(file);
  if (self->tracked == nullptr) return self->real->pMethods->xSync(self->real, flags);
  Tracked& tracked = *self->tracked;
  try {
    if (!tracked.disk->flush(*tracked.file)) return SQLITE_IOERR_FSYNC;
    if (tracked.folder_flush_pending) {
      tracked.folder_flush_pending = false;
      (void)tracked.disk->flush_folder();
    }
  } catch (...) {
    return SQLITE_IOERR_FSYNC;
  }
  return SQLITE_OK;
}

int file_size(sqlite3_file* file, sqlite3_int64* size) {
  return real(file)->pMethods->xFileSize(real(file), size);
}
int file_lock(sqlite3_file* file, int level) {
  return real(file)->pMethods->xLock(real(file), level);
}
int file_unlock(sqlite3_file* file, int level) {
  return real(file)->pMethods->xUnlock(real(file), level);
}
int file_check_reserved_lock(sqlite3_file* file, int* out) {
  return real(file)->pMethods->xCheckReservedLock(real(file), out);
}
int file_control(sqlite3_file* file, int op, void* arg) {
  return real(file)->pMethods->xFileControl(real(file), op, arg);
}
int file_sector_size(sqlite3_file* file) {
  return real(file)->pMethods->xSectorSize(real(file));
}
int file_device_characteristics(sqlite3_file* file) {
  return real(file)->pMethods->xDeviceCharacteristics(real(file));
}
// The wal-index (-shm) is shared memory the unix VFS maps itself, never opened through xOpen:
// it is not on the disk, and a reboot finds none (SQLite rebuilds it from the WAL).
int file_shm_map(sqlite3_file* file, int page, int page_size, int extend, void volatile** out) {
  return real(file)->pMethods->xShmMap(real(file), page, page_size, extend, out);
}
int file_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  return real(file)->pMethods->xShmLock(real(file), offset, n, flags);
}
void file_shm_barrier(sqlite3_file* file) {
  real(file)->pMethods->xShmBarrier(real(file));
}
int file_shm_unmap(sqlite3_file* file, int delete_flag) {
  return real(file)->pMethods->xShmUnmap(real(file), delete_flag);
}
int file_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  return real(file)->pMethods->xFetch(real(file), offset, amount, out);
}
int file_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  return real(file)->pMethods->xUnfetch(real(file), offset, page);
}

const sqlite3_io_methods kFileMethods = {
    3,
    file_close,
    file_read,
    file_write,
    file_truncate,
    file_sync,
    file_size,
    file_lock,
    file_unlock,
    file_check_reserved_lock,
    file_control,
    file_sector_size,
    file_device_characteristics,
    file_shm_map,
    file_shm_lock,
    file_shm_barrier,
    file_shm_unmap,
    file_fetch,
    file_unfetch,
};

}  // namespace

struct PowerLossVfs::Impl {
  sqlite3_vfs vfs{};
  sqlite3_vfs* unix_vfs = nullptr;
  std::mutex mutex;  // guards disk
  std::shared_ptr<PowerLossDisk> disk;

  static Impl& of(sqlite3_vfs* vfs) { return *static_cast<Impl*>(vfs->pAppData); }
  std::shared_ptr<PowerLossDisk> attached() {
    std::lock_guard lock(mutex);
    return disk;
  }

  static int open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags,
                  int* out_flags) {
    Impl& self = of(vfs);
    auto* vfs_file = as_vfs_file(file);
    vfs_file->base.pMethods = nullptr;
    vfs_file->tracked = nullptr;
    vfs_file->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kRealOffset);
    const int rc = self.unix_vfs->xOpen(self.unix_vfs, name, vfs_file->real, flags, out_flags);
    // SQLite calls xClose whenever pMethods is set, even after a failed open.
    if (vfs_file->real->pMethods == nullptr) return rc;
    vfs_file->base.pMethods = &kFileMethods;
    if (rc != SQLITE_OK || name == nullptr) return rc;
    auto disk = self.attached();
    if (!disk || !disk->holds(name)) return rc;
    try {
      const bool create = (flags & SQLITE_OPEN_CREATE) != 0;
      auto model = disk->open(name, create);
      if (!model) return rc;
      const bool journal =
          (flags & (SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_SUPER_JOURNAL | SQLITE_OPEN_WAL)) != 0;
      vfs_file->tracked = new Tracked{std::move(disk), std::move(model), create && journal};
    } catch (...) {
      return SQLITE_CANTOPEN;
    }
    return rc;
  }

  static int remove(sqlite3_vfs* vfs, const char* name, int sync_folder) {
    Impl& self = of(vfs);
    auto disk = self.attached();
    const bool on_disk = disk && disk->holds(name);
    // The folder flush that follows is the model's; the real one is not needed.
    const int rc = self.unix_vfs->xDelete(self.unix_vfs, name, on_disk ? 0 : sync_folder);
    if (rc != SQLITE_OK || !on_disk) return rc;
    try {
      disk->remove(name);
      if (sync_folder != 0 && !disk->flush_folder()) return SQLITE_IOERR_DIR_FSYNC;
    } catch (...) {
      return SQLITE_IOERR_DELETE;
    }
    return SQLITE_OK;
  }

  static int access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
    sqlite3_vfs* base = of(vfs).unix_vfs;
    return base->xAccess(base, name, flags, out);
  }
  static int full_pathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
    sqlite3_vfs* base = of(vfs).unix_vfs;
    return base->xFullPathname(base, name, size, out);
  }
  static void* dl_open(sqlite3_vfs* vfs, const char* name) {
    sqlite3_vfs* base = of(vfs).unix_vfs;
    return base->xDlOpen(base, name);
  }
  static void dl_error(sqlite3_vfs* vfs, int size, char* out) {
    sqlite3_vfs* base = of(vfs).unix_vfs;
    base->xDlError(base, size, out);
  }
  static void (*dl_sym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
    sqlite3_vfs* base = of(vfs).unix_vfs;
    return base->xDlSym(base, handle, symbol);
  }
  static void dl_close(sqlite3_vfs* vfs, void* handle) {
    sqlite3_vfs* base = of(vfs).unix_vfs;
    base->xDlClose(base, handle);
  }
  static int randomness(sqlite3_vfs* vfs, int size, char* out) {
    sqlite3_vfs* base = of(vfs).unix_vfs;
    return base->xRandomness(base, size, out);
  }
  static int sleep(sqlite3_vfs* vfs, int microseconds) {
    sqlite3_vfs* base = of(vfs).unix_vfs;
    return base->xSleep(base, microseconds);
  }
  static int current_time(sqlite3_vfs* vfs, double* out) {
    sqlite3_vfs* base = of(vfs).unix_vfs;
    return base->xCurrentTime(base, out);
  }
  static int last_error(sqlite3_vfs* vfs, int size, char* out) {
    sqlite3_vfs* base = of(vfs).unix_vfs;
    return base->xGetLastError(base, size, out);
  }
  static int current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* out) {
    sqlite3_vfs* base = of(vfs).unix_vfs;
    return base->xCurrentTimeInt64(base, out);
  }
  static int set_system_call(sqlite3_vfs* vfs, const char* name, sqlite3_syscall_ptr call) {
    sqlite3_vfs* base = of(vfs).unix_vfs;
    return base->xSetSystemCall(base, name, call);
  }
  static sqlite3_syscall_ptr get_system_call(sqlite3_vfs* vfs, const char* name) {
    sqlite3_vfs* base = of(vfs).unix_vfs;
    return base->xGetSystemCall(base, name);
  }
  static const char* next_system_call(sqlite3_vfs* vfs, const char* name) {
    sqlite3_vfs* base = of(vfs).unix_vfs;
    return base->xNextSystemCall(base, name);
  }
};

PowerLossVfs::PowerLossVfs() : impl_(std::make_unique<Impl>()) {
  if (sqlite3_initialize() != SQLITE_OK) throw std::runtime_error("sqlite3_initialize failed");
  impl_->unix_vfs = sqlite3_vfs_find("unix");
  if (impl_->unix_vfs == nullptr || impl_->unix_vfs->iVersion < 3)
    throw std::runtime_error("power-loss VFS: SQLite has no unix VFS of version 3");
  sqlite3_vfs& vfs = impl_->vfs;
  vfs.iVersion = 3;
  vfs.szOsFile = kRealOffset + impl_->unix_vfs->szOsFile;
  vfs.mxPathname = impl_->unix_vfs->mxPathname;
  vfs.zName = "lmp-power-loss";
  vfs.pAppData = impl_.get();
  vfs.xOpen = &Impl::open;
  vfs.xDelete = &Impl::remove;
  vfs.xAccess = &Impl::access;
  vfs.xFullPathname = &Impl::full_pathname;
  vfs.xDlOpen = &Impl::dl_open;
  vfs.xDlError = &Impl::dl_error;
  vfs.xDlSym = &Impl::dl_sym;
  vfs.xDlClose = &Impl::dl_close;
  vfs.xRandomness = &Impl::randomness;
  vfs.xSleep = &Impl::sleep;
  vfs.xCurrentTime = &Impl::current_time;
  vfs.xGetLastError = &Impl::last_error;
  vfs.xCurrentTimeInt64 = &Impl::current_time_int64;
  vfs.xSetSystemCall = &Impl::set_system_call;
  vfs.xGetSystemCall = &Impl::get_system_call;
  vfs.xNextSystemCall = &Impl::next_system_call;
  if (sqlite3_vfs_register(&vfs, 1) != SQLITE_OK)
    throw std::runtime_error("power-loss VFS: sqlite3_vfs_register failed");
}

PowerLossVfs::~PowerLossVfs() {
  sqlite3_vfs_unregister(&impl_->vfs);
  sqlite3_vfs_register(impl_->unix_vfs, 1);
}

void PowerLossVfs::attach(std::shared_ptr<PowerLossDisk> disk) {
  std::lock_guard lock(impl_->mutex);
  impl_->disk = std::move(disk);
}

void PowerLossVfs::make_default(bool yes) {
  sqlite3_vfs_register(yes ? &impl_->vfs : impl_->unix_vfs, 1);
}

}  // namespace lmp::test
