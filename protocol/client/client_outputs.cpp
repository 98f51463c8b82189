#include "protocol/client/client_outputs.hpp"

#include <type_traits>

#include "protocol/client/client_frames.hpp"

namespace pushsim {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

std::string describe_member(const MemberInfo& member) { return member.id + " " + dump_json(member.info); }

std::string describe_members(const std::optional<PresenceMembers>& members) {
  if (!members) return "";
  std::string out = " members count=" + std::to_string(members->count()) + " ids=[";
  bool first = true;
  for (const auto& [id, info] : members->hash()) {
    if (!first) out += ',';
    out += id;
    first = false;
  }
  out += "]";
  if (members->me()) out += " me=" + members->me()->id;
  return out;
}

std::string describe_delay(const std::optional<DurationNs>& delay) {
  if (!delay) return "never";
  return std::to_string(*delay / kNsPerMs) + "ms";
}

}  // namespace

std::string_view to_string(AuthKind kind) { return kind == AuthKind::kChannel ? "channel" : "user"; }

std::string_view to_string(ClientErrorKind kind) {
  switch (kind) {
    case ClientErrorKind::kServer: return "server";
    case ClientErrorKind::kGarbage: return "garbage";
    case ClientErrorKind::kProtocol: return "protocol";
  }
  return "unknown";
}

std::string describe(const ClientEvent& event) {
  return std::visit(
      Overloaded{
          [](const StateChanged& e) {
            return "state " + std::string(to_string(e.from)) + " -> " + std::string(to_string(e.to));
          },
          [](const ClientConnected& e) {
            return "connected " + e.socket_id + " activity_timeout=" + std::to_string(e.activity_timeout_s) + "s";
          },
          [](const ClientDisconnected& e) {
            return "disconnected " + std::to_string(e.code) + " \"" + e.reason +
                   "\" action=" + std::string(to_string(e.action)) + " reconnect=" + describe_delay(e.reconnect_delay);
          },
          [](const SubscriptionSucceeded& e) {
            return "subscription_succeeded #" + e.channel + " " + dump_json(e.data) + describe_members(e.members);
          },
          [](const SubscriptionError& e) {
            return std::string("subscription_error #") + e.channel + (e.local ? " local " : " server ") +
                   dump_json(e.data);
          },
          [](const PresenceMemberAdded& e) { return "member_added #" + e.channel + " " + describe_member(e.member); },
          [](const PresenceMemberRemoved& e) {
            return "member_removed #" + e.channel + " " + describe_member(e.member);
          },
          [](const ClientMessage& e) { return "message " + describe_frame(e.frame); },
          [](const ClientError& e) {
            std::string code = e.code ? std::to_string(*e.code) : "null";
            return "error " + std::string(to_string(e.kind)) + " code=" + code + " \"" + e.message + "\"";
          },
          [](const SigninSucceeded& e) { return "signin_success " + dump_json(e.user_data); },
          [](const SigninFailed& e) { return "signin_failed " + dump_json(e.data); },
      },
      event);
}

std::string describe(const ClientOutput& output) {
  return std::visit(
      Overloaded{
          [](const SendText& o) { return "send " + o.text; },
          [](const AuthRequest& o) {
            return "auth-request #" + std::to_string(o.request_id) + " " + std::string(to_string(o.kind)) +
                   " channel=" + o.channel + " socket_id=" + o.socket_id;
          },
          [](const CloseTransport& o) { return "close " + std::to_string(o.code) + " \"" + o.reason + "\""; },
          [](const ClientEvent& o) { return "event " + describe(o); },
      },
      output);
}

}  // namespace pushsim
