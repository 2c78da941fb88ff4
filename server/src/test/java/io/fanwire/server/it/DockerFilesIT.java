package io.fanwire.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The deployment files in {@code docker/}. No Docker engine runs here, so the compose file is validated by
 * {@code docker-compose config} (which needs none), and the Dockerfile by its structure: no offline Dockerfile
 * linter is packaged for this machine.
 */
class DockerFilesIT {

    private static final Path DOCKER = Path.of("..", "docker");

    @Test
    void composeFileIsValid() throws IOException, InterruptedException {
        Path compose = findOnPath("docker-compose");
        if (compose == null && System.getenv("FANWIRE_REQUIRE_DOCKER_COMPOSE") != null) {
            throw new IllegalStateException("docker-compose not found and FANWIRE_REQUIRE_DOCKER_COMPOSE is set");
        }
        assumeTrue(compose != null, "docker-compose is not installed (apt-get install docker-compose); "
                + "set FANWIRE_REQUIRE_DOCKER_COMPOSE=1 to fail instead of skipping");
        Process process = new ProcessBuilder(compose.toString(), "-f", DOCKER.resolve("docker-compose.yml").toString(),
                "config", "-q").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("docker-compose config -q: " + output).isZero();
    }

    @Test
    void dockerfileBuildsWithTheJdkRunsOnTheJreAsNonRootAndChecksReadiness() throws IOException {
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        assertThat(dockerfile).containsPattern("(?m)^FROM eclipse-temurin:25-jdk AS build$")
                .containsPattern("(?m)^FROM eclipse-temurin:25-jre AS run$")
                .containsPattern("(?m)^COPY --from=build .*fanwire-server\\.jar")
                .containsPattern("(?m)^USER fanwire$")
                .containsPattern("(?m)^HEALTHCHECK .*")
                .contains("/health/ready")
                .contains("-XX:+UseCompactObjectHeaders")
                .contains("--enable-native-access=ALL-UNNAMED");
        // Every instruction is one Docker knows.
        Set<String> known = Set.of("FROM", "WORKDIR", "COPY", "RUN", "USER", "EXPOSE", "ENV", "HEALTHCHECK", "CMD",
                "ENTRYPOINT", "ARG", "LABEL");
        String joined = dockerfile.replaceAll("\\\\\\n", " ");
        for (String line : joined.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            assertThat(known).as(line).contains(trimmed.split("\\s+")[0]);
        }
        // The user is created before it is switched to, and after the last FROM.
        assertThat(dockerfile.lastIndexOf("useradd")).isGreaterThan(dockerfile.lastIndexOf("FROM "))
                .isLessThan(dockerfile.indexOf("USER fanwire"));
    }

    @Test
    void prometheusScrapesBothNodesAndTheDashboardUsesRealMetricNames() throws IOException {
        String prometheus = Files.readString(DOCKER.resolve("prometheus.yml"));
        String compose = Files.readString(DOCKER.resolve("docker-compose.yml"));
        for (String node : new String[] {"fanwire-1", "fanwire-2"}) {
            assertThat(prometheus).contains("\"" + node + ":8000\"");
            assertThat(compose).containsPattern("(?m)^  " + node + ":$");
        }
        String dashboard = Files.readString(DOCKER.resolve("grafana").resolve("dashboards").resolve("fanwire.json"));
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher m = Pattern.compile("fanwire_[a-z_]+").matcher(dashboard);
        Set<String> names = new LinkedHashSet<>();
        while (m.find()) {
            names.add(m.group().replaceAll("_(bucket|max)$", ""));
        }
        assertThat(names).isNotEmpty();
        for (String name : names) {
            assertThat(readme).as("README documents " + name).containsPattern("`" + Pattern.quote(name) + "[`{]");
        }
    }

    private static Path findOnPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/bin:/usr/local/bin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name);
            }
        }
        return null;
    }
}
