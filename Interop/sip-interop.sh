#!/usr/bin/env bash
# SIP interop against real peers: sipp (Debian's sip-tester) calls `tandem serve --demo` over UDP and TCP and
# checks every answer: a 302's Contacts, a refusal's status with its Reason (RFC 3326) and, when temporary, its
# Retry-After. Debian's secsipidx verifies what Tandem signs and signs what Tandem verifies. The RFC 4475 torture
# messages are sent raw over UDP and TCP (Interop/rfc4475.py counts what each got), and the server must still
# answer afterwards. Then a short load run, port-in and port-out through the API, and a trunk's calls-per-second
# limit.
#
#   bash Interop/sip-interop.sh
#   TANDEM_BINARY=/path/to/tandem bash Interop/sip-interop.sh     # run that binary; no `swift build`
#
# Builds Tandem with `swift build` unless TANDEM_BINARY names a tandem binary to run instead.
# TANDEM_SIP_PORT, TANDEM_HTTP_PORT and TANDEM_HOOK_PORT move the listeners (25060, 28080, 28090); the torture
# messages' UDP answers come back to 127.0.0.1:5060 and 127.0.0.1:5050, which must be free. Needs sipp, secsipidx,
# jq, curl and python3. Prints "ok" or "FAIL" for each check, then "sip interop: N passed, M failed", and exits
# non-zero when a check failed (or a step the checks depend on did, with the line it failed at).
set -euo pipefail
trap 'echo "FAIL the run stopped at line $LINENO: $BASH_COMMAND exited $?"' ERR
cd "$(dirname "$0")/.."
source Interop/lib.sh

work=$(mktemp -d)
server=
receiver=
cleanup() {
    [[ -z $receiver ]] || kill "$receiver" 2>/dev/null || true
    if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
sip_port=${TANDEM_SIP_PORT:-25060}
http_port=${TANDEM_HTTP_PORT:-28080}
binary=$(tandem_binary)

# wait_for WHAT COMMAND...: waits up to 10 s for the condition a later check depends on; a timeout is a failure of
# its own, shown with what COMMAND last printed.
wait_for() {
    local what=$1
    shift
    poll 10 "$@" && return 0
    not_ok "waited 10 s for $what; last saw:" "$work/poll.out"
    return 1
}

"$binary" serve --demo --database "$work/tandem.db" --http "127.0.0.1:$http_port" --sip "127.0.0.1:$sip_port" \
    >"$work/serve.log" 2>&1 &
server=$!
wait_until_up "$work/serve.log" "$server" || { cat "$work/serve.log"; echo "FAIL the server did not start"; exit 1; }
operator_key=$(grep -o 'TANDEM_KEY=tdm_[A-Za-z0-9]*' "$work/serve.log" | head -1 | cut -d= -f2)
acme_key=$(grep -o 'ACME_KEY=tdm_[A-Za-z0-9]*' "$work/serve.log" | head -1 | cut -d= -f2)
partner_key=$(grep -o 'PARTNER_KEY=tdm_[A-Za-z0-9]*' "$work/serve.log" | head -1 | cut -d= -f2)
api() { curl -sS --fail-with-body -H "Authorization: Bearer $operator_key" -H 'Content-Type: application/json' "$@"; }
acme() { curl -sS --fail-with-body -H "Authorization: Bearer $acme_key" -H 'Content-Type: application/json' "$@"; }
rival() { curl -sS --fail-with-body -H "Authorization: Bearer $partner_key" -H 'Content-Type: application/json' "$@"; }

# Acme's webhook receiver (Kari's Law notifications, port order changes), as the README registers it.
hook_port=${TANDEM_HOOK_PORT:-28090}
secret=$(acme -X POST "http://127.0.0.1:$http_port/v1/webhooks" -d "{\"url\":\"http://127.0.0.1:$hook_port/hook\"}" \
    | jq -er .secret)
python3 Interop/webhook-receiver.py "$hook_port" "$secret" >"$work/hooks.jsonl" &
receiver=$!
# event TYPE PYTHON-CONDITION: Acme's receiver has a verified event of TYPE whose data `d` meets the condition.
event() {
    python3 - "$work/hooks.jsonl" "$1" "$2" <<'PY'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
sys.exit(0 if any(e["verified"] and e["type"] == sys.argv[2] and eval(sys.argv[3], {"d": e["data"]}) for e in events) else 1)
PY
}
# received TYPE PYTHON-CONDITION: waits up to 10 s for such an event.
received() { poll 10 event "$@"; }

# The demo's numbers, as the server printed them: Acme's first number is dialed, its second is the caller.
read -r acme_number acme_caller < <(grep -o 'sipp -sf .*' "$work/serve.log" | head -1 | awk '{print $7, $10}')
outbound_number=$(grep -o 'sipp -sf .*# outbound' "$work/serve.log" | awk '{print $7}')
ported_number=$(grep -o 'sipp -sf .*# ported' "$work/serve.log" | awk '{print $7}')
for value in "$operator_key" "$acme_key" "$acme_number" "$acme_caller" "$outbound_number" "$ported_number"; do
    [[ $value == tdm_* || $value == +1?????????? ]] \
        || { cat "$work/serve.log"; echo "FAIL the demo printed no '$value'"; exit 1; }
done

# scenario OUT STATUS HEADER REGEX: Interop/sipp/redirect.xml made to expect STATUS with a HEADER whose value matches
# REGEX (POSIX extended, as sipp's <ereg> takes it; the value sipp sees starts after the colon, with its space).
# sipp looks at the first HEADER of the answer only; HEADER `msg` matches REGEX against the whole answer instead
# (where `.` also matches line ends), for what spans several Contacts.
scenario() {
    python3 - "$@" <<'PY'
import sys
from xml.sax.saxutils import escape
out, status, header, regex = sys.argv[1:]
text = open("Interop/sipp/redirect.xml").read()
recv = '<recv response="302">'
ereg = '<ereg regexp=".*" search_in="hdr" header="Contact:" check_it="true" assign_to="contact"/>'
assert text.count(recv) == 1 and text.count(ereg) == 1, "Interop/sipp/redirect.xml no longer has the shape this expects"
where = 'search_in="msg"' if header == "msg" else f'search_in="hdr" header="{header}:"'
regex = escape(regex, {'"': "&quot;"})
text = text.replace(recv, f'<recv response="{status}">').replace(
    ereg, f'<ereg regexp="{regex}" {where} check_it="true" assign_to="contact"/>'
).replace('<log message="302 Contact: [$contact]"/>', f'<log message="{status} {header}: [$contact]"/>')
open(out, "w").write(text)
PY
}
# ere TEXT: TEXT as a POSIX extended regular expression that matches it literally.
ere() { sed -e 's/[][\.*^$+?(){}|]/\\&/g' <<<"$1"; }
# reason STATUS TEXT: the regular expression for the Reason header Tandem refuses a call with (RFC 3326).
reason() { echo "^ *SIP *; *cause=$1 *; *text=\"$(ere "$2")\"\$"; }
# sipp_errors: the start of what sipp reported in $work/sipp.err (-trace_err), one event a line (sipp writes each
# after a timestamp, without a line end between them).
sipp_errors() { head -c 2000 "$work/sipp.err" 2>/dev/null | sed 's/20[0-9-]\{8\}\t[0-9:.]*\t[0-9.]*: /\n/g'; }
# call NAME SCENARIO [sipp options...]: one sipp call (or run) that must succeed.
call() {
    local name=$1 scenario=$2
    shift 2
    rm -f "$work/sipp.err"
    if timeout 60 sipp -sf "$scenario" -m 1 -nostdin -timeout 10s -timeout_error \
        -trace_err -error_file "$work/sipp.err" "$@" "127.0.0.1:$sip_port" >"$work/sipp.out" 2>&1; then
        ok "$name"
    elif [[ -s $work/sipp.err ]]; then
        not_ok "$name" <(sipp_errors)
    else
        not_ok "$name" "$work/sipp.out"
    fi
}
# expect NAME STATUS HEADER REGEX [sipp options...]: one call that must be answered STATUS with a HEADER that
# matches REGEX (see scenario).
expect() {
    local name=$1
    scenario "$work/expect.xml" "$2" "$3" "$4"
    shift 4
    call "$name" "$work/expect.xml" "$@"
}

expect "inbound over UDP: 302 to Acme's PBX" 302 Contact "127.0.0.1:5070" -s "$acme_number" -key caller "$acme_caller" -p 25070
expect "inbound over TCP: 302 to Acme's PBX" 302 Contact "127.0.0.1:5070" -t t1 -s "$acme_number" -key caller "$acme_caller" -p 25071
expect "911: 302 to the emergency route" 302 Contact "sip:911@127.0.0.1:5090" -s 911 -key caller "$acme_caller" -p 25072
# 911 from Acme's first number, which the demo binds to Acme's office: the 302 carries its location by reference.
expect "911 from a bound number: Geolocation by reference" 302 Geolocation "/v1/e911/locations/adr_[a-z0-9]+" \
    -s 911 -key caller "$acme_number" -p 25085
if received emergency.call "d['number'] == '$acme_number' and d['location'] == 'located' and 'CLINTON' in d['address']['line']" \
    && received emergency.call "d['number'] == '$acme_caller' and d['location'] == 'unlocated'"; then
    ok "Kari's Law: each 911 call reached Acme's webhook, signed, located or unlocated"
else
    not_ok "Kari's Law webhook" "$work/hooks.jsonl"
fi
expect "933 from an unknown caller ID still routes" 302 Contact "sip:933@127.0.0.1:5090" -s 933 -key caller anonymous -p 25073
# Refusals: the status, and the Reason header with the cause and the router's words (RFC 3326).
expect "forbidden caller ID: 403 with the Reason" 403 Reason \
    "$(reason 403 "caller ID not allowed: +12125550199 is neither the account's number nor in an authorized range")" \
    -s "$acme_number" -key caller +12125550199 -p 25074
expect "unknown source: 403 with the Reason" 403 Reason "$(reason 403 "unknown source 127.0.0.2")" \
    -i 127.0.0.2 -s "$acme_number" -key caller "$acme_caller" -p 25075
expect "incomplete number: 484 with the Reason" 484 Reason "$(reason 484 "incomplete number '205709'")" \
    -s 205709 -key caller "$acme_caller" -p 25076
expect "outbound: 302 to the cheapest carrier first" 302 Contact "${outbound_number#+};npdi@127.0.0.1:5081;user=phone" \
    -s "$outbound_number" -key caller "$acme_caller" -p 25077
expect "ported: 302 with the LRN (rn=, npdi)" 302 Contact "${ported_number#+};rn=.1[0-9]{10};npdi@127.0.0.1:508" \
    -s "$ported_number" -key caller "$acme_caller" -p 25081
expect "outbound over TCP" 302 Contact "127.0.0.1:5081" -t t1 -s "$outbound_number" -key caller "$acme_caller" -p 25082
expect "premium rate: 603 with the Reason" 603 Reason "$(reason 603 "premium-rate destinations are blocked by policy")" \
    -s +19005550199 -key caller "$acme_caller" -p 25083
call "OPTIONS: 200 with Allow" Interop/sipp/options.xml -p 25078

# STIR/SHAKEN against an independent implementation, with the demo's test PKI: Debian's secsipidx verifies
# what Tandem signs, and Tandem verifies what secsipidx signs.
pki="$work/tandem.db-sti"
x5u="http://127.0.0.1:$http_port/sti/cert.pem"
signed_outbound() {
    local identity
    scenario "$work/identity.xml" 302 Identity \
        "^ *[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+;info=<$(ere "$x5u")>" || return 1
    timeout 30 sipp -sf "$work/identity.xml" -m 1 -nostdin -timeout 10s -timeout_error -s "$outbound_number" \
        -key caller "$acme_caller" -p 25087 -trace_msg -message_file "$work/identity.log" "127.0.0.1:$sip_port" \
        >"$work/sipp.out" 2>&1 || { tail -20 "$work/sipp.out"; echo "sipp: no 302 with an Identity header"; return 1; }
    identity=$(grep -m1 '^Identity: ' "$work/identity.log" | sed 's/^Identity: //' | tr -d '\r') || return 1
    curl -sSf "$x5u" -o "$work/x5u.pem" || return 1
    secsipidx -c -identity "$identity" -p "$work/x5u.pem" -ca-file "$pki/ca.pem" -crl-file "$pki/ca.crl" \
        -cert-verify 21 -expire 60 >"$work/secsipidx.out" 2>&1 \
        || { cat "$work/secsipidx.out"; echo "secsipidx rejected the Identity header"; return 1; }
    [[ $(tail -1 "$work/secsipidx.out") == ok ]] \
        || { cat "$work/secsipidx.out"; echo "secsipidx did not say ok"; return 1; }
    # Acme calls from its own number: full attestation, with its verified name and the trunk's origid.
    python3 - "$identity" <<'PY' || return 1
import base64, json, sys
payload = sys.argv[1].split(".")[1]
claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
assert claims["attest"] == "A" and claims["rcd"]["nam"] == "Acme Dental Group" and len(claims["origid"]) == 36, claims
PY
}
check "outbound: the 302's Identity header verifies with secsipidx (chain, CA, CRL), attested A" signed_outbound
origid=$(cat /proc/sys/kernel/random/uuid)
signed=$(secsipidx -S -k "$pki/sp.key" -x5u "$x5u" -a A -o "${acme_caller#+}" -d "${acme_number#+}" -orig-id "$origid" \
    | tail -1)
# The same token with attest B: its signature no longer covers the payload.
tampered=$(python3 - "$signed" <<'PY'
import base64, sys
token, rest = sys.argv[1].split(";", 1)
header, payload, signature = token.split(".")
claims = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
assert b'"attest":"A"' in claims, claims
claims = claims.replace(b'"attest":"A"', b'"attest":"B"')
print(".".join([header, base64.urlsafe_b64encode(claims).decode().rstrip("="), signature]) + ";" + rest)
PY
)
signed_inbound() { # signed_inbound IDENTITY EXPECTED_REGEX PORT
    sed -e "s|regexp=\"[^\"]*\"|regexp=\"$2\"|" Interop/sipp/signed-inbound.xml >"$work/inbound.xml" || return 1
    timeout 30 sipp -sf "$work/inbound.xml" -m 1 -nostdin -timeout 10s -timeout_error -i 127.0.0.3 -s "$acme_number" \
        -key caller "$acme_caller" -key identity "$1" -p "$3" "127.0.0.1:$sip_port"
}
check "inbound signed by secsipidx: verstat=TN-Validation-Passed and the caller's name" \
    signed_inbound "$signed" "Acme Dental.*verstat=TN-Validation-Passed" 25088
check "inbound with a tampered token: verstat=TN-Validation-Failed, still routed" \
    signed_inbound "$tampered" "verstat=TN-Validation-Failed" 25089
# verify IDENTITY EXPECTED_STATUS EXPECTED_OUTPUT: `tandem identity verify` exits EXPECTED_STATUS and prints exactly
# EXPECTED_OUTPUT (its verdict: verstat, then the claims or the reason). A usage error exits 64, a thrown error 1
# with an `Error:` line: neither prints a verstat.
verify() {
    local status=0
    "$binary" identity verify --identity "$1" --from "$acme_caller" --to "$acme_number" --trust "$pki/ca.pem" \
        --allow-private-x5u >"$work/verify.out" 2>&1 || status=$?
    cat "$work/verify.out"
    [[ $status == "$2" ]] || { echo "exited $status, not $2"; return 1; }
    [[ $(cat "$work/verify.out") == "$3" ]] || { echo "expected:"; echo "$3"; return 1; }
}
check "tandem identity verify passes secsipidx's token: attest A, its numbers and origid" \
    verify "$signed" 0 "verstat=TN-Validation-Passed
attest=A orig=${acme_caller#+} dest=${acme_number#+} origid=$origid"
check "tandem identity verify fails the tampered one: exit 1, 438 bad-signature" \
    verify "$tampered" 1 "verstat=TN-Validation-Failed
reason=438 bad-signature: the signature does not verify with the certificate's key"

# The RFC 4475 torture messages, raw over UDP and TCP: every valid request answered on both (see Interop/rfc4475.py
# for what each must get); then the server must still answer.
if python3 Interop/rfc4475.py "$sip_port" ../shared/conformance/rfc4475 >"$work/rfc4475.out" 2>&1; then
    ok "RFC 4475 torture messages: every valid request answered over UDP and TCP, no response answered"
    grep '^RFC 4475:' "$work/rfc4475.out" | sed 's/^/     /'
else
    not_ok "RFC 4475 torture messages" <(grep -v '^ok ' "$work/rfc4475.out")
fi
expect "still answering after the torture messages" 302 Contact "127.0.0.1:5070" -s "$acme_number" -key caller "$acme_caller" -p 25079

# A short load run: 2,000 calls at 500 calls per second, every one must get its 302.
expect "2,000 calls at 500/s" 302 Contact "127.0.0.1:5070" -s "$acme_number" -key caller "$acme_caller" -p 25080 -r 500 -m 2000 -l 2000

# explained NUMBER JQ-CONDITION: the live routing snapshot's explanation of a call from Acme's trunk (and its caller)
# to NUMBER (GET /v1/routes/explain) meets the condition; prints the explanation's gist.
explained() {
    local explanation
    explanation=$(api -G "http://127.0.0.1:$http_port/v1/routes/explain" --data-urlencode trunk_id=trk_acme_main \
        --data-urlencode "to=$1" --data-urlencode "from=$acme_caller") || return 1
    jq -c '{snapshot_version, status, reason, contacts: [.contacts[].uri]}' <<<"$explanation" || return 1
    jq -e "$2" <<<"$explanation" >/dev/null
}

# Port-in: a name mismatch is rejected, the supplement gets a FOC, the operator activates, and the ported
# number rings Acme's PBX.
base="http://127.0.0.1:$http_port/v1/port-orders"
account='"account_number":"BLT-4410","pin":"2468","service_address":"2500 Memorial Pkwy NW","zip":"35801"'
order=
port_in() {
    local state
    order=$(acme -X POST "$base" -d '{"numbers":["+12057095551"],"trunk_id":"trk_acme_main",
        "account":{"business_name":"Acme Dental",'"$account"'},
        "loa":{"signer":"Pat Doe","title":"Office manager","signed_on":"2026-11-20","document_name":"loa.pdf","document":"JVBERi0="},
        "cutover_forward_hours":24}' | jq -er '.orders[0].id') || return 1
    state=$(acme -X POST "$base/$order/submit" | jq -c '[.state, .reject_reasons]') || return 1
    [[ $state == '["rejected",["name-mismatch"]]' ]] || { echo "submitted: $state"; return 1; }
    state=$(acme -X POST "$base/$order/supplement" -d '{"account":{"business_name":"Acme Dental Group",'"$account"'}}' \
        | jq -r .state) || return 1
    [[ $state == foc-received ]] || { echo "supplemented: $state"; return 1; }
    state=$(api -X POST "$base/$order/activate" | jq -r .state) || return 1
    [[ $state == completed ]] || { echo "activated: $state"; return 1; }
}
check "port-in: rejected for the name, supplemented, committed, activated" port_in
if [[ -n $order ]] && received port-order.status-changed "d['order_id'] == '$order' and d['entry']['to_state'] == 'completed'"; then
    ok "port-in: every change reached Acme's webhook"
else
    not_ok "port-in webhook" "$work/hooks.jsonl"
fi
# The order asked for cutover forwarding: calls go first to the number's old path, through the demo carriers, marked
# npdi so that no carrier dips again, and then to Acme's PBX; once Acme ends the cutover, they go straight to its PBX.
# (Before the port, the number's calls went out through the same carriers, but to no PBX after them.)
wait_for "the cutover route of +12057095551 (carriers first, then Acme's PBX) in the live snapshot" \
    explained +12057095551 '[.contacts[].uri] | (.[0] | test("^sip:\\+12057095551;npdi@127\\.0\\.0\\.1:508"))
        and any(.[]; . == "sip:+12057095551@127.0.0.1:5070")' || true
cutover="Contact: *<sip:\+12057095551;npdi@127\.0\.0\.1:508[0-9];user=phone>;q=1\.0" # the best: a carrier, npdi
cutover+=".*Contact: *<sip:\+12057095551@127\.0\.0\.1:5070[;>]"                     # then Acme's PBX
expect "cutover: the ported number's calls go to the old path first, then Acme's PBX" 302 msg "$cutover" \
    -s +12057095551 -key caller "$acme_caller" -p 25091
check "port-in: Acme ends the cutover" acme -X POST "$base/$order/end-cutover"
wait_for "+12057095551 to route to Acme's PBX only in the live snapshot" \
    explained +12057095551 '[.contacts[].uri]
        | length > 0 and all(.[]; test("^sip:\\+12057095551@127\\.0\\.0\\.1:507"))' || true
expect "the ported number rings Acme's PBX" 302 Contact "^ *<sip:\+12057095551@127\.0\.0\.1:5070[;>]" \
    -s +12057095551 -key caller "$acme_caller" -p 25086

# Port-out, as the README does it: the partner carrier files with its own key; a wrong PIN is rejected; the right one
# waits for Acme's approval; once the operator completes it, the number no longer rings Acme's PBX.
port_out() {
    rival -X POST "http://127.0.0.1:$http_port/v1/port-outs" -d '{"numbers":["+12057095551"],"account_number":"acc_acme",
        "business_name":"Acme Dental Group","zip":"35801","pin":"'"$1"'"}'
}
port_out_flow() {
    local state request
    acme -X PUT "http://127.0.0.1:$http_port/v1/accounts/acc_acme/port-out-protection" -d '{"pin":"8642","zip":"35801"}' \
        >/dev/null || return 1
    state=$(port_out 1111 | jq -c '[.state, .reject_reasons]') || return 1
    [[ $state == '["rejected",["pin-mismatch"]]' ]] || { echo "wrong PIN: $state"; return 1; }
    state=$(port_out 8642 | jq -c '[.state, .id, .gaining_ocn, .account_id]') || return 1
    [[ $state == '["pending-approval","pout_'*'","7Q2X",null]' ]] || { echo "right PIN: $state"; return 1; }
    request=$(jq -r '.[1]' <<<"$state")
    state=$(acme -X POST "http://127.0.0.1:$http_port/v1/port-outs/$request/approve" | jq -r .state) || return 1
    [[ $state == approved ]] || { echo "approved: $state"; return 1; }
    state=$(api -X POST "http://127.0.0.1:$http_port/v1/port-outs/$request/activate" | jq -r .state) || return 1
    [[ $state == completed ]] || { echo "activated: $state"; return 1; }
    received port-out.status-changed "d['port_out']['id'] == '$request' and d['entry']['to_state'] == 'completed'" \
        || { echo "no port-out.status-changed event for $request:"; cat "$work/hooks.jsonl"; return 1; }
}
check "port-out: the partner's wrong PIN rejected, right PIN waits for and gets Acme's approval, completed, webhook sent" \
    port_out_flow
# Its new LRN is not known until the feed brings it: the call leaves through a carrier undipped (no npdi), first.
wait_for "+12057095551 to leave through a carrier, undipped, in the live snapshot" \
    explained +12057095551 '.contacts[0].uri // "" | test("^sip:\\+12057095551@127\\.0\\.0\\.1:508")' || true
expect "the ported-out number no longer rings Acme's PBX" 302 Contact "^ *<sip:\+12057095551@127\.0\.0\.1:508[0-9][;>]" \
    -s +12057095551 -key caller "$acme_caller" -p 25087

# The trunk's calls-per-second limit: at 1 call per second, a burst of 20 gets one 302 (two if it straddles a second)
# and 503s, each with its Reason and Retry-After: 1, and each recorded. The limit is not in the explanation: a snapshot
# newer than the one before the change is compiled from a store that has it.
version=$(explained "$acme_number" true | jq -e .snapshot_version)
api -X PATCH -d '{"max_calls_per_second":1}' "http://127.0.0.1:$http_port/v1/trunks/trk_acme_main" >/dev/null
wait_for "a routing snapshot newer than version $version (the trunk's new limit)" \
    explained "$acme_number" ".snapshot_version > $version" || true
records="http://127.0.0.1:$http_port/v1/routing-records?trunk_id=trk_acme_main&limit=100"
last_record=$(api "$records" | jq -e '[.data[].id] | max // 0')
rm -f "$work/limited.log" "$work/sipp.err"
burst=0
timeout 30 sipp -sf Interop/sipp/rate-limited.xml -m 20 -r 200 -nostdin -timeout 10s -timeout_error \
    -s "$acme_number" -key caller "$acme_caller" -p 25084 -trace_logs -log_file "$work/limited.log" \
    -trace_err -error_file "$work/sipp.err" "127.0.0.1:$sip_port" >"$work/sipp.out" 2>&1 || burst=$?
admitted=$(grep -c '^admitted 302' "$work/limited.log" 2>/dev/null || true)
refused=$(grep -c '^over the limit 503' "$work/limited.log" 2>/dev/null || true)
admitted=${admitted:-0} refused=${refused:-0}
if [[ $burst == 0 ]] && ((admitted + refused == 20 && refused >= 15)); then
    ok "calls-per-second limit: $refused of 20 calls answered 503 with the Reason and Retry-After: 1, $admitted 302"
else
    not_ok "calls-per-second limit: sipp exited $burst; $admitted answered 302, $refused answered 503 as they should" \
        <(sipp_errors; tail -5 "$work/limited.log")
fi
# burst_records: the burst's 20 routing records: as many 302s as sipp got, and as many 503s over the limit, 15 or more.
burst_records() {
    local burst
    burst=$(api "$records" | jq -c --argjson after "$last_record" '[.data[] | select(.id > $after)]
        | {count: length, admitted: map(select(.status == 302)) | length,
           over: map(select(.status == 503 and (.reason | contains("calls per second")))) | length}') || return 1
    echo "$burst (sipp: $admitted 302, $refused 503)"
    jq -e --argjson admitted "$admitted" --argjson refused "$refused" \
        '.count == 20 and .admitted == $admitted and .over == $refused and .over >= 15' <<<"$burst" >/dev/null
}
if poll 10 burst_records; then
    ok "calls-per-second limit: the burst's 20 routing records, $refused of them 503 over the limit"
else
    not_ok "calls-per-second limit: the routing records (newer than record $last_record) are not the burst's" \
        "$work/poll.out"
fi
api -X PATCH -d '{"max_calls_per_second":1000}' "http://127.0.0.1:$http_port/v1/trunks/trk_acme_main" >/dev/null

kill -0 "$server" || not_ok "the server died"

echo "sip interop: $passed passed, $failed failed"
exit $((failed > 0 ? 1 : 0))
