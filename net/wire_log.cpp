#include "net/wire_log.hpp"

#include <algorithm>
#include <regex>

#include "protocol/json.hpp"

namespace pushsim {

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "<secret>");
      at += 8;
    }
  }
  // "auth":"key:hex" in frames (also inside an escaped JSON string), auth_signature=hex in URLs,
  // X-Pusher-Signature: hex in a webhook's headers.
  static const std::regex kAuthField(R"((\\?"auth\\?"\s*:\s*\\?"[^"\\]*:)[0-9A-Fa-f]+)");
  static const std::regex kSignatureParam(R"((auth_signature=)[0-9A-Fa-f]+)");
  static const std::regex kSignatureHeader(R"(((?:X|x)-(?:P|p)usher-(?:S|s)ignature:\s*)[0-9A-Fa-f]+)");
  text = std::regex_replace(text, kAuthField, "$1<redacted>");
  text = std::regex_replace(text, kSignatureParam, "$1<redacted>");
  text = std::regex_replace(text, kSignatureHeader, "$1<redacted>");
  // Any other HMAC-SHA256 hex digest (a server's error message quoting the signature it got).
  static const std::regex kDigest(R"(\b[0-9A-Fa-f]{64}\b)");
  return std::regex_replace(text, kDigest, "<redacted>");
}

std::string webhook_wire_text(std::string_view request, int status, bool valid, std::string_view error,
                              std::string_view body) {
  std::string text(request);
  text += text.empty() ? "answered " : " answered ";
  text += status == 0 ? std::string("nothing") : std::to_string(status);
  text += valid ? ", valid" : ", invalid: " + std::string(error);
  return text + "\n" + std::string(body);
}

std::string seconds_text(DurationNs ns, int decimals) {
  const bool negative = ns < 0;
  const auto magnitude = static_cast<std::uint64_t>(negative ? -ns : ns);
  std::uint64_t scale = 1;
  for (int i = decimals; i < 9; ++i) scale *= 10;
  const std::uint64_t units = magnitude / scale;  // in 10^-decimals seconds
  std::uint64_t per_second = 1;
  for (int i = 0; i < decimals; ++i) per_second *= 10;
  std::string fraction = std::to_string(units % per_second);
  fraction.insert(0, static_cast<std::size_t>(decimals) - fraction.size(), '0');
  return (negative ? "-" : "") + std::to_string(units / per_second) + (decimals > 0 ? "." + fraction : "");
}

namespace {

std::string json_string(std::string_view text) {
  return Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

// One line on a console: newlines become spaces, and past `max` bytes the text is cut (never
// inside a UTF-8 sequence) with a marker saying how much was left out.
std::string console_text(std::string text, std::size_t max) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (text.size() <= max) return text;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  const std::size_t left_out = text.size() - cut;
  text.resize(cut);
  return text + "... [" + std::to_string(left_out) + " more bytes]";
}

}  // namespace

class WireLog::ScenarioSink final : public WireSink {
 public:
  ScenarioSink(WireLog& log, std::optional<std::size_t> index, std::string id, TimeNs origin)
      : log_(log), index_(index), id_(std::move(id)), origin_(origin) {}
  ~ScenarioSink() override {
    if (index_ && log_.options_.ordered_blocks) log_.keep_block(*index_, std::move(block_));
  }

  void record(const WireEvent& event) override {
    std::unique_lock lock(mutex_);
    std::string text = log_.line(event, id_, origin_, secrets_);
    if (index_ && log_.options_.ordered_blocks) {
      block_ += text;
      return;
    }
    lock.unlock();
    log_.write(text);
  }

  void mask(std::string secret) override {
    std::lock_guard lock(mutex_);
    if (std::find(secrets_.begin(), secrets_.end(), secret) == secrets_.end()) secrets_.push_back(std::move(secret));
  }

 private:
  WireLog& log_;
  std::optional<std::size_t> index_;
  std::string id_;
  TimeNs origin_;
  std::mutex mutex_;
  std::string block_;
  std::vector<std::string> secrets_;
};

WireLog::WireLog(std::ostream& out, WireLogOptions options) : out_(out), options_(std::move(options)) {}

WireLog::~WireLog() {
  // Lines still waiting for an earlier scenario that never ended (a run cut short).
  for (auto& [index, block] : blocks_) out_ << block;
  out_.flush();
}

std::unique_ptr<WireSink> WireLog::scenario(std::size_t index, std::string id, TimeNs origin) {
  return std::make_unique<ScenarioSink>(*this, index, std::move(id), origin);
}

std::unique_ptr<WireSink> WireLog::stream(TimeNs origin) {
  return std::make_unique<ScenarioSink>(*this, std::nullopt, std::string(), origin);
}

std::string WireLog::line(const WireEvent& event, std::string_view scenario, TimeNs origin,
                          const std::vector<std::string>& secrets) const {
  const std::string text = redact(redact(std::string(event.text), secrets), options_.secrets);
  const bool out = event.direction == WireDirection::kOut;
  if (options_.format == WireLogFormat::kJsonLines) {
    std::string json = "{\"t\":" + seconds_text(event.at - origin, 9);
    if (!scenario.empty()) json += ",\"scenario\":" + json_string(scenario);
    json += ",\"kind\":" + json_string(event.kind);
    json += ",\"" + options_.party_key + "\":" + json_string(event.party);
    json += std::string(",\"direction\":") + (out ? "\"out\"" : "\"in\"");
    if (event.node) json += ",\"node\":" + std::to_string(*event.node);
    return json + ",\"text\":" + json_string(text) + "}\n";
  }
  // A JSON line always names its scenario; a console line when several run.
  std::string head = "[";
  if (options_.scenario_ids && !scenario.empty()) head += std::string(scenario) + " ";
  head += seconds_text(event.at - origin, 3) + "s " + std::string(event.party);
  if (event.node) head += "@node" + std::to_string(*event.node);
  head += out ? " ->] " : " <-] ";
  // A frame needs no label, nor does a REST call or a webhook: the party says what it is.
  const bool said = event.kind == "frame" || (event.kind == "rest" && event.party == "rest") ||
                    (event.kind == "webhook" && event.party == "webhooks");
  if (!said) head += std::string(event.kind) + " ";
  return head + console_text(text, options_.console_text_max) + "\n";
}

void WireLog::write(std::string_view lines) {
  std::lock_guard lock(mutex_);
  out_ << lines;
  out_.flush();
}

void WireLog::keep_block(std::size_t index, std::string block) {
  std::lock_guard lock(mutex_);
  blocks_[index] += block;
}

void WireLog::end(std::size_t index) {
  if (!options_.ordered_blocks) return;
  std::lock_guard lock(mutex_);
  ended_.insert(index);
  while (ended_.erase(next_block_) != 0) {
    if (auto it = blocks_.find(next_block_); it != blocks_.end()) {
      out_ << it->second;
      blocks_.erase(it);
    }
    ++next_block_;
  }
  out_.flush();
}

}  // namespace pushsim
