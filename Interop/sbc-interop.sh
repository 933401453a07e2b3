#!/usr/bin/env bash
# The reference SBC against real peers (docs/sbc.md): Debian's Kamailio 5.6 with Interop/kamailio/sbc.cfg in front of
# `tandem serve --demo`, sipp as the callers and as the carriers' gateways, Acme's PBX and the emergency provider
# behind it. Outbound calls from Acme: Tandem's first Contact answers 503, the second answers and takes the BYE.
# Inbound calls from a carrier's source to Acme's PBX. A 911 call, whose location must reach the emergency provider. A
# call Tandem refuses (603, relayed as it is), and one whose first gateway does not answer (408, then the next). A
# stand-in for Tandem (sipp) whose 302 lists its Contacts worst first and carries X-Tandem-* headers no Contact may
# see. Tandem trusts the SBC's X-Tandem-Source (--trusted-sbc). Then the accounting: one attempt record per Contact
# tried, one CDR per answered call, its duration the hold time from the callers' injection files, each with the
# decision token of Tandem's 302.
#
#   bash Interop/sbc-interop.sh
#   TANDEM_BINARY=/path/to/tandem bash Interop/sbc-interop.sh     # run that binary; no `swift build`
#
# Builds Tandem with `swift build` unless TANDEM_BINARY names a tandem binary to run instead. Loopback only: ports
# 25100 (Tandem's SIP), 18291 (its API), 25110 on 127.0.0.1 and 127.0.0.3 (the SBC's customer and carrier sides),
# 25111 likewise (a second SBC, for the stand-in), 25120-25125 (the callers), 25170 and 25172 (Acme's PBX), 25175 (the
# emergency provider), 25181-25183 (the demo carriers' gateways), 25190 and 25192-25193 (the stand-in and its
# Contacts): the script moves the demo's PBX and gateways to these ports through the API. Needs kamailio (with Debian's
# kamailio-extra-modules and kamailio-utils-modules: acc_json, http_client), sipp, curl, jq, python3 and ss (iproute2).
# About 20 s. Prints "ok" or "FAIL" for each check, then "sbc interop: N passed, M
# failed", and exits non-zero when a check failed.
set -euo pipefail
trap 'echo "FAIL the run stopped at line $LINENO: $BASH_COMMAND exited $?"' ERR
cd "$(dirname "$0")/.."
source Interop/lib.sh

work=$(mktemp -d)
server=
declare -A pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    [[ -n ${KEEP_WORK:-} ]] || rm -rf "$work"
}
trap cleanup EXIT
sip_port=25100
http_port=18291
sbc_port=25110
standin_sbc_port=25111
pbx_port=25170
emergency_port=25175
busy_port=25181
gateway_port=25182
standin_port=25190
binary=$(tandem_binary)

"$binary" serve --demo --database "$work/tandem.db" --http "127.0.0.1:$http_port" --sip "127.0.0.1:$sip_port" \
    --emergency-route "127.0.0.1:$emergency_port" --trusted-sbc 127.0.0.10/31 >"$work/serve.log" 2>&1 &
server=$!
wait_until_up "$work/serve.log" "$server" \
    || { cat "$work/serve.log"; echo "FAIL tandem serve did not come up"; exit 1; }
operator_key=$(grep -o 'TANDEM_KEY=tdm_[A-Za-z0-9]*' "$work/serve.log" | head -1 | cut -d= -f2)
acme_key=$(grep -o 'ACME_KEY=tdm_[A-Za-z0-9]*' "$work/serve.log" | head -1 | cut -d= -f2)
switch_key=$(grep -o 'SWITCH_KEY=tdm_[A-Za-z0-9]*' "$work/serve.log" | head -1 | cut -d= -f2)
read -r acme_number acme_caller < <(grep -o 'sipp -sf .*' "$work/serve.log" | head -1 | awk '{print $7, $10}')
outbound_number=$(grep -o 'sipp -sf .*# outbound' "$work/serve.log" | awk '{print $7}')
carrier_caller=+13125550100 # a caller on the network, calling in from the demo carrier's source, 127.0.0.3
api() { curl -sS --fail-with-body -H "Authorization: Bearer $operator_key" -H 'Content-Type: application/json' "$@"; }

# The demo's gateways (127.0.0.1:5081-5083) and Acme's PBX (5070, 5072) move to this script's ports, away from
# anything else on the machine: Tandem's Contacts name them, and the sipp peers listen there.
move_peers() {
    local id port
    while read -r id port; do
        api -X PATCH "http://127.0.0.1:$http_port/v1/carriers/$id" \
            -d "{\"gateways\":[{\"address\":\"127.0.0.1\",\"port\":$((port - 5081 + busy_port))}]}" \
            >/dev/null || return 1
    done < <(api "http://127.0.0.1:$http_port/v1/carriers" | jq -r '.data[] | "\(.id) \(.gateways[0].port)"')
    api -X PATCH "http://127.0.0.1:$http_port/v1/trunks/trk_acme_main" -d "{\"hosts\":[
        {\"address\":\"127.0.0.1\",\"port\":$pbx_port},
        {\"address\":\"127.0.0.1\",\"port\":$((pbx_port + 2)),\"priority\":20}]}" >/dev/null
}
# contacts NUMBER: the Contacts Tandem's live snapshot gives a call from Acme's trunk to NUMBER, one a line.
contacts() {
    api -G "http://127.0.0.1:$http_port/v1/routes/explain" --data-urlencode trunk_id=trk_acme_main \
        --data-urlencode "to=$1" --data-urlencode "from=$acme_caller" | jq -r '.contacts[].uri'
}
moved() {
    local outbound_contacts
    outbound_contacts=$(contacts "$outbound_number" | head -2 | tr '\n' ' ') || return 1
    [[ $outbound_contacts == *"@127.0.0.1:$busy_port "*"@127.0.0.1:$gateway_port "* ]] \
        && [[ $(contacts "$acme_number" | head -1) == *"@127.0.0.1:$pbx_port" ]]
}
move_peers
check "the demo's gateways and Acme's PBX moved to ports $busy_port, $gateway_port, $pbx_port (API, live snapshot)" \
    poll 10 moved

# kamailio_up NAME PORT SETTINGS...: Kamailio with sbc.cfg and the settings (-A), its log in $work/NAME.log,
# listening on 127.0.0.10:PORT (customers) and 127.0.0.11:PORT (carriers), addresses no trunk or carrier has: only
# X-Tandem-Source can tell Tandem whose calls they are. Its accounting in $work/NAME-acc.
kamailio_up() {
    local name=$1 port=$2
    shift 2
    mkdir -p "$work/$name-acc"
    local settings=(-A "SBC_CUSTOMER_LISTEN=udp:127.0.0.10:$port" -A "SBC_CARRIER_LISTEN=udp:127.0.0.11:$port"
        -A "SBC_ACC_URL=\"flatstore:$work/$name-acc\"" -A "SBC_CTL=\"unix:$work/$name.ctl\"" -A SBC_WORKERS=2 "$@")
    kamailio -c -f Interop/kamailio/sbc.cfg "${settings[@]}" >"$work/$name-check.log" 2>&1 \
        || { tail -20 "$work/$name-check.log"; echo "kamailio -c refused the configuration"; return 1; }
    kamailio -f Interop/kamailio/sbc.cfg "${settings[@]}" -m 64 -M 8 -DD -E >"$work/$name.log" 2>&1 &
    pids[$name]=$!
    poll 10 bash -c "ss -lun | grep -q 127.0.0.10:$port && ss -lun | grep -q 127.0.0.11:$port" \
        || { tail -20 "$work/$name.log"; echo "kamailio is not listening on both sides' port $port"; return 1; }
}
check "kamailio -c accepts Interop/kamailio/sbc.cfg; the SBC listens on 127.0.0.10:$sbc_port and 127.0.0.11:$sbc_port" \
    kamailio_up sbc "$sbc_port" -A "SBC_TANDEM=\"sip:127.0.0.1:$sip_port\"" -A SBC_ANSWER_MS=1000 \
        -A "SBC_TANDEM_API=\"http://switch:$switch_key@127.0.0.1:$http_port/v1\""
# Without the SBC, or with the calls going to the demo's own ports, the checks below would only time out.
((failed == 0)) || { echo "sbc interop: $passed passed, $failed failed"; exit 1; }

# peer NAME SCENARIO IP PORT CALLS [sipp options...]: a sipp gateway or PBX in the background on IP:PORT that exits
# after CALLS calls (its log of <log> actions in $work/NAME.log).
peer() {
    local name=$1 scenario=$2 ip=$3 port=$4 calls=$5
    shift 5
    timeout 60 sipp -sf "$scenario" -m "$calls" -i "$ip" -p "$port" -nostdin -trace_logs \
        -log_file "$work/$name.log" -trace_err -error_file "$work/$name.err" "$@" >"$work/$name.out" 2>&1 &
    pids[$name]=$!
}
# caller NAME CSV CALLS SOURCE SBC [sipp options...]: sipp placing CALLS calls from SOURCE through the SBC at SBC
# (IP:PORT) in the background, one a line of the injection file CSV (caller;dialed;hold in ms), 10 a second.
caller() {
    local name=$1 csv=$2 calls=$3 source=$4 sbc=$5
    shift 5
    timeout 30 sipp -sf Interop/sipp/sbc-call.xml -inf "$csv" -m "$calls" -r 10 -i "$source" -nostdin -timeout 15 \
        -timeout_error -trace_logs -log_file "$work/$name.log" -trace_err -error_file "$work/$name.err" "$@" "$sbc" \
        >"$work/$name.out" 2>&1 &
    pids[$name]=$!
}
# finished NAME CALLS WHAT [SECONDS]: the sipp process NAME ended within SECONDS (5), without a failed call, having
# logged CALLS lines starting with WHAT.
finished() {
    local name=$1 calls=$2 what=$3 seconds=${4:-5} pid=${pids[$1]} status=0 logged
    poll "$seconds" bash -c "! kill -0 $pid 2>/dev/null" \
        || { echo "$name is still running after $seconds s"; return 1; }
    wait "$pid" || status=$?
    unset "pids[$name]"
    logged=$(grep -c "^$what" "$work/$name.log" 2>/dev/null || true)
    if [[ $status != 0 || ${logged:-0} != "$calls" ]]; then
        echo "$name exited $status and logged ${logged:-0} of $calls '$what' lines"
        # What sipp reported (-trace_err), one event a line, then the end of its screen.
        head -c 1500 "$work/$name.err" 2>/dev/null | sed 's/20[0-9-]\{8\}\t[0-9:.]*\t[0-9.]*: /\n/g'
        tail -5 "$work/$name.out"
        return 1
    fi
}

# The calls: hold times in milliseconds, each call's its own, so that each CDR's duration can be checked.
outbound_holds=(1300 2400 900 3100)
inbound_holds=(1700 2600)
{
    echo SEQUENTIAL
    for hold in "${outbound_holds[@]}"; do echo "$acme_caller;$outbound_number;$hold"; done
} >"$work/outbound.csv"
{
    echo SEQUENTIAL
    for hold in "${inbound_holds[@]}"; do echo "$carrier_caller;$acme_number;$hold"; done
} >"$work/inbound.csv"
# 911 from Acme's first number, which the demo binds to Acme's office: the 302 has one Contact and the location.
printf 'SEQUENTIAL\n%s;%s;%s\n' "$acme_number" 911 500 >"$work/emergency.csv"
printf 'SEQUENTIAL\n%s;%s;%s\n' "$acme_caller" "$outbound_number" 600 >"$work/timeout.csv"
outbound=${#outbound_holds[@]}
inbound=${#inbound_holds[@]}

peer busy Interop/sipp/sbc-busy.xml 127.0.0.1 "$busy_port" "$outbound"
peer gateway Interop/sipp/sbc-answer.xml 127.0.0.1 "$gateway_port" $((outbound + 1))
peer pbx Interop/sipp/sbc-pbx.xml 127.0.0.1 "$pbx_port" "$inbound"
peer psap Interop/sipp/sbc-psap.xml 127.0.0.1 "$emergency_port" 1
caller outbound "$work/outbound.csv" "$outbound" 127.0.0.1 "127.0.0.10:$sbc_port" -p 25120
caller inbound "$work/inbound.csv" "$inbound" 127.0.0.3 "127.0.0.11:$sbc_port" -p 25121
caller emergency "$work/emergency.csv" 1 127.0.0.1 "127.0.0.10:$sbc_port" -p 25125
refused() {
    timeout 30 sipp -sf Interop/sipp/sbc-refused.xml -m 1 -s +19005550199 -key caller "$acme_caller" -i 127.0.0.1 \
        -p 25122 -nostdin -timeout 10 -timeout_error -trace_logs -log_file "$work/refused.log" \
        "127.0.0.10:$sbc_port" >"$work/refused.out" 2>&1 || { tail -20 "$work/refused.out"; return 1; }
    grep -q '^refused .* Reason: SIP ;cause=603' "$work/refused.log"
}
check "a refusal: Tandem's 603 reaches the caller as Tandem sent it, with its Reason (premium rate)" refused
check "outbound: $outbound of $outbound calls answered through the SBC (Acme → $outbound_number)" \
    finished outbound "$outbound" answered 20
check "inbound: $inbound of $inbound calls answered through the SBC (a carrier at 127.0.0.3 → $acme_number)" \
    finished inbound "$inbound" answered 20
check "the first gateway answered 503 to each outbound call; its INVITEs carried Tandem's Identity" \
    finished busy "$outbound" INVITE
check "Acme's PBX answered each inbound call; its INVITEs carried Tandem's P-Asserted-Identity with verstat" \
    finished pbx "$inbound" INVITE
check "911: answered at the 302's one Contact, the emergency provider's" finished emergency 1 answered 20
check "911: the emergency provider's INVITE carried Tandem's Geolocation and Geolocation-Routing" \
    finished psap 1 INVITE

# The first gateway is gone: the SBC waits SBC_ANSWER_MS (1 s here) for it, records a 408 and tries the next.
caller timeout "$work/timeout.csv" 1 127.0.0.1 "127.0.0.10:$sbc_port" -p 25123
check "a gateway that does not answer: 408 after 1 s, then the next Contact answered" finished timeout 1 answered 20
check "the second gateway answered every outbound call; its INVITEs carried Tandem's Identity, no X-Tandem-* header" \
    finished gateway $((outbound + 1)) INVITE

# A stand-in for Tandem, whose 302 lists its Contacts worst first and carries X-Tandem-* headers, which are for the
# records. The Contact it prefers answers as Acme's PBX does (the 302 carries a P-Asserted-Identity with verstat).
decision="rd_42;carrier=stand-in"
check "a second SBC, in front of a stand-in for Tandem, starts" \
    kamailio_up standin-sbc "$standin_sbc_port" -A "SBC_TANDEM=\"sip:127.0.0.1:$standin_port\"" -A SBC_ANSWER_MS=1000
peer standin Interop/sipp/sbc-redirect.xml 127.0.0.1 "$standin_port" 1 -key number "$outbound_number" \
    -key best "127.0.0.1:$((standin_port + 2))" -key worse "127.0.0.1:$((standin_port + 3))" -key decision "$decision"
peer standin-gateway Interop/sipp/sbc-pbx.xml 127.0.0.1 $((standin_port + 2)) 1 -trace_msg \
    -message_file "$work/standin-gateway.msg"
printf 'SEQUENTIAL\n%s;%s;%s\n' "$acme_caller" "$outbound_number" 400 >"$work/standin.csv"
caller standin-call "$work/standin.csv" 1 127.0.0.1 "127.0.0.10:$standin_sbc_port" -p 25124
check "stand-in: the call answered at the Contact of the higher q, listed second" finished standin-call 1 answered 20
forwarded() {
    finished standin 1 INVITE || return 1
    finished standin-gateway 1 INVITE || return 1
    local invite
    invite=$(awk '/message received/ { n++ } n == 1' "$work/standin-gateway.msg")
    for header in "Geolocation: <http://127.0.0.1/" "Geolocation-Routing: no" \
        "P-Asserted-Identity: <sip:$outbound_number;verstat=No-TN-Validation@"; do
        grep -qF "$header" <<<"$invite" || { echo "the gateway's INVITE has no '$header'"; return 1; }
    done
    if grep -qE '^(Warning|X-Tandem-[A-Za-z]+):' <<<"$invite"; then
        echo "the 302's Warning or X-Tandem-* reached the gateway:"
        grep -E '^(Warning|X-Tandem-[A-Za-z]+):' <<<"$invite"
        return 1
    fi
}
check "stand-in: the gateway got Geolocation and P-Asserted-Identity from the 302, not its Warning or X-Tandem-*" \
    forwarded
check "stand-in: the INVITE to Tandem carried X-Tandem-Source: 127.0.0.1, the caller's address" \
    grep -q 'X-Tandem-Source: *127\.0\.0\.1$' "$work/standin.log"

# The records (their columns as docs/sbc.md gives them). The callers logged each answered call's Call-ID and hold
# time; each call must have its attempts (the gateway's port and the status, in order) and one CDR.
records() {
    python3 - "$work" "$outbound_number" "$acme_number" "$decision" "$busy_port" "$gateway_port" "$pbx_port" \
        "$emergency_port" $((standin_port + 2)) <<'PY'
import glob, sys
work, outbound_number, acme_number, decision, busy, gateway, pbx, emergency, standin_gateway = sys.argv[1:]
ATTEMPT = ["method", "from_tag", "to_tag", "callid", "sip_code", "sip_reason", "time", "time_exact",
           "src_ip", "caller", "dialed", "gateway", "decision"]
CDR = ["start_time", "end_time", "duration", "callid", "setup_time", "answer_time", "src_ip", "caller", "dialed",
       "gateway", "decision", "from_tag"]
def rows(sbc, table, columns):
    found = []
    for path in glob.glob(f"{work}/{sbc}-acc/{table}_*.log"):
        for line in open(path):
            fields = line.rstrip("\n").split("|")
            assert len(fields) == len(columns), f"{path}: {len(fields)} columns, not {len(columns)}: {line!r}"
            found.append(dict(zip(columns, fields)))
    return found
def calls(name):
    answered = [line.split() for line in open(f"{work}/{name}.log") if line.startswith("answered ")]
    return {words[1]: int(words[3]) for words in answered}
problems = []
def expect(what, got, wanted):
    if got != wanted:
        problems.append(f"{what}: {got!r}, not {wanted!r}")

def port(uri):
    return uri.split("@")[-1].split(";")[0].split(":")[-1]

def decided(token):
    # Tandem's decision token (docs/rating.md): version, time, kind, account, trunk, number called, ...
    fields = token.split(".")
    return (fields[3], fields[4], fields[5]) if len(fields) == 11 and fields[0] == "1" else token

# What each call should have: its source, dialed number, attempts in order (port, status), and decision.
plan = {}
for callid, hold in calls("outbound").items():
    plan[callid] = ("127.0.0.1", outbound_number, [(busy, "503"), (gateway, "200")], hold, ("o", "acc_acme", "trk_acme_main"))
for callid, hold in calls("inbound").items():
    plan[callid] = ("127.0.0.3", acme_number, [(pbx, "200")], hold, ("i", "acc_acme", "trk_acme_main"))
for callid, hold in calls("emergency").items():
    plan[callid] = ("127.0.0.1", "911", [(emergency, "200")], hold, ("e", "acc_acme", "trk_acme_main"))
for callid, hold in calls("timeout").items():
    plan[callid] = ("127.0.0.1", outbound_number, [(busy, "408"), (gateway, "200")], hold, ("o", "acc_acme", "trk_acme_main"))
attempts, cdrs = rows("sbc", "attempts", ATTEMPT), rows("sbc", "cdrs", CDR)
expect("attempt records", len(attempts), sum(len(p[2]) for p in plan.values()))
expect("CDRs", len(cdrs), len(plan))
for callid, (source, dialed, tried, hold, decision_of) in plan.items():
    mine = sorted((a for a in attempts if a["callid"] == callid), key=lambda a: float(a["time_exact"]))
    expect(f"{callid} attempts", [(port(a["gateway"]), a["sip_code"]) for a in mine], tried)
    token = mine[0]["decision"] if mine else ""
    expect(f"{callid} decision", decided(token), decision_of)
    for a in mine:
        expect(f"{callid} attempt's source, dialed, decision", (a["src_ip"], a["dialed"], a["decision"]),
               (source, dialed, token))
    cdr = [c for c in cdrs if c["callid"] == callid]
    if len(cdr) != 1:
        problems.append(f"{callid}: {len(cdr)} CDRs")
        continue
    c = cdr[0]
    if abs(float(c["duration"]) - hold / 1000) > 1:
        problems.append(f"{callid}: duration {c['duration']} s, held {hold} ms")
    expect(f"{callid} CDR gateway", c["gateway"], mine[-1]["gateway"] if mine else None)
    expect(f"{callid} CDR's source, dialed, decision", (c["src_ip"], c["dialed"], c["decision"]),
           (source, dialed, token))
    if not float(c["setup_time"]) <= float(c["answer_time"]) <= int(c["start_time"]) + 1 <= int(c["end_time"]) + 1:
        problems.append(f"{callid}: times out of order: {c}")
# The refused call: Tandem's 603 is no attempt, and no call was answered.
expect("records of the refused call", [r for r in attempts + cdrs if r["dialed"] == "+19005550199"], [])
# The stand-in: one attempt at the better Contact, the decision in it and in the CDR.
standin = rows("standin-sbc", "attempts", ATTEMPT)
expect("stand-in attempts", [(port(a["gateway"]), a["sip_code"], a["decision"]) for a in standin],
       [(standin_gateway, "200", decision)])
expect("stand-in CDR decisions", [c["decision"] for c in rows("standin-sbc", "cdrs", CDR)], [decision])
print(f"{len(attempts)} attempt records, {len(cdrs)} CDRs for {len(plan)} answered calls")
for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
PY
}
if poll 5 records; then
    ok "records: $(head -1 "$work/poll.out"); each call's attempts in order, its CDR's duration its hold time ±1 s"
else
    not_ok "records: the attempts and CDRs are not the calls'" "$work/poll.out"
fi

# The SBC pushes each CDR to Tandem (acc_json, a second or so after the hang-up), which rates it from the decision
# token it carries and stores it: every CDR of the flat file is in GET /v1/cdrs, the outbound calls (and the one whose
# first gateway was silent) at Acme's rate and the answering carrier's, 911 free, the inbound calls without a customer
# price (inbound charges are not in the plans yet). Acme sees its calls' prices, never a cost or a carrier.
pushed_cdrs() {
    local answering expected
    expected=$(cat "$work"/sbc-acc/cdrs_*.log | wc -l)
    answering=$(api "http://127.0.0.1:$http_port/v1/carriers" \
        | jq -r --argjson port "$gateway_port" '.data[] | select(.gateways[0].port == $port) | .id') || return 1
    api "http://127.0.0.1:$http_port/v1/cdrs?limit=100" >"$work/cdrs.json" || return 1
    curl -sS --fail-with-body -H "Authorization: Bearer $acme_key" "http://127.0.0.1:$http_port/v1/cdrs?limit=100" \
        >"$work/acme-cdrs.json" || return 1
    python3 - "$work/cdrs.json" "$work/acme-cdrs.json" "$answering" "$expected" <<'PY'
import json, sys
calls = json.load(open(sys.argv[1]))["data"]
acme = json.load(open(sys.argv[2]))["data"]
answering, expected = sys.argv[3], int(sys.argv[4])
assert len(calls) == expected == 8, f"{len(calls)} CDRs in Tandem, {expected} in the SBC's file"
outbound = [c for c in calls if c.get("direction") == "outbound"]
assert len(outbound) == 5 and all(c["price"]["status"] == "charged" and c["cost"]["status"] == "charged"
                                  and c["carrier_id"] == answering and float(c["margin"]) > 0
                                  and c["account_id"] == "acc_acme" for c in outbound), outbound
assert [(c["price"]["reason"], c["cost"]["reason"]) for c in calls if c.get("direction") == "emergency"] == [
    ("emergency", "emergency")], calls
assert [c["price"].get("reason") for c in calls if c.get("direction") == "inbound"] == ["no-rate"] * 2, calls
assert len(acme) == 8 and all("cost" not in c and "carrier_id" not in c and "gateway" not in c for c in acme), acme
print(f"{len(calls)} CDRs pushed and rated; e.g. {outbound[0]['billable_seconds']} s: "
      f"{outbound[0]['price']['amount']} / {outbound[0]['cost']['amount']}")
PY
}
if poll 10 pushed_cdrs; then
    ok "the SBC's CDRs: $(tail -1 "$work/poll.out") (outbound priced and costed, 911 free; Acme sees no cost)"
else
    not_ok "the SBC's CDRs did not all reach Tandem rated" "$work/poll.out"
fi

# Reading the flat files again (as after an outage of the push) stores nothing twice: each call is already there.
reimport() {
    "$binary" import cdrs --database "$work/tandem.db" "$work"/sbc-acc/cdrs_*.log >"$work/import.out" 2>&1 \
        || { cat "$work/import.out"; return 1; }
    grep -q '^8 CDRs read: 0 stored (0 rated on both sides), 8 already stored; 0 malformed lines$' "$work/import.out" \
        || { cat "$work/import.out"; return 1; }
    [ "$(api "http://127.0.0.1:$http_port/v1/cdrs?limit=100" | jq '.data | length')" = 8 ]
}
check "tandem import cdrs of the SBC's files: every CDR already stored, none twice" reimport

# Tandem's own 302 is in its routing records, under the same Call-ID, where the source shows whose call it took
# the call for: the address the SBC named in X-Tandem-Source, never the SBC's own nor the callers' forged one
# (127.0.0.1, Acme's PBX, for outbound calls; 127.0.0.3, the demo carrier, for inbound ones).
routing_records() {
    local outbound_id inbound_id found
    outbound_id=$(awk '/^answered/ { print $2; exit }' "$work/outbound.log")
    inbound_id=$(awk '/^answered/ { print $2; exit }' "$work/inbound.log")
    found=$(api "http://127.0.0.1:$http_port/v1/routing-records?limit=100" \
        | jq -c --arg out "$outbound_id" --arg in "$inbound_id" \
            '[.data[] | select(.call_id == $out or .call_id == $in) | {call_id, status, source, trunk_id}]') || return 1
    echo "$found"
    jq -e --arg out "$outbound_id" --arg in "$inbound_id" '
        map(select(.call_id == $out)) == [{call_id: $out, status: 302, source: "127.0.0.1", trunk_id: "trk_acme_main"}]
        and map(select(.call_id == $in)) == [{call_id: $in, status: 302, source: "127.0.0.3", trunk_id: null}]' \
        <<<"$found" >/dev/null
}
check "Tandem's routing records: each 302 by Call-ID, from the source the SBC named (Acme's trunk, or the carrier)" \
    poll 5 routing_records
# Channels: the SBC tells Tandem when each call is answered and when it ends (or fails), and the CDR gives the channel
# back too. With Acme's trunk limited to 2 channels, 4 calls at once: 2 answered, 2 refused by Tandem with 486 Busy
# Here (not a 503, which the SBC would read as Tandem failing); the trunk shows 2 in use while they are up, and none
# once they have ended.
channel_limit() {
    local csv="$work/channels.csv" in_use refused
    api -X PATCH "http://127.0.0.1:$http_port/v1/trunks/trk_acme_main" -d '{"max_channels": 2}' >/dev/null || return 1
    sleep 1
    peer channel-gateway Interop/sipp/sbc-answer.xml 127.0.0.1 "$gateway_port" 2
    { echo SEQUENTIAL; for _ in 1 2 3 4; do echo "$acme_caller;$outbound_number;4000"; done; } >"$csv"
    timeout 30 sipp -sf Interop/sipp/sbc-call.xml -inf "$csv" -m 4 -r 20 -i 127.0.0.1 -p 25125 -nostdin -timeout 15 \
        -trace_logs -log_file "$work/channels.log" "127.0.0.10:$sbc_port" >"$work/channels.out" 2>&1 &
    local pid=$!
    channels() { api "http://127.0.0.1:$http_port/v1/trunks/trk_acme_main/channels" | jq -r .in_use; }
    poll 5 bash -c "[ \"\$(curl -sS -H 'Authorization: Bearer $operator_key' \
        http://127.0.0.1:$http_port/v1/trunks/trk_acme_main/channels | jq -r .in_use)\" = 2 ]" \
        || { echo "in use while the calls are up: $(channels), not 2"; return 1; }
    wait "$pid" || true
    [ "$(grep -c '^answered' "$work/channels.log")" = 2 ] \
        || { echo "answered: $(grep -c '^answered' "$work/channels.log"), not 2"; tail -5 "$work/channels.out"; return 1; }
    refused=$(api "http://127.0.0.1:$http_port/v1/routing-records?trunk_id=trk_acme_main&limit=20" \
        | jq '[.data[] | select(.status == 486 and .reason == "all 2 channels of the trunk are in use")] | length')
    [ "$refused" = 2 ] || { echo "routing records with 486: $refused, not 2"; return 1; }
    poll 10 bash -c "[ \"\$(curl -sS -H 'Authorization: Bearer $operator_key' \
        http://127.0.0.1:$http_port/v1/trunks/trk_acme_main/channels | jq -r .in_use)\" = 0 ]" \
        || { echo "in use after the calls ended: $(channels), not 0"; return 1; }
    api -X PATCH "http://127.0.0.1:$http_port/v1/trunks/trk_acme_main" -d '{"max_channels": 23}' >/dev/null
}
check "channels: with max_channels 2, 4 calls at once: 2 answered, 2 refused 486; 2 in use while up, 0 after" channel_limit

check "the SBCs logged no errors" \
    bash -c "! grep -E ' (ERROR|CRITICAL|ALERT|BUG):' '$work/sbc.log' '$work/standin-sbc.log'"
check "Tandem still answers /health" \
    bash -c "curl -sS --fail --max-time 5 http://127.0.0.1:$http_port/health | grep -q '\"status\":\"ok\"'"

echo "sbc interop: $passed passed, $failed failed"
exit $((failed > 0 ? 1 : 0))
