# The server's image. `docker compose up --build` (compose.yaml) runs it for development on 127.0.0.1:3000.
# Build stage: the Maven Wrapper fetches Maven and every dependency from Maven Central.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
COPY sql sql
COPY wallet-core wallet-core
COPY wallet-http wallet-http
COPY wallet-cli wallet-cli
RUN ./mvnw -q -B install -DskipTests -pl wallet-http -am

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 wallet && mkdir -p /var/lib/wallet && chown wallet /var/lib/wallet
COPY --from=build /src/wallet-http/target/wallet-server.jar /app/wallet-server.jar
USER wallet
# Without DATABASE_URL the embedded PostgreSQL keeps its data here, in ./wallet-data (mount a volume on it).
WORKDIR /var/lib/wallet
# Inside a container the server must listen on all interfaces to be reachable through the published port.
# So the image refuses to start without API keys (WALLET_API_KEYS_FILE or WALLET_API_KEYS) unless told
# otherwise (WALLET_ALLOW_NO_AUTH=true, as compose.yaml does for development on 127.0.0.1).
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
ENTRYPOINT ["java", "-jar", "/app/wallet-server.jar"]
