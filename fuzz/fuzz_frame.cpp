// Fuzz target: the WebSocket frame decoder (protocol/frame.*), on arbitrary bytes.
// Properties: decoding never crashes and either gives a frame or an error that says something;
// a decoded frame encodes, and the encoding decodes back to the same frame; describe_frame and
// decoded_data work on every decoded frame.
#include "fuzz/fuzz_support.hpp"
#include "protocol/frame.hpp"

using namespace pushsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto frame = decode_frame(fuzz::as_text(data, size));
  if (!frame.ok()) {
    fuzz::check(!frame.error().message.empty(), "decode_frame gave an empty error message");
    return 0;
  }
  const std::string encoded = encode_frame(*frame);
  auto again = decode_frame(encoded);
  fuzz::check(again.ok(), "an encoded frame does not decode", encoded);
  fuzz::check(*again == *frame, "encode/decode does not round-trip", encoded);
  fuzz::check(encode_frame(*again) == encoded, "encoding is not stable", encoded);
  (void)describe_frame(*frame);
  (void)frame->decoded_data();
  return 0;
}
