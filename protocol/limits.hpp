#pragma once
// Protocol limits (docs/protocol.md §2.4). Defaults are the official service's documented values;
// where real servers differ (soketi's 200-character channel names, 100 KB payloads) a target
// or an engine variant sets its own.
#include <cstddef>
#include <cstdint>

namespace pushsim {

struct Limits {
  std::size_t channel_name_max = 164;
  std::size_t event_name_max = 200;
  std::size_t event_data_max_bytes = 10 * 1024;
  std::size_t channels_per_trigger_max = 100;
  std::size_t batch_events_max = 10;
  std::size_t presence_members_max = 100;
  std::size_t presence_user_object_max_bytes = 1024;
  std::size_t presence_user_id_max = 128;
  std::uint32_t client_events_per_second_max = 10;
  std::size_t watchlist_max = 100;
  // A whole WebSocket text frame from a client; larger ones are refused before parsing.
  std::size_t client_frame_max_bytes = 64 * 1024;
};

}  // namespace pushsim
