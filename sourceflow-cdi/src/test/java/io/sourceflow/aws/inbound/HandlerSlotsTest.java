package io.sourceflow.aws.inbound;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The slot rules: a quiet queue is received only into free handlers, a backlog up to three handler rounds ahead (at
 * most 80 messages; none with fewer than 10 handlers), in full receives that fit the waiting room; one poller per full
 * 10 slots, at most 8.
 */
class HandlerSlotsTest {

    @Test
    void theDefaultTenHandlersReceiveThirtyAheadWithFourPollers() {
        HandlerSlots slots = HandlerSlots.forHandlers(10);
        assertThat(slots.handlers()).isEqualTo(10);
        assertThat(HandlerSlots.receiveAheadFor(10)).isEqualTo(30);
        assertThat(slots.pollers()).isEqualTo(4);
    }

    @Test
    void receiveAheadIsThreeRoundsAtMostEightyMessagesAndPollersAtMostEight() {
        assertThat(HandlerSlots.receiveAheadFor(1)).as("fewer handlers than a receive: none").isZero();
        assertThat(HandlerSlots.receiveAheadFor(9)).isZero();
        assertThat(HandlerSlots.receiveAheadFor(16)).isEqualTo(48);
        assertThat(HandlerSlots.receiveAheadFor(64)).isEqualTo(80);
        assertThat(HandlerSlots.forHandlers(1).pollers()).isEqualTo(1);
        assertThat(HandlerSlots.forHandlers(16).pollers()).isEqualTo(6);
        assertThat(HandlerSlots.forHandlers(64).pollers()).isEqualTo(8);
        assertThat(new HandlerSlots(64, 0).pollers()).as("without waiting room, as before: one per full 10").isEqualTo(6);
    }

    @Test
    void aQuietQueueIsReceivedOnlyIntoFreeHandlers() throws InterruptedException {
        HandlerSlots slots = new HandlerSlots(2, 6);

        assertThat(slots.acquire(false, 1, TimeUnit.SECONDS)).as("both handlers free").isEqualTo(2);
        assertThat(slots.acquire(false, 50, TimeUnit.MILLISECONDS)).as("no free handler, though 6 slots are free").isZero();
        assertThat(slots.inFlight()).isEqualTo(2);

        slots.release(1);
        assertThat(slots.acquire(false, 1, TimeUnit.SECONDS)).isEqualTo(1);
    }

    @Test
    void aBacklogIsReceivedAheadOfBusyHandlersInReceivesThatFitTheWaitingRoom() throws InterruptedException {
        HandlerSlots slots = new HandlerSlots(2, 6);
        assertThat(slots.acquire(false, 1, TimeUnit.SECONDS)).isEqualTo(2); // both handlers busy

        assertThat(slots.acquire(true, 1, TimeUnit.SECONDS)).as("the waiting room, while both handlers run").isEqualTo(6);
        assertThat(slots.inFlight()).isEqualTo(8);
        assertThat(slots.acquire(true, 50, TimeUnit.MILLISECONDS)).as("full").isZero();

        slots.release(8);
        assertThat(slots.inFlight()).isZero();
    }

    @Test
    void tenHandlersTakeFullReceivesOfTenWhileFortyAreInFlight() throws InterruptedException {
        HandlerSlots slots = HandlerSlots.forHandlers(10);
        for (int i = 0; i < 4; i++) {
            assertThat(slots.acquire(true, 1, TimeUnit.SECONDS)).isEqualTo(10);
        }
        assertThat(slots.inFlight()).isEqualTo(40);
        assertThat(slots.acquire(true, 50, TimeUnit.MILLISECONDS)).isZero();
    }

    @Test
    void refusesNoHandlers() {
        assertThatThrownBy(() -> new HandlerSlots(0, 3)).isInstanceOf(IllegalArgumentException.class);
    }
}
