# Multi-stage release build of Guichet.
#   docker build -t guichet .
#   docker run -e DATABASE_URL=postgres://… -e GUICHET_BASE_DOMAIN=guichet.example.fr -p 3000:3000 guichet
# Nothing is downloaded at build time except from the package registries (crates.io, Debian, npm).

FROM rust:1.95-bookworm AS tools
RUN rustup target add wasm32-unknown-unknown \
 && apt-get update && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
RUN cargo install cargo-leptos --locked --version 0.3.10
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock.
COPY Cargo.lock /tmp/Cargo.lock
RUN cargo install wasm-bindgen-cli --version "$(grep -A1 '^name = "wasm-bindgen"$' /tmp/Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')"
# wasm-opt from npm's binaryen: Debian's binaryen produces wasm that fails to hydrate.
RUN mkdir /opt/binaryen && cd /opt/binaryen && npm install --no-audit --no-fund binaryen@132
ENV PATH=/opt/binaryen/node_modules/.bin:$PATH

FROM tools AS build
WORKDIR /src
COPY . .
RUN cargo leptos build --release
# The portal's enhancement bundle (see scripts/lib.sh, build_enhancer).
RUN cargo build -p guichet-enhance --target wasm32-unknown-unknown --profile wasm-release \
 && wasm-bindgen --target web --no-typescript --out-dir target/site/pkg/enhance --out-name enhance \
      target/wasm32-unknown-unknown/wasm-release/guichet_enhance.wasm \
 && wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      -o target/site/pkg/enhance/enhance_bg.wasm target/site/pkg/enhance/enhance_bg.wasm

FROM debian:bookworm-slim AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /app guichet
WORKDIR /app
COPY --from=build /src/target/release/guichet /app/guichet
COPY --from=build /src/target/site /app/site
COPY --from=build /src/tenants /app/tenants
ENV LEPTOS_SITE_ROOT=/app/site \
    LEPTOS_SITE_ADDR=0.0.0.0:3000 \
    LEPTOS_ENV=PROD \
    GUICHET_DATA_DIR=/app/data \
    RUST_LOG=info
USER guichet
EXPOSE 3000
HEALTHCHECK CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/3000 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ok <&3"]
CMD ["/app/guichet", "serve"]
