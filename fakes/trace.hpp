#pragma once
// The one ordered log of a simulation: every send, delivery, drop, timer and webhook, with
// its virtual time. Records are appended in the order things happen (the scheduler's order),
// so the log is as deterministic as the run. Frame text is shared with the network, not
// copied, which keeps a 10,000-recipient fan-out cheap to trace.
//
// Serialised as JSON lines: a header naming the run, then one object per record with keys
// "at" (virtual ns), "kind", "from", "to", "link" (connection or HTTP exchange, 0 for none)
// and "text". No wall clock, no pointers, nothing from an unordered container.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/time.hpp"

namespace pushsim::fakes {

// What identifies a run: replaying the same triple gives the same trace, byte for byte.
struct RunId {
  std::string scenario;
  std::uint64_t seed = 0;
  std::string fault_profile;
  bool operator==(const RunId&) const = default;
};

enum class TraceKind {
  kOpen,          // a WebSocket connection opened (to: the server)
  kSend,          // a frame was handed to the network
  kDeliver,       // a frame reached its endpoint
  kHold,          // a frame reached a partition and waits for heal
  kDrop,          // a frame was lost (dropped link, closed endpoint)
  kClose,         // a close frame with a code, or a transport vanishing
  kTimer,         // an endpoint's own timer fired
  kHttpRequest,   // an HTTP request was sent (auth, REST, webhook)
  kHttpResponse,  // its answer arrived (text: status and body)
  kWebhook,       // the webhook receiver recorded a batch
  kFault,         // a fault was injected or healed
  kNote,          // anything else a test or scenario wants in the log
};

std::string_view to_string(TraceKind kind);

using EndpointId = std::uint32_t;

struct TraceRecord {
  TimeNs at = 0;
  TraceKind kind = TraceKind::kNote;
  EndpointId from = 0;
  EndpointId to = 0;
  std::uint64_t link = 0;
  std::shared_ptr<const std::string> text;  // never null
};

class Trace {
 public:
  explicit Trace(RunId run, std::size_t max_records = 50'000'000);

  const RunId& run() const { return run_; }
  // Interns an endpoint name; ids follow first-use order, which a deterministic run fixes.
  EndpointId endpoint(std::string_view name);
  const std::string& endpoint_name(EndpointId id) const { return names_[id]; }

  void record(TimeNs at, TraceKind kind, EndpointId from, EndpointId to, std::uint64_t link,
              std::shared_ptr<const std::string> text);
  void record(TimeNs at, TraceKind kind, EndpointId from, EndpointId to, std::uint64_t link, std::string text);

  // Sees every record as it is made, in order, also when recording is off or the log is full:
  // the wire log (net/wire_log.hpp) streams the run from here. It must not touch the world.
  using Observer = std::function<void(const TraceRecord&)>;
  void set_observer(Observer observer) { observer_ = std::move(observer); }

  // Recording can be switched off for benchmarks that measure the simulator alone.
  void set_enabled(bool enabled) { enabled_ = enabled; }
  bool enabled() const { return enabled_; }
  // True when max_records was reached and later records were not kept.
  bool truncated() const { return truncated_; }

  const std::vector<TraceRecord>& records() const { return records_; }
  std::size_t count(TraceKind kind) const;

  std::string header_line() const;
  std::string line(const TraceRecord& record) const;
  void write_json_lines(std::ostream& out) const;
  std::string to_json_lines() const;
  // FNV-1a 64 of to_json_lines(): equal digests mean (all but certainly) equal traces.
  std::uint64_t digest() const;

 private:
  RunId run_;
  std::size_t max_records_;
  bool enabled_ = true;
  bool truncated_ = false;
  std::vector<std::string> names_;
  std::map<std::string, EndpointId, std::less<>> ids_;
  std::vector<TraceRecord> records_;
  Observer observer_;
};

}  // namespace pushsim::fakes
