# ia-sched over TLS with a self-signed certificate made at test time (needs
# helpers/sched loaded first).
#
#   make_cert DIR [CN]    writes DIR/cert.pem and DIR/key.pem for 127.0.0.1
#   start_tls_sched ...   start_sched with that certificate; SCHED_URL becomes https://
#                         and curl (the api helper) trusts the certificate

make_cert() {
  local dir=$1 cn=${2:-127.0.0.1}
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" -subj "/CN=$cn" \
    -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
}

start_tls_sched() {
  TLS_DIR=$BATS_TEST_TMPDIR/tls
  make_cert "$TLS_DIR"
  start_sched --tls-cert "$TLS_DIR/cert.pem" --tls-key "$TLS_DIR/key.pem" "$@" || return 1
  grep -q "(https)" "$SCHED_DIR/sched.log"
  SCHED_URL=https://${SCHED_URL#http://}
  # curl (not libcurl) reads this; the ia tools must be given --ca-file themselves.
  export CURL_CA_BUNDLE=$TLS_DIR/cert.pem
}
