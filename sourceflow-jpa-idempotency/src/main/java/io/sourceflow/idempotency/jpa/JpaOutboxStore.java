package io.sourceflow.idempotency.jpa;

import io.sourceflow.spi.OutboxEntry;
import io.sourceflow.spi.OutboxRow;
import io.sourceflow.spi.OutboxStatus;
import io.sourceflow.spi.OutboxStore;
import jakarta.persistence.EntityManager;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The transactional outbox in table {@code sourceflow_outbox} ({@link OutboxRecord}), in the persistence unit of the
 * idempotency store. A row is inserted in the sender's transaction and leased to its instance; the relay of any
 * instance takes over rows whose lease ran out by a conditional update that stamps a fresh token, and reads back the
 * rows carrying it: portable JPQL, no {@code SKIP LOCKED}, and no database transaction held while SQS or SNS is
 * called. Deletes and parks run in transactions of their own.
 */
public final class JpaOutboxStore implements OutboxStore {

    private static final int MAX_ERROR = 2000;

    private final TransactionRunner tx;
    private final Clock clock;
    private final String service;

    /**
     * @param service whose rows these are: the application's {@code sourceflow.service-name} (empty without one).
     *                Applications sharing a database each relay only their own rows (their destinations, their
     *                credentials).
     */
    public JpaOutboxStore(TransactionRunner tx, Clock clock, String service) {
        this.tx = Objects.requireNonNull(tx, "tx");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.service = Objects.requireNonNull(service, "service");
    }

    @Override
    public long append(OutboxEntry entry, Duration lease) {
        if (!tx.joinsCallerTransactions()) {
            throw new IllegalStateException("The transactional outbox needs a JTA persistence unit: the outbox row must "
                    + "commit with the caller's transaction; this one is resource-local");
        }
        Instant now = clock.instant();
        OutboxRecord row = new OutboxRecord(service, entry.destinationKind(), entry.destination(), entry.groupId().orElse(null),
                entry.messageId(), entry.logicalType(), entry.body(), OutboxAttributes.encode(entry.attributes()), now,
                now.plus(lease));
        return tx.inCallerTransaction(em -> {
            em.persist(row);
            em.flush(); // the identity value is the row's place in its group's order
            return row.getId();
        });
    }

    @Override
    public List<OutboxRow> claimExpired(int limit, Duration lease) {
        Instant now = clock.instant();
        String token = UUID.randomUUID().toString();
        return tx.inNewTransaction(em -> {
            List<Long> candidates = em.createQuery("""
                            select o.id from OutboxRecord o
                             where o.service = :service and o.parked = false and o.leaseUntil < :now
                             order by o.id""", Long.class)
                    .setParameter("service", service)
                    .setParameter("now", OutboxRecord.utc(now))
                    .setMaxResults(limit)
                    .getResultList();
            if (candidates.isEmpty()) {
                return List.of();
            }
            // only rows still expired are taken: another instance's relay may have taken some meanwhile
            em.createQuery("""
                            update OutboxRecord o set o.leaseUntil = :until, o.leaseToken = :token
                             where o.id in :ids and o.parked = false and o.leaseUntil < :now""")
                    .setParameter("until", OutboxRecord.utc(now.plus(lease)))
                    .setParameter("token", token)
                    .setParameter("ids", candidates)
                    .setParameter("now", OutboxRecord.utc(now))
                    .executeUpdate();
            List<OutboxRecord> taken = em.createQuery("""
                            select o from OutboxRecord o where o.leaseToken = :token order by o.id""", OutboxRecord.class)
                    .setParameter("token", token)
                    .getResultList();
            List<OutboxRow> rows = new ArrayList<>(taken.size());
            for (OutboxRecord r : taken) {
                rows.add(new OutboxRow(r.getId(), new OutboxEntry(r.getDestinationKind(), r.getDestination(),
                        Optional.ofNullable(r.getGroupId()), r.getMessageId(), r.getLogicalType(), r.getBody(),
                        OutboxAttributes.decode(r.getAttributes())), r.getCreatedAt(), r.getAttempts()));
            }
            return rows;
        });
    }

    @Override
    public void delete(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return;
        }
        tx.inNewTransaction(em -> em.createQuery("delete from OutboxRecord o where o.id in :ids")
                .setParameter("ids", List.copyOf(ids)).executeUpdate());
    }

    @Override
    public void failed(Collection<Long> ids, String error) {
        if (ids.isEmpty()) {
            return;
        }
        tx.inNewTransaction(em -> em.createQuery("""
                        update OutboxRecord o set o.attempts = o.attempts + 1, o.lastError = :error where o.id in :ids""")
                .setParameter("error", truncate(error))
                .setParameter("ids", List.copyOf(ids))
                .executeUpdate());
    }

    @Override
    public void park(long id, String error) {
        tx.inNewTransaction(em -> em.createQuery("""
                        update OutboxRecord o set o.parked = true, o.attempts = o.attempts + 1, o.lastError = :error
                         where o.id = :id""")
                .setParameter("error", truncate(error))
                .setParameter("id", id)
                .executeUpdate());
    }

    @Override
    public OutboxStatus status() {
        return tx.inNewTransaction(this::status);
    }

    private OutboxStatus status(EntityManager em) {
        long pending = em.createQuery("select count(o) from OutboxRecord o where o.service = :service and o.parked = false",
                Long.class).setParameter("service", service).getSingleResult();
        long parked = em.createQuery("select count(o) from OutboxRecord o where o.service = :service and o.parked = true",
                Long.class).setParameter("service", service).getSingleResult();
        // typed by the mapping (an aggregate such as min() comes back as whatever type the provider picks)
        Optional<Instant> oldest = em.createQuery("""
                        select o.createdAt from OutboxRecord o where o.service = :service and o.parked = false
                         order by o.createdAt""", OffsetDateTime.class)
                .setParameter("service", service)
                .setMaxResults(1).getResultStream().findFirst().map(OffsetDateTime::toInstant);
        return new OutboxStatus(pending, oldest, parked);
    }

    private static String truncate(String error) {
        String text = error == null ? "" : error;
        return text.length() <= MAX_ERROR ? text : text.substring(0, MAX_ERROR - 1) + "…";
    }
}
