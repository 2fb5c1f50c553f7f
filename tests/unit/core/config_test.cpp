#include "core/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace osprey {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/osprey_config_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write_file(const std::string& name, const std::string& content) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << content;
    return path;
  }

  // Loads expecting failure and returns the message.
  std::string load_error(const ConfigSources& sources) {
    auto result = load_config(sources);
    EXPECT_FALSE(result.ok());
    if (result.ok()) return "";
    EXPECT_EQ(result.code(), ErrorCode::kConfigInvalid);
    EXPECT_EQ(result.error().message.find('\n'), std::string::npos) << result.error().message;
    return result.error().message;
  }

  std::string dir_;
};

TEST_F(ConfigTest, DefaultsApplyWithNoSources) {
  auto config = load_config({});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server.listen, "127.0.0.1:8080");
  EXPECT_EQ(config->server.io_threads, 2);
  EXPECT_EQ(config->log.level, "info");
  EXPECT_EQ(config->data_dir, "./osprey-data");
  EXPECT_EQ(config->store.url, "sqlite:./osprey-data/osprey.db");
  EXPECT_TRUE(config->config_file.empty());
  EXPECT_TRUE(config->sections.is_object());
}

TEST_F(ConfigTest, EachSourceOverridesTheOneBelowPerKey) {
  ConfigSources sources;
  sources.file = write_file("osprey.yaml",
                            "data_dir: /var/lib/osprey\n"
                            "server:\n"
                            "  listen: 0.0.0.0:9000\n"
                            "  io_threads: 3\n"
                            "log:\n"
                            "  level: warn\n");
  sources.env = {{"OSPREY_SERVER_IO_THREADS", "5"}, {"OSPREY_LOG_LEVEL", "error"}};
  sources.overrides = {{"log.level", "debug"}};
  auto config = load_config(sources);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->worker_threads, 4);                              // default
  EXPECT_EQ(config->data_dir, "/var/lib/osprey");                    // yaml
  EXPECT_EQ(config->server.listen, "0.0.0.0:9000");                  // yaml
  EXPECT_EQ(config->server.io_threads, 5);                           // env beats yaml
  EXPECT_EQ(config->log.level, "debug");                             // flag beats env and yaml
  EXPECT_EQ(config->store.url, "sqlite:/var/lib/osprey/osprey.db");  // follows data_dir
  EXPECT_EQ(config->config_file, sources.file);
}

TEST_F(ConfigTest, TypedValuesFromEveryKind) {
  ConfigSources sources;
  sources.overrides = {{"server.debug_endpoints", "true"},
                       {"log.debug_sample_rate", "0.25"},
                       {"server.max_body_bytes", "1048576"},
                       {"store.url", "postgres://u@db/osprey"},
                       {"server.listen", "[::1]:0"}};
  auto config = load_config(sources);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->server.debug_endpoints);
  EXPECT_DOUBLE_EQ(config->log.debug_sample_rate, 0.25);
  EXPECT_EQ(config->server.max_body_bytes, 1048576);
  EXPECT_EQ(config->store.url, "postgres://u@db/osprey");
  EXPECT_EQ(config->server.listen, "[::1]:0");
}

TEST_F(ConfigTest, EveryValidationErrorNamesTheKeyAndTheValue) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"server.io_threads", "abc"},       {"server.io_threads", "0"},
      {"server.io_threads", "257"},       {"worker_threads", "-1"},
      {"server.header_timeout_ms", "0"},  {"server.idle_timeout_ms", "-5"},
      {"store.busy_timeout_ms", "0"},     {"store.pool_size", "1.5"},
      {"server.max_connections", "lots"}, {"server.max_header_bytes", "10"},
      {"server.listen", "localhost"},     {"server.listen", "host:70000"},
      {"server.listen", "::1:80"},        {"server.listen", ":80"},
      {"log.level", "verbose"},           {"log.debug_sample_rate", "1.5"},
      {"log.debug_sample_rate", "nan"},   {"server.debug_endpoints", "maybe"},
      {"store.url", "mysql://x"},         {"data_dir", ""},
  };
  for (const auto& [key, value] : bad) {
    ConfigSources sources;
    sources.overrides = {{key, value}};
    const std::string msg = load_error(sources);
    EXPECT_EQ(msg.rfind("config: " + key + ": must ", 0), 0u) << msg;
    EXPECT_NE(msg.find("(got \"" + value + "\")"), std::string::npos) << msg;
  }
}

TEST_F(ConfigTest, ErrorsSayWhichSourceHadTheBadValue) {
  ConfigSources sources;
  sources.env = {{"OSPREY_SERVER_IO_THREADS", "abc"}};
  EXPECT_EQ(load_error(sources),
            "config: server.io_threads: must be an integer between 1 and 256 (got \"abc\") "
            "[env OSPREY_SERVER_IO_THREADS]");
  ConfigSources from_file;
  from_file.file = write_file("c.yaml", "log:\n  level: loud\n");
  EXPECT_NE(load_error(from_file).find("c.yaml:2"), std::string::npos);
}

TEST_F(ConfigTest, UnknownYamlKeyIsRejectedWithItsName) {
  ConfigSources sources;
  sources.file = write_file("c.yaml", "server:\n  lisen: 0.0.0.0:1\n");
  const std::string msg = load_error(sources);
  EXPECT_NE(msg.find("unknown key 'server.lisen'"), std::string::npos) << msg;
  sources.file = write_file("d.yaml", "colour: blue\n");
  EXPECT_NE(load_error(sources).find("unknown key 'colour'"), std::string::npos);
  sources.file = write_file("e.yaml", "server: 5\n");
  EXPECT_NE(load_error(sources).find("server: must be a mapping"), std::string::npos);
  sources.file = write_file("f.yaml", "server:\n  listen: [a, b]\n");
  EXPECT_NE(load_error(sources).find("must be a single value"), std::string::npos);
}

TEST_F(ConfigTest, UnknownFlagKeyIsRejected) {
  ConfigSources sources;
  sources.overrides = {{"server.nope", "1"}};
  EXPECT_NE(load_error(sources).find("server.nope: unknown key"), std::string::npos);
}

TEST_F(ConfigTest, UnknownOspreyEnvVarsAreIgnored) {
  ConfigSources sources;
  sources.env = {{"OSPREY_SERVER_LISEN", "x"}, {"OSPREY_WHATEVER", "y"}, {"PATH", "/bin"}};
  EXPECT_TRUE(load_config(sources).ok());
}

TEST_F(ConfigTest, MalformedYamlIsRejectedWithFileAndLine) {
  ConfigSources sources;
  sources.file = write_file("bad.yaml", "server:\n  listen: \"0.0.0.0:1\n  io_threads: 2\n");
  std::string msg = load_error(sources);
  EXPECT_NE(msg.find("bad.yaml:"), std::string::npos) << msg;
  sources.file = write_file("bad2.yaml", "log:\n  level: info\n   file: x\n");
  msg = load_error(sources);
  EXPECT_NE(msg.find("bad2.yaml:3"), std::string::npos) << msg;
  sources.file = write_file("dup.yaml", "log:\n  level: info\n  level: warn\n");
  msg = load_error(sources);
  EXPECT_NE(msg.find("dup.yaml:3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("duplicate key 'log.level'"), std::string::npos) << msg;
  sources.file = write_file("list.yaml", "- a\n- b\n");
  EXPECT_NE(load_error(sources).find("must be a mapping"), std::string::npos);
  sources.file = dir_ + "/missing.yaml";
  EXPECT_NE(load_error(sources).find("missing.yaml"), std::string::npos);
}

TEST_F(ConfigTest, EmptyYamlFileMeansDefaults) {
  ConfigSources sources;
  sources.file = write_file("empty.yaml", "# nothing\n");
  auto config = load_config(sources);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server.io_threads, 2);
}

TEST_F(ConfigTest, ConfigFileFromOspreyConfigEnvVar) {
  ConfigSources sources;
  sources.env = {{"OSPREY_CONFIG", write_file("c.yaml", "worker_threads: 9\n")}};
  auto config = load_config(sources);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->worker_threads, 9);
}

TEST_F(ConfigTest, SecretFromEnvVar) {
  ConfigSources sources;
  sources.env = {{"OSPREY_SECRETS_ENCRYPTION_KEY", "s3cr3t-from-env"}};
  auto config = load_config(sources);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->secrets.encryption_key, "s3cr3t-from-env");
  EXPECT_EQ(secret_values(*config), std::vector<std::string>{"s3cr3t-from-env"});
}

TEST_F(ConfigTest, SecretFromFileInEverySource) {
  const std::string key_file = write_file("key", "file-secret-value\n");
  ConfigSources yaml;
  yaml.file = write_file("c.yaml", "secrets:\n  encryption_key_file: " + key_file + "\n");
  ConfigSources env;
  env.env = {{"OSPREY_SECRETS_ENCRYPTION_KEY_FILE", key_file}};
  ConfigSources flag;
  flag.overrides = {{"secrets.encryption_key_file", key_file}};
  for (const auto& sources : {yaml, env, flag}) {
    auto config = load_config(sources);
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->secrets.encryption_key, "file-secret-value");  // newline trimmed
  }
}

TEST_F(ConfigTest, UnreadableSecretFileNamesTheKey) {
  ConfigSources sources;
  sources.env = {{"OSPREY_SECRETS_ENCRYPTION_KEY_FILE", dir_ + "/nope"}};
  const std::string msg = load_error(sources);
  EXPECT_EQ(msg.rfind("config: secrets.encryption_key_file: cannot read", 0), 0u) << msg;
}

TEST_F(ConfigTest, SecretGivenInlineAndByFileInOneSourceIsRejected) {
  ConfigSources sources;
  sources.env = {{"OSPREY_SECRETS_ENCRYPTION_KEY", "abcdefgh"},
                 {"OSPREY_SECRETS_ENCRYPTION_KEY_FILE", write_file("k", "other")}};
  EXPECT_NE(load_error(sources).find("secrets.encryption_key"), std::string::npos);
}

TEST_F(ConfigTest, InlineSecretInYamlIsRejectedWithAdvice) {
  ConfigSources sources;
  sources.file = write_file("c.yaml", "secrets:\n  encryption_key: hunter2hunter2\n");
  const std::string msg = load_error(sources);
  EXPECT_NE(msg.find("secrets.encryption_key"), std::string::npos) << msg;
  EXPECT_NE(msg.find("OSPREY_SECRETS_ENCRYPTION_KEY"), std::string::npos) << msg;
  EXPECT_NE(msg.find("secrets.encryption_key_file"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("hunter2hunter2"), std::string::npos) << msg;
}

TEST_F(ConfigTest, InlineSecretOnTheCommandLineIsRejectedWithAdvice) {
  ConfigSources sources;
  sources.overrides = {{"secrets.encryption_key", "hunter2hunter2"}};
  const std::string msg = load_error(sources);
  EXPECT_NE(msg.find("secrets.encryption_key: secrets may not be given on the command line"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("OSPREY_SECRETS_ENCRYPTION_KEY"), std::string::npos) << msg;
  EXPECT_NE(msg.find("secrets.encryption_key_file"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("hunter2hunter2"), std::string::npos) << msg;
}

TEST_F(ConfigTest, RenderMasksSecretsAndLoadsBack) {
  ConfigSources sources;
  sources.env = {{"OSPREY_SECRETS_ENCRYPTION_KEY", "very-secret-key"}};
  sources.overrides = {{"server.listen", "0.0.0.0:1234"},
                       {"log.file", "/tmp/a \"quoted\" file.log"},
                       {"log.debug_sample_rate", "0.5"},
                       {"cache.api_key", "section-secret"},
                       {"cache.max_entries", "100"}};
  auto config = load_config(sources);
  ASSERT_TRUE(config.ok()) << config.error().message;
  const std::string yaml = render_config(*config);
  EXPECT_EQ(yaml.find("very-secret-key"), std::string::npos) << yaml;
  EXPECT_EQ(yaml.find("section-secret"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("encryption_key: \"********\""), std::string::npos) << yaml;

  // Everything but the secret lines loads back to the same values.
  std::string without_secrets;
  std::istringstream lines(yaml);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("secrets:") == 0 || line.find("encryption_key") != std::string::npos) continue;
    without_secrets += line + "\n";
  }
  ConfigSources again;
  again.file = write_file("rendered.yaml", without_secrets);
  auto reloaded = load_config(again);
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().message << "\n" << without_secrets;
  EXPECT_EQ(reloaded->server.listen, "0.0.0.0:1234");
  EXPECT_EQ(reloaded->log.file, "/tmp/a \"quoted\" file.log");
  EXPECT_DOUBLE_EQ(reloaded->log.debug_sample_rate, 0.5);
  EXPECT_EQ(reloaded->store.url, config->store.url);
  EXPECT_EQ(reloaded->sections["cache"]["max_entries"], 100);
}

TEST_F(ConfigTest, RenderShowsEmptyStringForUnsetSecret) {
  auto config = load_config({});
  ASSERT_TRUE(config.ok());
  EXPECT_NE(render_config(*config).find("encryption_key: \"\""), std::string::npos);
  EXPECT_TRUE(secret_values(*config).empty());
}

TEST_F(ConfigTest, SectionsAreKeptVerbatim) {
  ConfigSources sources;
  sources.file = write_file("c.yaml",
                            "models:\n"
                            "  - name: llama\n"
                            "    max_tokens: 4096\n"
                            "    temperature: 0.7\n"
                            "    stream: true\n"
                            "    note: \"42\"\n"
                            "    extra: ~\n"
                            "limits:\n"
                            "  default: {rps: 10}\n");
  sources.overrides = {{"limits.default.burst", "20"}};
  auto config = load_config(sources);
  ASSERT_TRUE(config.ok()) << config.error().message;
  const auto expected_models = nlohmann::json::parse(
      R"([{"name":"llama","max_tokens":4096,"temperature":0.7,"stream":true,"note":"42",
          "extra":null}])");
  EXPECT_EQ(config->sections["models"], expected_models);
  EXPECT_EQ(config->sections["limits"],
            nlohmann::json::parse(R"({"default":{"rps":10,"burst":20}})"));
}

TEST_F(ConfigTest, KeyTableIsConsistent) {
  std::set<std::string> names;
  for (const auto& key : config_keys()) {
    EXPECT_TRUE(names.insert(key.name).second) << key.name;
    std::string env = "OSPREY_";
    for (char c : key.name) env += c == '.' ? '_' : static_cast<char>(std::toupper(c));
    EXPECT_EQ(key.env, env);
    EXPECT_FALSE(key.description.empty()) << key.name;
  }
  EXPECT_TRUE(names.count("server.listen"));
  EXPECT_TRUE(names.count("secrets.encryption_key"));
}

TEST(ListenAddress, ParsesHostPortAndBracketedIpv6) {
  auto v4 = parse_listen_address("127.0.0.1:8080");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8080);
  auto v6 = parse_listen_address("[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  for (const char* bad : {"", ":1", "host", "host:", "host:-1", "host:65536", "[::1]", "[::1]80",
                          "::1:80", "[]:80", "a b:80", "host:8o"}) {
    EXPECT_FALSE(parse_listen_address(bad).ok()) << bad;
  }
}

TEST(ProcessEnvironment, SeesVariablesOfThisProcess) {
  ::setenv("OSPREY_TEST_PROBE", "a=b", 1);
  const auto env = process_environment();
  ASSERT_TRUE(env.count("OSPREY_TEST_PROBE"));
  EXPECT_EQ(env.at("OSPREY_TEST_PROBE"), "a=b");
}

}  // namespace
}  // namespace osprey
