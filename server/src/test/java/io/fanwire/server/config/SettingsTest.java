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
    void theReadmeDocumentsEverySetting() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (Settings.Setting setting : Settings.all()) {
            assertThat(readme).as("README row for " + setting.key()).contains("| `" + setting.key() + "` |");
        }
    }
}
