#!/usr/bin/env bash
# The README's walk-through, run for real: start `tandem serve --demo` on a fresh database, then search,
# order and assign a number with curl, and check that its history shows each transition.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
port=${TANDEM_WALKTHROUGH_PORT:-18181}
swift build --product tandem >/dev/null
binary=$(swift build --show-bin-path)/tandem
"$binary" serve --demo --database "$work/tandem.db" --http "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT

for _ in $(seq 1 60); do
    grep -q "Tandem is up" "$work/serve.log" && break
    sleep 0.5
done
grep -q "Tandem is up" "$work/serve.log" || { cat "$work/serve.log"; echo "server did not start"; exit 1; }
eval "$(grep -o 'export [A-Z_]*=tdm_[A-Za-z0-9]*' "$work/serve.log")"
api="http://127.0.0.1:$port"
call() { curl -sS --fail-with-body -H "Authorization: Bearer $ACME_KEY" -H 'Content-Type: application/json' "$@"; }
fail() { echo "walk-through failed: $*"; exit 1; }

curl -sS "$api/health" | jq -e '.status == "ok"' >/dev/null || fail "health"
number=$(call "$api/v1/numbers/available?state=AL&limit=1" | jq -r '.data[0].number')
[[ $number == +1* ]] || fail "search returned '$number'"
call -X POST "$api/v1/numbers/order" -d "{\"numbers\":[\"$number\"]}" | jq -e '.succeeded == 1' >/dev/null \
    || fail "order"
call -X POST "$api/v1/numbers/assign" -d "{\"numbers\":[\"$number\"],\"trunk_id\":\"trk_acme_main\"}" \
    | jq -e '.results[0].ok' >/dev/null || fail "assign"
history=$(call "$api/v1/numbers/$number/history" | jq -r '[.data[].action] | join(",")')
[[ $history == "order,assign-trunk" ]] || fail "history is '$history'"
status=$(curl -sS -o /dev/null -w '%{http_code}' "$api/v1/numbers")
[[ $status == 401 ]] || fail "unauthenticated call answered $status"
other=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ACME_KEY" "$api/v1/trunks/trk_globex_hq")
[[ $other == 404 ]] || fail "another tenant's trunk answered $other"

# E911: a wrong street is refused with candidates; the corrected address validates and binds to the number.
refused=$(curl -sS -o "$work/refused.json" -w '%{http_code}' -H "Authorization: Bearer $ACME_KEY" -H 'Content-Type: application/json' \
    -X POST "$api/v1/e911/addresses" -d '{"street":"2500 Memorial Parkway","city":"Huntsville","state":"AL","zip":"35801"}')
[[ $refused == 422 ]] && jq -e '.candidates == ["1-9999 MEMORIAL PKWY NW, HUNTSVILLE AL"]' "$work/refused.json" >/dev/null \
    || fail "a wrong street answered $refused: $(cat "$work/refused.json")"
address=$(call -X POST "$api/v1/e911/addresses" \
    -d '{"street":"2500 Memorial Parkway NW, Suite 12","floor":"2","city":"Huntsville","state":"AL","zip":"35801"}' | jq -r .id)
call -X PUT "$api/v1/numbers/$number/e911" -d "{\"address_id\":\"$address\"}" \
    | jq -e '.address.esn == "00504" and .address.line == "2500 MEMORIAL PKWY NW, STE 12, FL 2, HUNTSVILLE AL 35801"' >/dev/null \
    || fail "the corrected address did not bind"

# A restart keeps the data and issues fresh demo keys; the old ones stop working.
kill $server; wait $server 2>/dev/null || true
old_key=$ACME_KEY
"$binary" serve --demo --database "$work/tandem.db" --http "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 60); do grep -q "Tandem is up" "$work/serve.log" && break; sleep 0.5; done
eval "$(grep -o 'export [A-Z_]*=tdm_[A-Za-z0-9]*' "$work/serve.log")"
call "$api/v1/numbers/$number" | jq -e '.status == "assigned" and .trunk_id == "trk_acme_main"' >/dev/null \
    || fail "the order did not survive a restart"
[[ $(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $old_key" "$api/v1/numbers") == 401 ]] \
    || fail "the previous run's demo key still works"
echo "walk-through: ordered $number, assigned it to trk_acme_main, history $history"
