// redact_password and check_pg_url against hostile spellings of a PostgreSQL password:
// whatever libpq would take as a password never shows in the redacted URL or the error.
#include <catch2/catch.hpp>

#include "store/pg_url.hpp"

using namespace ia;
using ia::store::check_pg_url;
using ia::store::redact_password;

namespace {

bool hides(const std::string& url, const std::string& secret = "s3cret") {
  std::string shown = redact_password(url);
  INFO(url << " shows as " << shown);
  return shown.find(secret) == std::string::npos;
}

}  // namespace

TEST_CASE("pg_url: plain passwords in the user part and the query are taken out") {
  CHECK(redact_password("postgresql://ia:s3cret@db.example/ia") == "postgresql://ia@db.example/ia");
  CHECK(redact_password("postgresql:///ia?host=/run/pg&password=s3cret&user=ia") ==
        "postgresql:///ia?host=/run/pg&user=ia");
  CHECK(redact_password("postgres://db/ia?password=s3cret") == "postgres://db/ia");
  // What holds no password stays as it was.
  CHECK(redact_password("postgresql://ia@db:5432/ia?sslmode=require") ==
        "postgresql://ia@db:5432/ia?sslmode=require");
  CHECK(redact_password("postgresql://db:5432/ia?application_name=a@b") ==
        "postgresql://db:5432/ia?application_name=a@b");
}

TEST_CASE("pg_url: percent-escaped, upper-case and other password keys are taken out") {
  CHECK(redact_password("postgresql:///ia?pass%77ord=s3cret") == "postgresql:///ia");
  CHECK(redact_password("postgresql:///ia?%70%61%73%73%77%6f%72%64=s3cret&user=ia") ==
        "postgresql:///ia?user=ia");
  CHECK(hides("postgresql:///ia?PASSWORD=s3cret"));
  CHECK(hides("postgresql:///ia?Pass%57ord=s3cret"));
  CHECK(hides("postgresql:///ia?sslpassword=s3cret"));
  CHECK(hides("postgresql:///ia?sslpass%77ord=s3cret"));
  // A malformed escape in a key: libpq refuses it, and it may still be a password.
  CHECK(hides("postgresql:///ia?pass%7word=s3cret"));
  CHECK(hides("postgresql:///ia?pass%7=s3cret"));
  // No '=' after decoding's '%3D': the whole parameter is the secret.
  CHECK(hides("postgresql:///ia?pass%77ord%3Ds3cret"));
  CHECK(hides("postgresql:///ia?user=ia&password=s3cret&password=s3cret"));
}

TEST_CASE("pg_url: a password holding '@', '?' or '/' is taken out whole") {
  CHECK(redact_password("postgresql://ia:s3c@ret@db/ia") == "postgresql://ia@db/ia");
  CHECK(hides("postgresql://ia:s3c?ret@db/ia", "ret"));
  CHECK(hides("postgresql://ia:s3c?ret@db/ia", "s3c"));
  CHECK(hides("postgresql://ia:s3c/ret@db/ia", "s3c"));
  CHECK(hides("postgresql://ia:s3c/ret@db/ia", "ret"));
}

TEST_CASE("pg_url: libpq's error about a hostile URL shows no password either") {
  for (const std::string& url :
       {std::string("postgresql:///ia?pass%77ord%3Ds3cret"),
        std::string("postgresql:///ia?nosuchoption=1&password=s3cret"),
        std::string("postgresql:///ia?password=s3cret%zz"),
        std::string("postgresql://ia:s3cret@[db/ia")}) {
    Status checked = check_pg_url(url);
    INFO(url);
    REQUIRE_FALSE(checked);
    std::string text = checked.error().message + " " + checked.error().hint;
    INFO(text);
    CHECK(text.find("s3c") == std::string::npos);
  }
  CHECK(check_pg_url("postgresql:///ia?pass%77ord=s3cret"));
}
