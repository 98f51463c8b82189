// Fuzz target: the reference engine (protocol/server/) fed arbitrary sequences of inputs from
// several connections, with EngineDriver checking its invariants after every one.
//
// Input: one record per line, "<slot><op><payload>". slot is a byte, taken modulo the number of
// connection slots ('0'..'3' read naturally); op is one of
//   o  open the slot's connection (payload: request target; empty: app 1's usual one)
//   t  a text frame (payload: the frame)        b  a binary frame of payload-length bytes
//   c  the client closes                         s  subscribe with a valid auth:
//                                                   "channel" or "channel<TAB>channel_data"
//   i  sign in with a valid auth (payload: user_data)
//   +  time passes (payload: whole seconds, at most an hour)
//   w  answer the oldest webhook POST (payload: status; 0 for no answer)
//   p  publish through the engine API: "channel<TAB>event<TAB>data"; excludes the slot's socket
//   x  terminate the connections of the user named by the payload
// Unknown ops are ignored. At the end every connection closes: nothing may stay occupied.
#include "fuzz/engine_driver.hpp"

using namespace pushsim;
using namespace pushsim::fuzz;

namespace {

void publish(EngineDriver& driver, std::size_t slot, std::string_view payload) {
  auto [channel, rest] = cut(payload, '\t');
  auto [event, data] = cut(rest, '\t');
  auto exclude = driver.socket_of(slot);
  std::optional<std::string_view> excluded;
  if (exclude) excluded = *exclude;
  driver.engine().publish(driver.now(), *driver.engine().app_by_id("1"), channel, event, data, excluded);
  driver.collect();
}

void apply(EngineDriver& driver, std::string_view record) {
  if (record.size() < 2) return;
  std::size_t slot = static_cast<unsigned char>(record[0]) % kSlots;
  char op = record[1];
  std::string_view payload = record.substr(2);
  switch (op) {
    case 'o': return driver.open(slot, payload);
    case 't': return driver.text(slot, payload);
    case 'b': return driver.binary(slot, payload.size());
    case 'c': return driver.close(slot);
    case 's': return driver.subscribe_signed(slot, payload);
    case 'i': return driver.signin_signed(slot, payload);
    case '+': return driver.advance(seconds(static_cast<std::int64_t>(leading_number(payload, 3600))));
    case 'w': return driver.answer_webhook(static_cast<int>(leading_number(payload, 999)));
    case 'p': return publish(driver, slot, payload);
    case 'x':
      driver.engine().terminate_user_connections(driver.now(), *driver.engine().app_by_id("1"), payload);
      return driver.collect();
    default: return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  EngineDriver driver;
  for (auto record : split(as_text(data, size), '\n')) apply(driver, record);
  driver.close_all();
  driver.check_empty();
  // Once quiet, the pending webhooks are answered and the engine must settle.
  driver.advance(seconds(60));
  driver.answer_all_webhooks(200);
  driver.advance(seconds(60));
  driver.answer_all_webhooks(200);
  return 0;
}
