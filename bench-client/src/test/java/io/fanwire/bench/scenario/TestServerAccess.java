package io.fanwire.bench.scenario;

/** Lets tests outside this package start a {@link TestServer}. */
public final class TestServerAccess {

    private TestServerAccess() {
    }

    public static AutoCloseable start() {
        return TestServer.start();
    }

    /** {@code command}, then the server's common options, then {@code extra}. */
    public static String[] args(AutoCloseable server, String command, String... extra) {
        String[] a = ((TestServer) server).args(extra);
        String[] out = new String[a.length + 1];
        out[0] = command;
        System.arraycopy(a, 0, out, 1, a.length);
        return out;
    }
}
