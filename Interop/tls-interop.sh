#!/usr/bin/env bash
# TLS against real peers: `tandem serve --demo` with a certificate from a test authority (made here with openssl),
# the API over HTTPS with curl, and SIP over TLS with Kamailio's tls module as the client (sipp over UDP to
# Kamailio, Kamailio over TLS to Tandem's sips: port, checking Tandem's certificate): Debian's sipp is built
# without TLS, so `sipp -t l1` cannot run here. Then a renewal: new files written over the old ones are served
# within seconds, without a restart. And a plain-text API on a public address is refused at start.
#
#   bash Interop/tls-interop.sh
#   TANDEM_BINARY=/path/to/tandem bash Interop/tls-interop.sh     # run that binary; no `swift build`
#
# Loopback only: ports 25560 (SIP), 25561 (SIP TLS), 25570 and 25571 (Kamailio), 28443 (HTTPS). Needs openssl, curl, sipp,
# kamailio and kamailio-tls-modules. About 15 s. Prints "ok" or "FAIL" for each check, then "tls interop: N
# passed, M failed", and exits non-zero when a check failed.
set -euo pipefail
trap 'echo "FAIL the run stopped at line $LINENO: $BASH_COMMAND exited $?"' ERR
cd "$(dirname "$0")/.."
source Interop/lib.sh

work=$(mktemp -d)
server=
kamailio=
cleanup() {
    [[ -z $kamailio ]] || kill "$kamailio" 2>/dev/null || true
    if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    [[ -n ${KEEP_WORK:-} ]] || rm -rf "$work"
}
trap cleanup EXIT
sip_port=25560
tls_port=25561
kamailio_port=25570
https_port=28443
binary=$(tandem_binary)

# issue NAME: a new authority NAME-ca.pem and a certificate it signed for localhost, written over server.pem and
# server.key (as a renewal writes them).
issue() {
    local name=$1
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=Tandem Interop $name CA" \
        -keyout "$work/$name-ca.key" -out "$work/$name-ca.pem" 2>/dev/null
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
        -keyout "$work/$name.key" -out "$work/$name.csr" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$work/$name.ext"
    openssl x509 -req -in "$work/$name.csr" -CA "$work/$name-ca.pem" -CAkey "$work/$name-ca.key" -CAcreateserial \
        -days 30 -extfile "$work/$name.ext" -out "$work/$name.pem" 2>/dev/null
    cp "$work/$name.pem" "$work/server.pem"
    cp "$work/$name.key" "$work/server.key"
}

# A plain-text API on an address other than loopback is refused before anything starts.
refuses_plain_public() {
    ! timeout 10 "$binary" serve --database "$work/refused.db" --http 0.0.0.0:$https_port --sip 127.0.0.1:$sip_port \
        >"$work/refused.log" 2>&1 || return 1
    grep -q "not a loopback address: serve HTTPS with --tls-certificate" "$work/refused.log"
}
check "a plain-text API on 0.0.0.0 is refused at start, naming --tls-certificate" refuses_plain_public

issue first
"$binary" serve --demo --database "$work/tandem.db" --http 127.0.0.1:$https_port --sip 127.0.0.1:$sip_port \
    --sip-tls-port $tls_port --tls-certificate "$work/server.pem" --tls-key "$work/server.key" --tls-reload-seconds 1 \
    >"$work/serve.log" 2>&1 &
server=$!
wait_until_up "$work/serve.log" "$server" || { cat "$work/serve.log"; echo "FAIL tandem serve did not come up"; exit 1; }
read -r number caller < <(grep -o 'sipp -sf .*' "$work/serve.log" | head -1 | awk '{print $7, $10}')

https_health() { curl -sS --fail --max-time 5 --cacert "$1" "https://localhost:$https_port/health" | grep -q '"status":"ok"'; }
banner() { grep -q "https://127.0.0.1:$https_port/v1" "$work/serve.log" && grep -q "sips:127.0.0.1:$tls_port" "$work/serve.log"; }
check "the banner names the HTTPS API and the sips: listener" banner
check "HTTPS: curl trusting the test authority reads /health" https_health "$work/first-ca.pem"
check "plain HTTP on the HTTPS port gets no answer" \
    bash -c "! curl -sS --max-time 5 http://127.0.0.1:$https_port/health"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=Another CA" \
    -keyout "$work/other-ca.key" -out "$work/other-ca.pem" 2>/dev/null
refused_by_other() {
    [[ -s $work/other-ca.pem ]] || return 1
    ! curl -sS --max-time 5 --cacert "$work/other-ca.pem" "https://localhost:$https_port/health"
}
check "HTTPS: a client trusting another authority refuses the certificate" refused_by_other

# Kamailio over TLS to Tandem, checking its certificate against the first authority.
sed -e "s|@CA@|$work/first-ca.pem|" -e "s|@CERT@|$work/first.pem|" -e "s|@KEY@|$work/first.key|" \
    Interop/kamailio/tls-client.tls.cfg.in >"$work/kamailio-tls.cfg"
sed -e "s/@PORT@/$kamailio_port/" -e "s/@TLS_PORT@/$((kamailio_port + 1))/" -e "s/@TANDEM_TLS_PORT@/$tls_port/" -e "s|@TLSCONFIG@|$work/kamailio-tls.cfg|" \
    Interop/kamailio/tls-client.cfg >"$work/kamailio.cfg"
start_kamailio() {
    kamailio -f "$work/kamailio.cfg" -P "$work/kamailio.pid" -m 64 -M 8 -DD -E >"$work/kamailio.log" 2>&1 &
    kamailio=$!
    poll 10 bash -c "ss -lun | grep -q 127.0.0.1:$kamailio_port" || { cat "$work/kamailio.log"; echo "FAIL kamailio did not start"; exit 1; }
}
start_kamailio

call() {
    timeout 20 sipp -sf Interop/sipp/redirect.xml -m "$1" -r 10 -s "$number" -key caller "$caller" -p 25575 \
        -nostdin -timeout 15 -timeout_error -trace_err -error_file "$work/sipp-errors.log" "127.0.0.1:$kamailio_port"
}
check "SIP over TLS: sipp → Kamailio (TLS, certificate checked) → Tandem: 302 back through Kamailio" call 1
check "SIP over TLS: 20 calls in a row on Kamailio's TLS connection, all redirected" call 20
check "Tandem's sips: listener held Kamailio's connection (ss)" \
    bash -c "ss -tn state established '( sport = :$tls_port )' | grep -q 127.0.0.1"

# A renewal: a new key and certificate from another authority, written over the files.
issue second
check "the renewed certificate is served within seconds, without a restart" poll 10 https_health "$work/second-ca.pem"
check "the first authority's clients no longer see the old certificate" \
    bash -c "! curl -sS --max-time 5 --cacert $work/first-ca.pem https://localhost:$https_port/health"
check "the reload is logged" grep -q "reloaded the TLS certificate" "$work/serve.log"
check "the server kept running through the renewal" kill -0 "$server"
# Kamailio still trusts only the first authority: once it connects anew, it refuses the renewed certificate.
kill "$kamailio"
wait "$kamailio" 2>/dev/null || true
start_kamailio
kamailio_refuses() {
    ! timeout 20 sipp -sf Interop/sipp/redirect.xml -m 1 -s "$number" -key caller "$caller" -p 25576 -nostdin \
        -timeout 10 -timeout_error "127.0.0.1:$kamailio_port" || return 1
    # The call failed because the certificate did, not for some other reason.
    grep -qi "certificate verify failed" "$work/kamailio.log"
}
check "Kamailio, trusting only the first authority, refuses the renewed certificate (its check is real)" kamailio_refuses

echo "tls interop: $passed passed, $failed failed"
((failed == 0))
