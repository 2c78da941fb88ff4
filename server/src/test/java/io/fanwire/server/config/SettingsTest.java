package io.fanwire.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fanwire.common.jwt.JwtAlgorithm;
import io.fanwire.server.ServerConfig;
import io.fanwire.server.transport.TransportKind;

class SettingsTest {

    private static final String SECRET = "settings-test-secret-0123456789-abcdef";

    @Test
    void defaultsNeedOnlyAKey() {
        ConfigDraft draft = new ConfigDraft();
        assertThat(draft.jwtKeyMissing()).isTrue();
        draft.jwtSecret(SECRET);
        ServerConfig config = draft.toConfig();
        assertThat(config.port()).isEqualTo(ServerConfig.DEFAULT_PORT);
        assertThat(config.webSocketPaths()).containsExactly("/ws", "/wse");
        assertThat(config.auth().jwt().algorithm()).isEqualTo(JwtAlgorithm.HS256);
        assertThat(config.apiKey()).isNull();
        assertThat(draft.appMode()).isEqualTo("echo");
    }

    @Test
    void nestedYamlFlattensToDottedKeys(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("fanwire.yaml");
        Files.writeString(file, """
                port: 9001
                transport: nio
                websocket:
                  ping_interval: 10s
                  paths: [/a, /b]
                auth.jwt:
                  secret: %s
                drain: {high_water: 100, low_water: 10, capacity: 1000}
                """.formatted(SECRET));
        ConfigDraft draft = new ConfigDraft();
        Settings.apply(draft, Settings.fromYaml(file), file.toString());
        ServerConfig config = draft.toConfig();
        assertThat(config.port()).isEqualTo(9001);
        assertThat(config.transport()).isEqualTo(TransportKind.NIO);
        assertThat(config.pingInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.webSocketPaths()).containsExactly("/a", "/b");
        assertThat(config.drain().highWaterEvents()).isEqualTo(100);
    }

    @Test
    void laterSourcesWin() {
        ConfigDraft draft = new ConfigDraft();
        Settings.apply(draft, Map.of("port", "1000", "auth.jwt.secret", SECRET), "file");
        Settings.apply(draft, Settings.fromEnvironment(Map.of("FANWIRE_PORT", "2000", "PATH", "/bin")), "environment");
        Settings.apply(draft, Settings.fromAssignments(List.of("websocket.idle_timeout=90s")), "flags");
        ServerConfig config = draft.toConfig();
        assertThat(config.port()).isEqualTo(2000);
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void environmentNamesFollowTheKeys() {
        assertThat(Settings.all()).extracting(Settings.Setting::envName)
                .contains("FANWIRE_AUTH_JWT_SECRET", "FANWIRE_WEBSOCKET_PING_INTERVAL", "FANWIRE_PORT");
        assertThat(Settings.unknownEnvironment(Map.of("FANWIRE_PROT", "1", "FANWIRE_PORT", "2",
                "FANWIRE_JAVA_OPTS", "-Xmx1g"))).containsExactly("FANWIRE_PROT");
    }

    @Test
    void errorsNameTheSourceAndSetting() {
        ConfigDraft draft = new ConfigDraft();
        assertThatThrownBy(() -> Settings.apply(draft, Map.of("prot", "1"), "flags"))
                .hasMessageContaining("flags").hasMessageContaining("unknown setting 'prot'");
        assertThatThrownBy(() -> Settings.apply(draft, Map.of("port", "eighty"), "environment"))
                .hasMessageContaining("environment: port: 'eighty' is not a whole number");
        assertThatThrownBy(() -> Settings.apply(draft, Map.of("websocket.ping_interval", "soon"), "file"))
                .hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> Settings.apply(draft, Map.of("app.mode", "party"), "flags"))
                .hasMessageContaining("expected one of: echo, count, none");
        assertThatThrownBy(() -> Settings.fromAssignments(List.of("port")))
                .hasMessageContaining("expected: key=value");
    }

    @Test
    void weakOrMissingKeysRefuseToBuild() {
        ConfigDraft weak = new ConfigDraft();
        Settings.apply(weak, Map.of("auth.jwt.secret", "short"), "flags");
        assertThatThrownBy(weak::toConfig).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32 bytes");
        ConfigDraft rsa = new ConfigDraft();
        Settings.apply(rsa, Map.of("auth.jwt.algorithm", "RS256"), "flags");
        assertThatThrownBy(rsa::toConfig).hasMessageContaining("public_key");
    }

    @Test
    void slowConsumerOverridesParseInOrder() {
        ConfigDraft draft = new ConfigDraft();
        Settings.apply(draft, Map.of("auth.jwt.secret", SECRET,
                "topics.slow_consumer_overrides", "trades.*=disconnect, chat.*=drop"), "flags");
        ServerConfig config = draft.toConfig();
        assertThat(config.pubsub().slowConsumerOverrides()).containsExactly(
                new ServerConfig.PubSubConfig.PolicyOverride("trades.*", ServerConfig.SlowConsumerPolicy.DISCONNECT),
                new ServerConfig.PubSubConfig.PolicyOverride("chat.*", ServerConfig.SlowConsumerPolicy.DROP));
        assertThatThrownBy(() -> Settings.apply(new ConfigDraft(), Map.of("topics.slow_consumer_overrides", "x"), "f"))
                .hasMessageContaining("pattern=drop");
        assertThatThrownBy(() -> Settings.apply(new ConfigDraft(), Map.of("topics.slow_consumer_overrides", "x=slow"), "f"))
                .hasMessageContaining("expected one of");
    }

    @Test
    void durationsAndSizes() {
        assertThat(Settings.duration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Settings.duration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Settings.duration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Settings.duration("PT3S")).isEqualTo(Duration.ofSeconds(3));
        assertThat(Settings.bytes("64KiB")).isEqualTo(65536);
        assertThat(Settings.bytes("1MiB")).isEqualTo(1 << 20);
        assertThat(Settings.bytes("123")).isEqualTo(123);
        assertThatThrownBy(() -> Settings.bytes("4GiB")).hasMessageContaining("too large");
        assertThat(Settings.bool("on")).isTrue();
        assertThatThrownBy(() -> Settings.bool("maybe")).hasMessageContaining("not true or false");
    }

    @Test
    void theConfigurationReferenceDocumentsEverySetting() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("..", "docs", "CONFIGURATION.md"));
        java.util.Set<String> types = java.util.Set.of("boolean", "integer", "number", "size", "duration", "enum",
                "list", "text", "pem", "secret");
        for (Settings.Setting setting : Settings.all()) {
            String prefix = "| `" + setting.key() + "` | ";
            List<String> rows = lines.stream().filter(l -> l.startsWith(prefix)).toList();
            assertThat(rows).as("docs/CONFIGURATION.md row for " + setting.key()).hasSize(1);
            // | `key` | `ENV` | type | `default` or – | meaning |
            String[] cells = rows.get(0).substring(2, rows.get(0).length() - 2).split(" \\| ", 5);
            assertThat(cells).as(rows.get(0)).hasSize(5);
            assertThat(cells[1]).as("env of " + setting.key()).isEqualTo("`" + setting.envName() + "`");
            assertThat(cells[2]).as("type of " + setting.key()).isIn(types);
            assertThat(cells[2].equals("secret")).as("secret " + setting.key()).isEqualTo(setting.secret());
            assertThat(cells[3]).as("default of " + setting.key())
                    .isEqualTo(setting.defaultValue().isEmpty() ? "–" : "`" + setting.defaultValue() + "`");
            assertThat(cells[4]).as("meaning of " + setting.key()).isNotBlank();
        }
        long documented = lines.stream().filter(l -> l.matches("^\\| `[a-z_.]+` \\| `FANWIRE_.*")).count();
        assertThat(documented).as("rows for settings that no longer exist").isEqualTo(Settings.all().size());
    }

    @Test
    void passwordsInUrisAreMaskedWhenPrinted() {
        assertThat(Settings.maskUriPassword("redis://:hunter2@127.0.0.1:6379/0")).isEqualTo("redis://:<secret>@127.0.0.1:6379/0");
        assertThat(Settings.maskUriPassword("rediss://user:hunter2@redis.example:6380"))
                .isEqualTo("rediss://user:<secret>@redis.example:6380");
        assertThat(Settings.maskUriPassword("redis://hunter2@127.0.0.1")).isEqualTo("redis://<secret>@127.0.0.1");
        assertThat(Settings.maskUriPassword("redis://127.0.0.1:6379")).isEqualTo("redis://127.0.0.1:6379");
        assertThat(Settings.maskUriPassword("https://issuer.example/a@b")).isEqualTo("https://issuer.example/a@b");

        ConfigDraft draft = new ConfigDraft();
        Settings.apply(draft, java.util.Map.of("redis.uri", "redis://:hunter2@127.0.0.1:6379"), "test");
        assertThat(String.join("\n", Settings.describe(draft))).doesNotContain("hunter2")
                .contains("redis.uri: 'redis://:<secret>@127.0.0.1:6379'");
    }

    @Test
    void theReadmeLinksToTheReference() throws Exception {
        assertThat(Files.readString(Path.of("..", "README.md"))).contains("(docs/CONFIGURATION.md)");
    }

    @Test
    void printedSettingsMaskSecretsAndNameTheirSource() {
        ConfigDraft draft = new ConfigDraft();
        Settings.apply(draft, Map.of("auth.jwt.secret", SECRET, "port", "9001"), "fanwire.yaml");
        Settings.apply(draft, Map.of("api.key", "printed-api-key-0123456789", "tls.private_key", "/etc/key.pem"), "flags");
        List<String> lines = Settings.describe(draft);
        String all = String.join("\n", lines);
        assertThat(all).doesNotContain(SECRET).doesNotContain("printed-api-key-0123456789").doesNotContain("/etc/key.pem");
        assertThat(lines).contains("port: 9001  # fanwire.yaml", "auth.jwt.secret: '<secret>'  # fanwire.yaml",
                "api.key: '<secret>'  # flags", "websocket.ping_interval: 25s  # default", "auth.jwt.issuer:   # default",
                "auth.subprotocol: fanwire.v1  # default");
        assertThat(lines).hasSize(Settings.all().size());
    }

    @Test
    void tlsNeedsBothFilesAndReadsThem(@TempDir Path dir) throws Exception {
        io.fanwire.server.testing.TestCertificate certificate =
                io.fanwire.server.testing.TestCertificate.create(dir, "EC");
        ConfigDraft draft = new ConfigDraft();
        Settings.apply(draft, Map.of("auth.jwt.secret", SECRET,
                "tls.certificate_chain", certificate.certificateFile().toString(),
                "tls.private_key", certificate.privateKeyFile().toString(),
                "tls.provider", "jdk", "tls.handshake_timeout", "3s"), "flags");
        ServerConfig config = draft.toConfig();
        assertThat(config.tls().certificateChainPem()).isEqualTo(certificate.certificatePem());
        assertThat(config.tls().privateKeyPem()).isEqualTo(certificate.privateKeyPem());
        assertThat(config.tls().provider()).isEqualTo(ServerConfig.TlsProvider.JDK);
        assertThat(config.tls().handshakeTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.toString()).contains("handshakeTimeout=PT3S")
                .doesNotContain(certificate.privateKeyPem().lines().skip(1).findFirst().orElseThrow());
        ConfigDraft keyed = new ConfigDraft();
        Settings.apply(keyed, Map.of("auth.jwt.secret", SECRET, "api.key", "to-string-api-key-0123456789"), "flags");
        assertThat(keyed.toConfig().toString()).contains("apiKey=(secret)").doesNotContain("to-string-api-key-0123456789")
                .doesNotContain(SECRET);

        ConfigDraft half = new ConfigDraft();
        Settings.apply(half, Map.of("auth.jwt.secret", SECRET,
                "tls.certificate_chain", certificate.certificateFile().toString()), "flags");
        assertThatThrownBy(half::toConfig).hasMessageContaining("tls.private_key: missing");
        ConfigDraft missing = new ConfigDraft();
        Settings.apply(missing, Map.of("auth.jwt.secret", SECRET, "tls.certificate_chain", "/nonexistent/cert.pem",
                "tls.private_key", certificate.privateKeyFile().toString()), "flags");
        assertThatThrownBy(missing::toConfig).hasMessageContaining("tls.certificate_chain: cannot read /nonexistent/cert.pem");
    }
}
