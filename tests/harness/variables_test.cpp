#include <catch2/catch.hpp>

#include "harness/variables.hpp"

using namespace pushsim::harness;

TEST_CASE("variables are found with their place in the text", "[variables]") {
  auto refs = find_variables("to ${alice.socket_id} from ${bob.user_id}");
  REQUIRE(refs.ok());
  REQUIRE(refs->size() == 2);
  CHECK((*refs)[0] == VariableRef{"alice", VariableAttribute::kSocketId, 3, 18});
  CHECK((*refs)[1] == VariableRef{"bob", VariableAttribute::kUserId, 27, 14});
}

TEST_CASE("text without variables, or with escaped dollars, has none", "[variables]") {
  CHECK(find_variables("no variables $ here {x}")->empty());
  CHECK(find_variables("price $$5 and $${alice.socket_id}")->empty());
  CHECK(find_variables("ends with $")->empty());
}

TEST_CASE("malformed variables are errors naming them", "[variables]") {
  CHECK(find_variables("x ${alice.socket_id").error().message ==
        "unterminated variable '${alice.socket_id' (expected ${client.socket_id} or ${client.user_id})");
  CHECK(find_variables("${alice.name}").error().message ==
        "bad variable '${alice.name}' (expected ${client.socket_id} or ${client.user_id})");
  CHECK(find_variables("${alice}").error().message ==
        "bad variable '${alice}' (expected ${client.socket_id} or ${client.user_id})");
  CHECK(find_variables("${.socket_id}").error().message ==
        "bad variable '${.socket_id}' (expected ${client.socket_id} or ${client.user_id})");
}

TEST_CASE("substitution replaces variables and unescapes dollars", "[variables]") {
  const VariableLookup lookup = [](const VariableRef& ref) -> std::optional<std::string> {
    if (ref.client == "alice" && ref.attribute == VariableAttribute::kSocketId) return "123.456";
    if (ref.client == "alice") return "u1";
    return std::nullopt;
  };
  CHECK(substitute_variables("{\"socket_id\":\"${alice.socket_id}\",\"u\":\"${alice.user_id}\"}", lookup).value() ==
        "{\"socket_id\":\"123.456\",\"u\":\"u1\"}");
  CHECK(substitute_variables("$$${alice.user_id} $${alice.user_id}", lookup).value() == "$u1 ${alice.user_id}");
  CHECK(substitute_variables("${bob.socket_id}", lookup).error().message ==
        "no value for '${bob.socket_id}' at this point");
}
