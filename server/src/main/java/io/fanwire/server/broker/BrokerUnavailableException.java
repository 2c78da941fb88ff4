package io.fanwire.server.broker;

/**
 * A publication the broker could not accept: too many are waiting for it, or it failed or did not answer in
 * time. The publisher is told (an {@code error} to a client, 503 to the server API) and it is counted.
 */
public final class BrokerUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BrokerUnavailableException(String message) {
        super(message);
    }

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
