#include "harness/protocol_document.hpp"

#include <fstream>
#include <map>
#include <optional>
#include <utility>

namespace pushsim::harness {
namespace {

bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

// The code point of the UTF-8 sequence starting at text[i], and its length; a stray byte
// counts as itself, one byte long.
std::pair<char32_t, std::size_t> decode_utf8(std::string_view text, std::size_t i) {
  const auto byte = static_cast<unsigned char>(text[i]);
  std::size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
  if (i + length > text.size()) length = 1;
  if (length == 1) return {byte, 1};
  char32_t code = byte & (0x3F >> (length - 1));
  for (std::size_t k = 1; k < length; ++k) code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  return {code, length};
}

// Non-ASCII punctuation and symbols GitHub drops from anchors (dashes, quotes, §, ×, arrows,
// mathematical operators); other non-ASCII characters (letters) are kept as they are.
bool is_dropped_non_ascii(char32_t code) {
  return (code >= 0xA0 && code <= 0xBF) || code == 0xD7 || code == 0xF7 || (code >= 0x2000 && code <= 0x2BFF) ||
         (code >= 0x3000 && code <= 0x303F);
}

// The text of an ATX heading line (`### 3.4 Presence semantics` -> `3.4 Presence semantics`),
// or nothing when the line is not a heading.
std::optional<std::string_view> heading_text(std::string_view line) {
  std::size_t indent = 0;
  while (indent < line.size() && indent < 3 && line[indent] == ' ') ++indent;
  line.remove_prefix(indent);
  std::size_t level = 0;
  while (level < line.size() && line[level] == '#') ++level;
  if (level == 0 || level > 6) return std::nullopt;
  if (level < line.size() && line[level] != ' ' && line[level] != '\t') return std::nullopt;
  std::string_view text = trimmed(line.substr(level));
  // An optional closing sequence of '#'s, preceded by a space, is not part of the text.
  const std::size_t hashes = text.find_last_not_of('#');
  if (hashes == std::string_view::npos) return std::string_view{};
  if (hashes + 1 < text.size() && (text[hashes] == ' ' || text[hashes] == '\t')) text = trimmed(text.substr(0, hashes));
  return text;
}

// "3.4 Presence" -> ("3.4", "Presence"); "3. Subscribing" -> ("3", "Subscribing"); text that
// does not start with a number followed by a space (or nothing) -> nothing.
std::optional<std::pair<std::string, std::string>> numbered(std::string_view text) {
  std::size_t end = 0;
  while (true) {
    const std::size_t start = end;
    while (end < text.size() && is_ascii_digit(text[end])) ++end;
    if (end == start) return std::nullopt;
    if (end < text.size() && text[end] == '.' && end + 1 < text.size() && is_ascii_digit(text[end + 1])) {
      ++end;
      continue;
    }
    break;
  }
  std::string number(text.substr(0, end));
  if (end < text.size() && text[end] == '.') ++end;
  if (end < text.size() && text[end] != ' ' && text[end] != '\t') return std::nullopt;
  return std::make_pair(std::move(number), std::string(trimmed(text.substr(end))));
}

bool is_fence(std::string_view line, std::string_view& fence) {
  std::size_t indent = 0;
  while (indent < line.size() && indent < 3 && line[indent] == ' ') ++indent;
  line.remove_prefix(indent);
  for (std::string_view marker : {std::string_view("```"), std::string_view("~~~")}) {
    if (!line.starts_with(marker)) continue;
    if (fence.empty()) {
      fence = marker;
      return true;
    }
    if (fence == marker) {
      fence = {};
      return true;
    }
  }
  return false;
}

}  // namespace

const ProtocolSection* ProtocolDocument::find(std::string_view number) const {
  for (const auto& section : sections) {
    if (section.number == number) return &section;
  }
  return nullptr;
}

std::string github_anchor(std::string_view heading_text) {
  std::string out;
  for (std::size_t i = 0; i < heading_text.size();) {
    const char c = heading_text[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      const auto [code, length] = decode_utf8(heading_text, i);
      if (!is_dropped_non_ascii(code)) out.append(heading_text.substr(i, length));
      i += length;
      continue;
    }
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || is_ascii_digit(c) || c == '-' || c == '_') {
      out += c;
    } else if (c == ' ') {
      out += '-';
    }
    ++i;
  }
  return out;
}

ProtocolDocument parse_protocol_document(std::string_view markdown) {
  ProtocolDocument document;
  std::map<std::string, int> anchors_seen;  // GitHub numbers repeated anchors over all headings
  std::string_view fence;
  int line_number = 0;
  while (!markdown.empty()) {
    const std::size_t newline = markdown.find('\n');
    const std::string_view line = markdown.substr(0, newline);
    markdown.remove_prefix(newline == std::string_view::npos ? markdown.size() : newline + 1);
    ++line_number;
    if (is_fence(line, fence) || !fence.empty()) continue;
    const auto text = heading_text(line);
    if (!text) continue;
    std::string anchor = github_anchor(*text);
    const int seen = anchors_seen[anchor]++;
    if (seen > 0) anchor += "-" + std::to_string(seen);
    if (auto parts = numbered(*text)) {
      document.sections.push_back(
          ProtocolSection{std::move(parts->first), std::move(parts->second), std::move(anchor), line_number});
    }
  }
  return document;
}

std::variant<ProtocolDocument, std::string> read_protocol_document(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return "cannot read " + file.string();
  std::string text(kProtocolDocumentBytesMax + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kProtocolDocumentBytesMax) {
    return file.string() + " is over " + std::to_string(kProtocolDocumentBytesMax) + " bytes";
  }
  return parse_protocol_document(text);
}

std::string section_link(const ProtocolDocument& document, std::string_view document_href, std::string_view number) {
  const ProtocolSection* section = document.find(number);
  if (section == nullptr) return "";
  return std::string(document_href) + "#" + section->anchor;
}

std::vector<Diagnostic> missing_sections(const std::vector<Scenario>& scenarios, const ProtocolDocument& document,
                                         std::string_view document_name) {
  std::vector<Diagnostic> out;
  for (const auto& scenario : scenarios) {
    if (document.find(scenario.section) != nullptr) continue;
    out.push_back(Diagnostic{scenario.section_where,
                             "section '" + scenario.section + "' is not in " + std::string(document_name)});
  }
  return out;
}

std::vector<Diagnostic> repeated_sections(const ProtocolDocument& document, std::string_view document_name) {
  std::vector<Diagnostic> out;
  for (const auto& section : document.sections) {
    const ProtocolSection* first = document.find(section.number);
    if (first == &section) continue;
    out.push_back(Diagnostic{SourceLocation{std::string(document_name), section.line, 1},
                             "section '" + section.number + "' is numbered twice (also at line " +
                                 std::to_string(first->line) + "), so citations of it are ambiguous"});
  }
  return out;
}

}  // namespace pushsim::harness
