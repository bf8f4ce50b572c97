package io.sourceflow.sample;

import io.sourceflow.CommandBus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import java.net.URI;
import java.util.UUID;

/**
 * {@code POST /api/orders} places an order (202 Accepted: the order is stored by {@link OrderSaga} when its
 * command arrives); {@code GET /api/orders/{id}} shows it (404 until then).
 */
@Path("/orders")
@ApplicationScoped
public class OrderResource {

    private CommandBus commands;
    private EntityManager entityManager;

    /** For the container's client proxy; public, as the REST runtime (RESTEasy) requires of resource classes. */
    public OrderResource() {
    }

    /** The constructor CDI uses. */
    @Inject
    OrderResource(CommandBus commands, EntityManager entityManager) {
        this.commands = commands;
        this.entityManager = entityManager;
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
    public Response place(@NotNull(message = "a JSON body is required") @Valid OrderRequest request,
                          @Context UriInfo uriInfo) {
        String orderId = UUID.randomUUID().toString();
        commands.send(new PlaceOrder(orderId, request.customer().strip(), request.total()));
        URI location = uriInfo.getAbsolutePathBuilder().path(orderId).build();
        return Response.accepted(new OrderAccepted(orderId, location.getPath())).location(location).build();
    }

    /** The order, or 404 if no order has this id (yet). */
    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public OrderView get(@PathParam("id") @Pattern(regexp = "[A-Za-z0-9-]{1,64}", message = "not an order id") String id) {
        SampleOrder order = entityManager.find(SampleOrder.class, id);
        if (order == null) {
            throw new NotFoundException("no order " + id + " (yet: an order appears once its PlaceOrder command was handled)");
        }
        return order.toView();
    }
}
