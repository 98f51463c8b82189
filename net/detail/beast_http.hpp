#pragma once
// Conversions between Beast's HTTP messages and the plain HttpRequest / HttpResponse values
// the engine, the REST client and the webhook listener speak.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "protocol/http.hpp"

namespace pushsim::detail {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;

HttpRequest from_beast(const BeastRequest& request);
HttpResponse from_beast(const BeastResponse& response);
// A response to `request`: same HTTP version and keep-alive, Content-Length set.
BeastResponse to_beast(const HttpResponse& response, const BeastRequest& request);
// A request with Host set and Content-Length prepared.
BeastRequest to_beast(const HttpRequest& request, const std::string& host_header);

}  // namespace pushsim::detail
