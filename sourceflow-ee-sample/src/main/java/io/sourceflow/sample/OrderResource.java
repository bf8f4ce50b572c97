package io.sourceflow.sample;

import io.sourceflow.CommandBus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import java.io.InputStream;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code POST /api/orders} places an order (202 Accepted: the order is stored by {@link OrderSaga} when its
 * command arrives); {@code GET /api/orders/{id}} shows it (404 until then).
 *
 * <p>The body and the id are checked by the sample's own code ({@link OrderRequestReader}, {@link #ORDER_ID}), not
 * by Jakarta Validation annotations on the methods: the REST runtime's method validation logs every violation as a
 * WARNING on Open Liberty, and JSON-B's leniency differs between servers.
 */
@Path("/api/orders")
@ApplicationScoped
public class OrderResource {

    /** What an order id looks like (the sample makes UUIDs). */
    static final Pattern ORDER_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

    private CommandBus commands;
    private EntityManager entityManager;
    private OrderRequestReader reader;

    /** For the container's client proxy; public, as the REST runtime (RESTEasy) requires of resource classes. */
    public OrderResource() {
    }

    /** The constructor CDI uses. */
    @Inject
    OrderResource(CommandBus commands, EntityManager entityManager, OrderRequestReader reader) {
        this.commands = commands;
        this.entityManager = entityManager;
        this.reader = reader;
    }

    /**
     * Sends {@link PlaceOrder} to {@code orders.fifo}. In a transaction, so that with the transactional outbox the
     * command is stored before the 202 answer and leaves after the commit: an order accepted while SQS is unreachable
     * is placed when SQS is back, instead of a 503.
     */
    @POST
    @Transactional
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response place(InputStream body, @Context UriInfo uriInfo) {
        OrderRequest request = reader.read(body);
        String orderId = UUID.randomUUID().toString();
        commands.send(new PlaceOrder(orderId, request.customer().strip(), request.total()));
        URI location = uriInfo.getAbsolutePathBuilder().path(orderId).build();
        return Response.accepted(new OrderAccepted(orderId, location.getPath())).location(location).build();
    }

    /** The order, or 404 if no order has this id (yet); 400 if {@code id} cannot be an order id. */
    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public OrderView get(@PathParam("id") String id) {
        if (!ORDER_ID.matcher(id).matches()) {
            throw new ProblemException(Problem.invalidRequest(Map.of("id", "not an order id")));
        }
        SampleOrder order = entityManager.find(SampleOrder.class, id);
        if (order == null) {
            throw new ProblemException(Problem.notFound("No order " + id
                    + " (yet: an order appears once its PlaceOrder command was handled)."));
        }
        return order.toView();
    }
}
