#!/usr/bin/env bash
# The README's walk-through, run for real: start `tandem serve --demo` on a fresh database, then search,
# order and assign a number with curl, and check that its history shows each transition; validate and bind an
# E911 address; restart the server on the same database and check that the data survived and the keys changed.
#
#   bash Interop/readme-walkthrough.sh
#   TANDEM_BINARY=/path/to/tandem bash Interop/readme-walkthrough.sh     # run that binary; no `swift build`
#
# Builds Tandem with `swift build` unless TANDEM_BINARY names a tandem binary to run instead.
# TANDEM_WALKTHROUGH_PORT moves the HTTP listener (18181). Needs curl and jq. Stops at the first step that fails,
# saying which; prints "walk-through: ..." and exits 0 when every step passed.
set -euo pipefail
trap 'echo "walk-through failed at line $LINENO: $BASH_COMMAND exited $?"' ERR
cd "$(dirname "$0")/.."
source Interop/lib.sh

work=$(mktemp -d)
server=
cleanup() {
    if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
port=${TANDEM_WALKTHROUGH_PORT:-18181}
binary=$(tandem_binary)
api="http://127.0.0.1:$port"
fail() { echo "walk-through failed: $*"; exit 1; }
# start: runs `tandem serve --demo` on the walk-through's database, waits until it is up and healthy, and reads
# the demo keys it printed for this run into TANDEM_KEY and ACME_KEY.
start() {
    # Emptied here, before the server starts, so that the previous run's "Tandem is up" cannot be read as this one's.
    : >"$work/serve.log"
    "$binary" serve --demo --database "$work/tandem.db" --http "127.0.0.1:$port" >>"$work/serve.log" 2>&1 &
    server=$!
    wait_until_up "$work/serve.log" "$server" || { cat "$work/serve.log"; fail "the server did not start"; }
    poll 10 healthy || { cat "$work/serve.log"; fail "health: $(curl -sS "$api/health" 2>&1)"; }
    TANDEM_KEY=$(grep -o 'TANDEM_KEY=tdm_[A-Za-z0-9]*' "$work/serve.log" | cut -d= -f2)
    ACME_KEY=$(grep -o 'ACME_KEY=tdm_[A-Za-z0-9]*' "$work/serve.log" | cut -d= -f2)
    [[ $TANDEM_KEY == tdm_* && $ACME_KEY == tdm_* ]] || fail "the server printed no demo keys"
}
call() { curl -sS --fail-with-body -H "Authorization: Bearer $ACME_KEY" -H 'Content-Type: application/json' "$@"; }
healthy() { kill -0 "$server" && curl -sS "$api/health" | jq -e '.status == "ok"'; }
# status URL [curl options...]: the HTTP status of a request.
status() { curl -sS -o /dev/null -w '%{http_code}' "$@"; }

start
number=$(call "$api/v1/numbers/available?state=AL&limit=1" | jq -r '.data[0].number')
[[ $number =~ ^\+1[0-9]{10}$ ]] || fail "search returned '$number'"
call -X POST "$api/v1/numbers/order" -d "{\"numbers\":[\"$number\"]}" | jq -e '.succeeded == 1' >/dev/null \
    || fail "order"
call -X POST "$api/v1/numbers/assign" -d "{\"numbers\":[\"$number\"],\"trunk_id\":\"trk_acme_main\"}" \
    | jq -e '.results[0].ok == true' >/dev/null || fail "assign"
history=$(call "$api/v1/numbers/$number/history" | jq -r '[.data[].action] | join(",")')
[[ $history == "order,assign-trunk" ]] || fail "history is '$history'"
unauthenticated=$(status "$api/v1/numbers")
[[ $unauthenticated == 401 ]] || fail "unauthenticated call answered $unauthenticated"
other=$(status -H "Authorization: Bearer $ACME_KEY" "$api/v1/trunks/trk_globex_hq")
[[ $other == 404 ]] || fail "another tenant's trunk answered $other"

# E911: a wrong street is refused with candidates; the corrected address validates and binds to the number.
refused=$(curl -sS -o "$work/refused.json" -w '%{http_code}' -H "Authorization: Bearer $ACME_KEY" -H 'Content-Type: application/json' \
    -X POST "$api/v1/e911/addresses" -d '{"street":"2500 Memorial Parkway","city":"Huntsville","state":"AL","zip":"35801"}')
[[ $refused == 422 ]] && jq -e '.candidates == ["1-9999 MEMORIAL PKWY NW, HUNTSVILLE AL"]' "$work/refused.json" >/dev/null \
    || fail "a wrong street answered $refused: $(cat "$work/refused.json")"
address=$(call -X POST "$api/v1/e911/addresses" \
    -d '{"street":"2500 Memorial Parkway NW, Suite 12","floor":"2","city":"Huntsville","state":"AL","zip":"35801"}' | jq -r .id)
[[ $address == adr_* ]] || fail "the corrected address was given the id '$address'"
call -X PUT "$api/v1/numbers/$number/e911" -d "{\"address_id\":\"$address\"}" \
    | jq -e '.address.esn == "00504" and .address.line == "2500 MEMORIAL PKWY NW, STE 12, FL 2, HUNTSVILLE AL 35801"' >/dev/null \
    || fail "the corrected address did not bind"

# A restart keeps the data and issues fresh demo keys; the old ones stop working. SIGTERM drains the server: it exits
# 0, within 10 s.
kill "$server"
poll 10 bash -c '! kill -0 "$1"' _ "$server" || fail "the server did not stop within 10 s of SIGTERM"
wait "$server" || fail "the server exited $? on SIGTERM"
old_key=$ACME_KEY old_operator_key=$TANDEM_KEY
start
[[ $ACME_KEY != "$old_key" && $TANDEM_KEY != "$old_operator_key" ]] \
    || fail "the restarted server printed the previous run's demo keys"
call "$api/v1/numbers/$number" | jq -e '.status == "assigned" and .trunk_id == "trk_acme_main"' >/dev/null \
    || fail "the order did not survive a restart"
call "$api/v1/numbers/$number/e911" | jq -e --arg id "$address" '.address.id == $id' >/dev/null \
    || fail "the E911 binding did not survive a restart"
previous=$(status -H "Authorization: Bearer $old_key" "$api/v1/numbers")
[[ $previous == 401 ]] || fail "the previous run's Acme key answered $previous"
previous=$(status -H "Authorization: Bearer $old_operator_key" "$api/v1/numbers")
[[ $previous == 401 ]] || fail "the previous run's operator key answered $previous"
echo "walk-through: ordered $number, assigned it to trk_acme_main, history $history, bound $address; survived a restart"
