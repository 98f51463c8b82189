// Finding the bundled data from the executable's own location (build_paths.hpp).
#include <cstdlib>
#include <string>
#include <system_error>

#include "apps/build_paths.hpp"

namespace pushsim::apps {

namespace {

// This executable's path; empty when the kernel does not say (no /proc).
std::filesystem::path executable_path() {
  std::error_code ec;
  std::filesystem::path path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : path;
}

}  // namespace

std::filesystem::path bundled_dir(const char* env_variable, std::string_view name, const char* source_dir) {
  if (const char* env = std::getenv(env_variable); env != nullptr && *env != '\0') return env;
  const std::filesystem::path executable = executable_path();
  if (executable.empty()) return source_dir;
  const std::filesystem::path binary_dir = executable.parent_path();
  const std::filesystem::path installed = (binary_dir / data_dir_from_binary() / std::string(name)).lexically_normal();
  std::error_code ec;
  if (std::filesystem::is_directory(installed, ec)) return installed;
  if (std::filesystem::equivalent(binary_dir, build_binary_dir(), ec)) return source_dir;
  return installed;
}

}  // namespace pushsim::apps
