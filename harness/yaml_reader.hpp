#pragma once
// Reading yaml-cpp nodes into typed values while collecting diagnostics. Nothing here
// throws or stops at the first problem: each reader reports what it expected and what it
// found at the node's place, returns nullopt, and the caller carries on, so one pass over a
// file reports all of its errors.
//
// YAML scalars are untyped in yaml-cpp. We type them as YAML 1.2's core schema does (and as
// a reader expects): quoted and block scalars are strings; plain `true`/`false` are booleans,
// `null`/`~`/empty are null, decimal numbers are numbers, anything else is a string.
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "harness/source_location.hpp"
#include "protocol/json.hpp"
#include "protocol/time.hpp"

namespace pushsim::harness {

class YamlContext {
 public:
  explicit YamlContext(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  SourceLocation at(const YAML::Mark& mark) const;
  void error(const SourceLocation& where, std::string message);
  bool has_errors() const { return !diagnostics_.empty(); }
  // Sorted in file order, at most kErrorsPerFileMax of them, then one saying how many more.
  std::vector<Diagnostic> take_diagnostics();

  // Values (read_json) of one file hold at most this many nodes in all: aliases let a small
  // file name a huge value many times over, and each step copies its own.
  static constexpr std::size_t kJsonNodesPerFileMax = 1'000'000;
  // Takes one node from the file's budget; false once it is spent.
  bool take_json_node() {
    if (json_nodes_used_ == kJsonNodesPerFileMax) return false;
    ++json_nodes_used_;
    return true;
  }

 private:
  static constexpr std::size_t kCollectedMax = 10'000;  // bounds memory on hostile input
  std::size_t json_nodes_used_ = 0;
  std::string file_;
  std::vector<Diagnostic> diagnostics_;
  std::size_t dropped_ = 0;
};

// A value found under a key, with the place to blame: the value's own place, or the key's
// when the value is empty (yaml-cpp gives empty values the place of the next token).
struct Field {
  std::string key;
  std::string owner;  // "subscribe step", "client 'alice'": for messages
  YAML::Node value;
  SourceLocation where;
};

// Where to blame a value: its own place, or its key's when the value is empty (yaml-cpp
// gives empty values the place of the next token) or an alias (which carries the place of
// the node it names, somewhere earlier in the file).
SourceLocation value_place(const YamlContext& context, const YAML::Node& value, const SourceLocation& key_at);

// "a map", "a list", "nothing", or the scalar's text in quotes (shortened).
std::string describe_found(const YAML::Node& node);

// Reports unknown and duplicate keys of a map as it is built. A non-map reports
// "expected <owner> as a map, found ..." and leaves the reader empty.
class MapReader {
 public:
  MapReader(YamlContext& context, const YAML::Node& node, const SourceLocation& where, std::string owner,
            std::span<const std::string_view> allowed_keys);

  bool is_map() const { return is_map_; }
  const SourceLocation& where() const { return where_; }
  std::optional<Field> get(std::string_view key) const;
  // Reports "missing key 'k' in <owner>" at the map when absent, unless an unknown key of
  // the map is a likely misspelling of it (that key's error already says what is wrong).
  std::optional<Field> require(std::string_view key) const;

 private:
  YamlContext* context_;
  SourceLocation where_;
  std::string owner_;
  bool is_map_ = false;
  std::vector<Field> fields_;               // in file order, first of each key only
  std::vector<SourceLocation> key_places_;  // of each field's key
  std::vector<std::string> unknown_keys_;
};

// Levenshtein distance, for "is this unknown key a misspelling of that one".
std::size_t edit_distance(std::string_view a, std::string_view b);

// Typed readers. Each reports a mismatch as "expected <what> for '<key>' in <owner>, found
// <found>" and returns nullopt.
std::optional<std::string> read_string(YamlContext& context, const Field& field);
std::optional<std::int64_t> read_integer(YamlContext& context, const Field& field, std::int64_t min, std::int64_t max);
std::optional<bool> read_bool(YamlContext& context, const Field& field);
std::optional<DurationNs> read_duration(YamlContext& context, const Field& field);
std::optional<std::vector<std::string>> read_string_list(YamlContext& context, const Field& field);

// Any YAML value as JSON. on_string sees every string value (not keys) with its place, so
// that callers can check variables inside; depth and size are bounded, which also stops a
// recursive alias (`&a [*a]`).
// With MatcherTags::kAllowed (expectations), the tags !absent, !present and !exact become
// the markers of expected_value.hpp; elsewhere they are refused with the place.
using StringVisitor = std::function<void(const std::string&, const SourceLocation&)>;
enum class MatcherTags { kRefused, kAllowed };
std::optional<Json> read_json(YamlContext& context, const Field& field, const StringVisitor& on_string = {},
                              MatcherTags tags = MatcherTags::kRefused);

// The JSON type of a plain or quoted scalar, by the rules at the top of this file.
Json scalar_to_json(const YAML::Node& scalar);

}  // namespace pushsim::harness
