// Reading the watched folder of entitlements and importing its files one transaction each.
#include "domain/entitlement_folder.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "core/activation_code.hpp"
#include "core/log.hpp"
#include "domain/caller.hpp"
#include "domain/context.hpp"
#include "domain/entitlement.hpp"
#include "domain/store_error.hpp"

namespace lmp::domain {
namespace fs = std::filesystem;

namespace {

EntitlementFile read_one(const fs::path& path) {
  EntitlementFile file{path.string(), {}, {}};
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    file.unreadable =
        "cannot open it: " + std::error_code(errno, std::generic_category()).message();
    return file;
  }
  file.text.assign(kMaxEntitlementSize + 1, '\0');
  in.read(file.text.data(), static_cast<std::streamsize>(file.text.size()));
  if (in.bad()) {
    file.unreadable = "cannot read it";
    file.text.clear();
    return file;
  }
  file.text.resize(static_cast<std::size_t>(in.gcount()));
  return file;
}

// Writes the activation code of a license the folder created beside its file, readable by lmpd's
// user alone: nobody could read it anywhere else (the server keeps only its hash). Returns why it
// could not, or "".
std::string write_code_file(const std::string& path, const std::string& code) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return std::error_code(errno, std::generic_category()).message();
  // A file left from before with a wider mode keeps it through O_TRUNC: narrowed here.
  ::fchmod(fd, 0600);
  const std::string text = activation_code::format(code) + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const int saved = errno;
  const bool closed = ::close(fd) == 0;
  if (!written) return std::error_code(saved, std::generic_category()).message();
  if (!closed) return std::error_code(errno, std::generic_category()).message();
  return "";
}

void log_outcome(const FolderImport& outcome) {
  if (!outcome.failure.empty()) {
    log::error("entitlement_file_failed", {{"file", outcome.path}, {"error", outcome.failure}});
  } else if (outcome.attempt.refusal) {
    log::warning("entitlement_file_refused",
                 {{"file", outcome.path},
                  {"reason", to_string(outcome.attempt.refusal->code())},
                  {"message", outcome.attempt.refusal->what()}});
  } else {
    const auto& i = *outcome.attempt.imported;
    log::info("entitlement_file_imported", {{"file", outcome.path},
                                            {"result", to_string(i.result)},
                                            {"license", std::to_string(i.license.id)},
                                            {"vendor_license", std::to_string(i.vendor_license)},
                                            {"serial", std::to_string(i.serial)},
                                            {"code_file", outcome.code_file}});
  }
}

}  // namespace

std::vector<EntitlementFile> read_entitlement_folder(const std::string& folder,
                                                     std::string& error) {
  std::vector<fs::path> paths;
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& path = it->path();
    const std::string name = path.filename().string();
    // Hidden files are an editor's or a copy tool's, not the administrator's.
    if (name.empty() || name.front() == '.' || !name.ends_with(kEntitlementFileSuffix)) continue;
    std::error_code type_error;
    if (!it->is_regular_file(type_error)) continue;  // a symlink to a regular file counts
    paths.push_back(path);
  }
  if (ec) {
    error = "cannot list " + folder + ": " + ec.message();
    return {};
  }
  std::sort(paths.begin(), paths.end());
  std::vector<EntitlementFile> files;
  files.reserve(paths.size());
  for (const auto& path : paths) files.push_back(read_one(path));
  return files;
}

std::vector<FolderImport> import_entitlement_files(UnitOfWork& db, std::int64_t now_ms,
                                                   const Products& products, const SiteTrust& trust,
                                                   const std::vector<EntitlementFile>& files) {
  std::vector<FolderImport> outcomes;
  outcomes.reserve(files.size());
  for (const auto& file : files) {
    FolderImport outcome{file.path, {}, {}, {}};
    try {
      Transaction write(db, TransactionMode::write);
      const Caller caller = Caller::local_operator(db.accounts().root());
      const Context ctx{db, caller, now_ms, products, nullptr, &trust};
      outcome.attempt =
          file.unreadable.empty()
              ? import_entitlement(ctx, file.text, file.path)
              : refuse_entitlement(
                    ctx, DomainError(ErrorCode::entitlement_malformed, file.unreadable), file.path);
      // Before the commit: a license whose code could not be written is not made (the next
      // reload tries again), rather than made with a code nobody can ever read.
      if (outcome.attempt.imported && !outcome.attempt.imported->code.empty()) {
        outcome.code_file = file.path + std::string(kActivationCodeSuffix);
        if (const std::string why =
                write_code_file(outcome.code_file, outcome.attempt.imported->code);
            !why.empty())
          throw StoreError("cannot write the activation code to " + outcome.code_file + ": " + why +
                           "; the file is not imported");
      }
      write.commit();
    } catch (const StoreError& ex) {
      outcome.attempt = {};
      outcome.code_file.clear();
      outcome.failure = ex.what();
    } catch (const DomainError& ex) {
      // Not an entitlement's refusal (the caller's rights): nothing was written.
      outcome.attempt = {};
      outcome.attempt.refusal = ex;
    }
    log_outcome(outcome);
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

}  // namespace lmp::domain
