# R1 Verifier node image. Build context: the repository root.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN VERIFIER_ASSETS=/assets scripts/fetch-assets.sh \
 && dotnet publish src/Verifier.Cli -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app /app
COPY --from=build /assets /app/assets
COPY probes /app/probes
ENV VERIFIER_ASSETS=/app/assets VERIFIER_PROBES=/app/probes
EXPOSE 8080
ENTRYPOINT ["dotnet", "/app/verifier.dll"]
CMD ["serve", "--urls", "http://0.0.0.0:8080"]
