#include "harness/yaml_documents.hpp"

#include <sstream>

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

namespace pushsim::harness {
namespace {

// Remembers where the current document's first event was, and whether it held anything
// but a null: a stuck parser keeps reporting a null at the same place.
class DocumentProbe final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override { events_ = 0; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { note(mark, false); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { note(mark, true); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
    note(mark, true);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    note(mark, true);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    note(mark, true);
  }
  void OnMapEnd() override {}

  bool only_null() const { return events_ == 1 && !content_; }
  const YAML::Mark& first_mark() const { return first_mark_; }

 private:
  void note(const YAML::Mark& mark, bool content) {
    if (events_++ == 0) {
      first_mark_ = mark;
      content_ = content;
    }
  }

  int events_ = 0;
  bool content_ = false;
  YAML::Mark first_mark_;
};

void probe_documents(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentProbe probe;
  int previous_null_pos = -1;
  for (int count = 0; parser.HandleNextDocument(probe); ++count) {
    const YAML::Mark mark = probe.first_mark();
    if (probe.only_null() && mark.pos == previous_null_pos) {
      const bool in_text = mark.pos >= 0 && static_cast<std::size_t>(mark.pos) < text.size();
      const std::string token = in_text ? std::string(1, text[static_cast<std::size_t>(mark.pos)]) : "?";
      const std::string hint = token == "," ? " (a ',' belongs inside [ ] or { })" : "";
      throw YAML::ParserException(mark, "unexpected '" + token + "'" + hint);
    }
    previous_null_pos = probe.only_null() ? mark.pos : -1;
    if (count == kYamlDocumentsMax) {
      throw YAML::ParserException(mark, "more than " + std::to_string(kYamlDocumentsMax) + " documents");
    }
  }
}

}  // namespace

std::vector<YAML::Node> load_all_documents(const std::string& text) {
  probe_documents(text);
  return YAML::LoadAll(text);
}

}  // namespace pushsim::harness
