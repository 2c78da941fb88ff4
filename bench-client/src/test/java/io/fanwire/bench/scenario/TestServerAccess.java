package io.fanwire.bench.scenario;

public final class TestServerAccess {
    public static AutoCloseable start() { return TestServer.start(); }
    public static String[] args(AutoCloseable s, String cmd, String... extra) {
        String[] a = ((TestServer) s).args(extra);
        String[] out = new String[a.length + 1];
        out[0] = cmd;
        System.arraycopy(a, 0, out, 1, a.length);
        return out;
    }
}
