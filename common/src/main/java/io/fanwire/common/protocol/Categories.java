package io.fanwire.common.protocol;

/** Values of the envelope's {@code c} key. */
public final class Categories {

    /** System messages of the protocol itself. */
    public static final String SYSTEM = "WSE";
    /** A snapshot of application state. */
    public static final String SNAPSHOT = "S";
    /** An update of application state; the default for application messages. */
    public static final String UPDATE = "U";

    private Categories() {
    }
}
