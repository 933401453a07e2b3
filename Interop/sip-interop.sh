#!/usr/bin/env bash
# SIP interop against real peers: sipp (Debian's sip-tester) calls `tandem serve --demo` over UDP and TCP and
# checks every answer; the RFC 4475 torture messages are sent raw, and the server must still answer afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
sip_port=${TANDEM_SIP_PORT:-25060}
http_port=${TANDEM_HTTP_PORT:-28080}
swift build --product tandem >/dev/null
binary=$(swift build --show-bin-path)/tandem
"$binary" serve --demo --database "$work/tandem.db" --http "127.0.0.1:$http_port" --sip "127.0.0.1:$sip_port" \
    >"$work/serve.log" 2>&1 &
server=$!
receiver=
trap 'kill $server $receiver 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 60); do grep -q "Tandem is up" "$work/serve.log" && break; sleep 0.5; done
grep -q "Tandem is up" "$work/serve.log" || { cat "$work/serve.log"; echo "server did not start"; exit 1; }
operator_key=$(grep -o 'TANDEM_KEY=tdm_[A-Za-z0-9]*' "$work/serve.log" | head -1 | cut -d= -f2)
acme_key=$(grep -o 'ACME_KEY=tdm_[A-Za-z0-9]*' "$work/serve.log" | head -1 | cut -d= -f2)
api() { curl -sf -H "Authorization: Bearer $operator_key" -H 'Content-Type: application/json' "$@"; }
acme() { curl -sf -H "Authorization: Bearer $acme_key" -H 'Content-Type: application/json' "$@"; }

# Acme's webhook receiver (Kari's Law notifications, port order changes), as the README registers it.
hook_port=${TANDEM_HOOK_PORT:-28090}
secret=$(acme -X POST "http://127.0.0.1:$http_port/v1/webhooks" -d "{\"url\":\"http://127.0.0.1:$hook_port/hook\"}" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["secret"])')
python3 Interop/webhook-receiver.py "$hook_port" "$secret" >"$work/hooks.jsonl" &
receiver=$!
# received TYPE PYTHON-CONDITION: waits up to 10 s for a verified event of TYPE whose data `d` meets the condition.
received() {
    for _ in $(seq 1 50); do
        python3 - "$work/hooks.jsonl" "$1" "$2" <<'PY' && return 0
import json, sys
events = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
sys.exit(0 if any(e["verified"] and e["type"] == sys.argv[2] and eval(sys.argv[3], {"d": e["data"]}) for e in events) else 1)
PY
        sleep 0.2
    done
    return 1
}

# The demo's numbers, as the server printed them: Acme's first number is dialed, its second is the caller.
read -r acme_number acme_caller < <(grep -o 'sipp -sf .*' "$work/serve.log" | head -1 | awk '{print $7, $10}')
outbound_number=$(grep -o 'sipp -sf .*# outbound' "$work/serve.log" | awk '{print $7}')
ported_number=$(grep -o 'sipp -sf .*# ported' "$work/serve.log" | awk '{print $7}')
passed=0
failed=0

# expect NAME STATUS CONTACT_REGEX [sipp options...]: one call that must be answered STATUS (and, for 302,
# carry a Contact matching CONTACT_REGEX).
expect() {
    local name=$1 status=$2 contact=$3
    shift 3
    local scenario="$work/$status.xml"
    if [[ $status == 302 ]]; then
        sed -e "s|regexp=\".*\" search_in|regexp=\"$contact\" search_in|" Interop/sipp/redirect.xml >"$scenario"
    else
        # A refusal carries no Contact: expect the status, and no Contact check.
        sed -e "s/response=\"302\"/response=\"$status\"/" -e '/<action>/,/<\/action>/d' \
            Interop/sipp/redirect.xml >"$scenario"
    fi
    if timeout 30 sipp -sf "$scenario" -m 1 -nostdin -timeout 10s -timeout_error "$@" "127.0.0.1:$sip_port" \
        >"$work/sipp.out" 2>&1; then
        echo "ok   $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name"
        tail -20 "$work/sipp.out"
        failed=$((failed + 1))
    fi
}

expect "inbound over UDP: 302 to Acme's PBX" 302 "127.0.0.1:5070" -s "$acme_number" -key caller "$acme_caller" -p 25070
expect "inbound over TCP: 302 to Acme's PBX" 302 "127.0.0.1:5070" -t t1 -s "$acme_number" -key caller "$acme_caller" -p 25071
expect "911: 302 to the emergency route" 302 "sip:911@127.0.0.1:5090" -s 911 -key caller "$acme_caller" -p 25072
# 911 from Acme's first number, which the demo binds to Acme's office: the 302 carries its location by reference.
sed -e 's|header="Contact:"|header="Geolocation:"|' -e 's|regexp=".*" search_in|regexp="/v1/e911/locations/adr_[a-z0-9]+" search_in|' \
    Interop/sipp/redirect.xml >"$work/geolocation.xml"
if timeout 30 sipp -sf "$work/geolocation.xml" -m 1 -nostdin -timeout 10s -timeout_error -s 911 -key caller "$acme_number" \
    -p 25085 "127.0.0.1:$sip_port" >"$work/sipp.out" 2>&1; then
    echo "ok   911 from a bound number: Geolocation by reference"; passed=$((passed + 1))
else
    echo "FAIL 911 from a bound number carries no Geolocation"; tail -20 "$work/sipp.out"; failed=$((failed + 1))
fi
if received emergency.call "d['number'] == '$acme_number' and d['location'] == 'located' and 'CLINTON' in d['address']['line']" \
    && received emergency.call "d['number'] == '$acme_caller' and d['location'] == 'unlocated'"; then
    echo "ok   Kari's Law: each 911 call reached Acme's webhook, signed, located or unlocated"; passed=$((passed + 1))
else
    echo "FAIL Kari's Law webhook"; cat "$work/hooks.jsonl"; failed=$((failed + 1))
fi
expect "933 from an unknown caller ID still routes" 302 "sip:933@127.0.0.1:5090" -s 933 -key caller anonymous -p 25073
expect "forbidden caller ID: 403" 403 ".*" -s "$acme_number" -key caller +12125550199 -p 25074
expect "unknown source: 403" 403 ".*" -i 127.0.0.2 -s "$acme_number" -key caller "$acme_caller" -p 25075
expect "incomplete number: 484" 484 ".*" -s 205709 -key caller "$acme_caller" -p 25076
expect "outbound: 302 to the cheapest carrier first" 302 "${outbound_number#+};npdi@127.0.0.1:5081;user=phone" \
    -s "$outbound_number" -key caller "$acme_caller" -p 25077
expect "ported: 302 with the LRN (rn=, npdi)" 302 "${ported_number#+};rn=.1[0-9]{10};npdi@127.0.0.1:508" \
    -s "$ported_number" -key caller "$acme_caller" -p 25081
expect "outbound over TCP" 302 "127.0.0.1:5081" -t t1 -s "$outbound_number" -key caller "$acme_caller" -p 25082
expect "premium rate: 603" 603 ".*" -s +19005550199 -key caller "$acme_caller" -p 25083
if timeout 30 sipp -sf Interop/sipp/options.xml -m 1 -nostdin -timeout 10s -timeout_error -p 25078 "127.0.0.1:$sip_port" \
    >"$work/sipp.out" 2>&1; then
    echo "ok   OPTIONS: 200 with Allow"; passed=$((passed + 1))
else
    echo "FAIL OPTIONS"; tail -20 "$work/sipp.out"; failed=$((failed + 1))
fi

# STIR/SHAKEN against an independent implementation, with the demo's test PKI: Debian's secsipidx verifies
# what Tandem signs, and Tandem verifies what secsipidx signs.
pki="$work/tandem.db-sti"
x5u="http://127.0.0.1:$http_port/sti/cert.pem"
check() { # check NAME COMMAND...: one check that passes when COMMAND does.
    local name=$1
    shift
    if "$@" >"$work/check.out" 2>&1; then
        echo "ok   $name"; passed=$((passed + 1))
    else
        echo "FAIL $name"; tail -20 "$work/check.out"; failed=$((failed + 1))
    fi
}
signed_outbound() {
    sed -e 's|header="Contact:"|header="Identity:"|' Interop/sipp/redirect.xml >"$work/identity.xml"
    timeout 30 sipp -sf "$work/identity.xml" -m 1 -nostdin -timeout 10s -timeout_error -s "$outbound_number" \
        -key caller "$acme_caller" -p 25087 -trace_msg -message_file "$work/identity.log" "127.0.0.1:$sip_port"
    identity=$(grep -m1 '^Identity: ' "$work/identity.log" | sed 's/^Identity: //' | tr -d '\r')
    curl -sf "$x5u" -o "$work/x5u.pem"
    secsipidx -c -identity "$identity" -p "$work/x5u.pem" -ca-file "$pki/ca.pem" -crl-file "$pki/ca.crl" \
        -cert-verify 21 -expire 60 | tee /dev/stderr | tail -1 | grep -qx ok
    # Acme calls from its own number: full attestation, with its verified name and the trunk's origid.
    python3 - "$identity" <<'PY'
import base64, json, sys
payload = sys.argv[1].split(".")[1]
claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
assert claims["attest"] == "A" and claims["rcd"]["nam"] == "Acme Dental Group" and len(claims["origid"]) == 36, claims
PY
}
check "outbound: the 302's Identity header verifies with secsipidx (chain, CA, CRL), attested A" signed_outbound
signed=$(secsipidx -S -k "$pki/sp.key" -x5u "$x5u" -a A -o "${acme_caller#+}" -d "${acme_number#+}" \
    -orig-id "$(cat /proc/sys/kernel/random/uuid)" | tail -1)
# The same token with attest B: its signature no longer covers the payload.
tampered=$(python3 - "$signed" <<'PY'
import base64, sys
token, rest = sys.argv[1].split(";", 1)
header, payload, signature = token.split(".")
claims = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).replace(b'"attest":"A"', b'"attest":"B"')
print(".".join([header, base64.urlsafe_b64encode(claims).decode().rstrip("="), signature]) + ";" + rest)
PY
)
signed_inbound() { # signed_inbound IDENTITY EXPECTED_REGEX PORT
    sed -e "s|regexp=\"[^\"]*\"|regexp=\"$2\"|" Interop/sipp/signed-inbound.xml >"$work/inbound.xml"
    timeout 30 sipp -sf "$work/inbound.xml" -m 1 -nostdin -timeout 10s -timeout_error -i 127.0.0.3 -s "$acme_number" \
        -key caller "$acme_caller" -key identity "$1" -p "$3" "127.0.0.1:$sip_port"
}
check "inbound signed by secsipidx: verstat=TN-Validation-Passed and the caller's name" \
    signed_inbound "$signed" "Acme Dental.*verstat=TN-Validation-Passed" 25088
check "inbound with a tampered token: verstat=TN-Validation-Failed, still routed" \
    signed_inbound "$tampered" "verstat=TN-Validation-Failed" 25089
check "tandem identity verify passes secsipidx's token" \
    "$binary" identity verify --identity "$signed" --from "$acme_caller" --to "$acme_number" --trust "$pki/ca.pem" --allow-private-x5u
check "tandem identity verify fails the tampered one" \
    bash -c '! "$@"' _ "$binary" identity verify --identity "$tampered" --from "$acme_caller" --to "$acme_number" \
    --trust "$pki/ca.pem" --allow-private-x5u

# The RFC 4475 torture messages, raw over UDP and TCP; then the server must still answer.
python3 - "$sip_port" ../shared/conformance/rfc4475 <<'PY'
import pathlib, socket, sys
port, root = int(sys.argv[1]), pathlib.Path(sys.argv[2])
for path in sorted(root.glob("*/*.dat")):
    data = path.read_bytes()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(data, ("127.0.0.1", port))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as tcp:
        tcp.sendall(data)
print("sent", len(list(root.glob("*/*.dat"))), "torture messages over UDP and TCP")
PY
expect "still answering after the torture messages" 302 "127.0.0.1:5070" -s "$acme_number" -key caller "$acme_caller" -p 25079

# A short load run: 2,000 calls at 500 calls per second, every one must get its 302.
expect "2,000 calls at 500/s" 302 "127.0.0.1:5070" -s "$acme_number" -key caller "$acme_caller" -p 25080 -r 500 -m 2000 -l 2000

# Port-in: a name mismatch is rejected, the supplement gets a FOC, the operator activates, and the ported
# number rings Acme's PBX.
base="http://127.0.0.1:$http_port/v1/port-orders"
account='"account_number":"BLT-4410","pin":"2468","service_address":"2500 Memorial Pkwy NW","zip":"35801"'
order=$(acme -X POST "$base" -d '{"numbers":["+12057095551"],"trunk_id":"trk_acme_main",
    "account":{"business_name":"Acme Dental",'"$account"'},
    "loa":{"signer":"Pat Doe","title":"Office manager","signed_on":"2026-11-20","document_name":"loa.pdf","document":"JVBERi0="},
    "cutover_forward_hours":24}' \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["orders"][0]["id"])')
states=$(acme -X POST "$base/$order/submit" | python3 -c 'import json, sys; o = json.load(sys.stdin); print(o["state"], o.get("reject_reasons"))')
states="$states; $(acme -X POST "$base/$order/supplement" -d '{"account":{"business_name":"Acme Dental Group",'"$account"'}}' \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])')"
states="$states; $(api -X POST "$base/$order/activate" | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])')"
if [[ $states == "rejected ['name-mismatch']; foc-received; completed" ]]; then
    echo "ok   port-in: rejected for the name, supplemented, committed, activated"; passed=$((passed + 1))
else
    echo "FAIL port-in went: $states"; failed=$((failed + 1))
fi
if received port-order.status-changed "d['order_id'] == '$order' and d['entry']['to_state'] == 'completed'"; then
    echo "ok   port-in: every change reached Acme's webhook"; passed=$((passed + 1))
else
    echo "FAIL port-in webhook"; cat "$work/hooks.jsonl"; failed=$((failed + 1))
fi
sleep 1.5
# The order asked for cutover forwarding: calls go first to the number's old path, through the demo carriers, marked
# npdi so that no carrier dips again; once Acme ends the cutover, they go straight to its PBX.
expect "cutover: the ported number's calls go to the old path first" 302 "^[^,]*sip:.12057095551;npdi@127.0.0.1:508" \
    -s +12057095551 -key caller "$acme_caller" -p 25091
acme -X POST "$base/$order/end-cutover" >/dev/null
sleep 1.5
expect "the ported number rings Acme's PBX" 302 "^[^,]*sip:.12057095551@127.0.0.1:5070" -s +12057095551 -key caller "$acme_caller" -p 25086

# Port-out, as the README does it: a wrong PIN is rejected; the right one waits for Acme's approval; once the operator
# completes it, the number no longer rings Acme's PBX.
acme -X PUT "http://127.0.0.1:$http_port/v1/accounts/acc_acme/port-out-protection" -d '{"pin":"8642","zip":"35801"}' >/dev/null
port_out() {
    api -X POST "http://127.0.0.1:$http_port/v1/port-outs" -d '{"numbers":["+12057095551"],"gaining_carrier":"Rival Telecom",
        "gaining_ocn":"7Q2X","account_number":"acc_acme","business_name":"Acme Dental Group","zip":"35801","pin":"'"$1"'"}'
}
outcome=$(port_out 1111 | python3 -c 'import json, sys; o = json.load(sys.stdin); print(o["state"], o.get("reject_reasons"))')
request=$(port_out 8642 | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
outcome="$outcome; $(acme -X POST "http://127.0.0.1:$http_port/v1/port-outs/$request/approve" | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])')"
outcome="$outcome; $(api -X POST "http://127.0.0.1:$http_port/v1/port-outs/$request/activate" | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])')"
if [[ $outcome == "rejected ['pin-mismatch']; approved; completed" ]] \
    && received port-out.status-changed "d['port_out']['id'] == '$request' and d['entry']['to_state'] == 'completed'"; then
    echo "ok   port-out: wrong PIN rejected, right PIN approved by Acme, completed, webhook sent"; passed=$((passed + 1))
else
    echo "FAIL port-out went: $outcome"; failed=$((failed + 1))
fi
sleep 1.5
# Its new LRN is not known until the feed brings it: the call leaves through a carrier undipped (no npdi), first.
expect "the ported-out number no longer rings Acme's PBX" 302 "^[^,]*sip:.12057095551@127.0.0.1:508" \
    -s +12057095551 -key caller "$acme_caller" -p 25087

# The trunk's calls-per-second limit: at 1 call per second, a burst of 20 gets one 302 and 503s, each recorded.
api -X PATCH -d '{"max_calls_per_second":1}' "http://127.0.0.1:$http_port/v1/trunks/trk_acme_main" >/dev/null
sleep 1.5
timeout 30 sipp -sf Interop/sipp/redirect.xml -m 20 -r 200 -nostdin -timeout 10s -s "$acme_number" -key caller "$acme_caller" \
    -p 25084 "127.0.0.1:$sip_port" >"$work/sipp.out" 2>&1 || true
sleep 1.5
over=$(api "http://127.0.0.1:$http_port/v1/routing-records?trunk_id=trk_acme_main&limit=20" \
    | python3 -c 'import json, sys; print(sum(r["status"] == 503 and "calls per second" in r["reason"] for r in json.load(sys.stdin)["data"]))')
if (( over >= 15 )); then
    echo "ok   calls-per-second limit: $over of 20 calls answered 503"; passed=$((passed + 1))
else
    echo "FAIL calls-per-second limit: only $over of 20 calls answered 503"; failed=$((failed + 1))
fi
api -X PATCH -d '{"max_calls_per_second":1000}' "http://127.0.0.1:$http_port/v1/trunks/trk_acme_main" >/dev/null

kill -0 $server || { echo "the server died"; failed=$((failed + 1)); }

echo "sip interop: $passed passed, $failed failed"
[[ $failed == 0 ]]
