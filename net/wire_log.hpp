#pragma once
// The wire log (`--log`), pushsim's Pusher.log: every frame a client sends and receives, every
// REST call and its answer, every webhook, one line each as it happens. Whatever produces them
// (the simulation target, the live target, `pushsim serve`'s driver) reports WireEvents to a
// WireSink; WireLog is the one sink that formats and writes them, so every producer's lines
// look alike and every one is masked the same way.
//
// Two formats. Console lines for a reader, as pusher-js's Pusher.log prints them:
//   [12.003s alice ->] {"event":"pusher:subscribe","data":{"auth":"app-key:<redacted>",...}}
// ("->" pushsim sent it, "<-" pushsim received it; a kind the party does not already say, such
// as connect or close, is named first; a long text is cut with a marker). JSON lines for a program, one object per
// event with every byte of the text: {"t":12.003000000,"scenario":"...","kind":"frame","client":"alice",
// "direction":"out","node":1,"text":"..."}.
//
// Secrets never reach the output: each of the run's app secrets becomes <secret>, and the
// signature part of every "auth" field, auth_signature parameter and X-Pusher-Signature header
// becomes <redacted> (the key before a signature stays, to show which key signed).
//
// Several scenarios at once (--jobs N): lines are written whole under one lock and carry their
// scenario id, so parallel scenarios never interleave within a line. With `ordered_blocks`
// (the simulation with several jobs), each scenario's lines are kept until it ends and then
// written in suite order, so that the log is byte for byte that of --jobs 1.
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/time.hpp"

namespace pushsim {

enum class WireDirection { kOut, kIn };  // seen from pushsim: it sent the thing, or received it

struct WireEvent {
  TimeNs at = 0;           // on the producer's clock; the sink shows it relative to its origin
  std::string_view kind;   // connect, frame, close, rest, webhook, fault, error
  std::string_view party;  // a client's name, a connection's socket id, "rest", "webhooks"
  WireDirection direction = WireDirection::kOut;
  std::optional<int> node = std::nullopt;  // cluster: the server node the party talks to
  std::string_view text;
};

class WireSink {
 public:
  virtual ~WireSink() = default;
  // May be called from any thread; a sink serialises what it writes.
  virtual void record(const WireEvent& event) = 0;
  // A secret the producer holds (an app secret): masked in all it records from here on.
  virtual void mask(std::string secret) = 0;
};

// The text with each secret replaced by <secret>, and the hex part of every signature (an
// "auth" field's "key:signature", an auth_signature= parameter, an X-Pusher-Signature header,
// and any other run of 64 hex digits, as a server quoting a signature in an error writes it)
// by <redacted>.
std::string redact(std::string text, const std::vector<std::string>& secrets);

// A webhook POST as the log shows it, for every producer alike:
// "POST /webhooks X-Pusher-Key: KEY X-Pusher-Signature: SIG answered 200, valid" and the body on
// the next line (the console joins them). `request` may be empty when the producer lacks it.
std::string webhook_wire_text(std::string_view request, int status, bool valid, std::string_view error,
                              std::string_view body);

enum class WireLogFormat { kConsole, kJsonLines };

struct WireLogOptions {
  WireLogFormat format = WireLogFormat::kConsole;
  std::vector<std::string> secrets;    // the app secrets, masked wherever they appear
  std::size_t console_text_max = 400;  // bytes of text on a console line; longer ones are cut
  std::string party_key = "client";    // the JSON key naming the party: client, or socket_id
  bool scenario_ids = false;           // every line names its scenario (several scenarios run)
  bool ordered_blocks = false;         // each scenario's lines written whole, in suite order
};

class WireLog {
 public:
  WireLog(std::ostream& out, WireLogOptions options);
  ~WireLog();
  WireLog(const WireLog&) = delete;
  WireLog& operator=(const WireLog&) = delete;

  // A sink for the scenario at `index` in the suite; its times are shown relative to `origin`.
  // With ordered_blocks its lines are held until the sink is destroyed and the scenario ended.
  std::unique_ptr<WireSink> scenario(std::size_t index, std::string id, TimeNs origin);
  // The scenario at `index` is over, whether it ran or not: with ordered_blocks, its lines and
  // those of later scenarios that ended before it are written. Every index from 0 must end.
  void end(std::size_t index);
  // A sink for a run of no scenarios (pushsim serve), times relative to `origin`.
  std::unique_ptr<WireSink> stream(TimeNs origin);

  // One event as its line, newline included, with the options' secrets and `secrets` masked.
  std::string line(const WireEvent& event, std::string_view scenario, TimeNs origin,
                   const std::vector<std::string>& secrets = {}) const;

 private:
  class ScenarioSink;
  void write(std::string_view lines);
  void keep_block(std::size_t index, std::string block);

  std::ostream& out_;
  WireLogOptions options_;
  std::mutex mutex_;
  std::size_t next_block_ = 0;                 // the first scenario whose lines are held
  std::map<std::size_t, std::string> blocks_;  // held lines, by scenario
  std::set<std::size_t> ended_;                // scenarios ended whose lines are still held
};

// Seconds with 3 decimals ("12.003") and with 9 ("12.003000123"), from nanoseconds; integer
// arithmetic only, so the text is the same on every machine.
std::string seconds_text(DurationNs ns, int decimals);

}  // namespace pushsim
