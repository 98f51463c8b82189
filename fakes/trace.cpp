#include "fakes/trace.hpp"

#include <sstream>

#include "protocol/json.hpp"
#include "protocol/random.hpp"

namespace pushsim::fakes {

std::string_view to_string(TraceKind kind) {
  switch (kind) {
    case TraceKind::kOpen: return "open";
    case TraceKind::kSend: return "send";
    case TraceKind::kDeliver: return "deliver";
    case TraceKind::kHold: return "hold";
    case TraceKind::kDrop: return "drop";
    case TraceKind::kClose: return "close";
    case TraceKind::kTimer: return "timer";
    case TraceKind::kHttpRequest: return "http_request";
    case TraceKind::kHttpResponse: return "http_response";
    case TraceKind::kWebhook: return "webhook";
    case TraceKind::kFault: return "fault";
    case TraceKind::kNote: return "note";
  }
  return "unknown";
}

namespace {

// Invalid UTF-8 (a peer may send anything) is replaced rather than allowed to throw.
std::string json_string(std::string_view text) {
  return Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

Trace::Trace(RunId run, std::size_t max_records) : run_(std::move(run)), max_records_(max_records) {
  endpoint("-");  // id 0: no endpoint
}

EndpointId Trace::endpoint(std::string_view name) {
  if (auto it = ids_.find(name); it != ids_.end()) return it->second;
  const auto id = static_cast<EndpointId>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(std::string(name), id);
  return id;
}

void Trace::record(TimeNs at, TraceKind kind, EndpointId from, EndpointId to, std::uint64_t link,
                   std::shared_ptr<const std::string> text) {
  if (!enabled_ && !observer_) return;
  if (!text) text = std::make_shared<const std::string>();
  TraceRecord made{at, kind, from, to, link, std::move(text)};
  if (observer_) observer_(made);
  if (!enabled_) return;
  if (records_.size() >= max_records_) {
    truncated_ = true;
    return;
  }
  records_.push_back(std::move(made));
}

void Trace::record(TimeNs at, TraceKind kind, EndpointId from, EndpointId to, std::uint64_t link, std::string text) {
  if (!enabled_ && !observer_) return;
  record(at, kind, from, to, link, std::make_shared<const std::string>(std::move(text)));
}

std::size_t Trace::count(TraceKind kind) const {
  std::size_t n = 0;
  for (const auto& r : records_) n += r.kind == kind ? 1 : 0;
  return n;
}

std::string Trace::header_line() const {
  std::string out = "{\"run\":{\"scenario\":" + json_string(run_.scenario);
  out += ",\"seed\":" + std::to_string(run_.seed);
  out += ",\"faults\":" + json_string(run_.fault_profile);
  out += "},\"records\":" + std::to_string(records_.size());
  out += ",\"truncated\":";
  out += truncated_ ? "true}" : "false}";
  return out;
}

std::string Trace::line(const TraceRecord& r) const {
  std::string out = "{\"at\":" + std::to_string(r.at);
  out += ",\"kind\":\"";
  out += to_string(r.kind);
  out += "\",\"from\":" + json_string(names_[r.from]);
  out += ",\"to\":" + json_string(names_[r.to]);
  out += ",\"link\":" + std::to_string(r.link);
  out += ",\"text\":" + json_string(*r.text);
  out += "}";
  return out;
}

void Trace::write_json_lines(std::ostream& out) const {
  out << header_line() << '\n';
  for (const auto& r : records_) out << line(r) << '\n';
}

std::string Trace::to_json_lines() const {
  std::ostringstream out;
  write_json_lines(out);
  return out.str();
}

std::uint64_t Trace::digest() const { return fnv1a64(to_json_lines()); }

}  // namespace pushsim::fakes
