/**
 * Publish/subscribe: topic names and ACLs, subscriptions, the encode-once fan-out, recovery, presence and
 * queue groups. Depends on {@code broker} (stamping and history), {@code session} and the common protocol.
 */
package io.fanwire.server.pubsub;
