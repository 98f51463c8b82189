#include "harness/yaml_reader.hpp"

#include <algorithm>
#include <charconv>

#include "harness/duration.hpp"
#include "harness/expected_value.hpp"
#include "harness/scenario_vocabulary.hpp"

namespace pushsim::harness {
namespace {

constexpr int kJsonDepthMax = 64;
constexpr std::size_t kJsonNodesMax = 100'000;
constexpr std::size_t kFoundTextMax = 40;

bool is_plain(const YAML::Node& scalar) { return scalar.Tag() == "?"; }

std::optional<Json> plain_number(const std::string& text) {
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (first != last && *first == '+') ++first;  // from_chars takes '-' but not '+'
  if (first == last) return std::nullopt;
  std::int64_t integer = 0;
  if (auto [end, ec] = std::from_chars(first, last, integer); ec == std::errc() && end == last) return Json(integer);
  // Decimal floats only: digits, one '.', an exponent. from_chars would also take "inf"/"nan".
  const bool float_shaped = std::all_of(first, last, [](char c) {
    return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+';
  });
  if (!float_shaped || !std::any_of(first, last, [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  double real = 0;
  if (auto [end, ec] = std::from_chars(first, last, real); ec == std::errc() && end == last) return Json(real);
  return std::nullopt;
}

std::string type_mismatch(const Field& field, std::string_view expected) {
  return "expected " + std::string(expected) + " for '" + field.key + "' in " + field.owner + ", found " +
         describe_found(field.value);
}

// Where a value sits, for the matcher tags (expected_value.hpp): a marker is a map's value
// (or a whole field), and nothing inside an !exact may carry one.
enum class TagPlace { kMapValue, kListElement, kInsideExact };

struct JsonBuilder {
  YamlContext& context;
  const StringVisitor& on_string;
  SourceLocation root;  // limits are blamed on the value as written, not on an alias target
  MatcherTags tags = MatcherTags::kRefused;
  std::size_t nodes = 0;
  bool failed = false;

  // tagged: whether node's own tag is still to be read (an !exact reads it, then builds its
  // value as inside-exact).
  Json build(const YAML::Node& node, const SourceLocation& where, int depth, TagPlace place = TagPlace::kMapValue,
             bool tagged = true) {
    if (failed) return nullptr;
    if (depth > kJsonDepthMax || ++nodes > kJsonNodesMax) {
      context.error(root, "value nested deeper than " + std::to_string(kJsonDepthMax) + " levels or larger than " +
                              std::to_string(kJsonNodesMax) + " nodes (a recursive alias?)");
      failed = true;
      return nullptr;
    }
    if (!context.take_json_node()) {
      context.error(root, "values of this file hold more than " + std::to_string(YamlContext::kJsonNodesPerFileMax) +
                              " nodes in all (aliases?)");
      failed = true;
      return nullptr;
    }
    const SourceLocation here = node.Mark().is_null() ? where : context.at(node.Mark());
    if (tagged) {
      if (auto marker = matcher_tag(node, here, depth, place)) return *marker;
    }
    const TagPlace inner = place == TagPlace::kInsideExact ? place : TagPlace::kMapValue;
    if (node.IsSequence()) {
      Json array = Json::array();
      const TagPlace element = place == TagPlace::kInsideExact ? place : TagPlace::kListElement;
      for (const auto& item : node) array.push_back(build(item, here, depth + 1, element));
      return array;
    }
    if (node.IsMap()) {
      Json object = Json::object();
      for (const auto& pair : node) {
        if (!pair.first.IsScalar()) {
          context.error(here, "expected a plain key in a value, found " + describe_found(pair.first));
          continue;
        }
        const std::string& key = pair.first.Scalar();
        if (tags == MatcherTags::kAllowed && !key.empty() && key.front() == '\x01') {
          context.error(here, "a key starting with the control character \\x01 is reserved in expectations");
          continue;
        }
        object[key] = build(pair.second, here, depth + 1, inner);
      }
      return object;
    }
    if (!node.IsScalar()) return nullptr;
    Json value = scalar_to_json(node);
    if (value.is_string() && on_string) on_string(value.get_ref<const std::string&>(), here);
    return value;
  }

  // The marker a matcher tag stands for; nullopt for an untagged node (or a standard YAML
  // tag), which build() reads as plain JSON.
  std::optional<Json> matcher_tag(const YAML::Node& node, const SourceLocation& here, int depth, TagPlace place) {
    const std::string& tag = node.Tag();
    if (tag == "?" || tag == "!" || tag.empty() || tag.front() != '!') return std::nullopt;
    const bool known = tag == "!absent" || tag == "!present" || tag == "!exact";
    if (tags == MatcherTags::kRefused) {
      if (!known) return std::nullopt;
      return refuse(here, tag +
                              " is a matcher tag: only expectations (expect, expect_none, expect_webhook, "
                              "expect_response) may use it");
    }
    if (!known) return refuse(here, "unknown tag '" + tag + "' (expected one of: !absent, !present, !exact)");
    if (place == TagPlace::kInsideExact) {
      return refuse(here, tag + " inside !exact: everything there is compared exactly already");
    }
    if (tag == "!exact") {
      if (!node.IsMap() && !node.IsSequence()) {
        return refuse(
            here, "!exact takes a map or a list (a scalar is always compared exactly), found " + describe_found(node));
      }
      return exact_marker(build(node, here, depth + 1, TagPlace::kInsideExact, /*tagged=*/false));
    }
    if (place == TagPlace::kListElement) return refuse(here, tag + " in a list: it says whether a key is there");
    if (!node.IsScalar() || !node.Scalar().empty()) {
      return refuse(here, tag + " takes no value, found " + describe_found(node));
    }
    return tag == "!absent" ? absent_marker() : present_marker();
  }

  Json refuse(const SourceLocation& here, std::string message) {
    context.error(here, std::move(message));
    failed = true;
    return nullptr;
  }
};

}  // namespace

SourceLocation YamlContext::at(const YAML::Mark& mark) const {
  if (mark.is_null()) return SourceLocation{file_, 0, 0};
  return SourceLocation{file_, mark.line + 1, mark.column + 1};
}

void YamlContext::error(const SourceLocation& where, std::string message) {
  if (diagnostics_.size() >= kCollectedMax) {
    ++dropped_;
    return;
  }
  diagnostics_.push_back(Diagnostic{where, std::move(message)});
}

std::vector<Diagnostic> YamlContext::take_diagnostics() {
  std::vector<Diagnostic> out = std::move(diagnostics_);
  diagnostics_.clear();
  sort_in_file_order(out);
  const std::size_t total = out.size() + dropped_;
  if (total > kErrorsPerFileMax) {
    out.resize(kErrorsPerFileMax);
    out.push_back(Diagnostic{SourceLocation{file_, 0, 0},
                             "too many errors: " + std::to_string(total - kErrorsPerFileMax) + " more not shown"});
  }
  dropped_ = 0;
  return out;
}

SourceLocation value_place(const YamlContext& context, const YAML::Node& value, const SourceLocation& key_at) {
  if (value.IsNull() || value.Mark().is_null()) return key_at;
  const SourceLocation at = context.at(value.Mark());
  const bool before_key = at.line < key_at.line || (at.line == key_at.line && at.column < key_at.column);
  return before_key ? key_at : at;
}

std::string describe_found(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: break;
    default: return "nothing";
  }
  const std::string& text = node.Scalar();
  if (text.size() <= kFoundTextMax) return "'" + text + "'";
  return "'" + text.substr(0, kFoundTextMax) + "...'";
}

Json scalar_to_json(const YAML::Node& scalar) {
  if (scalar.IsNull() || !scalar.IsDefined()) return nullptr;
  const std::string& text = scalar.Scalar();
  if (!is_plain(scalar)) return text;  // quoted, block, or explicitly tagged: a string
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (auto number = plain_number(text)) return *number;
  return text;
}

MapReader::MapReader(YamlContext& context, const YAML::Node& node, const SourceLocation& where, std::string owner,
                     std::span<const std::string_view> allowed_keys)
    : context_(&context), where_(where), owner_(std::move(owner)) {
  if (!node.IsMap()) {
    context.error(where, "expected a map for " + owner_ + ", found " + describe_found(node));
    return;
  }
  is_map_ = true;
  for (const auto& pair : node) {
    const SourceLocation key_at = pair.first.Mark().is_null() ? where : context.at(pair.first.Mark());
    if (!pair.first.IsScalar()) {
      context.error(key_at, "expected a plain key in " + owner_ + ", found " + describe_found(pair.first));
      continue;
    }
    const std::string& key = pair.first.Scalar();
    if (std::find(allowed_keys.begin(), allowed_keys.end(), key) == allowed_keys.end()) {
      context.error(key_at, "unknown key " + describe_found(pair.first) + " in " + owner_ +
                                " (expected one of: " + join_words(allowed_keys) + ")");
      unknown_keys_.push_back(key);
      continue;
    }
    auto first = std::find_if(fields_.begin(), fields_.end(), [&](const Field& f) { return f.key == key; });
    if (first != fields_.end()) {
      const SourceLocation& first_key_at = key_places_[static_cast<std::size_t>(first - fields_.begin())];
      context.error(key_at, "duplicate key " + describe_found(pair.first) + " in " + owner_ + " (first given at " +
                                first_key_at.line_column() + ")");
      continue;
    }
    fields_.push_back(Field{key, owner_, pair.second, value_place(context, pair.second, key_at)});
    key_places_.push_back(key_at);
  }
}

std::optional<Field> MapReader::get(std::string_view key) const {
  for (const auto& field : fields_) {
    if (field.key == key) return field;
  }
  return std::nullopt;
}

std::optional<Field> MapReader::require(std::string_view key) const {
  auto field = get(key);
  const bool misspelt = std::any_of(unknown_keys_.begin(), unknown_keys_.end(),
                                    [&](const std::string& unknown) { return edit_distance(unknown, key) <= 2; });
  if (!field && is_map_ && !misspelt) context_->error(where_, "missing key '" + std::string(key) + "' in " + owner_);
  return field;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> read_string(YamlContext& context, const Field& field) {
  if (field.value.IsScalar()) return field.value.Scalar();
  context.error(field.where, type_mismatch(field, "a string"));
  return std::nullopt;
}

std::optional<std::int64_t> read_integer(YamlContext& context, const Field& field, std::int64_t min, std::int64_t max) {
  const Json value = field.value.IsScalar() ? scalar_to_json(field.value) : Json();
  if (value.is_number_integer()) {
    const auto number = value.get<std::int64_t>();
    if (number >= min && number <= max) return number;
  }
  context.error(field.where,
                type_mismatch(field, "an integer from " + std::to_string(min) + " to " + std::to_string(max)));
  return std::nullopt;
}

std::optional<bool> read_bool(YamlContext& context, const Field& field) {
  const Json value = field.value.IsScalar() ? scalar_to_json(field.value) : Json();
  if (value.is_boolean()) return value.get<bool>();
  context.error(field.where, type_mismatch(field, "true or false"));
  return std::nullopt;
}

std::optional<DurationNs> read_duration(YamlContext& context, const Field& field) {
  if (!field.value.IsScalar()) {
    context.error(field.where, type_mismatch(field, "a duration like 500ms, 2s or 1m"));
    return std::nullopt;
  }
  auto duration = parse_duration(field.value.Scalar());
  if (duration) return *duration;
  context.error(field.where, duration.error().message);
  return std::nullopt;
}

std::optional<std::vector<std::string>> read_string_list(YamlContext& context, const Field& field) {
  if (!field.value.IsSequence()) {
    context.error(field.where, type_mismatch(field, "a list of strings"));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const auto& item : field.value) {
    if (item.IsScalar()) {
      out.push_back(item.Scalar());
      continue;
    }
    const SourceLocation where = item.Mark().is_null() ? field.where : context.at(item.Mark());
    context.error(where,
                  "expected a string in '" + field.key + "' of " + field.owner + ", found " + describe_found(item));
    ok = false;
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<Json> read_json(YamlContext& context, const Field& field, const StringVisitor& on_string,
                              MatcherTags tags) {
  JsonBuilder builder{context, on_string, field.where, tags};
  Json value = builder.build(field.value, field.where, 0);
  if (builder.failed) return std::nullopt;
  return value;
}

}  // namespace pushsim::harness
