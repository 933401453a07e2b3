#!/usr/bin/env bash
# Hostile load against `tandem serve --demo`, as an attacker on the network would try it (docs/security.md): a
# flood of idle SIP TCP connections from many addresses that are no trunk's, slowloris on the HTTP API, a flood of
# INVITEs from an unknown source, a flood of 911 calls with fresh Call-IDs, and a flood of made-up API keys. After
# each, the server must answer the API and SIP normally; at the end, its memory must have stayed within a stated
# bound.
#
#   bash Interop/hostile-load.sh
#   TANDEM_BINARY=/path/to/tandem bash Interop/hostile-load.sh     # run that binary; no `swift build`
#
# Loopback only (127.0.0.1, 127.0.0.2, 127.0.0.3 and 127.0.1.x as attackers): ports 25660 (SIP), 28680 (HTTP), 28690
# (webhooks). Needs sipp, curl, jq and python3. About 40 s. Prints "ok" or "FAIL" for each check, then "hostile
# load: N passed, M failed", and exits non-zero when a check failed.
set -euo pipefail
trap 'echo "FAIL the run stopped at line $LINENO: $BASH_COMMAND exited $?"' ERR
cd "$(dirname "$0")/.."
source Interop/lib.sh

work=$(mktemp -d)
server=
helpers=()
cleanup() {
    for pid in "${helpers[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
sip_port=25660
http_port=28680
hook_port=28690
binary=$(tandem_binary)
# The bound on the server's peak resident memory over the whole run (VmHWM), for a debug or release build with the
# demo's 10,000 numbers: the floods must not grow it past this (a debug build peaked at 115 MiB here).
memory_bound_mib=${HOSTILE_MEMORY_BOUND_MIB:-256}

# Short windows, so the run shows each limit acting within seconds: HTTP idle 3 s, the 911 window 5 s.
"$binary" serve --demo --database "$work/tandem.db" --http "127.0.0.1:$http_port" --sip "127.0.0.1:$sip_port" \
    --http-idle-seconds 3 --emergency-notice-window-seconds 5 >"$work/serve.log" 2>&1 &
server=$!
wait_until_up "$work/serve.log" "$server" || { cat "$work/serve.log"; echo "FAIL the server did not start"; exit 1; }
acme_key=$(grep -o 'ACME_KEY=tdm_[A-Za-z0-9]*' "$work/serve.log" | head -1 | cut -d= -f2)
read -r number caller < <(grep -o 'sipp -sf .*' "$work/serve.log" | head -1 | awk '{print $7, $10}')

# metric NAME: the server's current value of a Prometheus counter (0 when it has none yet).
metric() {
    curl -sS --max-time 5 "http://127.0.0.1:$http_port/metrics" | awk -v name="$1" '$1 == name { print int($2); found = 1 } END { if (!found) print 0 }'
}
healthy() { curl -sS --fail --max-time 2 "http://127.0.0.1:$http_port/health" | grep -q '"status":"ok"'; }
# redirected [TRANSPORT]: one call from Acme's trunk (127.0.0.1) is answered 302, over UDP or TCP (t1).
redirected() {
    timeout 15 sipp -sf Interop/sipp/redirect.xml -m 1 -t "${1:-u1}" -s "$number" -key caller "$caller" -p 25665 \
        -nostdin -timeout 10 -timeout_error "127.0.0.1:$sip_port"
}
answers_normally() { healthy && redirected u1 && redirected t1; }
check "before: the API and SIP answer" answers_normally

# 1. 1,600 idle TCP connections from 100 unknown addresses, 16 each: past the total of 1,024, new ones are closed.
python3 Interop/hostile.py tcp-flood 127.0.0.1 "$sip_port" 100 16 30 >"$work/flood.json" 2>"$work/flood.err" &
helpers+=($!)
flood=$!
check "TCP flood: 1,600 connections opened" poll 25 grep -q "^opened" "$work/flood.err"
check "TCP flood: /health answers while 1,000+ connections are held" healthy
check "TCP flood: a trunk's new TCP connection is served (it replaces an unknown one)" redirected t1
check "TCP flood: UDP calls are served" redirected u1
shed_enough() { (( $(metric tandem_sip_tcp_connections_shed_total) > 500 )); }
check "TCP flood: shed connections are counted (tandem_sip_tcp_connections_shed_total > 500)" shed_enough
kill "$flood" 2>/dev/null || true
wait "$flood" 2>/dev/null || true
check "TCP flood: the flood saw its connections closed past the limits ($(cat "$work/flood.err"))" \
    jq -e '.opened > 0 and .closed_by_server >= .attempted - 1024' "$work/flood.json"
check "after the TCP flood: the API and SIP answer" answers_normally

# 2. Slowloris: 300 HTTP connections dripping a request head; the 3 s idle timeout closes them all.
python3 Interop/hostile.py slowloris 127.0.0.1 "$http_port" 300 12 >"$work/slowloris.json" &
helpers+=($!)
slow=$!
sleep 1
check "slowloris: /health answers while 300 slow connections drip" healthy
wait "$slow" || true
check "slowloris: every slow connection was closed, within 3 s idle + 3 s slack" \
    jq -e '.closed_by_server == .connections and .last_closed_after_s <= 6' "$work/slowloris.json"

# 3. 3,000 INVITEs from an address that is no trunk's: each refused 403, their routing records sampled, not one
#    row each.
written_before=$(metric tandem_routing_records_written_total)
sampled_before=$(metric tandem_routing_records_sampled_out_total)
timeout 60 sipp -sf Interop/sipp/redirect.xml -m 3000 -r 1000 -i 127.0.0.2 -s "$number" -key caller "$caller" \
    -p 25666 -nostdin -timeout 30 "127.0.0.1:$sip_port" >"$work/unknown.out" 2>&1 || true
sleep 1.5
sampled=$(( $(metric tandem_routing_records_sampled_out_total) - sampled_before ))
written=$(( $(metric tandem_routing_records_written_total) - written_before ))
check "unknown-source flood: at most 100 of 3,000 refused calls were written as rows ($written written, $sampled sampled out)" \
    bash -c "(( $written <= 100 && $sampled >= 2900 ))"
check "after the unknown-source flood: the API and SIP answer" answers_normally

# 4. 500 calls to 911 with fresh Call-IDs from Acme's trunk: all 500 routed, one notice at once and one summary.
secret=$(curl -sS --fail-with-body -H "Authorization: Bearer $acme_key" -H 'Content-Type: application/json' \
    -X POST "http://127.0.0.1:$http_port/v1/webhooks" -d "{\"url\":\"http://127.0.0.1:$hook_port/hook\"}" | jq -er .secret)
python3 Interop/webhook-receiver.py "$hook_port" "$secret" >"$work/hooks.jsonl" &
helpers+=($!)
sleep 0.5
routed_911() {
    timeout 60 sipp -sf Interop/sipp/redirect.xml -m 500 -r 500 -s 911 -key caller "$number" -p 25667 \
        -nostdin -timeout 30 -timeout_error "127.0.0.1:$sip_port" >"$work/911.out" 2>&1
}
check "911 flood: all 500 calls routed (302)" routed_911
notices() {
    python3 - "$work/hooks.jsonl" <<'PY'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
calls = [e for e in events if e["type"] == "emergency.call" and e["verified"]]
first = [e for e in calls if e["data"]["repeats"] == 0]
summaries = [e for e in calls if e["data"]["repeats"] > 0]
print(f"{len(first)} at once, {len(summaries)} summaries, repeats {[e['data']['repeats'] for e in summaries]}")
sys.exit(0 if len(first) == 1 and len(summaries) == 1 and summaries[0]["data"]["repeats"] == 499 else 1)
PY
}
check "911 flood: one notice at once and one summary of the 499 repeats, not 500 deliveries" poll 15 notices
check "after the 911 flood: the API and SIP answer" answers_normally

# 5. 300 requests from 127.0.0.3 with made-up keys of the right shape (each would cost a key lookup): past the
# source's burst of failed authentications (100, then 10 a second), it is refused 429 before any lookup.
bad_key="tdm_$(head -c 36 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 48)"
seq 300 | xargs -P 8 -I{} curl -sS -o /dev/null -w '%{http_code}\n' --interface 127.0.0.3 \
    -H "Authorization: Bearer $bad_key" "http://127.0.0.1:$http_port/v1/me" >"$work/bad-keys.txt" || true
unauthorized=$(grep -c '^401$' "$work/bad-keys.txt" || true)
limited=$(grep -c '^429$' "$work/bad-keys.txt" || true)
check "bad-key flood: $unauthorized of 300 looked up (401), $limited refused before a lookup (429)" \
    bash -c "(( $unauthorized >= 100 && $unauthorized <= 150 && $unauthorized + $limited == 300 ))"
check "after the bad-key flood: the API (from other addresses) and SIP answer" answers_normally

peak_kib=$(awk '/^VmHWM/ { print $2 }' "/proc/$server/status")
check "memory: peak resident $((peak_kib / 1024)) MiB, within ${memory_bound_mib} MiB" bash -c "(( $peak_kib / 1024 <= $memory_bound_mib ))"
check "the server kept running" kill -0 "$server"

echo "hostile load: $passed passed, $failed failed"
((failed == 0))
