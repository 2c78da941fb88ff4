package io.fanwire.server.pubsub;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fanwire.server.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;

/**
 * One connection's subscription to one topic. Everything but the final fields belongs to the connection's
 * event loop.
 */
final class Subscriber {

    /** Live publications held back while a recovery is under way, at most this many. */
    static final int MAX_HELD_BACK = 1024;

    final Session session;
    final Topic topic;
    final int loop;
    final String queueGroup;
    final boolean msgpack;

    /** Position in the loop slot's array, for constant-time removal. */
    int slotIndex = -1;
    /** The epoch and offset of the last publication delivered (or skipped on purpose). */
    String epoch;
    long lastOffset;
    /** While true, live publications are held back until history has been replayed. */
    boolean recovering = true;
    /** Live publications held back during recovery: offset, epoch and a retained frame buffer each. */
    List<HeldBack> heldBack;
    /** The presence data announced with this subscription, or {@code null} for none. */
    ObjectNode presence;
    /** When this subscription last changed its presence data (the loop's ticker). */
    long presenceChangedNanos;
    boolean active = true;

    record HeldBack(String epoch, long offset, ByteBuf frame) {
    }

    Subscriber(Session session, Topic topic, int loop, String queueGroup, boolean msgpack) {
        this.session = session;
        this.topic = topic;
        this.loop = loop;
        this.queueGroup = queueGroup;
        this.msgpack = msgpack;
    }

    /**
     * Holds back a live publication during recovery; {@code frame} is retained by the caller for us.
     *
     * @return false when there was no more room and the publication was dropped (the client will see a gap)
     */
    boolean holdBack(String pubEpoch, long offset, ByteBuf frame) {
        if (heldBack == null) {
            heldBack = new ArrayList<>();
        }
        if (heldBack.size() >= MAX_HELD_BACK) {
            frame.release();
            return false;
        }
        heldBack.add(new HeldBack(pubEpoch, offset, frame));
        return true;
    }

    /** Releases whatever is still held back. */
    void releaseHeldBack() {
        if (heldBack != null) {
            for (HeldBack h : heldBack) {
                ReferenceCountUtil.release(h.frame());
            }
            heldBack = null;
        }
    }
}
