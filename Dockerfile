# The SourceFlow sample on the official Open Liberty image.
# Not complete yet: the sample application and server configuration land with the sample issue.
FROM icr.io/appcafe/open-liberty:kernel-slim-java17-openj9-ubi
USER 1001
