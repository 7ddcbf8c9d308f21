// The power-loss disk model: flushes, names, and the folder a reboot finds.
#include "support/power_loss_disk.hpp"

#include <algorithm>
#include <fstream>
#include <numeric>
#include <random>
#include <stdexcept>
#include <thread>

namespace lmp::test {
namespace {

constexpr std::uint64_t kSector = 512;

std::filesystem::path normal(const std::filesystem::path& path) {
  std::filesystem::path result = path.lexically_normal();
  // "/a/b/" names the folder "/a/b".
  if (!result.has_filename() && result.has_parent_path()) result = result.parent_path();
  return result;
}

// In one read: a WAL file of a few megabytes is read for each crash point, and byte by byte that
// costs seconds in sanitizer builds.
std::vector<unsigned char> read_whole(const std::filesystem::path& path) {
  std::vector<unsigned char> bytes(std::filesystem::file_size(path));
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!in) throw std::runtime_error("power-loss disk: cannot read " + path.string());
  return bytes;
}

void write_whole(const std::filesystem::path& path, const std::vector<unsigned char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("power-loss disk: cannot write " + path.string());
}

// Copies bytes [from, to) of a write that starts at `offset` into `file`, growing it as needed
// (a hole reads as zeros).
void put(std::vector<unsigned char>& file, std::uint64_t offset,
         const std::vector<unsigned char>& bytes, std::uint64_t from, std::uint64_t to) {
  if (from >= to) return;
  if (file.size() < offset + to) file.resize(offset + to, 0);
  std::copy(bytes.begin() + static_cast<std::ptrdiff_t>(from),
            bytes.begin() + static_cast<std::ptrdiff_t>(to),
            file.begin() + static_cast<std::ptrdiff_t>(offset + from));
}

}  // namespace

class PowerLossDisk::File {
 public:
  struct Change {
    std::uint64_t sequence = 0;
    bool truncation = false;
    std::uint64_t offset = 0;  // a write's position; a truncation's new size
    std::vector<unsigned char> bytes;
  };

  void apply(const Change& change) {
    if (change.truncation)
      durable.resize(change.offset, 0);
    else
      put(durable, change.offset, change.bytes, 0, change.bytes.size());
  }

  std::vector<unsigned char> durable;
  std::vector<Change> changes;  // since the last flush, in order
  std::uint64_t next_sequence = 1;
};

PowerLossDisk::PowerLossDisk(const std::filesystem::path& root, Options options)
    : root_(std::filesystem::canonical(root)), options_(options) {
  for (const auto& entry : std::filesystem::directory_iterator(root_)) {
    if (!entry.is_regular_file()) continue;
    auto file = std::make_shared<File>();
    file->durable = read_whole(entry.path());
    names_[entry.path().filename().string()] = file;
  }
  durable_names_ = names_;
}

PowerLossDisk::~PowerLossDisk() = default;

bool PowerLossDisk::is_root(const std::filesystem::path& path) const {
  return normal(path) == root_;
}

bool PowerLossDisk::holds(const std::filesystem::path& path) const {
  const std::filesystem::path name = normal(path);
  return name.has_filename() && name.parent_path() == root_;
}

std::string PowerLossDisk::name_of(const std::filesystem::path& path) const {
  if (!holds(path)) throw std::logic_error("power-loss disk: " + path.string() + " is not on it");
  return normal(path).filename().string();
}

void PowerLossDisk::count_operation() {
  ++operations_;
  if (options_.crash_after != 0 && operations_ == options_.crash_after) power_lost_ = true;
}

std::shared_ptr<PowerLossDisk::File> PowerLossDisk::open(const std::filesystem::path& path,
                                                         bool create) {
  const std::string name = name_of(path);
  std::lock_guard lock(mutex_);
  if (auto found = names_.find(name); found != names_.end()) return found->second;
  if (!create) return nullptr;
  auto file = std::make_shared<File>();
  // After the power loss a new name never reaches the disk: the file is nobody's.
  if (power_lost_) return file;
  names_[name] = file;
  ++names_version_;
  count_operation();
  return file;
}

void PowerLossDisk::write(File& file, std::uint64_t offset, const void* data, std::size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  std::lock_guard lock(mutex_);
  if (power_lost_) return;
  file.changes.push_back({file.next_sequence++, false, offset, {bytes, bytes + size}});
  count_operation();
}

void PowerLossDisk::truncate(File& file, std::uint64_t size) {
  std::lock_guard lock(mutex_);
  if (power_lost_) return;
  file.changes.push_back({file.next_sequence++, true, size, {}});
  count_operation();
}

void PowerLossDisk::remove(const std::filesystem::path& path) {
  const std::string name = name_of(path);
  std::lock_guard lock(mutex_);
  if (power_lost_) return;
  if (names_.erase(name) == 0) return;
  ++names_version_;
  count_operation();
}

bool PowerLossDisk::flush(File& file) {
  std::uint64_t last = 0;  // the flush covers the changes up to this one
  {
    std::lock_guard lock(mutex_);
    if (power_lost_) return false;
    last = file.next_sequence - 1;
  }
  if (options_.flush_latency.count() > 0) std::this_thread::sleep_for(options_.flush_latency);
  std::lock_guard lock(mutex_);
  if (power_lost_) return false;
  auto end = file.changes.begin();
  for (; end != file.changes.end() && end->sequence <= last; ++end) file.apply(*end);
  file.changes.erase(file.changes.begin(), end);
  count_operation();
  return true;
}

bool PowerLossDisk::flush_folder() {
  Names names;
  std::uint64_t version = 0;
  {
    std::lock_guard lock(mutex_);
    if (power_lost_) return false;
    names = names_;
    version = names_version_;
  }
  if (options_.flush_latency.count() > 0) std::this_thread::sleep_for(options_.flush_latency);
  std::lock_guard lock(mutex_);
  if (power_lost_) return false;
  // Of two flushes running at once, the one that started later saw the newer folder.
  if (version > durable_version_) {
    durable_names_ = std::move(names);
    durable_version_ = version;
  }
  count_operation();
  return true;
}

void PowerLossDisk::lose_power() {
  std::lock_guard lock(mutex_);
  power_lost_ = true;
}

bool PowerLossDisk::power_lost() const {
  std::lock_guard lock(mutex_);
  return power_lost_;
}

std::uint64_t PowerLossDisk::operations() const {
  std::lock_guard lock(mutex_);
  return operations_;
}

std::string PowerLossDisk::materialise(const std::filesystem::path& target) const {
  std::lock_guard lock(mutex_);
  if (!power_lost_) throw std::logic_error("power-loss disk: materialise() before the power loss");
  std::mt19937_64 random(options_.seed);
  int whole = 0;
  int missing = 0;
  int torn = 0;
  std::string files;
  for (const auto& [name, file] : durable_names_) {
    std::vector<unsigned char> bytes = file->durable;
    std::vector<std::size_t> order(file->changes.size());
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), random);
    for (const std::size_t index : order) {
      const File::Change& change = file->changes[index];
      const auto fate = random() % 3;
      if (fate == 0) {
        ++missing;
      } else if (fate == 1 || change.truncation) {
        ++whole;
        if (change.truncation)
          bytes.resize(change.offset, 0);
        else
          put(bytes, change.offset, change.bytes, 0, change.bytes.size());
      } else {
        ++torn;
        // Sector by sector, on the disk's sector boundaries, each sector written or not.
        const std::uint64_t end = change.offset + change.bytes.size();
        for (std::uint64_t sector = change.offset / kSector * kSector; sector < end;
             sector += kSector) {
          if (random() % 2 == 0) continue;
          const std::uint64_t from = std::max(sector, change.offset) - change.offset;
          const std::uint64_t to = std::min(sector + kSector, end) - change.offset;
          put(bytes, change.offset, change.bytes, from, to);
        }
      }
    }
    write_whole(target / name, bytes);
    files += (files.empty() ? "" : ", ") + name + " (" + std::to_string(bytes.size()) + " bytes, " +
             std::to_string(file->changes.size()) + " unflushed changes)";
  }
  std::string lost_names;
  for (const auto& [name, file] : names_)
    if (durable_names_.find(name) == durable_names_.end())
      lost_names += (lost_names.empty() ? "" : ", ") + name;
  return "after " + std::to_string(operations_) + " operations: " + files +
         (lost_names.empty() ? "" : "; names never made durable: " + lost_names) +
         "; unflushed changes " + std::to_string(whole) + " whole, " + std::to_string(missing) +
         " missing, " + std::to_string(torn) + " torn";
}

}  // namespace lmp::test
