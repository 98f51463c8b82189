#include "harness/source_location.hpp"

#include <algorithm>

namespace pushsim::harness {

std::string SourceLocation::to_string() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string SourceLocation::line_column() const { return std::to_string(line) + ":" + std::to_string(column); }

std::string Diagnostic::to_string() const { return where.to_string() + ": " + message; }

void sort_in_file_order(std::vector<Diagnostic>& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.where.line != b.where.line) return a.where.line < b.where.line;
    return a.where.column < b.where.column;
  });
}

std::string join_diagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& diagnostic : diagnostics) {
    if (!out.empty()) out += '\n';
    out += diagnostic.to_string();
  }
  return out;
}

}  // namespace pushsim::harness
