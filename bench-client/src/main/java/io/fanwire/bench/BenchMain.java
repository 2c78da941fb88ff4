package io.fanwire.bench;

import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Entry point of the load client. The scenarios arrive with the bench client issue; until then the
 * command says so instead of pretending to measure anything.
 */
@Command(name = "fanwire bench", mixinStandardHelpOptions = true,
        description = "Fanwire load client (not built yet: see the bench client issue).")
public final class BenchMain implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "ARGS", description = "Scenario and options (not built yet).")
    private List<String> args = List.of();

    @Override
    public Integer call() {
        String what = args.isEmpty() ? "bench" : args.get(0);
        System.err.println("fanwire " + what + ": the load client is not built yet; no scenario can run.");
        return 2;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }
}
