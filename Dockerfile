# The seed's quick start, in Java: `docker compose up --build` and the API answers on port 3000.
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
RUN useradd --system --uid 10001 wallet
COPY --from=build /src/wallet-http/target/wallet-server.jar /app/wallet-server.jar
USER wallet
# Inside a container the server must listen on all interfaces to be reachable through the published port.
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
ENTRYPOINT ["java", "-jar", "/app/wallet-server.jar"]
