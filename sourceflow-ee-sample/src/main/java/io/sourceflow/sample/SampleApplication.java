package io.sourceflow.sample;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * The REST application, mapped to the whole web application ({@code /}) so that every path the application serves
 * answers with the sample's problem details: the API is under {@code /api} ({@link OrderResource}), and any other
 * path, the context root included, is a 404 {@code application/problem+json} from {@link ClientErrorMapper} rather
 * than the server's HTML error page. (The WAR has no static content.)
 */
@ApplicationPath("/")
public class SampleApplication extends Application {
}
