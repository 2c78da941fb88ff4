package io.fanwire.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** {@code --print-config}: the effective settings, their sources, secrets masked; nothing is started. */
class ServerMainTest {

    private static final String SECRET = "print-config-secret-0123456789-abcdefgh";
    private static final String API_KEY = "print-config-api-key-0123456789";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine command = new CommandLine(new ServerMain());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    @Test
    void printsTheEffectiveSettingsWithSecretsMasked() {
        int code = run("--print-config", "--port", "9001", "--set", "auth.jwt.secret=" + SECRET,
                "--set", "api.key=" + API_KEY, "--set", "websocket.idle_timeout=90s");

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("port: 9001  # flags", "websocket.idle_timeout: 90s  # flags",
                        "auth.jwt.secret: '<secret>'  # flags", "api.key: '<secret>'  # flags",
                        "host: 0.0.0.0  # default", "tls.provider: auto  # default")
                .doesNotContain(SECRET).doesNotContain(API_KEY);
    }

    @Test
    void developmentModeShowsWhatItMakesUpWithoutShowingIt() {
        assertThat(run("--print-config")).isZero();

        assertThat(out.toString()).contains("host: 127.0.0.1  # development mode",
                "auth.jwt.secret: '<secret>'  # development mode", "api.key: '<secret>'  # development mode");
    }

    @Test
    void anInvalidConfigurationExitsWithTwoAndSaysWhy() {
        assertThat(run("--print-config", "--set", "auth.jwt.secret=" + SECRET, "--set", "tls.private_key=/nowhere.pem"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("tls.certificate_chain: missing");
        assertThat(out.toString()).isEmpty();
    }
}
