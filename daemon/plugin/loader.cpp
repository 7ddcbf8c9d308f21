// Loading one family plugin with Boost.DLL: the descriptor is inspected before any factory runs,
// and every refusal is a one-line reason.
#include "plugin/loader.hpp"

#include <dlfcn.h>
#include <link.h>

#include <algorithm>
#include <boost/dll/library_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <cstddef>
#include <cstring>
#include <exception>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

namespace lmp::plugin {
namespace {

namespace dll = boost::dll;

// ABI 1.0's descriptor ends with `version`; fields appended by later minors lie beyond this.
constexpr std::size_t kAbi10DescriptorSize =
    offsetof(sdk::PluginDescriptor, version) + sizeof(sdk::PluginDescriptor::version);
static_assert(kAbi10DescriptorSize <= sizeof(sdk::PluginDescriptor));
// abi_major, abi_minor and struct_size keep their offsets in every ABI, so they are read first.
constexpr std::size_t kDescriptorHeaderSize = offsetof(sdk::PluginDescriptor, toolchain);

constexpr std::string_view kDaemonToolchain = LMP_SDK_TOOLCHAIN_TAG;

// The standard library's ABI in a toolchain tag: what follows its last '/'. Only this decides:
// std::string's layout and the vtables come from the standard library and the Itanium C++ ABI,
// which GCC and Clang share, so the compiler before the '/' may differ.
std::string_view stdlib_abi(std::string_view tag) {
  const auto slash = tag.rfind('/');
  return slash == std::string_view::npos ? tag : tag.substr(slash + 1);
}

LoadFailure fail(const std::filesystem::path& file, std::string reason) {
  return LoadFailure{file.string(), std::move(reason)};
}

// Plugin-supplied text goes into log lines and error replies: keep it printable.
std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) c = '?';
  }
  return out;
}

// A fixed-size descriptor field as text; `terminated` is false when the plugin filled every byte.
std::string_view field_text(const char* field, std::size_t capacity, bool& terminated) {
  const std::size_t length = strnlen(field, capacity);
  terminated = length < capacity;
  return {field, length};
}

bool valid_family_name(std::string_view name) {
  if (name.empty() || name.front() < 'a' || name.front() > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Boost's load error reads "boost::dll::shared_library::load() failed (dlerror system message:
// <text>): Bad file descriptor"; only <text> says what is wrong.
std::string dlerror_text(const std::exception& error) {
  const std::string what = error.what();
  constexpr std::string_view kMarker = "dlerror system message: ";
  const auto begin = what.find(kMarker);
  const auto end = what.rfind(')');
  if (begin == std::string::npos || end == std::string::npos || end < begin) return what;
  return what.substr(begin + kMarker.size(), end - begin - kMarker.size());
}

// The size the dynamic symbol table records for the object at `address`, 0 when unknown.
std::size_t symbol_size(const void* address) {
  Dl_info info{};
  void* entry = nullptr;
  if (dladdr1(address, &info, &entry, RTLD_DL_SYMENT) == 0 || entry == nullptr ||
      info.dli_saddr != address) {
    return 0;
  }
  return static_cast<std::size_t>(static_cast<const ElfW(Sym)*>(entry)->st_size);
}

std::variant<LoadedFamily, LoadFailure> load(const std::filesystem::path& file, sdk::Host& host) {
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (!std::filesystem::exists(status)) {
    if (ec && ec != std::errc::no_such_file_or_directory) {
      return fail(file, "cannot access file: " + ec.message());
    }
    return fail(file, "file does not exist");
  }
  if (!std::filesystem::is_regular_file(status)) return fail(file, "not a regular file");

  // The symbol table is read from the file itself, so a file that is not a plugin is refused
  // before dlopen could run any of its static initialisers.
  bool has_descriptor = false;
  try {
    dll::library_info info(file);
    const auto symbols = info.symbols();
    has_descriptor =
        std::find(symbols.begin(), symbols.end(), sdk::kDescriptorSymbol) != symbols.end();
  } catch (const std::exception& e) {
    return fail(file, std::string("not a shared library: ") + e.what());
  } catch (...) {
    return fail(file, "not a shared library: unreadable symbol table");
  }
  if (!has_descriptor) {
    return fail(file, std::string("no ") + sdk::kDescriptorSymbol + " symbol: not an lmpd plugin");
  }

  auto library = std::make_shared<dll::shared_library>();
  try {
    // An absolute path keeps dlopen from searching LD_LIBRARY_PATH and the system directories.
    library->load(std::filesystem::absolute(file),
                  dll::load_mode::rtld_now | dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    return fail(file, "cannot load: " + dlerror_text(e));
  }
  if (!library->has(sdk::kDescriptorSymbol)) {
    return fail(file, std::string("no ") + sdk::kDescriptorSymbol + " symbol: not an lmpd plugin");
  }

  // The descriptor is data: read it field by field, never past what the symbol really holds.
  const auto* raw = reinterpret_cast<const unsigned char*>(
      &library->get<const sdk::PluginDescriptor>(sdk::kDescriptorSymbol));
  const std::size_t available = symbol_size(raw);
  if (available < kDescriptorHeaderSize) {
    return fail(file, "descriptor symbol holds " + std::to_string(available) +
                          " bytes, too few for an lmpd plugin descriptor");
  }
  sdk::PluginDescriptor descriptor{};
  std::memcpy(&descriptor, raw, kDescriptorHeaderSize);

  const std::string daemon_abi =
      std::to_string(sdk::kAbiMajor) + "." + std::to_string(sdk::kAbiMinor);
  if (descriptor.abi_major != sdk::kAbiMajor) {
    return fail(file, "ABI major " + std::to_string(descriptor.abi_major) +
                          " not supported (daemon speaks " + daemon_abi + ")");
  }
  if (descriptor.abi_minor > sdk::kAbiMinor) {
    return fail(file, "built for ABI " + std::to_string(descriptor.abi_major) + "." +
                          std::to_string(descriptor.abi_minor) + ", newer than the daemon's " +
                          daemon_abi);
  }
  if (descriptor.struct_size < kAbi10DescriptorSize) {
    return fail(file, "descriptor struct_size " + std::to_string(descriptor.struct_size) +
                          " is smaller than ABI 1.0's " + std::to_string(kAbi10DescriptorSize) +
                          " bytes");
  }
  if (descriptor.struct_size > available) {
    return fail(file, "descriptor claims " + std::to_string(descriptor.struct_size) +
                          " bytes but its symbol holds " + std::to_string(available));
  }
  // A descriptor from an older minor is shorter; the fields it lacks keep their zero defaults.
  std::memcpy(&descriptor, raw, std::min<std::size_t>(descriptor.struct_size, sizeof descriptor));

  bool terminated = false;
  const auto toolchain = field_text(descriptor.toolchain, sizeof descriptor.toolchain, terminated);
  if (!terminated || stdlib_abi(toolchain) != stdlib_abi(kDaemonToolchain)) {
    return fail(file, "standard library ABI '" + printable(stdlib_abi(toolchain)) +
                          "' (toolchain '" + printable(toolchain) +
                          "') differs from the daemon's '" +
                          std::string(stdlib_abi(kDaemonToolchain)) + "'");
  }
  const auto family_name = field_text(descriptor.family, sizeof descriptor.family, terminated);
  if (!terminated) return fail(file, "family name is not NUL-terminated");
  if (family_name.empty()) return fail(file, "empty family name");
  if (!valid_family_name(family_name)) {
    return fail(file, "invalid family name '" + printable(family_name) +
                          "': use lowercase letters, digits and '_', starting with a letter");
  }
  const auto version = field_text(descriptor.version, sizeof descriptor.version, terminated);
  if (!terminated) return fail(file, "plugin version is not NUL-terminated");

  if (!library->has(sdk::kCreateSymbol)) {
    return fail(file, std::string("no ") + sdk::kCreateSymbol + " symbol");
  }
  if (!library->has(sdk::kDestroySymbol)) {
    return fail(file, std::string("no ") + sdk::kDestroySymbol + " symbol");
  }
  // Plain function pointers from the handle we hold: import_symbol would either reopen the
  // library or consume the handle the deleter below must keep.
  const sdk::CreateFamilyFn create =
      &library->get<std::remove_pointer_t<sdk::CreateFamilyFn>>(sdk::kCreateSymbol);
  const sdk::DestroyFamilyFn destroy =
      &library->get<std::remove_pointer_t<sdk::DestroyFamilyFn>>(sdk::kDestroySymbol);

  sdk::Family* created = nullptr;
  try {
    created = create(&host);
  } catch (const std::exception& e) {
    return fail(file, std::string("factory threw: ") + printable(e.what()));
  } catch (...) {
    return fail(file, "factory threw a non-standard exception");
  }
  if (created == nullptr) return fail(file, "factory returned no family");

  // `library` is captured so the code behind `destroy` and the family's vtable stays mapped
  // until the instance is gone; the deleter runs before the capture is released.
  std::shared_ptr<sdk::Family> family(created, [destroy, library](sdk::Family* instance) {
    try {
      destroy(instance);
    } catch (...) {
      // A destructor that throws across the boundary leaves nothing to recover; the daemon is
      // shutting the family down either way.
    }
  });
  return LoadedFamily{std::string(family_name), printable(version),   file.string(),
                      std::move(family),        descriptor.abi_minor, printable(toolchain)};
}

}  // namespace

std::string LoadFailure::to_string() const {
  std::string line = "plugin " + path + ": " + reason;
  std::replace(line.begin(), line.end(), '\n', ' ');
  return line;
}

std::variant<LoadedFamily, LoadFailure> load_family_plugin(const std::filesystem::path& file,
                                                           sdk::Host& host) {
  try {
    return load(file, host);
  } catch (const std::exception& e) {
    return fail(file, std::string("unexpected error: ") + e.what());
  } catch (...) {
    return fail(file, "unexpected error");
  }
}

}  // namespace lmp::plugin
