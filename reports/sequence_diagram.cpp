#include "reports/sequence_diagram.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "protocol/json.hpp"
#include "reports/junit_report.hpp"

namespace pushsim::reports {
namespace {

using harness::ScenarioResult;
using harness::StepOutcome;
using harness::StepResult;
using harness::TraceEntry;

constexpr int kTimeColumnPx = 90;
constexpr int kColumnPx = 170;
constexpr int kHeaderPx = 44;
constexpr int kRowPx = 26;
constexpr int kSelfLoopPx = 36;
constexpr std::size_t kLabelBytes = 48;

const std::vector<std::string>& fixed_parties() {
  static const std::vector<std::string> parties{"server", "auth", "webhooks"};
  return parties;
}

bool is_fixed(const std::string& name) {
  const auto& fixed = fixed_parties();
  return std::find(fixed.begin(), fixed.end(), name) != fixed.end();
}

// Clients are the parties that open WebSocket connections or take deliveries from the server.
bool looks_like_client(const TraceEntry& entry, const std::string& name) {
  if (entry.kind == "open" || entry.kind == "send" || entry.kind == "fault") return name == entry.from;
  if (entry.kind == "deliver" || entry.kind == "drop" || entry.kind == "hold" || entry.kind == "close") return true;
  return false;
}

// Cuts at a UTF-8 character boundary so that the label stays valid text.
std::string clip(std::string text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t cut = max_bytes - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
  return text.substr(0, cut) + "...";
}

struct Stroke {
  const char* name;
  const char* colour;
  bool dashed;
};

Stroke stroke_for(const std::string& kind) {
  if (kind == "deliver" || kind == "send") return {"frame", "#333333", false};
  if (kind == "http_request" || kind == "http_response") return {"http", "#1f5fbf", false};
  if (kind == "webhook") return {"webhook", "#7b3fa0", false};
  if (kind == "open") return {"open", "#2e7d32", false};
  if (kind == "close") return {"close", "#777777", false};
  if (kind == "hold") return {"hold", "#ef6c00", true};
  if (kind == "drop" || kind == "fault") return {"lost", "#c62828", true};
  return {"other", "#555555", false};
}

const std::vector<Stroke>& all_strokes() {
  static const std::vector<Stroke> strokes{
      stroke_for("deliver"), stroke_for("http_request"), stroke_for("webhook"), stroke_for("open"),
      stroke_for("close"),   stroke_for("hold"),         stroke_for("drop"),    stroke_for("")};
  return strokes;
}

// Sends whose frame is later delivered add nothing to the picture: the delivery is drawn.
std::vector<const TraceEntry*> drawn_entries(const std::vector<TraceEntry>& trace) {
  // Likewise the handshake's send and delivery, drawn as its "open" line.
  std::map<std::tuple<std::string, std::string, std::string>, int> deliveries;
  std::set<std::tuple<std::string, std::string, std::string>> opens;
  for (const auto& e : trace) {
    if (e.kind == "deliver") ++deliveries[{e.from, e.to, e.text}];
    if (e.kind == "open") opens.insert({e.from, e.to, e.text});
  }
  std::vector<const TraceEntry*> out;
  for (const auto& e : trace) {
    if ((e.kind == "send" || e.kind == "deliver") && opens.count({e.from, e.to, e.text}) > 0) continue;
    if (e.kind == "send") {
      auto it = deliveries.find({e.from, e.to, e.text});
      if (it != deliveries.end() && it->second > 0) {
        --it->second;
        continue;
      }
    }
    out.push_back(&e);
  }
  std::stable_sort(out.begin(), out.end(), [](const TraceEntry* a, const TraceEntry* b) { return a->at < b->at; });
  return out;
}

// The failed steps worth marking: the innermost ones (a concurrently fails because a child did).
void collect_failed(const std::vector<StepResult>& steps, std::vector<const StepResult*>& out) {
  for (const auto& step : steps) {
    if (step.outcome != StepOutcome::kFailed) continue;
    const std::size_t before = out.size();
    collect_failed(step.children, out);
    if (out.size() == before) out.push_back(&step);
  }
}

struct Row {
  DurationNs at = 0;
  const TraceEntry* entry = nullptr;   // an arrow, or
  const StepResult* failed = nullptr;  // a failure marker, or
  std::size_t omitted = 0;             // the "N more not shown" line
};

std::vector<Row> layout_rows(const ScenarioResult& result, std::size_t max_arrows, std::size_t& total_arrows) {
  const auto entries = drawn_entries(result.trace);
  total_arrows = entries.size();
  std::vector<const StepResult*> failed;
  collect_failed(result.steps, failed);
  std::vector<Row> rows;
  const std::size_t shown = std::min(entries.size(), max_arrows);
  for (std::size_t i = 0; i < shown; ++i) rows.push_back(Row{entries[i]->at, entries[i], nullptr, 0});
  DurationNs last_shown = rows.empty() ? 0 : rows.back().at;
  for (const auto* step : failed) {
    // A marker past the cut goes below it, not among arrows it is not next to.
    const DurationNs at = shown < entries.size() ? std::max(step->ended_at, last_shown) : step->ended_at;
    rows.push_back(Row{at, nullptr, step, 0});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::make_tuple(a.at, a.failed != nullptr) < std::make_tuple(b.at, b.failed != nullptr);
  });
  if (shown < entries.size()) {
    // The note goes right below the last arrow drawn.
    auto last_arrow = std::find_if(rows.rbegin(), rows.rend(), [](const Row& r) { return r.entry != nullptr; });
    rows.insert(last_arrow.base(), Row{last_shown, nullptr, nullptr, entries.size() - shown});
  }
  return rows;
}

std::string num(int value) { return std::to_string(value); }

std::string text_element(int x, int y, const std::string& anchor, const std::string& attrs, const std::string& text) {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\"" + attrs + ">" +
         xml_escape(text) + "</text>";
}

std::string defs(const std::string& prefix) {
  std::string out = "<defs>";
  for (const auto& s : all_strokes()) {
    out += "<marker id=\"" + prefix + "-" + s.name +
           "\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
           "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"" +
           s.colour + "\"/></marker>";
  }
  return out + "</defs>\n";
}

class Canvas {
 public:
  Canvas(std::vector<std::string> parties, std::string prefix)
      : parties_(std::move(parties)), prefix_(std::move(prefix)) {}

  int width() const { return kTimeColumnPx + static_cast<int>(parties_.size()) * kColumnPx + kSelfLoopPx; }
  // What fits on a marker line at about 7 px a character (its full text is in the tooltip).
  std::size_t marker_bytes() const { return static_cast<std::size_t>((width() - kTimeColumnPx) / 7); }
  int row_y(std::size_t row) const { return kHeaderPx + kRowPx + static_cast<int>(row) * kRowPx; }
  int x_of(const std::string& party) const {
    auto it = std::find(parties_.begin(), parties_.end(), party);
    const int index = static_cast<int>(it == parties_.end() ? 0 : it - parties_.begin());
    return kTimeColumnPx + index * kColumnPx + kColumnPx / 2;
  }

  std::string heads(int height) const {
    std::string out;
    for (const auto& party : parties_) {
      const int x = x_of(party);
      out += "<line x1=\"" + num(x) + "\" y1=\"34\" x2=\"" + num(x) + "\" y2=\"" + num(height - 8) +
             "\" stroke=\"#bbbbbb\" stroke-dasharray=\"4 3\"/>";
      out += "<rect x=\"" + num(x - 70) +
             "\" y=\"8\" width=\"140\" height=\"26\" rx=\"4\" fill=\"#eef2f7\" "
             "stroke=\"#8899aa\"/>";
      out += text_element(x, 26, "middle", " font-weight=\"bold\"", clip(party, 20)) + "\n";
    }
    return out;
  }

  std::string arrow(const TraceEntry& e, int y) const {
    const Stroke s = stroke_for(e.kind);
    const int x1 = x_of(e.from);
    const int x2 = x_of(e.to);
    std::string line_attrs = " fill=\"none\" stroke=\"" + std::string(s.colour) + "\" stroke-width=\"1.5\"" +
                             (s.dashed ? " stroke-dasharray=\"5 3\"" : "") + " marker-end=\"url(#" + prefix_ + "-" +
                             s.name + ")\"";
    std::string out =
        "<g class=\"arrow k-" + xml_escape(e.kind) + "\"><title>" +
        xml_escape(ms_text(e.at) + " ms " + e.kind + " " + e.from + " \xE2\x86\x92 " + e.to + "\n" + e.text) +
        "</title>";
    const std::string label = e.kind == "deliver" || e.kind == "send" ? short_label(e) : e.kind + ": " + short_label(e);
    if (x1 == x2) {
      out += "<path d=\"M" + num(x1) + "," + num(y - 8) + " h" + num(kSelfLoopPx) + " v10 h-" + num(kSelfLoopPx) +
             "\"" + line_attrs + "/>";
      out += text_element(x1 + kSelfLoopPx + 4, y, "start", " font-size=\"11\"", clip(label, kLabelBytes));
    } else {
      out += "<line x1=\"" + num(x1) + "\" y1=\"" + num(y) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y) + "\"" +
             line_attrs + "/>";
      out += text_element((x1 + x2) / 2, y - 4, "middle", " font-size=\"11\"", clip(label, kLabelBytes));
    }
    return out + "</g>\n";
  }

  std::string failure(const StepResult& step, int y) const {
    std::string out =
        "<g class=\"failed-step\"><title>" + xml_escape(step.where.to_string() + ": " + step.message) + "</title>";
    out += "<line x1=\"4\" y1=\"" + num(y + 4) + "\" x2=\"" + num(width() - 4) + "\" y2=\"" + num(y + 4) +
           "\" stroke=\"#c62828\" stroke-width=\"2\" stroke-dasharray=\"8 4\"/>";
    out += text_element(
        kTimeColumnPx + 4, y - 5, "start", " font-size=\"12\" font-weight=\"bold\" fill=\"#c62828\"",
        clip("\xE2\x9C\x97 failed: " + step.description + " (line " + std::to_string(step.where.line) + ")",
             marker_bytes()));
    return out + "</g>\n";
  }

 private:
  std::vector<std::string> parties_;
  std::string prefix_;
};

}  // namespace

std::vector<std::string> diagram_parties(const std::vector<TraceEntry>& trace) {
  std::vector<std::string> clients, others;
  auto add = [](std::vector<std::string>& list, const std::string& name) {
    if (!name.empty() && std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
  };
  for (const auto& e : trace) {
    for (const std::string* name : {&e.from, &e.to}) {
      if (name->empty() || is_fixed(*name)) continue;
      if (looks_like_client(e, *name)) add(clients, *name);
    }
  }
  for (const auto& e : trace) {
    for (const std::string* name : {&e.from, &e.to}) {
      if (is_fixed(*name) || std::find(clients.begin(), clients.end(), *name) != clients.end()) continue;
      add(others, *name);
    }
  }
  std::vector<std::string> out = clients;
  out.insert(out.end(), fixed_parties().begin(), fixed_parties().end());
  out.insert(out.end(), others.begin(), others.end());
  return out;
}

std::string short_label(const TraceEntry& entry) {
  const Json frame = Json::parse(entry.text, nullptr, false);
  std::string label;
  if (frame.is_object() && frame.contains("event") && frame["event"].is_string()) {
    label = frame["event"].get<std::string>();
    if (frame.contains("channel") && frame["channel"].is_string())
      label += " (" + frame["channel"].get<std::string>() + ")";
  } else {
    label = entry.text.substr(0, entry.text.find('\n'));
  }
  return clip(label, kLabelBytes);
}

std::string ms_text(DurationNs at) {
  const bool negative = at < 0;
  const DurationNs magnitude = negative ? -at : at;
  std::string out = (negative ? "-" : "") + std::to_string(magnitude / 1'000'000);
  DurationNs micros = (magnitude % 1'000'000) / 1'000;
  if (micros == 0) return out;
  std::string frac = std::to_string(micros);
  frac.insert(0, 3 - frac.size(), '0');
  while (frac.back() == '0') frac.pop_back();
  return out + "." + frac;
}

std::string sequence_diagram_svg(const ScenarioResult& result, const DiagramOptions& options) {
  std::size_t total_arrows = 0;
  const auto rows = layout_rows(result, options.max_arrows, total_arrows);
  const Canvas canvas(diagram_parties(result.trace), options.id_prefix);
  const int height = canvas.row_y(rows.size()) + 4;
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sequence\" data-scenario=\"" +
                    xml_escape(result.id) + "\" width=\"" + num(canvas.width()) + "\" height=\"" + num(height) +
                    "\" viewBox=\"0 0 " + num(canvas.width()) + " " + num(height) +
                    "\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">\n";
  out += "<title>sequence diagram of " + xml_escape(result.id) + "</title>\n" + defs(options.id_prefix);
  out += text_element(kTimeColumnPx - 8, 26, "end", " fill=\"#666666\"", "ms") + "\n";
  out += canvas.heads(height);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    const int y = canvas.row_y(i);
    if (row.omitted > 0) {
      out += text_element(kTimeColumnPx + 4, y, "start", " font-style=\"italic\" fill=\"#c62828\"",
                          "... " + std::to_string(row.omitted) + " more of " + std::to_string(total_arrows) +
                              " messages not shown (the diagram stops at " + std::to_string(options.max_arrows) + ")") +
             "\n";
      continue;
    }
    const bool failed = row.failed != nullptr;
    out +=
        text_element(kTimeColumnPx - 8, y, "end", failed ? " fill=\"#c62828\"" : " fill=\"#666666\"", ms_text(row.at));
    out += failed ? canvas.failure(*row.failed, y) : canvas.arrow(*row.entry, y);
  }
  return out + "</svg>\n";
}

}  // namespace pushsim::reports
