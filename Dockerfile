# The SourceFlow sample (orders and payments) on the official Open Liberty image.
#
# Build the WAR first (the image copies build output, it does not run Maven):
#   mvn -B -DskipTests package -pl sourceflow-ee-sample -am
#   docker build -t sourceflow-sample .
# Run against real AWS (credentials from the environment or an instance/task role) and a PostgreSQL server:
#   docker run --rm -p 9080:9080 \
#     -e SAMPLE_DB_HOST=db.example.internal -e SAMPLE_DB_USER=sample -e SAMPLE_DB_PASSWORD=... \
#     -e SOURCEFLOW_AWS_REGION=eu-west-1 -e AWS_ACCESS_KEY_ID=... -e AWS_SECRET_ACCESS_KEY=... \
#     sourceflow-sample
# Against an emulator add -e MP_CONFIG_PROFILE=local -e SOURCEFLOW_AWS_ENDPOINT=http://host.docker.internal:4566.
# See sourceflow-ee-sample/README.md for every variable.
FROM icr.io/appcafe/open-liberty:kernel-slim-java17-openj9-ubi

# server.xml first: features.sh installs exactly the features it lists (cached as its own layer)
COPY --chown=1001:0 server-config/liberty/server.xml /config/server.xml
RUN features.sh

# The PostgreSQL driver where server.xml's library looks for it, and the application
COPY --chown=1001:0 sourceflow-ee-sample/target/jdbc/postgresql.jar /opt/ol/wlp/usr/shared/resources/jdbc/postgresql.jar
COPY --chown=1001:0 sourceflow-ee-sample/target/sourceflow-ee-sample.war /config/apps/sourceflow-ee-sample.war

# In a container HTTP listens on every interface (server.xml defaults to 127.0.0.1)
ENV SAMPLE_HTTP_HOST=* \
    SAMPLE_HTTP_PORT=9080

# Warms the shared class cache and applies the image's configuration snippets
RUN configure.sh

USER 1001
EXPOSE 9080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS http://127.0.0.1:9080/health/ready || exit 1
