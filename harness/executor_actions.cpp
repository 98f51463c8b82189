// The executor's actions: each step that makes something happen, with its variables
// substituted, handed to the target.
#include "harness/execution.hpp"
#include "harness/variables.hpp"
#include "protocol/client/client_frames.hpp"
#include "protocol/rest_requests.hpp"

namespace pushsim::harness {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

Result<std::string> Execution::sub(const std::string& text) {
  if (text.find('$') == std::string::npos) return text;
  return substitute_variables(text, [this](const VariableRef& ref) -> std::optional<std::string> {
    if (ref.attribute == VariableAttribute::kSocketId) return target_.socket_id(ref.client);
    const Client* client = scenario_.find_client(ref.client);
    return client == nullptr ? std::nullopt : client->user_id;
  });
}

Result<Json> Execution::sub(const Json& value) {
  if (value.is_string()) {
    auto text = sub(value.get<std::string>());
    if (!text) return text.error();
    return Json(*text);
  }
  if (!value.is_structured()) return value;
  Json out = value;
  for (auto& [key, item] : out.items()) {
    auto replaced = sub(item);
    if (!replaced) return replaced.error();
    item = *replaced;
  }
  return out;
}

Result<ParamList> Execution::sub(const ParamList& params) {
  ParamList out;
  for (const auto& [key, value] : params) {
    auto replaced = sub(value);
    if (!replaced) return replaced.error();
    out.emplace_back(key, *replaced);
  }
  return out;
}

Result<std::string> Execution::exclusion(const Exclude& exclude) {
  if (exclude.kind == Exclude::Kind::kSocketId) return sub(exclude.value);
  auto socket = target_.socket_id(exclude.value);
  if (!socket) return make_error("cannot exclude '" + exclude.value + "': it has no socket_id (not connected?)");
  return *socket;
}

std::optional<std::string> Execution::check_node(std::optional<int> node) const {
  if (!node || *node < target_.nodes()) return std::nullopt;
  return "node " + std::to_string(*node) + ": the target has " + std::to_string(target_.nodes()) + " node(s)";
}

std::optional<std::string> Execution::do_connect(const ConnectStep& step, bool in_block) {
  ConnectOptions options{step.app_key, step.protocol_version, std::nullopt};
  if (auto error = check_node(step.node)) return error;
  options.node = step.node;
  if (step.path) {
    auto path = sub(*step.path);
    if (!path) return error_of(path.error());
    options.path = *path;
  }
  if (auto error = target_.connect(step.client, options)) return error;
  if (in_block) return std::nullopt;
  // As pusher-js does before anything else: wait for the connection to be established (or
  // refused); the frames stay unconsumed for expect steps.
  target_.wait_until(capped(target_.now() + options_.connect_wait), [&] {
    return target_.socket_id(step.client).has_value() || target_.close_of(step.client).has_value();
  });
  return std::nullopt;
}

std::optional<std::string> Execution::do_trigger(const TriggerStep& step) {
  auto event = sub(step.event);
  auto data = sub(step.data);
  if (!event) return error_of(event.error());
  if (!data) return error_of(data.error());
  // The data as the loader encoded it, as the SDK does.
  TriggerBody body{*event, *data, {}, step.single_channel_form, std::nullopt, step.info};
  for (const auto& channel : step.channels) {
    auto name = sub(channel);
    if (!name) return error_of(name.error());
    body.channels.push_back(*name);
  }
  if (step.exclude) {
    auto socket = exclusion(*step.exclude);
    if (!socket) return error_of(socket.error());
    body.socket_id = *socket;
  }
  if (auto error = check_node(step.node)) return error;
  return target_.rest(RestCall{"POST", "/events", {}, encode_trigger_body(body), Signing::kValid, step.app, step.node});
}

std::optional<std::string> Execution::do_batch(const BatchTriggerStep& step) {
  std::vector<BatchEventBody> events;
  for (const auto& item : step.items) {
    auto channel = sub(item.channel);
    auto event = sub(item.event);
    auto data = sub(item.data);
    if (!channel) return error_of(channel.error());
    if (!event) return error_of(event.error());
    if (!data) return error_of(data.error());
    BatchEventBody body{*channel, *event, *data, std::nullopt, item.info};
    if (item.exclude) {
      auto socket = exclusion(*item.exclude);
      if (!socket) return error_of(socket.error());
      body.socket_id = *socket;
    }
    events.push_back(std::move(body));
  }
  if (auto error = check_node(step.node)) return error;
  return target_.rest(
      RestCall{"POST", "/batch_events", {}, encode_batch_body(events), Signing::kValid, "default", step.node});
}

std::optional<std::string> Execution::run_action(const StepAction& action, TimeNs start, bool in_block) {
  return std::visit(
      Overloaded{
          [&](const ConnectStep& s) { return do_connect(s, in_block); },
          [&](const DisconnectStep& s) { return target_.disconnect(s.client, s.code, s.abrupt); },
          [&](const SubscribeStep& s) -> std::optional<std::string> {
            auto channel = sub(s.channel);
            if (!channel) return error_of(channel.error());
            AuthChoice auth = s.auth;
            if (auth.kind == AuthChoice::Kind::kLiteral) {
              auto literal = sub(auth.literal);
              if (!literal) return error_of(literal.error());
              auth.literal = *literal;
            }
            std::optional<Json> channel_data;
            if (s.channel_data) {
              auto data = sub(*s.channel_data);
              if (!data) return error_of(data.error());
              channel_data = *data;
            }
            return target_.subscribe(s.client, *channel, auth, channel_data);
          },
          [&](const UnsubscribeStep& s) -> std::optional<std::string> {
            auto channel = sub(s.channel);
            if (!channel) return error_of(channel.error());
            return target_.unsubscribe(s.client, *channel);
          },
          [&](const SigninStep& s) -> std::optional<std::string> {
            AuthChoice auth = s.auth;
            if (auth.kind == AuthChoice::Kind::kLiteral) {
              auto literal = sub(auth.literal);
              if (!literal) return error_of(literal.error());
              auth.literal = *literal;
            }
            return target_.signin(s.client, auth, s.as);
          },
          [&](const ClientEventStep& s) -> std::optional<std::string> {
            auto channel = sub(s.channel);
            auto event = sub(s.event);
            auto data = sub(s.data);
            if (!channel) return error_of(channel.error());
            if (!event) return error_of(event.error());
            if (!data) return error_of(data.error());
            return target_.send_text(s.client, encode_client_event(*event, *data, *channel, FrameForm::kCanonical));
          },
          [&](const SendStep& s) -> std::optional<std::string> {
            if (s.ws_ping) return target_.send_ws_ping(s.client, *s.ws_ping);
            auto text = sub(s.text);
            if (!text) return error_of(text.error());
            return s.binary ? target_.send_binary(s.client, *text) : target_.send_text(s.client, *text);
          },
          [&](const TriggerStep& s) { return do_trigger(s); },
          [&](const BatchTriggerStep& s) { return do_batch(s); },
          [&](const QueryStep& s) -> std::optional<std::string> {
            auto path = sub(s.path);
            auto params = sub(s.params);
            if (!path) return error_of(path.error());
            if (!params) return error_of(params.error());
            if (auto error = check_node(s.node)) return error;
            return target_.rest(RestCall{"GET", *path, *params, "", Signing::kValid, "default", s.node});
          },
          [&](const RequestStep& s) -> std::optional<std::string> {
            auto path = sub(s.path);
            auto params = sub(s.params);
            if (!path) return error_of(path.error());
            if (!params) return error_of(params.error());
            std::string body;
            if (s.body) {
              auto text = sub(*s.body);
              if (!text) return error_of(text.error());
              body = *text;
            }
            if (auto error = check_node(s.node)) return error;
            if (s.timestamp_offset_s) {
              // Sent 1 ms into a whole second, so that the server's clock, a few ms later, reads the
              // second the request was signed in: the window's edges hold to the second.
              const DurationNs into = target_.unix_now() % kNsPerSecond;
              if (into != ms(1)) {
                const DurationNs wait = (into < ms(1) ? ms(1) - into : kNsPerSecond - into + ms(1));
                target_.wait_until(capped(target_.now() + wait), [] { return false; });
              }
            }
            return target_.rest(
                RestCall{s.method, *path, *params, body, s.signing, s.app, s.node, s.timestamp_offset_s});
          },
          [&](const ExpectStep& s) { return expect(s, start); },
          [&](const ExpectNoneStep& s) { return expect_none(s, start); },
          [&](const ExpectCloseStep& s) { return expect_close(s, start); },
          [&](const ExpectResponseStep& s) { return expect_response(s); },
          [&](const ExpectWebhookStep& s) { return expect_webhook(s, start); },
          [&](const ExpectNoWebhookStep& s) { return expect_no_webhook(s, start); },
          [&](const ExpectWebhookStateStep& s) { return expect_webhook_state(s, start); },
          [&](const ExpectRefusedStep& s) { return expect_refused(s, start); },
          [&](const ExpectPongStep& s) { return expect_pong(s, start); },
          [&](const AdvanceStep& s) -> std::optional<std::string> {
            target_.advance_to(capped(target_.now() + s.duration));
            return std::nullopt;
          },
          [&](const PartitionStep& s) { return target_.partition(s.client); },
          [&](const HealStep& s) { return target_.heal(s.client); },
          [&](const DropStep& s) { return target_.drop(s.client); },
          [&](const LatencyStep& s) { return target_.latency(s.client, s.min, s.max); },
          [&](const WebhookFailuresStep& s) { return target_.webhook_failures(s.count, s.status); },
          [&](const AuthRefuseStep& s) { return target_.auth_refuse(s.client, s.channel); },
          [&](const CrashNodeStep& s) {
            if (auto error = check_node(s.node)) return error;
            return target_.crash_node(s.node);
          },
          [&](const RestartNodeStep& s) {
            if (auto error = check_node(s.node)) return error;
            return target_.restart_node(s.node);
          },
          [&](const PartitionNodesStep& s) { return target_.partition_nodes(s.a, s.b); },
          [&](const HealNodesStep& s) { return target_.heal_nodes(s.nodes); },
          [&](const ShutdownServerStep&) { return target_.shutdown_server(); },
          [&](const ConcurrentlyStep&) -> std::optional<std::string> { return "internal: block run as action"; },
          [&](const OneOfStep&) -> std::optional<std::string> { return "internal: block run as action"; },
      },
      action);
}

}  // namespace pushsim::harness
