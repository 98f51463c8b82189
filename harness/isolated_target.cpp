#include "harness/isolated_target.hpp"

#include "harness/live_invariants.hpp"

namespace pushsim::harness {
namespace {

// GET /channels, app-relative or under /apps/ID: the answer lists channels by name.
bool is_channel_listing(const RestCall& call) {
  if (call.method != "GET") return false;
  const std::string_view route = std::string_view(call.path).substr(0, call.path.find('?'));
  return route == "/channels" || (route.starts_with("/apps/") && route.ends_with("/channels") &&
                                  route.find('/', 6) == route.size() - std::string_view("/channels").size());
}

bool answered(const ObservedResponse& response) { return response.answered_at.has_value() || response.lost; }

}  // namespace

IsolatedTarget::IsolatedTarget(std::unique_ptr<Target> inner, NameIsolation names, std::string app_key)
    : inner_(std::move(inner)), names_(std::move(names)), app_key_(std::move(app_key)) {}

ActionError IsolatedTarget::declare_client(const ClientSpec& client) {
  ClientSpec mapped = client;
  if (mapped.user_id) mapped.user_id = names_.user(*mapped.user_id);
  if (mapped.watchlist) {
    for (auto& user_id : *mapped.watchlist) user_id = names_.user(user_id);
  }
  return inner_->declare_client(mapped);
}

ActionError IsolatedTarget::subscribe(const std::string& client, const std::string& channel, const AuthChoice& auth,
                                      const std::optional<Json>& channel_data) {
  std::optional<Json> data;
  if (channel_data) data = names_.channel_data(*channel_data);
  AuthChoice mapped_auth = auth;
  if (auth.kind == AuthChoice::Kind::kOtherChannelData) {
    mapped_auth.signed_channel_data = names_.channel_data(auth.signed_channel_data);
  }
  return inner_->subscribe(client, names_.channel(channel), mapped_auth, data);
}

ActionError IsolatedTarget::unsubscribe(const std::string& client, const std::string& channel) {
  return inner_->unsubscribe(client, names_.channel(channel));
}

ActionError IsolatedTarget::send_text(const std::string& client, const std::string& text) {
  return inner_->send_text(client, names_.frame_text(text));
}

ActionError IsolatedTarget::rest(const RestCall& call) {
  RestCall mapped = call;
  mapped.path = names_.rest_path(call.path);
  mapped.body = names_.rest_body(call.body);
  const std::size_t before = inner_->responses().size();
  auto error = inner_->rest(mapped);
  const std::size_t after = inner_->responses().size();
  if (listings_.size() < after) listings_.resize(after, false);
  if (after == before + 1) listings_[before] = is_channel_listing(call);
  return error;
}

ActionError IsolatedTarget::auth_refuse(const std::optional<std::string>& client,
                                        const std::optional<std::string>& channel) {
  std::optional<std::string> mapped;
  if (channel) mapped = names_.channel(*channel);
  return inner_->auth_refuse(client, mapped);
}

// ---- observations, mapped back ----------------------------------------------------------------

const std::vector<ObservedFrame>& IsolatedTarget::frames(const std::string& client) {
  const auto& inner = inner_->frames(client);
  ClientFrames& mine = frames_[client];
  for (; mine.seen < inner.size(); ++mine.seen) {
    const ObservedFrame& frame = inner[mine.seen];
    // Most frames name a channel; those that do not are shared, not copied.
    if (frame.text->find(names_.suffix()) == std::string::npos) {
      mine.frames.push_back(frame);
    } else {
      mine.frames.push_back(observed_text(frame.at, names_.unmap(*frame.text)));
    }
  }
  return mine.frames;
}

const std::vector<ObservedWebhook>& IsolatedTarget::webhooks() {
  const auto& inner = inner_->webhooks();
  for (; hooks_seen_ < inner.size(); ++hooks_seen_) {
    const ObservedWebhook& hook = inner[hooks_seen_];
    if (hook.event.is_object()) {
      auto channel = hook.event.find("channel");
      if (channel != hook.event.end() && channel->is_string() &&
          !names_.owns_channel(channel->get_ref<const std::string&>())) {
        continue;  // about another scenario's channel
      }
    }
    webhooks_.push_back(
        ObservedWebhook{hook.at, names_.unmap_json(hook.event), hook.time_ms, 1, hook.post, hook.endpoint});
    // batch_size counts this scenario's events of the POST only: the same POST's earlier ones
    // (a POST's events are observed together) each count the new one too.
    std::size_t same_post = 0;
    for (auto it = webhooks_.rbegin(); it != webhooks_.rend() && it->post == hook.post; ++it) ++same_post;
    for (auto it = webhooks_.rbegin(); it != webhooks_.rend() && it->post == hook.post; ++it)
      it->batch_size = same_post;
  }
  return webhooks_;
}

ObservedResponse IsolatedTarget::mapped_response(std::size_t index, const ObservedResponse& response) const {
  ObservedResponse out = response;
  if (index < listings_.size() && listings_[index]) {
    Json body = Json::parse(response.body, nullptr, false);
    auto channels = body.is_object() ? body.find("channels") : body.end();
    if (!body.is_discarded() && body.is_object() && channels != body.end() && channels->is_object()) {
      for (auto it = channels->begin(); it != channels->end();) {
        it = names_.owns_channel(it.key()) ? std::next(it) : channels->erase(it);
      }
      out.body = body.dump();
    }
  }
  out.body = names_.unmap(out.body);
  return out;
}

const std::vector<ObservedResponse>& IsolatedTarget::responses() {
  const auto& inner = inner_->responses();
  // An entry changes while its call is pending (the answer fills it in): those are mapped again.
  for (std::size_t i = 0; i < inner.size(); ++i) {
    if (i < responses_.size() && answered(responses_[i])) continue;
    if (i < responses_.size()) {
      responses_[i] = mapped_response(i, inner[i]);
    } else {
      responses_.push_back(mapped_response(i, inner[i]));
    }
  }
  return responses_;
}

std::vector<InvariantViolation> IsolatedTarget::finish() {
  const auto members = query_members(*this, app_key_);
  const auto& hooks = webhooks();  // brings the inner target's observations up to date
  return check_live_invariants(trace(), hooks, members);
}

std::vector<TraceLine> IsolatedTarget::trace() const {
  auto lines = inner_->trace();
  for (auto& line : lines) line.text = names_.unmap(line.text);
  return lines;
}

std::vector<std::string> IsolatedTarget::problems() const {
  auto lines = inner_->problems();
  for (auto& line : lines) line = names_.unmap(line);
  return lines;
}

}  // namespace pushsim::harness
