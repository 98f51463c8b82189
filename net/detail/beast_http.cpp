#include "net/detail/beast_http.hpp"

#include <boost/beast/http/field.hpp>

namespace pushsim::detail {

namespace http = boost::beast::http;

namespace {

template <class Fields>
std::vector<Header> headers_of(const Fields& fields) {
  std::vector<Header> out;
  for (const auto& field : fields) out.emplace_back(std::string(field.name_string()), std::string(field.value()));
  return out;
}

}  // namespace

HttpRequest from_beast(const BeastRequest& request) {
  HttpRequest out;
  out.method = std::string(request.method_string());
  out.target = std::string(request.target());
  out.headers = headers_of(request.base());
  out.body = request.body();
  return out;
}

HttpResponse from_beast(const BeastResponse& response) {
  HttpResponse out;
  out.status = static_cast<int>(response.result_int());
  out.headers = headers_of(response.base());
  out.body = response.body();
  return out;
}

BeastResponse to_beast(const HttpResponse& response, const BeastRequest& request) {
  BeastResponse out;
  out.version(request.version());
  // result(unsigned) keeps codes Beast has no name for; out of 100..999 it would throw.
  out.result(response.status >= 100 && response.status <= 999 ? static_cast<unsigned>(response.status) : 500U);
  for (const auto& [name, value] : response.headers) out.insert(name, value);
  out.set(http::field::server, "pushsim");
  out.body() = response.body;
  out.keep_alive(request.keep_alive());
  out.prepare_payload();
  return out;
}

BeastRequest to_beast(const HttpRequest& request, const std::string& host_header) {
  BeastRequest out;
  out.method_string(request.method);
  out.target(request.target);
  out.version(11);
  for (const auto& [name, value] : request.headers) out.insert(name, value);
  out.set(http::field::host, host_header);
  out.set(http::field::user_agent, "pushsim");
  out.body() = request.body;
  out.prepare_payload();
  return out;
}

}  // namespace pushsim::detail
