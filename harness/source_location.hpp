#pragma once
// Where something came from in a scenario file, and a message tied to that place. Lines and
// columns are 1-based, as editors show them (yaml-cpp counts from 0; the loader converts).
#include <string>
#include <vector>

namespace pushsim::harness {

struct SourceLocation {
  std::string file;  // the display name the file was loaded under
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown

  bool operator==(const SourceLocation&) const = default;
  // "presence.yaml:12:5"; "presence.yaml" when the line is unknown.
  std::string to_string() const;
  // "12:5", for pointing elsewhere in the same file.
  std::string line_column() const;
};

// One finding about a file: "presence.yaml:12:5: unknown client 'carol' (...)".
struct Diagnostic {
  SourceLocation where;
  std::string message;

  bool operator==(const Diagnostic&) const = default;
  std::string to_string() const;
};

// At most this many diagnostics are reported per file; a last one counts the rest.
inline constexpr std::size_t kErrorsPerFileMax = 50;

// Diagnostics of one file in file order (line, then column), stable for equal places.
void sort_in_file_order(std::vector<Diagnostic>& diagnostics);

// One diagnostic per line, each as to_string() gives it.
std::string join_diagnostics(const std::vector<Diagnostic>& diagnostics);

}  // namespace pushsim::harness
