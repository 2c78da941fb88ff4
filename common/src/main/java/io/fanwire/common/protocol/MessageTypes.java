package io.fanwire.common.protocol;

import java.util.Locale;

/** Values of the envelope's {@code t} key that the protocol itself defines. */
public final class MessageTypes {

    public static final String SERVER_READY = "server_ready";
    public static final String CLIENT_HELLO = "client_hello";
    public static final String SERVER_HELLO = "server_hello";
    public static final String PING = "ping";
    public static final String PONG = "PONG";
    public static final String ERROR = "error";
    public static final String SUBSCRIPTION = "subscription";
    public static final String SUBSCRIPTION_UPDATE = "subscription_update";
    public static final String PUBLISH = "publish";
    public static final String PUBLISH_ACK = "publish_ack";
    /** The default event type of a publication whose publisher named none. */
    public static final String PUBLICATION = "publication";
    public static final String PRESENCE = "presence";
    public static final String PRESENCE_STATE = "presence_state";
    public static final String PRESENCE_JOIN = "presence_join";
    public static final String PRESENCE_LEAVE = "presence_leave";
    public static final String PRESENCE_UPDATE = "presence_update";
    public static final String REFRESH = "refresh";
    public static final String REFRESH_OK = "refresh_ok";
    public static final String TOKEN_EXPIRING = "token_expiring";
    public static final String RATE_LIMIT_WARNING = "rate_limit_warning";

    private MessageTypes() {
    }

    /** Whether {@code type} is a pong; the protocol accepts any letter case. */
    public static boolean isPong(String type) {
        return type.length() == 4 && type.toLowerCase(Locale.ROOT).equals("pong");
    }
}
