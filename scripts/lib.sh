# Shared by scripts/start, scripts/test and scripts/bench: idempotent installs and the database.
# Source it from the repository root.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_DIR="${GUICHET_DATA_DIR:-$ROOT/data}"
CARGO_LEPTOS_VERSION="0.3.10"
AIOSMTPD_VERSION="1.4.6"
MOTO_VERSION="5.2.6"
# One cargo target directory per machine, reused by every checkout and CI run.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/guichet/target}"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "run as root or install sudo to install: $*"; fi
}

ensure_rust_tools() {
  command -v cargo >/dev/null || die "Rust is not installed: install it with rustup (https://rustup.rs)"
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    say "Installing cargo-leptos $CARGO_LEPTOS_VERSION (about 13 minutes on 2 cores, once per machine)"
    cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
  fi
  # The CLI must match the wasm-bindgen crate in Cargo.lock exactly. Not --locked: its own
  # lockfile names crate versions newer than the registry serves here.
  local wbg
  wbg="$(grep -A1 '^name = "wasm-bindgen"$' "$ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')"
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$wbg"; then
    say "Installing wasm-bindgen-cli $wbg"
    cargo install wasm-bindgen-cli --version "$wbg"
  fi
}

# Release WASM is optimised by wasm-opt. Debian's binaryen produces broken wasm (see
# ../shared/ENVIRONMENT.md); npm's works. Installed under data/tools, put first on PATH.
ensure_wasm_opt() {
  if [ ! -x "$DATA_DIR/tools/node_modules/.bin/wasm-opt" ]; then
    say "Installing wasm-opt (npm binaryen) under data/tools"
    mkdir -p "$DATA_DIR/tools"
    npm install --silent --no-audit --no-fund --prefix "$DATA_DIR/tools" binaryen@132 >/dev/null
  fi
  export PATH="$DATA_DIR/tools/node_modules/.bin:$PATH"
}

# The portal's enhancement bundle (frontend/enhance), served at /pkg/enhance/ on the citizen's
# démarche pages instead of the Leptos runtime. Plain cargo + wasm-bindgen: cargo-leptos builds
# one WASM per site. `build_enhancer release` optimises it (call ensure_wasm_opt first).
build_enhancer() {
  local profile=dev dir=debug
  if [ "${1:-}" = release ]; then profile=wasm-release dir=wasm-release; fi
  say "Building the portal's enhancement bundle ($profile)"
  cargo build -p guichet-enhance --target wasm32-unknown-unknown --profile "$profile"
  local out="$ROOT/target/site/pkg/enhance"
  mkdir -p "$out"
  wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name enhance \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/$dir/guichet_enhance.wasm"
  if [ "$profile" = wasm-release ] && command -v wasm-opt >/dev/null; then
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      -o "$out/enhance_bg.wasm" "$out/enhance_bg.wasm"
  fi
}

ensure_chromium() {
  if ! command -v chromium >/dev/null; then
    say "Installing Chromium (Debian package)"
    as_root apt-get install -y chromium >/dev/null || { as_root apt-get update >/dev/null && as_root apt-get install -y chromium >/dev/null; }
  fi
}

# pdftotext (poppler): the letter tests read the text of the PDFs they render.
ensure_pdftotext() {
  if ! command -v pdftotext >/dev/null; then
    say "Installing poppler-utils (pdftotext, to read rendered letters in tests)"
    as_root apt-get install -y poppler-utils >/dev/null || { as_root apt-get update >/dev/null && as_root apt-get install -y poppler-utils >/dev/null; }
  fi
}

# LibreOffice headless: the letters benchmark times it side by side with typst.
ensure_libreoffice() {
  if ! command -v soffice >/dev/null; then
    say "Installing libreoffice-writer-nogui (the letters benchmark compares it with typst)"
    as_root apt-get install -y --no-install-recommends libreoffice-writer-nogui >/dev/null || { as_root apt-get update >/dev/null && as_root apt-get install -y --no-install-recommends libreoffice-writer-nogui >/dev/null; }
  fi
}

ensure_node_packages() {
  command -v npm >/dev/null || die "Node.js and npm are needed for the browser tests: apt-get install nodejs npm"
  # playwright-core and axe-core for the browser tests, oidc-provider for the OpenID provider the
  # API and browser tests sign in at (end2end/oidc/provider.mjs).
  if [ ! -d "$ROOT/end2end/node_modules/playwright-core" ] || [ ! -d "$ROOT/end2end/node_modules/oidc-provider" ] \
    || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
    say "Installing the test packages (npm ci)"
    (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null)
  fi
}

ensure_smtp_server() {
  if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
    say "Installing aiosmtpd $AIOSMTPD_VERSION (the SMTP server the tests send mail to)"
    python3 -m pip install --quiet "aiosmtpd==$AIOSMTPD_VERSION" 2>/dev/null \
      || python3 -m pip install --quiet --break-system-packages "aiosmtpd==$AIOSMTPD_VERSION"
  fi
}

# moto[server]: the S3-compatible server the file tests store into (end2end/s3_server.py), in
# its own venv under data/tools (about a minute, once per machine). Exports its Python for the
# test harness.
ensure_moto() {
  local venv="$DATA_DIR/tools/moto"
  if ! "$venv/bin/python3" -c "import moto.server, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    say "Installing moto[server] $MOTO_VERSION (the S3 server the file tests use) under data/tools"
    python3 -m venv "$venv" 2>/dev/null || {
      as_root apt-get install -y python3-venv >/dev/null || { as_root apt-get update >/dev/null && as_root apt-get install -y python3-venv >/dev/null; }
      python3 -m venv "$venv"
    }
    "$venv/bin/pip" install --quiet "moto[server]==$MOTO_VERSION"
  fi
  export GUICHET_TEST_MOTO_PYTHON="$venv/bin/python3"
}

pg_bin_dir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -z "$dir" ] && command -v pg_ctl >/dev/null; then dir="$(dirname "$(command -v pg_ctl)")"; fi
  [ -n "$dir" ] || die "PostgreSQL is not installed. Install it (Debian/Ubuntu: apt-get install postgresql), or set DATABASE_URL to an existing server."
  echo "$dir"
}

# Starts a private PostgreSQL cluster in $1 (created on first use), listening only on a Unix
# socket inside it, stopped when the calling script exits. Extra server options in $2.
# Sets PRIVATE_PG_URL (to the `postgres` database, as superuser `guichet`).
start_private_postgres() {
  local cluster="$1" options="${2:-}" bin socket run_as=()
  bin="$(pg_bin_dir)"
  socket="$cluster/run"
  # initdb refuses to run as root: the cluster belongs to the postgres user then.
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' system user to own the private cluster"
    run_as=(runuser -u postgres --)
  fi
  if [ ! -f "$cluster/PG_VERSION" ]; then
    say "Creating a private PostgreSQL cluster in $cluster"
    mkdir -p "$cluster"
    [ "$(id -u)" = 0 ] && chown postgres "$cluster"
    "${run_as[@]}" "$bin/initdb" -D "$cluster" -U guichet --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  mkdir -p "$socket"
  [ "$(id -u)" = 0 ] && chown postgres "$socket"
  if ! "${run_as[@]}" "$bin/pg_ctl" -D "$cluster" status >/dev/null 2>&1; then
    "${run_as[@]}" "$bin/pg_ctl" -D "$cluster" -l "$cluster/server.log" -w \
      -o "-c listen_addresses='' -c unix_socket_directories='$socket' $options" start >/dev/null \
      || die "PostgreSQL did not start; see $cluster/server.log"
    PRIVATE_PG_STOP="${run_as[*]} $bin/pg_ctl -D $cluster -m fast stop"
    trap 'eval "$PRIVATE_PG_STOP" >/dev/null 2>&1 || true' EXIT
  fi
  PRIVATE_PG_URL="postgres://guichet@localhost/postgres?host=$socket"
  PRIVATE_PG_SOCKET="$socket"
}

# DATABASE_URL if given; otherwise a private cluster under the data folder, with database `guichet`.
ensure_database() {
  if [ -n "${DATABASE_URL:-}" ]; then return; fi
  start_private_postgres "$DATA_DIR/postgres"
  local bin; bin="$(pg_bin_dir)"
  if ! "$bin/psql" "$PRIVATE_PG_URL" -tAc "SELECT 1 FROM pg_database WHERE datname = 'guichet'" | grep -q 1; then
    "$bin/psql" "$PRIVATE_PG_URL" -qc "CREATE DATABASE guichet" >/dev/null
  fi
  export DATABASE_URL="postgres://guichet@localhost/guichet?host=$PRIVATE_PG_SOCKET"
}
